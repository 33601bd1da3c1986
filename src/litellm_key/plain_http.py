"""Plain-http requests on nothing but sockets, for LiteLLM behind our loopback proxy.

Why not httpx here: importing httpx and httpcore costs more than everything else a warm `apply`,
`status` or `setup` does (~60 ms on a 2-CPU machine), and those commands verify through
`http://localhost:<port>`, where neither TLS, HTTP/2 nor connection pools matter. Why not
`http.client` either: it imports `email` (header parsing) and `ssl`, another ~15 ms, for the one
HTTP/1.1 exchange these commands need. https stays on httpx (`http_transport`).

Like `http_transport`, every request ends within its overall deadline whatever the server does:
each socket operation (connect, send, every read of headers and body) gets only the time left,
so a server that trickles one byte at a time cannot hold a command past `timeout`.

Failures are `OSError`s (`TimeoutError` for the deadline, `socket.gaierror` for a name that does
not resolve) or `BadResponse` (an answer that is not HTTP/1.x); `gateway` names them.
"""

from __future__ import annotations

import json as jsonlib
import select
import socket
import time
from typing import Any
from urllib.parse import urlencode, urlsplit

_MAX_LINE = 65536  # http.client's limits for one header line and the number of headers
_MAX_HEADERS = 100
_CHUNK = 1 << 20


def usable(base_url: str) -> bool:
    """True for `http://` URLs. Environment proxies (HTTP_PROXY, ALL_PROXY) are not used here, as
    they were not by httpx with our deadline transport (a client given its own transport ignores
    them): the usual URL is our loopback proxy, which a proxy elsewhere could not even reach."""
    return base_url.startswith("http://")


class BadResponse(Exception):
    """The server answered something that is not HTTP/1.x, or hung up in the middle of it."""


class _Deadline:
    def __init__(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds

    def left(self) -> float:
        remaining = self.at - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("the overall deadline passed")
        return remaining


class _DeadlineSocket(socket.socket):
    """A socket whose every read and send gets only what is left of `deadline`; `makefile`'s
    reads call `recv_into`, so the status line, headers and body are all covered."""

    deadline: _Deadline

    def recv_into(self, buffer: Any, nbytes: int = 0, flags: int = 0) -> int:
        self.settimeout(self.deadline.left())
        return super().recv_into(buffer, nbytes, flags)

    def sendall(self, data: Any, flags: int = 0) -> None:
        self.settimeout(self.deadline.left())  # since 3.5 a timeout bounds the whole sendall
        super().sendall(data, flags)


class Response:
    """The part of `httpx.Response` that `gateway`'s callers read."""

    def __init__(self, status_code: int, content: bytes, content_type: str) -> None:
        self.status_code = status_code
        self.content = content
        self._charset = "utf-8"
        for parameter in content_type.split(";")[1:]:
            name, _, value = parameter.strip().partition("=")
            if name.lower() == "charset" and value:
                self._charset = value.strip('"')

    @property
    def text(self) -> str:
        try:
            return self.content.decode(self._charset, errors="replace")
        except LookupError:  # a charset Python does not know
            return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return jsonlib.loads(self.content)


def _line(reader: Any, what: str) -> bytes:
    line = reader.readline(_MAX_LINE + 1)
    if not line:
        raise BadResponse(f"the server closed the connection {what}")
    if len(line) > _MAX_LINE:
        raise BadResponse(f"a line longer than {_MAX_LINE} bytes {what}")
    return line


def _exactly(reader: Any, size: int) -> bytes:
    parts, left = [], size
    while left:
        part = reader.read(min(left, _CHUNK))
        if not part:
            raise BadResponse(f"the server closed the connection {left} bytes before the end of the body")
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def _head(reader: Any) -> tuple[int, bytes, dict[str, str]]:
    """Status, version and headers (names lower-cased), skipping 1xx interim answers."""
    while True:
        status_line = _line(reader, "without answering")
        fields = status_line.split(None, 2)
        if len(fields) < 2 or not fields[0].startswith(b"HTTP/1.") or not (fields[1].isdigit() and len(fields[1]) == 3):
            raise BadResponse(f"not an HTTP answer: {status_line[:60]!r}")
        headers: dict[str, str] = {}
        while (line := _line(reader, "inside the headers")) not in (b"\r\n", b"\n"):
            name, colon, value = line.decode("latin-1").partition(":")
            if not colon or len(headers) >= _MAX_HEADERS:
                raise BadResponse(f"a malformed header line: {line[:60]!r}")
            headers[name.strip().lower()] = value.strip()
        status = int(fields[1])
        if not 100 <= status < 200:
            return status, fields[0], headers


def _body(reader: Any, method: str, status: int, headers: dict[str, str]) -> tuple[bytes, bool]:
    """The body, and whether it was delimited (so the connection can carry the next request)."""
    if method == "HEAD" or status in (204, 304):
        return b"", True
    if "chunked" in headers.get("transfer-encoding", "").lower():
        parts = []
        while size := _chunk_size(_line(reader, "inside a chunked body")):
            parts.append(_exactly(reader, size))
            _line(reader, "inside a chunked body")
        while _line(reader, "inside the trailers") not in (b"\r\n", b"\n"):
            pass
        return b"".join(parts), True
    if "content-length" in headers:
        try:
            length = int(headers["content-length"])
        except ValueError:
            raise BadResponse(f"Content-Length {headers['content-length'][:40]!r}") from None
        return _exactly(reader, length), True
    return b"".join(iter(lambda: reader.read(_CHUNK), b"")), False


def _chunk_size(line: bytes) -> int:
    try:
        return int(line.split(b";", 1)[0].strip(), 16)
    except ValueError:
        raise BadResponse(f"a malformed chunk size: {line[:40]!r}") from None


class _Connection:
    """One socket and its buffered reader; used by one request at a time."""

    def __init__(self, address: tuple[str, int], deadline: _Deadline) -> None:
        host: str | bytes = address[0]
        try:
            host = address[0].encode("ascii")  # bytes skip the idna codec's import
        except UnicodeError:
            pass
        plain = socket.create_connection((host, address[1]), deadline.left())
        self.sock = _DeadlineSocket(plain.family, plain.type, plain.proto, fileno=plain.detach())
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.deadline = deadline
        self.reader = self.sock.makefile("rb")

    def stale(self) -> bool:
        """An idle socket that is readable holds the server's close (or garbage), as httpcore also checks."""
        return bool(select.select([self.sock], [], [], 0)[0])

    def close(self) -> None:
        self.reader.close()
        self.sock.close()


class Client:
    """HTTP/1.1 requests to one `http://` base URL, each ending within `timeout` s in total.
    Kept-alive connections are reused; threads (`keys onboard` sends 4 at a time) each take their
    own. Same interface as `http_transport.DeadlineClient`."""

    errors: tuple[type[BaseException], ...] = (OSError, BadResponse)
    timeouts: tuple[type[BaseException], ...] = (TimeoutError,)

    def __init__(self, base_url: str, headers: dict[str, str], timeout: float) -> None:
        parts = urlsplit(base_url)
        self._address = (parts.hostname or "localhost", parts.port or 80)
        self._host_header = parts.netloc.rpartition("@")[2]
        self._prefix = parts.path.rstrip("/")
        self._headers = headers
        self._timeout = timeout
        self._idle: list[_Connection] = []  # list.pop and append are atomic: no lock needed

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
        body = b"" if json is None else jsonlib.dumps(json).encode()
        sent = {"Host": self._host_header, "Accept": "*/*", **self._headers, **(headers or {})}
        if json is not None:
            sent["Content-Type"] = "application/json"
        if body or method in ("POST", "PUT", "PATCH"):
            sent["Content-Length"] = str(len(body))
        lines = [f"{method} {target} HTTP/1.1", *(f"{name}: {value}" for name, value in sent.items())]
        if any(character in line for line in lines for character in "\r\n\0"):
            raise ValueError("a request line or header holds CR, LF or NUL")
        deadline = _Deadline(self._timeout)
        connection = self._take(deadline)
        try:
            connection.sock.sendall("\r\n".join(lines).encode("latin-1") + b"\r\n\r\n" + body)
            status, version, answer_headers = _head(connection.reader)
            content, delimited = _body(connection.reader, method, status, answer_headers)
        except BaseException:
            connection.close()  # a half-read answer must not be taken for the next one
            raise
        tokens = answer_headers.get("connection", "").lower()
        if not delimited or "close" in tokens or (version == b"HTTP/1.0" and "keep-alive" not in tokens):
            connection.close()
        else:
            self._idle.append(connection)
        return Response(status, content, answer_headers.get("content-type", ""))

    def _take(self, deadline: _Deadline) -> _Connection:
        """An idle kept-alive connection the server has not closed, or a new one."""
        while True:
            try:
                connection = self._idle.pop()
            except IndexError:
                return _Connection(self._address, deadline)
            if not connection.stale():
                connection.sock.deadline = deadline
                return connection
            connection.close()

    def close(self) -> None:
        for connection in [self._idle.pop() for _ in range(len(self._idle))]:
            connection.close()
