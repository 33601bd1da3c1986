"""Plain-http requests on the standard library, for LiteLLM behind our loopback proxy.

Why not httpx here: importing httpx and httpcore costs more than everything else a warm `apply`,
`status` or `setup` does (~60 ms on a 2-CPU machine), and those commands verify through
`http://localhost:<port>`, where neither TLS, HTTP/2 nor connection pools matter. `http.client`
is already loaded by the proxy's health check. https (and http through an environment proxy, see
`usable`) stays on httpx (`http_transport`).

Like `http_transport`, every request ends within its overall deadline whatever the server does:
each socket operation (connect, send, every read of headers and body) gets only the time left,
so a server that trickles one byte at a time cannot hold a command past `timeout`.

Failures are `OSError`s (`TimeoutError` for the deadline, `socket.gaierror` for a name that does
not resolve) or `http.client.HTTPException` (a reply that is not HTTP); `gateway` names them.
"""

from __future__ import annotations

import http.client
import json as jsonlib
import os
import select
import socket
import time
from typing import Any
from urllib.parse import urlencode, urlsplit

_LOOPBACK = ("localhost", "127.0.0.1", "::1")
_PROXY_VARIABLES = ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY")


def usable(base_url: str) -> bool:
    """True for `http://` URLs that httpx would not send through an environment proxy either way:
    loopback hosts (a proxy elsewhere cannot reach this container's localhost, so HTTP_PROXY there
    is always a mistake) and any host while no http_proxy/all_proxy variable is set."""
    parts = urlsplit(base_url)
    if parts.scheme != "http":
        return False
    host = (parts.hostname or "").lower()
    loopback = host in _LOOPBACK or host.startswith("127.") or host.endswith(".localhost")
    return loopback or not any(os.environ.get(name) for name in _PROXY_VARIABLES)


class _Deadline:
    def __init__(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds

    def left(self) -> float:
        remaining = self.at - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("the overall deadline passed")
        return remaining


class _DeadlineSocket(socket.socket):
    """A socket whose every read and send gets only what is left of `deadline`. `http.client`
    reads through `makefile`, whose reads call `recv_into`, so headers and body are covered."""

    deadline: _Deadline

    def recv_into(self, buffer: Any, nbytes: int = 0, flags: int = 0) -> int:
        self.settimeout(self.deadline.left())
        return super().recv_into(buffer, nbytes, flags)

    def sendall(self, data: Any, flags: int = 0) -> None:
        self.settimeout(self.deadline.left())  # since 3.5 a timeout bounds the whole sendall
        super().sendall(data, flags)


class _Connection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int | None) -> None:
        super().__init__(host, port)
        self.deadline = _Deadline(0)

    def connect(self) -> None:
        plain = socket.create_connection((self.host, self.port), self.deadline.left())
        sock = _DeadlineSocket(plain.family, plain.type, plain.proto, fileno=plain.detach())
        sock.deadline = self.deadline
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = sock

    def stale(self) -> bool:
        """An idle kept-alive socket that is readable was closed by the server (or holds garbage)."""
        return self.sock is not None and bool(select.select([self.sock], [], [], 0)[0])


class Response:
    """The part of `httpx.Response` that `gateway`'s callers read."""

    def __init__(self, status_code: int, content: bytes, charset: str | None) -> None:
        self.status_code = status_code
        self.content = content
        self._charset = charset or "utf-8"

    @property
    def text(self) -> str:
        try:
            return self.content.decode(self._charset, errors="replace")
        except LookupError:  # a charset Python does not know
            return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return jsonlib.loads(self.content)


class Client:
    """Requests to one `http://` base URL over one kept-alive connection, `timeout` s each in total.
    Same interface as `http_transport.DeadlineClient`."""

    errors: tuple[type[BaseException], ...] = (OSError, http.client.HTTPException)
    timeouts: tuple[type[BaseException], ...] = (TimeoutError,)

    def __init__(self, base_url: str, headers: dict[str, str], timeout: float) -> None:
        parts = urlsplit(base_url)
        self._prefix = parts.path.rstrip("/")
        self._headers = headers
        self._timeout = timeout
        self._connection = _Connection(parts.hostname or "localhost", parts.port or 80)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        target = self._prefix + path
        if params:
            target += ("&" if "?" in target else "?") + urlencode(params)
        sent = {**self._headers, **(headers or {})}
        body = None
        if json is not None:
            body = jsonlib.dumps(json).encode()
            sent["Content-Type"] = "application/json"
        connection = self._connection
        connection.deadline.at = time.monotonic() + self._timeout
        if connection.stale():
            connection.close()
        try:
            connection.request(method, target, body=body, headers=sent)
            reply = connection.getresponse()
            content = reply.read()
        except BaseException:
            connection.close()  # a half-read reply must not be mistaken for the next one
            raise
        return Response(reply.status, content, reply.headers.get_content_charset())

    def close(self) -> None:
        self._connection.close()
