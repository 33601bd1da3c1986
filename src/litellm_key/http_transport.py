"""An httpx transport with an overall deadline per request and no TLS set-up for plain http.

Why not `httpx.Client(timeout=...)` alone: httpx's timeouts are per socket operation, so a server
that sends its headers and then one byte every 2 s never trips a 10 s read timeout and holds a
command for minutes. Here every connect, write and read is clipped to what is left of the
request's deadline, so a request ends within `timeout` seconds whatever the server does.

Why not httpx's own transport: it builds an SSL context and loads the CA bundle (~40 ms) at
construction, even for `http://localhost`. httpcore creates its default (certificate-verifying)
context lazily, on the first TLS connection only.

`portal`, and `gateway` (and through it `sso` and `admin`) for https, use it; `plain_http` has the same deadline for plain http without httpx. So
every network call the tool makes has an overall deadline. It imports httpcore, so import it
lazily like httpx.
"""

from __future__ import annotations

import math
import time
from typing import Any

import httpcore
import httpx


class _Deadline:
    """The monotonic instant the current request must end by (reset by `start`)."""

    def __init__(self) -> None:
        self.at = math.inf

    def start(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds

    def clip(self, timeout: float | None, expired: type[Exception]) -> float:
        remaining = self.at - time.monotonic()
        if remaining <= 0:
            raise expired("the overall deadline passed")
        return remaining if timeout is None else min(timeout, remaining)


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, deadline: _Deadline) -> None:
        self._inner = inner
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._deadline.clip(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._deadline.clip(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None) -> "_Stream":
        clipped = self._deadline.clip(timeout, httpcore.ConnectTimeout)
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, clipped), self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self, deadline: _Deadline) -> None:
        self._inner = httpcore.SyncBackend()
        self._deadline = deadline

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Any = None) -> _Stream:
        clipped = self._deadline.clip(timeout, httpcore.ConnectTimeout)
        return _Stream(self._inner.connect_tcp(host, port, clipped, local_address, socket_options), self._deadline)

    def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options: Any = None) -> _Stream:
        clipped = self._deadline.clip(timeout, httpcore.ConnectTimeout)
        return _Stream(self._inner.connect_unix_socket(path, clipped, socket_options), self._deadline)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class DeadlineTransport(httpx.HTTPTransport):
    """httpx's transport (same request/response mapping and error translation) over a pool whose
    sockets honour `deadline`. `ssl_context=None` lets httpcore verify certificates with its
    default context, created only when an https connection is made."""

    def __init__(self) -> None:  # deliberately not HTTPTransport.__init__: it builds a TLS context
        self.deadline = _Deadline()
        self._pool = httpcore.ConnectionPool(ssl_context=None, network_backend=_Backend(self.deadline))


def client(base_url: str, headers: dict[str, str], timeout: float) -> tuple[httpx.Client, DeadlineTransport]:
    """An httpx client for `base_url` and its transport (call `transport.deadline.start` per request)."""
    transport = DeadlineTransport()
    return httpx.Client(base_url=base_url, headers=headers, timeout=timeout, transport=transport), transport


class DeadlineClient:
    """`client` behind the interface `gateway` uses for both transports (see `plain_http.Client`):
    `request` starts the deadline, `errors`/`timeouts` are what a request that got no answer raises."""

    errors: tuple[type[BaseException], ...] = (httpx.HTTPError,)
    timeouts: tuple[type[BaseException], ...] = (httpx.TimeoutException,)

    def __init__(self, base_url: str, headers: dict[str, str], timeout: float) -> None:
        self._client, self._transport = client(base_url, headers, timeout)
        self._timeout = timeout

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        self._transport.deadline.start(self._timeout)
        return self._client.request(method, path, **kwargs)

    def close(self) -> None:
        self._client.close()
