"""The real CLI against servers that misbehave on purpose: echo the key back, trickle, never answer,
answer garbage. Whatever the server does, the command ends with its documented exit code, no
traceback, no full key anywhere in its output (text or --json), and a failed command leaves
`.env` and the client files byte-identical."""

from __future__ import annotations

import json
import socket
import ssl
import subprocess
import time
from pathlib import Path

import pytest

from conftest import GOOD_KEY
from hostile_server import Behaviour, HostileServer, never_answer, respond, trickle
from litellm_standin import MASTER_KEY
from litellm_key.gateway import Gateway
from litellm_key.secret import ClientKey, scrub

# keys that the old `sk-[A-Za-z0-9_-]+` mask missed: punctuation inside, or no sk- prefix at all
ODD_KEYS = ["sk-a.b+c/d=e-0123456789xyz", "abcdefghijklmnopqrstuvwx0123"]
def _presented(request: str) -> str:
    for line in request.split("\r\n"):
        if line.lower().startswith("authorization: bearer "):
            return line.split(" ", 2)[2]
    return ""


def echo(status: str, template: str, content_type: str = "application/json") -> Behaviour:
    """Answer `status` with a body that repeats the presented key (`{key}`, JSON-escaped)."""

    def behave(conn: socket.socket, request: str) -> None:
        key = json.dumps(_presented(request))[1:-1]
        conn.sendall(respond(status, template.replace("{key}", key), content_type))

    return behave


def _snapshot(workspace: Path, home: Path) -> dict[str, bytes]:
    return {str(path): path.read_bytes() for root in (workspace, home) for path in root.rglob("*") if path.is_file() and ".git" not in path.parts}


def _assert_clean(result, key: str, exit_code: int) -> None:
    assert result.returncode == exit_code, result.output
    assert "Traceback" not in result.output
    for spelling in (key, json.dumps(key)[1:-1], key.replace("/", "\\/")):
        assert spelling not in result.output, result.output


ECHOES = [
    ("401 JSON", echo("401 Unauthorized", '{"error": {"message": "bad key {key}", "type": null}}'), 4),
    ("404 text", echo("404 Not Found", "no route for key {key}\n", "text/plain"), 6),
    ("500 JSON", echo("500 Internal Server Error", '{"detail": "crashed while checking {key}"}'), 6),
    ("500 HTML", echo("500 Internal Server Error", "<html><body>token={key}</body></html>", "text/html"), 6),
]


@pytest.mark.parametrize("key", ODD_KEYS)
@pytest.mark.parametrize(("case", "behaviour", "exit_code"), ECHOES, ids=[case for case, *_ in ECHOES])
@pytest.mark.parametrize("json_mode", [False, True], ids=["text", "json"])
def test_server_echoing_the_key_never_shows_it(hostile, workspace, tmp_path, key, case, behaviour, exit_code, json_mode):
    cli = hostile(behaviour)
    env_file = workspace / ".env"
    env_file.write_text(f"LITELLM_API_KEY={GOOD_KEY}\n")
    flags = ["--json"] if json_mode else []
    before = _snapshot(workspace, tmp_path / "home")

    result = cli("setup", "--key-stdin", *flags, input=f"{key}\n")

    _assert_clean(result, key, exit_code)
    assert key[-4:] in result.output  # the mask still tells keys apart
    if json_mode:
        assert json.loads(result.stdout)["error"]["exit_code"] == exit_code
    assert _snapshot(workspace, tmp_path / "home") == before


@pytest.mark.parametrize("key", ODD_KEYS)
@pytest.mark.parametrize("command", ["status", "apply"])
def test_stored_odd_key_echoed_back_is_masked(hostile, workspace, key, command):
    """`apply` still (re)configures the clients with the stored key, its job at every start; the
    rejection is its exit code, and `.env` keeps the key the user stored."""
    cli = hostile(ECHOES[0][1])
    env_file = workspace / ".env"
    env_file.write_text(f"LITELLM_API_KEY={key}\nLITELLM_BASE_URL={cli.env['LITELLM_UPSTREAM']}\n")
    before = env_file.read_bytes()
    for flags in ([], ["--json"]):
        _assert_clean(cli(command, *flags), key, 4)
    assert env_file.read_bytes() == before


STALLS = [("body trickle", trickle(headers_too=False)), ("header trickle", trickle(headers_too=True)), ("never answers", never_answer)]


@pytest.mark.parametrize(("case", "behaviour"), STALLS, ids=[case for case, _ in STALLS])
def test_stalling_server_ends_at_the_overall_deadline(hostile, workspace, case, behaviour):
    cli = hostile(behaviour)
    (workspace / ".env").write_text(f"LITELLM_API_KEY={GOOD_KEY}\n")
    started = time.monotonic()

    result = cli("status", "--timeout", "2", "--json")

    elapsed = time.monotonic() - started
    _assert_clean(result, GOOD_KEY, 6)
    assert json.loads(result.stdout)["error"]["reason"] == "gateway-timeout"
    assert elapsed < 6, f"{case}: the command ran {elapsed:.1f} s with --timeout 2"  # a bound, not a benchmark


BROKEN = [
    ("malformed JSON", lambda conn, _r: conn.sendall(respond("200 OK", "{not json")), "gateway-not-litellm"),
    ("502 HTML", lambda conn, _r: conn.sendall(respond("502 Bad Gateway", "<h1>bad gateway</h1>", "text/html")), "gateway-not-litellm"),
    ("503 JSON", lambda conn, _r: conn.sendall(respond("503 Service Unavailable", '{"error": {"message": "down"}}')), "gateway-server-error"),
]


@pytest.mark.parametrize(("case", "behaviour", "reason"), BROKEN, ids=[case for case, *_ in BROKEN])
def test_garbage_answers_fail_setup_cleanly_and_apply_carries_on(hostile, workspace, tmp_path, case, behaviour, reason):
    cli = hostile(behaviour)
    (workspace / ".env").write_text(f"LITELLM_API_KEY={GOOD_KEY}\n")
    before = _snapshot(workspace, tmp_path / "home")

    result = cli("setup", "--key-stdin", "--json", input=f"{ODD_KEYS[0]}\n")
    _assert_clean(result, ODD_KEYS[0], 6)
    assert json.loads(result.stdout)["error"]["reason"] == reason
    assert _snapshot(workspace, tmp_path / "home") == before

    applied = cli("apply")  # every container start: an unreachable gateway is a warning there
    _assert_clean(applied, GOOD_KEY, 0)
    assert "could not verify the key now" in applied.stderr


# ---- the master key -----------------------------------------------------------------------------
def test_setup_refuses_the_master_key(cli, workspace):
    env_file = workspace / ".env"
    env_file.write_text(f"PROJECT=demo\nLITELLM_API_KEY={GOOD_KEY}\n")
    before = env_file.read_bytes()

    for flags in ([], ["--json"]):
        result = cli("setup", "--key-stdin", *flags, input=f"{MASTER_KEY}\n")
        _assert_clean(result, MASTER_KEY, 8)
        assert "litellm-key keys generate" in result.output
    assert json.loads(result.stdout)["error"]["reason"] == "master-key-stored"
    assert env_file.read_bytes() == before


def test_status_fails_on_a_master_key_stored_before_setup_refused_it(cli, workspace):
    """A .env from before the refusal (or edited by hand) still holds the master key: status says so."""
    (workspace / ".env").write_text(f"LITELLM_API_KEY={MASTER_KEY}\n")

    result = cli("status", "--json")

    _assert_clean(result, MASTER_KEY, 8)
    assert json.loads(result.stdout)["error"]["reason"] == "master-key-stored"
    assert "litellm-key keys generate" in result.stderr


def test_setup_stores_a_client_key_after_asking_the_admin_route(cli, standin, workspace):
    result = cli("setup", "--key-stdin", input=f"{GOOD_KEY}\n")
    assert result.returncode == 0, result.output
    assert any(request.path == "/key/list" for request in standin.requests)
    assert "master key" not in result.output


def test_without_a_database_setup_only_warns_about_a_probable_master_key(cli, standin, workspace):
    standin.database = False
    result = cli("setup", "--key-stdin", input=f"{MASTER_KEY}\n")
    assert result.returncode == 0, result.output
    assert "probably the master key" in result.stderr


# ---- name resolution, TLS, masking ---------------------------------------------------------------
def test_unresolvable_host_is_named_as_such(cli, workspace):
    result = cli("setup", "--key-stdin", "--json", input=f"{GOOD_KEY}\n", env={"LITELLM_UPSTREAM": "http://nonexistent.invalid:8080"})
    error = json.loads(result.stdout)["error"]
    assert result.returncode == 6
    assert error["reason"] == "gateway-name-unresolved"
    assert "nonexistent.invalid" in error["message"]
    assert "127.0.0.1 localhost" in error["fix"]
    assert "Start the proxy" not in result.output


def test_a_plain_http_request_builds_no_tls_context(standin, monkeypatch):
    created: list[object] = []
    real = ssl.create_default_context
    monkeypatch.setattr(ssl, "create_default_context", lambda *a, **k: created.append(1) or real(*a, **k))
    with Gateway(standin.url, ClientKey(GOOD_KEY), timeout=5) as gateway:
        assert gateway.models()
    assert created == []


def test_https_still_verifies_certificates(tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)

    def behave(conn: socket.socket, _request: str) -> None:
        conn.sendall(respond("200 OK", '{"data": []}'))

    server = HostileServer(behave, tls=context)
    try:
        with Gateway(server.url, ClientKey(GOOD_KEY), timeout=5) as gateway:
            with pytest.raises(Exception) as raised:
                gateway.models()
    finally:
        server.close()
    assert raised.value.reason == "gateway-unreachable"
    assert "CERTIFICATE_VERIFY_FAILED" in raised.value.message


@pytest.mark.parametrize("secret", [*ODD_KEYS, "eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl"])
def test_scrub_masks_every_known_secret_by_value(secret):
    ClientKey(secret)  # holding a key is enough: crash reports and server text get it masked
    text = f"a={secret} b={json.dumps(secret)} c={secret.replace('/', '%2F').replace('+', '%2B').replace('=', '%3D')}"
    assert secret not in scrub(text) and secret.replace("/", "%2F") not in scrub(text)
    assert "master-secret-value" not in scrub("x master-secret-value y", ["master-secret-value"])


@pytest.mark.parametrize("headers_too", [False, True], ids=["body", "headers"])
def test_portal_and_sso_calls_end_at_the_overall_deadline_too(headers_too):
    from litellm_key.errors import LitellmKeyError
    from litellm_key.portal import Portal, SessionToken
    from litellm_key.sso import SsoClient

    server = HostileServer(trickle(headers_too))
    try:
        for call, reason in (
            (lambda: Portal(server.url, SessionToken("portal-session-token-0123"), timeout=1).whoami(), "portal-timeout"),
            (lambda: SsoClient(server.url, timeout=1).start(), "gateway-timeout"),
        ):
            started = time.monotonic()
            with pytest.raises(LitellmKeyError) as raised:
                call()
            assert raised.value.reason == reason
            assert time.monotonic() - started < 3  # a bound, not a benchmark: the trickle goes on for ever
    finally:
        server.close()


def _lists_the_key(conn: socket.socket, request: str) -> None:
    """A 200 that repeats the key where we display server text: a model name, the alias, the expiry."""
    key = json.dumps(_presented(request))
    path = request.split(" ", 2)[1]
    if path.startswith("/key/info"):
        body = f'{{"info": {{"key_alias": {key}, "expires": {key}, "spend": 0, "max_budget": null}}}}'
    elif path.startswith("/v1/models"):
        body = f'{{"data": [{{"id": {key}}}, {{"id": "claude-sonnet-4-5-20250929"}}]}}'
    else:
        body = '{"error": {"message": "Only proxy admin can be used"}}'
        conn.sendall(respond("401 Unauthorized", body))
        return
    conn.sendall(respond("200 OK", body))


@pytest.mark.parametrize("key", ODD_KEYS)
@pytest.mark.parametrize("models", ["claude-sonnet-4-5-20250929", "gpt-missing"], ids=["accepted", "model missing"])
@pytest.mark.parametrize("json_mode", [False, True], ids=["text", "json"])
def test_a_successful_answer_repeating_the_key_is_masked_too(hostile, workspace, key, models, json_mode):
    """Model names, the alias and the expiry are server text as much as an error body is."""
    cli = hostile(_lists_the_key)
    flags = ["--json"] if json_mode else []

    result = cli("setup", "--key-stdin", "--model", models, *flags, input=f"{key}\n")

    _assert_clean(result, key, 0 if models.startswith("claude") else 5)
    assert key[-4:] in result.output


# ---- a portal that hands out the master key --------------------------------------------------------


@pytest.fixture
def master_portal(cli, standin, tmp_path):
    """A key portal whose 'current key' for the user is LiteLLM's master key (a misconfigured portal)."""
    from pytest_httpserver import HTTPServer

    from portal_standin import PortalStandin, stored_session

    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    portal = PortalStandin(server, standin)
    portal.current = MASTER_KEY
    token_file = tmp_path / "home" / ".config" / "litellm-key" / "session-token"
    token_file.parent.mkdir(parents=True)
    token_file.write_text(stored_session(portal.url))
    cli.env.update(LITELLM_PORTAL_URL=portal.url)
    yield portal
    server.clear()
    server.stop()


@pytest.mark.parametrize("args", [("renew",), ("setup", "--from-portal")])
def test_a_master_key_from_the_portal_is_refused_like_a_pasted_one(cli, master_portal, standin, workspace, args):
    standin.keys[GOOD_KEY].expires = "2021-06-01T00:00:00Z"  # due: renew goes to the portal
    env_file = workspace / ".env"
    env_file.write_text(f"# mine\nLITELLM_API_KEY={GOOD_KEY}\nLITELLM_KEY_EXPIRES=2021-06-01T00:00:00Z\n")
    before = env_file.read_bytes()

    result = cli(*args, "--json")

    _assert_clean(result, MASTER_KEY, 8)
    assert json.loads(result.stdout)["error"]["reason"] == "master-key-stored"
    assert env_file.read_bytes() == before


@pytest.mark.parametrize("status", [404, 500])
def test_an_admin_route_that_gives_no_clear_answer_is_a_warning(cli, standin, workspace, status):
    """A gateway that hides /key/list (an ingress routing only /v1) cannot tell a master key from a
    client key: setup says so instead of storing it as if it had asked."""
    from werkzeug import Response

    standin.overrides["/key/list"] = lambda request: Response('{"detail": "Not Found"}', status=status, content_type="application/json")

    result = cli("setup", "--key-stdin", input=f"{MASTER_KEY}\n")

    _assert_clean(result, MASTER_KEY, 0)
    assert "could not tell whether sk-...0000 is the master key" in result.stderr
