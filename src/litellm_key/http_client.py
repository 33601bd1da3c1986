"""The one HTTP client every request goes through: LiteLLM (verification, admin calls, the SSO
login, doctor), the key portal, and the proxy's health check.

httpx over an `httpcore.ConnectionPool`, through their public API only, with what neither gives
by itself:

- **One overall deadline per request.** httpx's timeouts are per socket operation, so a server
  that sends its headers and then one byte every 2 s never trips a 10 s read timeout. Here the
  network backend clips every connect, write and read to what is left of the request's deadline
  (a per-thread value: `keys onboard` sends 4 requests at a time through one client).
- **No CA-bundle load for http.** httpx's own transport builds an SSL context at construction
  (~40 ms), even for `http://localhost`; httpcore creates its certificate-verifying default
  context lazily, on the first https connection only.
- **No environment proxies.** HTTP_PROXY and friends are ignored (`trust_env=False`): the usual
  URL is our loopback proxy, which a proxy elsewhere could not even reach.
- **Strict framing, bounded answers.** h11 parses HTTP/1.1 (conflicting, negative or non-numeric
  Content-Length, bad chunks, a cut answer are errors at once; an obsolete folded header is
  unfolded, RFC 9112 §5.2). Bodies are read up to `MAX_ANSWER`, before and after gzip decoding,
  so neither a huge answer nor a gzip bomb takes more memory than that.
- **Redirects are reported, never followed**: following one would carry the key, master key or
  session token to an address nobody configured.

Every failure leaves as a catalogued error from `_failure`, the one mapper; `Service` says which
family of reasons (`gateway-…` or `portal-…`) and which setting the message names. This imports
httpx (~60 ms): import it lazily, never on the `token`/`env` paths.
"""

from __future__ import annotations

import contextvars
import json as jsonlib
import math
import socket
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from .errors import LitellmKeyError, fail
from .secret import scrub

MAX_ANSWER = 16 * 1024 * 1024  # no LiteLLM or portal answer comes near it: 100 full keys are ~100 KB
_MAX_ANSWER_TEXT = "16 MiB"


@dataclass(frozen=True)
class Service:
    """Who answers, as the error messages name it: `family` picks the catalogued transport reasons
    (`gateway-timeout`, `portal-timeout`, …); `setting` is what to change when it redirects or
    answers broken HTTP, e.g. "`upstream` (LITELLM_UPSTREAM)"."""

    family: Literal["gateway", "portal"]
    setting: str


_UNRESOLVED = {"gateway": "gateway-name-unresolved", "portal": "portal-unreachable"}


@dataclass(frozen=True)
class Answer:
    """A complete, decoded answer whose status is not a redirect."""

    status_code: int
    content: bytes
    charset: str = "utf-8"

    @property
    def text(self) -> str:
        try:
            return self.content.decode(self.charset, errors="replace")
        except LookupError:  # a charset Python does not know
            return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return jsonlib.loads(self.content)


# ---- the deadline: every socket operation gets only what is left of the request's time ------------

_deadline: contextvars.ContextVar[float] = contextvars.ContextVar("litellm_key_http_deadline", default=math.inf)


def _clip(timeout: float | None, expired: type[Exception]) -> float:
    remaining = _deadline.get() - time.monotonic()
    if remaining <= 0:
        raise expired("the overall deadline passed")
    return remaining if timeout is None else min(timeout, remaining)


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _clip(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _clip(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None) -> "_Stream":
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, _clip(timeout, httpcore.ConnectTimeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Any = None) -> _Stream:
        clipped = _clip(timeout, httpcore.ConnectTimeout)
        return _Stream(self._inner.connect_tcp(host, port, clipped, local_address, socket_options))

    def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options: Any = None) -> _Stream:
        return _Stream(self._inner.connect_unix_socket(path, _clip(timeout, httpcore.ConnectTimeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _Body(httpx.SyncByteStream):
    def __init__(self, answer: httpcore.Response) -> None:
        self._answer = answer

    def __iter__(self) -> Iterator[bytes]:
        yield from self._answer.iter_stream()

    def close(self) -> None:
        self._answer.close()


class _Transport(httpx.BaseTransport):
    """httpx requests over an httpcore pool whose sockets honour the deadline. `ssl_context=None`
    lets httpcore verify certificates with its default context, made on the first https connection."""

    def __init__(self) -> None:
        self._pool = httpcore.ConnectionPool(ssl_context=None, network_backend=_Backend())

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = httpcore.URL(scheme=request.url.raw_scheme, host=request.url.raw_host, port=request.url.port,
                           target=request.url.raw_path)
        answer = self._pool.handle_request(httpcore.Request(
            method=request.method, url=url, headers=request.headers.raw, content=request.stream,  # type: ignore[arg-type]
            extensions=request.extensions,
        ))
        return httpx.Response(answer.status, headers=answer.headers, stream=_Body(answer), extensions=answer.extensions)

    def close(self) -> None:
        self._pool.close()


# ---- reading an answer under the cap --------------------------------------------------------------


class _Broken(Exception):
    """The answer is not one we can read; str() says why (for `answer-broken`)."""


class _TooLarge(Exception):
    """The answer passed MAX_ANSWER; str() says where (for `answer-too-large`)."""


class _Gunzip:
    """gzip decoded a mebibyte at a time (zlib's `max_length`), so a gzip bomb is stopped as soon
    as the answer passes the cap, holding little more than the cap however far it would expand."""

    _STEP = 1 << 20

    def __init__(self) -> None:
        self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)

    def __call__(self, data: bytes) -> Iterator[bytes]:
        try:
            while data:
                yield self._zlib.decompress(data, self._STEP)
                data = self._zlib.unconsumed_tail
        except zlib.error as error:
            raise _Broken(f"a gzip body that is not gzip ({error})") from None

    def finish(self) -> None:
        if not self._zlib.eof:
            raise _Broken("a gzip body that ends before the gzip stream does")


class _Identity:
    def __call__(self, data: bytes) -> Iterator[bytes]:
        yield data

    def finish(self) -> None:
        pass


def _decoder(content_encoding: str) -> _Gunzip | _Identity:
    """We ask for gzip alone (Accept-Encoding), so anything else is the server's mistake."""
    codings = [coding.strip().lower() for coding in content_encoding.split(",")]
    codings = [coding for coding in codings if coding not in ("", "identity")]
    if not codings:
        return _Identity()
    if codings in (["gzip"], ["x-gzip"]):
        return _Gunzip()
    raise _Broken(f"Content-Encoding '{content_encoding[:60]}', although only gzip was asked for")


def _content(response: httpx.Response) -> bytes:
    """The decoded body, at most MAX_ANSWER bytes before and after decoding."""
    length = response.headers.get("content-length")
    if length and "transfer-encoding" not in response.headers and int(length) > MAX_ANSWER:  # h11 checked the digits
        raise _TooLarge(f"Content-Length {length}")
    decode = _decoder(response.headers.get("content-encoding", ""))
    parts: list[bytes] = []
    received = decoded = 0
    for chunk in response.iter_raw():
        received += len(chunk)
        if received > MAX_ANSWER:
            raise _TooLarge("as sent")
        for part in decode(chunk):
            decoded += len(part)
            if decoded > MAX_ANSWER:
                raise _TooLarge("once gzip-decoded")
            parts.append(part)
    if received:  # no body at all (a 204, an empty 200) is no cut gzip stream
        decode.finish()
    return b"".join(parts)


def _charset(content_type: str) -> str:
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.strip().partition("=")
        if name.lower() == "charset" and value:
            return value.strip('"')
    return "utf-8"


# ---- the client and its one error mapper -------------------------------------------------------------


def _flat(text: str, secrets: tuple[str, ...] = (), limit: int = 160) -> str:
    """Server or library text fit for a message: secrets masked, whitespace flattened, cut short."""
    flat = " ".join(scrub(text, secrets).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _name_unresolved(error: BaseException) -> bool:
    """True when the connection failed at name resolution (socket.gaierror somewhere in the chain)."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, socket.gaierror):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _from_the_parser(error: BaseException) -> bool:
    """True when h11 refused what the server sent (httpcore raises it while handling h11's error;
    its pool re-raises `from None`, which keeps that context); httpcore's own "Server disconnected
    without sending a response" is a connection that brought nothing, as good as none."""
    return type(error.__cause__ or error.__context__).__module__.split(".")[0] == "h11"


class Client:
    """Requests to one base URL, each complete within `timeout` seconds (or the `timeout=` of the
    call); any text of the server's repeated in an error has every one of `secrets` masked."""

    def __init__(self, base_url: str, headers: dict[str, str], *, timeout: float, service: Service,
                 secrets: tuple[str, ...] = ()) -> None:
        self.base_url = base_url.rstrip("/")
        self.service = service
        self._timeout = timeout
        self._secrets = secrets
        self._client = httpx.Client(
            headers={"Accept-Encoding": "gzip", **headers}, timeout=timeout, transport=_Transport(),
            trust_env=False, follow_redirects=False,
        )

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def request(self, method: str, path: str, *, params: dict[str, Any] | None = None, json: Any = None,
                headers: dict[str, str] | None = None, timeout: float | None = None) -> Answer:
        """The whole answer, whatever its status other than a redirect; every failure catalogued."""
        url = f"{self.base_url}{path}"
        seconds = self._timeout if timeout is None else timeout
        started = _deadline.set(time.monotonic() + seconds)
        try:
            request = self._client.build_request(method, url, params=params, json=json, headers=headers, timeout=seconds)
            response = self._client.send(request, stream=True)
            try:
                if 300 <= response.status_code < 400:
                    raise self._redirect(url, response)
                content = _content(response)
            finally:
                response.close()
        except (httpx.HTTPError, httpcore.NetworkError, httpcore.TimeoutException, httpcore.ProtocolError,
                httpcore.UnsupportedProtocol, _Broken, _TooLarge) as error:
            raise self._failure(error, url, seconds) from None
        finally:
            _deadline.reset(started)
        return Answer(response.status_code, content, _charset(response.headers.get("content-type", "")))

    def _redirect(self, url: str, response: httpx.Response) -> LitellmKeyError:
        location = response.headers.get("location")
        target = _flat(urljoin(url, location), self._secrets) if location else "nowhere (no Location header)"
        return fail("server-redirect", url=url, status=response.status_code, location=target, setting=self.service.setting)

    def _failure(self, error: Exception, url: str, seconds: float) -> LitellmKeyError:
        """The one mapper from what went wrong on the wire to the catalogued error that says so."""
        family, why = self.service.family, _flat(str(error) or type(error).__name__, self._secrets)
        if isinstance(error, httpcore.LocalProtocolError):  # h11 quotes the refused header: maybe a secret's repr
            why = "h11 refused to send a request header"
        if isinstance(error, _TooLarge):
            return fail("answer-too-large", url=url, limit=_MAX_ANSWER_TEXT, detail=why, setting=self.service.setting)
        if isinstance(error, (httpcore.TimeoutException, httpx.TimeoutException)):
            return fail(f"{family}-timeout", url=url, timeout=round(seconds, 1))
        if isinstance(error, _Broken) or (isinstance(error, httpcore.RemoteProtocolError) and _from_the_parser(error)):
            return fail("answer-broken", url=url, detail=why, setting=self.service.setting)
        if _name_unresolved(error):
            return fail(_UNRESOLVED[family], url=url, host=urlsplit(url).hostname or url, detail=why)
        return fail(f"{family}-unreachable", url=url, detail=why)
