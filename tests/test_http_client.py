"""The one HTTP client (`http_client`) that every request goes through: one overall deadline a
trickling server cannot stretch, connection failures named, keep-alive that survives a server's
hang-up, no environment proxy for our loopback proxy, and the settings of a warm container still
read without PyYAML or python-dotenv."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
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


def _imported_by(cli, argv: list[str], env: dict[str, str], stdin: str, watched: tuple[str, ...]) -> tuple[int, list[str]]:
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


@needs_nginx[0]
@needs_nginx[1]
def test_warm_commands_with_the_features_system_config_import_neither_yaml_nor_dotenv(cli, standin, tmp_path):
    """Every container has /etc/litellm-key/config.yaml: the settings come from it alone here (the
    environment's are emptied), and reading it must not bring PyYAML (~13 ms) along. Warm `apply`,
    `status` and `setup` verify through the proxy and the one HTTP client."""
    config = tmp_path / "config.yaml"
    config.write_text(feature_config(standin.url, free_port()))
    env = {"LITELLM_KEY_SYSTEM_CONFIG": str(config), "LITELLM_PROXY": "", "LITELLM_UPSTREAM": ""}
    state_dir = Path(cli.env["XDG_STATE_HOME"]) / "litellm-key"
    assert cli("setup", "--key-stdin", input=f"{GOOD_KEY}\n", env=env).returncode == 0  # the container's first start
    try:
        for argv, stdin in ((["apply"], ""), (["status"], ""), (["setup", "--key-stdin"], f"{GOOD_KEY}\n")):
            before = len(standin.requests)
            assert _imported_by(cli, argv, env, stdin, ("yaml", "dotenv")) == (0, []), argv
            assert any(r.path == "/v1/models" for r in standin.requests[before:]), f"{argv} verified nothing"
    finally:
        proxy.stop(Settings(workspace=cli.workspace, env_file=cli.workspace / ".env", state_dir=state_dir))


def _gateway_error(url: str, timeout: float = 5) -> LitellmKeyError:
    with Gateway(url, ClientKey(GOOD_KEY), timeout=timeout) as gateway:
        with pytest.raises(LitellmKeyError) as raised:
            gateway.models()
    return raised.value


@pytest.mark.parametrize("behaviour", [trickle(headers_too=True), trickle(headers_too=False), never_answer],
                         ids=["header trickle", "body trickle", "never answers"])
def test_a_stalling_server_is_a_gateway_timeout_at_the_overall_deadline(behaviour):
    server = HostileServer(behaviour)
    started = time.monotonic()
    try:
        error = _gateway_error(server.url, timeout=1)
    finally:
        server.close()
    assert error.reason == "gateway-timeout"
    assert "did not answer within 1 s" in error.message or "within 1.0 s" in error.message
    assert time.monotonic() - started < 3  # a bound, not a benchmark: the trickle goes on for ever


def test_the_deadline_is_per_request_in_each_thread():
    """`keys onboard` sends 4 requests at a time through one client: a request started later in
    another thread must not lend its fresh deadline to one that is trickling."""
    def behave(conn: socket.socket, request: str) -> None:
        if "/slow" in request.split("\r\n", 1)[0]:
            trickle(headers_too=True)(conn, request)
        else:
            time.sleep(0.4)  # a slow answer is the behaviour here, not synchronisation
            conn.sendall(respond("200 OK", "{}"))

    server = HostileServer(behave)
    errors: list[str] = []
    try:
        with Gateway(server.url, None, timeout=1.5) as gateway:
            def slow() -> None:
                try:
                    gateway.request("GET", "/slow")
                except LitellmKeyError as error:
                    errors.append(error.reason)

            started = time.monotonic()
            worker = threading.Thread(target=slow)
            worker.start()
            while worker.is_alive() and time.monotonic() - started < 10:
                gateway.request("GET", "/fast")  # each starts its own 1.5 s deadline, in this thread
            worker.join()
    finally:
        server.close()
    assert errors == ["gateway-timeout"]
    assert time.monotonic() - started < 4


def test_a_refused_connection_is_unreachable_and_says_refused():
    error = _gateway_error(f"http://127.0.0.1:{free_port()}")
    assert error.reason == "gateway-unreachable"
    assert "refused" in error.message.lower()  # admin's port-forward recovery keys on this word


def test_a_server_that_hangs_up_without_answering_is_unreachable():
    """Nothing came back (a dying port-forward does this): as good as no connection, so admin's
    port-forward recovery still restarts the child and sends again."""
    server = HostileServer(lambda conn, _request: None)
    try:
        error = _gateway_error(server.url)
    finally:
        server.close()
    assert error.reason == "gateway-unreachable"


def test_an_unresolvable_name_is_named():
    error = _gateway_error("http://nonexistent.invalid:8080")
    assert error.reason == "gateway-name-unresolved"
    assert "nonexistent.invalid" in error.message


def test_params_json_body_and_extra_headers_reach_the_server():
    seen: list[str] = []

    def behave(conn: socket.socket, request: str) -> None:
        head, _, body = request.partition("\r\n\r\n")
        length = next(int(line.split(":")[1]) for line in head.split("\r\n") if line.lower().startswith("content-length"))
        while len(body) < length:  # the request was read as latin-1: one character per byte
            body += conn.recv(65536).decode("latin-1")
        seen.append(head + "\n\n" + body)
        conn.sendall(respond("200 OK", '{"ok": true}'))

    server = HostileServer(behave)
    try:
        with Gateway(server.url, ClientKey(GOOD_KEY), timeout=5) as gateway:
            answer = gateway.request("POST", "/key/generate", params={"a": "1 2", "b": 3}, json={"models": ["é"]},
                                     headers={"anthropic-version": "2023-06-01"})
    finally:
        server.close()
    assert answer == {"ok": True}
    head, body = seen[0].split("\n\n", 1)
    lines = [line.lower() for line in head.split("\r\n")]
    assert lines[0] == "post /key/generate?a=1+2&b=3 http/1.1"
    assert f"authorization: bearer {GOOD_KEY.lower()}" in lines and "anthropic-version: 2023-06-01" in lines
    assert "content-type: application/json" in lines
    assert "accept-encoding: gzip" in lines  # the only coding we decode, so the only one we ask for
    assert json.loads(body.encode("latin-1")) == {"models": ["é"]}


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
    to our loopback proxy go direct."""
    got: list[str] = []

    def behave(conn: socket.socket, request: str) -> None:
        got.append(request.split("\r\n", 1)[0])
        conn.sendall(respond("200 OK", '{"data": [{"id": "m-1"}]}'))

    target, elsewhere = HostileServer(behave), HostileServer(never_answer)
    for variable in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
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
