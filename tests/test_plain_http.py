"""Plain-http calls (our loopback proxy, what every warm `apply`, `status` and `setup` verifies
through) go over `plain_http` on bare sockets: no httpx, no http.client, the same overall deadline
and the same catalogued errors. https stays on httpx."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conftest import GOOD_KEY
from feature_config import feature_config
from litellm_key import proxy
from litellm_key.errors import LitellmKeyError
from litellm_key.gateway import Gateway
from litellm_key.secret import ClientKey
from litellm_key.settings import Settings
from proxy_helpers import free_port, needs_nginx
from hostile_server import HostileServer, never_answer, respond, trickle

HEAVY = ("httpx", "httpcore", "http.client", "email.parser", "ssl", "tomlkit")


def _imported_by(
    cli, argv: list[str], env: dict[str, str], stdin: str = "", watched: tuple[str, ...] = HEAVY
) -> tuple[int, list[str]]:
    """Run the command in a fresh interpreter; its exit code and which `watched` modules it loaded."""
    probe = (
        "import sys, io, contextlib\n"
        "from litellm_key.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
        f"    code = main({argv!r})\n"
        f"print(code, sorted(m for m in {watched!r} if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=cli.workspace, env={**cli.env, **env}, input=stdin, capture_output=True, text=True
    )
    code, _, heavy = result.stdout.strip().partition(" ")
    assert code.isdigit(), result.stderr
    return int(code), json.loads(heavy.replace("'", '"'))


def _warm_commands_import(cli, standin, env: dict[str, str], watched: tuple[str, ...]) -> None:
    """After a first setup, warm `apply`, `status` and `setup` verify through the proxy and load
    none of the `watched` modules."""
    state_dir = Path(cli.env["XDG_STATE_HOME"]) / "litellm-key"
    assert cli("setup", "--key-stdin", input=f"{GOOD_KEY}\n", env=env).returncode == 0  # the container's first start
    try:
        for argv, stdin in ((["apply"], ""), (["status"], ""), (["setup", "--key-stdin"], f"{GOOD_KEY}\n")):
            before = len(standin.requests)
            assert _imported_by(cli, argv, env, stdin, watched) == (0, []), argv
            assert any(r.path == "/v1/models" for r in standin.requests[before:]), f"{argv} verified nothing"
    finally:
        proxy.stop(Settings(workspace=cli.workspace, env_file=cli.workspace / ".env", state_dir=state_dir))


@needs_nginx[0]
@needs_nginx[1]
def test_warm_commands_through_the_proxy_import_neither_httpx_nor_http_client(cli, standin):
    env = {"LITELLM_PROXY": "true", "LITELLM_LISTEN": f"127.0.0.1:{free_port()}", "LITELLM_UPSTREAM": standin.url}
    _warm_commands_import(cli, standin, env, HEAVY)


@needs_nginx[0]
@needs_nginx[1]
def test_warm_commands_with_the_features_system_config_import_neither_yaml_nor_httpx_nor_dotenv(cli, standin, tmp_path):
    """Every container has /etc/litellm-key/config.yaml: the settings come from it alone here (the
    environment's are emptied), and reading it must not bring PyYAML (~13 ms) along."""
    config = tmp_path / "config.yaml"
    config.write_text(feature_config(standin.url, free_port()))
    env = {"LITELLM_KEY_SYSTEM_CONFIG": str(config), "LITELLM_PROXY": "", "LITELLM_UPSTREAM": ""}
    _warm_commands_import(cli, standin, env, ("yaml", "httpx", "http.client", "dotenv"))


def test_https_still_goes_through_httpx(cli):
    """The unreachable https URL fails either way; what matters is which client tried."""
    env = {"LITELLM_UPSTREAM": f"https://127.0.0.1:{free_port()}"}
    (cli.workspace / ".env").write_text(f"LITELLM_API_KEY={GOOD_KEY}\n")
    code, heavy = _imported_by(cli, ["status"], env)
    assert code == 6 and "httpx" in heavy


def _gateway_error(url: str, timeout: float = 5) -> LitellmKeyError:
    with Gateway(url, ClientKey(GOOD_KEY), timeout=timeout) as gateway:
        with pytest.raises(LitellmKeyError) as raised:
            gateway.models()
    return raised.value


@pytest.mark.parametrize("behaviour", [trickle(headers_too=True), trickle(headers_too=False), never_answer],
                         ids=["header trickle", "body trickle", "never answers"])
def test_a_stalling_server_is_a_gateway_timeout(behaviour):
    server = HostileServer(behaviour)
    try:
        error = _gateway_error(server.url, timeout=1)
    finally:
        server.close()
    assert error.reason == "gateway-timeout"


def test_a_refused_connection_is_unreachable_and_says_refused():
    error = _gateway_error(f"http://127.0.0.1:{free_port()}")
    assert error.reason == "gateway-unreachable"
    assert "refused" in error.message.lower()  # admin's port-forward recovery keys on this word


def test_an_unresolvable_name_is_named():
    error = _gateway_error("http://nonexistent.invalid:8080")
    assert error.reason == "gateway-name-unresolved"
    assert "nonexistent.invalid" in error.message


@pytest.mark.parametrize(
    "answer",
    [b"SSH-2.0-OpenSSH_9.6\r\n", b"HTTP/1.1 200 OK\r\nbroken header\r\n\r\n", b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{}"],
    ids=["not http", "bad header", "cut short"],
)
def test_an_answer_that_is_not_http_is_unreachable_not_a_traceback(answer):
    server = HostileServer(lambda conn, _request: conn.sendall(answer))
    try:
        error = _gateway_error(server.url)
    finally:
        server.close()
    assert error.reason == "gateway-unreachable"


def test_params_json_body_and_extra_headers_reach_the_server():
    seen: list[str] = []

    def behave(conn: socket.socket, request: str) -> None:
        head, _, body = request.partition("\r\n\r\n")
        length = next(int(line.split(":")[1]) for line in head.split("\r\n") if line.lower().startswith("content-length"))
        while len(body.encode()) < length:
            body += conn.recv(65536).decode()
        seen.append(head + "\n\n" + body)
        chunked = b'{"ok"' + b"\r\n" + b": true}"
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n"
                     + f"{len(chunked):x}\r\n".encode() + chunked + b"\r\n0\r\n\r\n")

    server = HostileServer(behave)
    try:
        with Gateway(server.url, ClientKey(GOOD_KEY), timeout=5) as gateway:
            answer = gateway.request("POST", "/key/generate", params={"a": "1 2", "b": 3}, json={"models": ["é"]},
                                     headers={"anthropic-version": "2023-06-01"})
    finally:
        server.close()
    assert answer == {"ok": True}
    head, body = seen[0].split("\n\n", 1)
    assert head.startswith("POST /key/generate?a=1+2&b=3 HTTP/1.1\r\n")
    assert f"Authorization: Bearer {GOOD_KEY}" in head and "anthropic-version: 2023-06-01" in head
    assert "Content-Type: application/json" in head
    assert json.loads(body) == {"models": ["é"]}


def test_a_connection_the_server_closed_is_replaced_not_reported():
    """Keep-alive: the second call finds the first connection closed by the server and opens another."""
    closed = threading.Event()

    def behave(conn: socket.socket, _request: str) -> None:
        conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: 25\r\n\r\n{"data": [{"id": "m-1"}]}')  # no Connection: close
        conn.shutdown(socket.SHUT_RDWR)  # then hangs up, as an idle keep-alive timeout does
        closed.set()

    server = HostileServer(behave)
    try:
        with Gateway(server.url, ClientKey(GOOD_KEY), timeout=5) as gateway:
            assert gateway.models() == ("m-1",)
            assert closed.wait(5)
            assert gateway.models() == ("m-1",)
    finally:
        server.close()


def test_an_environment_proxy_does_not_divert_the_loopback_proxy(monkeypatch):
    """HTTP_PROXY names a proxy elsewhere, which cannot reach this container's localhost: requests
    to our loopback proxy go direct (httpx with our deadline transport ignored it too)."""
    got: list[str] = []

    def behave(conn: socket.socket, request: str) -> None:
        got.append(request.split("\r\n", 1)[0])
        conn.sendall(respond("200 OK", '{"data": [{"id": "m-1"}]}'))

    target, elsewhere = HostileServer(behave), HostileServer(never_answer)
    for variable in ("HTTP_PROXY", "http_proxy", "ALL_PROXY"):
        monkeypatch.setenv(variable, elsewhere.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    try:
        with Gateway(target.url.replace("127.0.0.1", "localhost"), ClientKey(GOOD_KEY), timeout=5) as gateway:
            assert gateway.models() == ("m-1",)
    finally:
        target.close()
        elsewhere.close()
    assert got == ["GET /v1/models HTTP/1.1"]
