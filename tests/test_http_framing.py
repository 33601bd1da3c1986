"""Strict framing and bounded answers: a raw-socket server sends what a broken or hostile server
might. Each answer is read right or refused with a catalogued error at once — never "unexpected
error", never a wait until the deadline, never gigabytes in memory. The whole table runs against
`http_client`; a representative part runs through the real CLI."""

from __future__ import annotations

import gzip
import json
import socket
import time
import tracemalloc
import zlib

import pytest

from conftest import GOOD_KEY
from litellm_key.errors import LitellmKeyError
from litellm_key.gateway import UPSTREAM_SETTING
from litellm_key.http_client import MAX_ANSWER, Client, Service
from hostile_server import HostileServer

MODELS = b'{"data": [{"id": "claude-sonnet-4-5-20250929"}]}'
HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"


def _chunked(body: bytes, size: int = 7) -> bytes:
    pieces = [body[at:at + size] for at in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for piece in pieces) + b"0\r\n\r\n"


def _gzip_bomb() -> bytes:
    """256 MiB of zeros in ~256 KB of gzip: 16x the cap once decoded."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1 << 20)
    return b"".join(packer.compress(block) for _ in range(256)) + packer.flush()


GZIPPED = gzip.compress(MODELS)
BOMB = _gzip_bomb()
OVER = MAX_ANSWER + 1

# (id, raw bytes after the request, the body read or the catalogued reason, words the message holds)
CASES = [
    ("content-length", HEAD + b"Content-Length: %d\r\n\r\n" % len(MODELS) + MODELS, MODELS, ""),
    ("same content-length twice", HEAD + b"Content-Length: %d\r\nContent-Length: %d\r\n\r\n" % (len(MODELS), len(MODELS))
     + MODELS, MODELS, ""),
    ("negative content-length", HEAD + b"Content-Length: -5\r\n\r\n" + MODELS, "answer-broken", "Content-Length"),
    ("conflicting content-lengths", HEAD + b"Content-Length: %d\r\nContent-Length: 5\r\n\r\n" % len(MODELS) + MODELS,
     "answer-broken", "Content-Length"),
    ("content-length list that disagrees", HEAD + b"Content-Length: 5, %d\r\n\r\n" % len(MODELS) + MODELS,
     "answer-broken", "Content-Length"),
    ("non-numeric content-length", HEAD + b"Content-Length: 4O\r\n\r\n" + MODELS, "answer-broken", "Content-Length"),
    ("chunked", HEAD + b"Transfer-Encoding: chunked\r\n\r\n" + _chunked(MODELS), MODELS, ""),
    ("bad chunk terminator", HEAD + b"Transfer-Encoding: chunked\r\n\r\n5\r\n{\"dataXX0\r\n\r\n", "answer-broken", "chunk"),
    ("chunk size not hex", HEAD + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n", "answer-broken", "chunk"),
    ("negative chunk size", HEAD + b"Transfer-Encoding: chunked\r\n\r\n-2\r\n{}\r\n0\r\n\r\n", "answer-broken", "chunk"),
    ("chunk size beyond any real one", HEAD + b"Transfer-Encoding: chunked\r\n\r\n" + b"f" * 40 + b"\r\n{}\r\n",
     "answer-broken", "chunk"),
    ("folded header is unfolded", HEAD + b"Content-Encoding:\r\n gzip\r\nContent-Length: %d\r\n\r\n" % len(GZIPPED) + GZIPPED,
     MODELS, ""),
    ("gzip", HEAD + b"Content-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(GZIPPED) + GZIPPED, MODELS, ""),
    ("gzip, chunked", HEAD + b"Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n" + _chunked(GZIPPED), MODELS, ""),
    ("transfer-encoding gzip, chunked (never asked for)", HEAD + b"Transfer-Encoding: gzip, chunked\r\n\r\n" + _chunked(GZIPPED),
     "answer-broken", "Transfer-Encoding"),
    ("gzip label on an empty body", HEAD + b"Content-Encoding: gzip\r\nContent-Length: 0\r\n\r\n", b"", ""),
    ("gzip that is not gzip", HEAD + b"Content-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(MODELS) + MODELS,
     "answer-broken", "gzip"),
    ("gzip cut short", HEAD + b"Content-Encoding: gzip\r\nContent-Length: 20\r\n\r\n" + GZIPPED[:20], "answer-broken", "gzip"),
    ("an encoding never asked for", HEAD + b"Content-Encoding: br\r\nContent-Length: %d\r\n\r\n" % len(MODELS) + MODELS,
     "answer-broken", "Content-Encoding"),
    ("gzip twice", HEAD + b"Content-Encoding: gzip, gzip\r\nContent-Length: %d\r\n\r\n" % len(GZIPPED) + GZIPPED,
     "answer-broken", "Content-Encoding"),
    ("over the cap, content-length", HEAD + b"Content-Length: %d\r\n\r\n" % OVER + b"{", "answer-too-large", "16 MiB"),
    ("over the cap, chunked", HEAD + b"Transfer-Encoding: chunked\r\n\r\n" + b"%x\r\n" % OVER + b" " * OVER + b"\r\n0\r\n\r\n",
     "answer-too-large", "16 MiB"),
    ("over the cap, until close", HEAD + b"Connection: close\r\n\r\n" + b" " * OVER, "answer-too-large", "16 MiB"),
    ("gzip bomb", HEAD + b"Content-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(BOMB) + BOMB, "answer-too-large",
     "gzip"),
    ("cut in the middle", HEAD + b"Content-Length: 500\r\n\r\n" + MODELS, "answer-broken", "complete"),
    ("cut in the middle, chunked", HEAD + b"Transfer-Encoding: chunked\r\n\r\n40\r\n" + MODELS[:20], "answer-broken", "complete"),
    ("not http", b"<html><body>hello</body></html>\r\n\r\n", "answer-broken", "status line"),
    ("closed inside the headers: no answer", HEAD, "gateway-unreachable", "without sending a response"),
    ("a header line without a colon", b"HTTP/1.1 200 OK\r\nbroken header\r\nContent-Length: 2\r\n\r\n{}", "answer-broken", ""),
]


HANGS_UP = ("cut", "until close", "closed")  # the cases whose answer ends only when the server hangs up


def _serve(answer: bytes, hang_up: bool) -> HostileServer:
    """Send `answer`, then keep the connection open until the client closes it (a framing error
    must be seen in the bytes, not at the deadline), or first hang up, where that is the case."""
    def behave(conn: socket.socket, _request: str) -> None:
        conn.sendall(answer)
        if hang_up:
            conn.shutdown(socket.SHUT_WR)
        conn.recv(1)

    return HostileServer(behave)


@pytest.mark.parametrize(("case", "answer", "expected", "words"), CASES, ids=[case[0] for case in CASES])
def test_every_answer_is_read_right_or_refused_at_once(case, answer, expected, words):
    server = _serve(answer, hang_up=any(word in case for word in HANGS_UP))
    started = time.monotonic()
    try:
        with Client(server.url, {}, timeout=20, service=Service("gateway", UPSTREAM_SETTING)) as client:
            if isinstance(expected, bytes):
                assert client.request("GET", "/v1/models").content == expected
                return
            with pytest.raises(LitellmKeyError) as raised:
                client.request("GET", "/v1/models")
    finally:
        server.close()
    assert (raised.value.reason, raised.value.exit_code) == (expected, 6)
    assert words in raised.value.message
    if expected.startswith("answer-"):  # the server answered: the fix names the setting that points at it
        assert "`upstream`" in raised.value.fix
    assert time.monotonic() - started < 10, "a framing error waited for the 20 s deadline"


def test_a_gzip_bomb_takes_no_more_memory_than_the_cap():
    server = _serve(next(answer for case, answer, *_ in CASES if case == "gzip bomb"), hang_up=False)
    tracemalloc.start()
    try:
        with Client(server.url, {}, timeout=20, service=Service("gateway", UPSTREAM_SETTING)) as client:
            with pytest.raises(LitellmKeyError) as raised:
                client.request("GET", "/v1/models")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        server.close()
    assert raised.value.reason == "answer-too-large"
    assert peak < 2 * MAX_ANSWER, f"{peak / 2**20:.0f} MiB held for a 256 MiB bomb"


CLI_CASES = ["negative content-length", "bad chunk terminator", "cut in the middle", "over the cap, content-length",
             "gzip bomb", "transfer-encoding gzip, chunked (never asked for)"]


@pytest.mark.parametrize("case", CLI_CASES)
@pytest.mark.parametrize("command", ["status", "setup"])
def test_the_cli_reports_a_broken_answer_with_its_reason_and_keeps_the_key(hostile, workspace, case, command):
    answer, reason = next((raw, expected) for name, raw, expected, _ in CASES if name == case)
    cli = hostile(lambda conn, _request: conn.sendall(answer))
    env_file = workspace / ".env"
    env_file.write_text(f"# mine\nLITELLM_API_KEY={GOOD_KEY}\n")
    before = env_file.read_bytes()
    started = time.monotonic()

    result = cli(command, *(["--key-stdin"] if command == "setup" else []), "--json", "--timeout", "20",
                 input=f"{GOOD_KEY}\n")

    assert result.returncode == 6, result.output
    assert "Traceback" not in result.output
    error = json.loads(result.stdout)["error"]
    assert error["reason"] == reason and "LITELLM_UPSTREAM" in error["fix"]
    assert time.monotonic() - started < 15, "waited for the deadline"
    assert env_file.read_bytes() == before


def _litellm_in_gzip(conn: socket.socket, request: str) -> None:
    """LiteLLM's answers, gzip-encoded and chunked, as Traefik's compress middleware sends them."""
    path = request.split(" ", 2)[1]
    if path.startswith("/v1/models"):
        status, body = "200 OK", MODELS
    elif path.startswith("/key/info"):
        status, body = "200 OK", b'{"info": {"key_alias": "dev", "expires": null, "spend": 0, "max_budget": null}}'
    else:
        status, body = "401 Unauthorized", b'{"error": {"message": "Only proxy admin can be used", "type": "auth_error"}}'
    packed = gzip.compress(body)
    conn.sendall(f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
                 "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n".encode() + _chunked(packed, 13))


def test_setup_verifies_through_a_gateway_that_gzips_its_answers(hostile, workspace):
    cli = hostile(_litellm_in_gzip)

    result = cli("setup", "--key-stdin", "--model", "claude-sonnet-4-5-20250929", "--json", input=f"{GOOD_KEY}\n")

    assert result.returncode == 0, result.output
    assert "claude-sonnet-4-5-20250929" in json.loads(result.stdout)["models"]
    assert f"LITELLM_API_KEY={GOOD_KEY}" in (workspace / ".env").read_text()
