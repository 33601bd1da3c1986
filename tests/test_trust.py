"""Where a secret may go and what a server may hand over (docs/security.md): the session token goes
only to the portal it was stored for, neither it nor the master key travels over plain http to
another machine, a key a server hands over is checked like a pasted one, and a resumed login masks
its poll secret."""

from __future__ import annotations

import json

import pytest
from pytest_httpserver import HTTPServer

from conftest import GOOD_KEY
from keys_helpers import admin, admin_standin, kubectl  # noqa: F401 (fixtures)
from litellm_key.errors import SafetyRefusal
from litellm_key.secret import refuse_cleartext
from litellm_standin import MASTER_KEY, json_response
from portal_standin import SESSION_TOKEN, PortalStandin, stored_session
from sso_standin import SsoStandin

PAST = "2021-06-01T00:00:00Z"
ELSEWHERE = "http://192.0.2.10:4000"  # TEST-NET-1: routable-looking, never connected to (refused first)
FAST = {"LITELLM_KEY_POLL_INTERVAL": "0.05"}


@pytest.fixture
def portals(standin):
    """Two portals on loopback: `mine` (the token was stored for it) and `other` (a checkout names it)."""
    servers = [HTTPServer(host="127.0.0.1", port=0) for _ in range(2)]
    for server in servers:
        server.start()
    yield tuple(PortalStandin(server, standin) for server in servers)
    for server in servers:
        server.clear()
        server.stop()


@pytest.fixture
def token_file(cli):
    path = cli.workspace.parent / "home" / ".config" / "litellm-key" / "session-token"
    path.parent.mkdir(parents=True)
    return path


def expired_key_stored(workspace, standin) -> bytes:
    standin.keys[GOOD_KEY].expires = PAST
    (workspace / ".env").write_text(f"LITELLM_API_KEY={GOOD_KEY}\nLITELLM_KEY_EXPIRES={PAST}\n")
    return (workspace / ".env").read_bytes()


# ---- the session token goes only to the portal it was stored for -----------------------------------


@pytest.mark.parametrize("where", ["environment", "workspace file"])
def test_a_portal_url_other_than_the_tokens_own_gets_nothing_and_the_error_names_both(
    cli, workspace, standin, portals, token_file, where
):
    mine, other = portals
    mine.current = GOOD_KEY
    token_file.write_text(stored_session(mine.url))
    before = expired_key_stored(workspace, standin)
    if where == "environment":
        cli.env["LITELLM_PORTAL_URL"] = other.url
    else:  # a checkout's committed settings file
        (workspace / ".devcontainer").mkdir()
        (workspace / ".devcontainer" / "litellm-key.yaml").write_text(f"portal_url: {other.url}\n")

    result = cli("renew")

    assert result.returncode == 8, result.output
    assert mine.url in result.stderr and other.url in result.stderr and "litellm-key portal login" in result.stderr
    assert other.requests == [] and mine.requests == []
    assert (workspace / ".env").read_bytes() == before


def test_claude_codes_helper_sends_the_token_nowhere_else_and_still_prints_the_stored_key(
    cli, workspace, standin, portals, token_file
):
    mine, other = portals
    token_file.write_text(stored_session(mine.url))
    expired_key_stored(workspace, standin)
    result = cli("token", env={"LITELLM_PORTAL_URL": other.url})
    assert result.returncode == 0 and result.stdout == f"{GOOD_KEY}\n"
    assert "could not renew" in result.stderr and other.url in result.stderr
    assert other.requests == []


def test_a_token_file_from_before_the_portal_was_kept_is_used_again_only_after_portal_login(
    cli, workspace, standin, portals, token_file
):
    """The older file (a bare token line) says nothing about its portal: it is bound to none."""
    mine, _ = portals
    cli.env["LITELLM_PORTAL_URL"] = mine.url
    token_file.write_text(SESSION_TOKEN + "\n")
    expired_key_stored(workspace, standin)

    refused = cli("renew")
    assert refused.returncode == 8, refused.output
    assert "no portal" in refused.stderr and "litellm-key portal login" in refused.stderr
    assert mine.requests == []

    assert cli("portal", "login", "--token-stdin", input=SESSION_TOKEN + "\n").returncode == 0
    assert json.loads(token_file.read_text()) == {"portal_url": mine.url, "session_token": SESSION_TOKEN}
    renewed = cli("renew")
    assert renewed.returncode == 0, renewed.output
    assert mine.posts == 1


def test_the_session_variable_goes_to_no_portal_a_workspace_file_names(cli, workspace, standin, portals):
    _, other = portals
    (workspace / ".devcontainer").mkdir()
    (workspace / ".devcontainer" / "litellm-key.yaml").write_text(f"portal_url: {other.url}\n")
    expired_key_stored(workspace, standin)
    result = cli("renew", env={"LITELLM_SESSION_TOKEN": SESSION_TOKEN})
    assert result.returncode == 8, result.output
    assert "LITELLM_SESSION_TOKEN" in result.stderr and other.url in result.stderr
    assert other.requests == []


def test_portal_login_without_a_portal_stores_nothing(cli, token_file):
    result = cli("portal", "login", "--token-stdin", input=SESSION_TOKEN + "\n")
    assert result.returncode == 3, result.output
    assert "portal_url" in result.stderr
    assert not token_file.exists()


# ---- no master key and no session token over plain http to another machine -------------------------


@pytest.mark.parametrize(
    "url, allow_http, refused",
    [
        ("http://192.0.2.10:4000", False, True),
        ("http://litellm.example.com", False, True),
        ("http://[2001:db8::1]:4000", False, True),
        ("http://192.0.2.10:4000", True, False),
        ("https://192.0.2.10:4000", False, False),
        ("http://localhost:4000", False, False),
        ("http://127.0.0.1:4000", False, False),
        ("http://127.8.9.10:4000", False, False),
        ("http://[::1]:4000", False, False),
        ("HTTP://LOCALHOST:4000", False, False),
    ],
)
def test_plain_http_is_refused_for_another_machine_only(url, allow_http, refused):
    if refused:
        with pytest.raises(SafetyRefusal, match="without TLS"):
            refuse_cleartext(url, "master key", allow_http=allow_http)
    else:
        refuse_cleartext(url, "master key", allow_http=allow_http)


@pytest.mark.parametrize("how", [("--url", ELSEWHERE), ("--from-k8s",)], ids=["master-key-variable", "from-k8s"])
def test_keys_refuses_plain_http_to_another_machine_before_reading_or_sending_the_master_key(admin, kubectl, how):
    env = {} if how[0] == "--url" else {"LITELLM_ADMIN_URL": ELSEWHERE}
    result = admin("keys", "list", *how, env=env)
    assert result.returncode == 8, result.output
    assert "TLS" in result.stderr and "192.0.2.10" in result.stderr and "--allow-http" in result.stderr
    assert not kubectl.exists(), "the master key was read from Kubernetes for a request that is refused"


@pytest.mark.parametrize("command", [("renew",), ("portal", "login", "--token-stdin")], ids=["renew", "portal-login"])
def test_the_session_token_is_not_sent_over_plain_http_to_another_machine(cli, workspace, standin, token_file, command):
    portal_url = "http://192.0.2.10:8080"
    token_file.write_text(stored_session(portal_url))
    before = expired_key_stored(workspace, standin)
    result = cli(*command, input=SESSION_TOKEN + "\n", env={"LITELLM_PORTAL_URL": portal_url})
    assert result.returncode == 8, result.output
    assert "session token" in result.stderr and "TLS" in result.stderr
    assert token_file.read_text() == stored_session(portal_url)
    assert (workspace / ".env").read_bytes() == before


# ---- a key a server hands over is checked before it is stored, written or shown ---------------------


def _generate_answers(admin_standin, key):
    """/key/generate answers `key` (anything: the master key, null, a number ...) in LiteLLM's shape."""
    admin_standin.overrides["/key/generate"] = lambda request: json_response(
        {"key": key, "token": key, "key_alias": "claude-code-alice", "models": [], "expires": None}
    )


UNUSABLE = [("missing", ...), ("null", None), ("number", 12345), ("empty", ""), ("escape", "sk-\x1b[2Jbad-0123456789")]


@pytest.mark.parametrize("answer", [key for _, key in UNUSABLE], ids=[name for name, _ in UNUSABLE])
def test_a_generate_answer_without_a_usable_key_writes_nothing(admin, admin_standin, workspace, answer):
    if answer is ...:
        admin_standin.overrides["/key/generate"] = lambda request: json_response({"key_alias": "claude-code-alice"})
    else:
        _generate_answers(admin_standin, answer)
    result = admin("keys", "generate", "--developer", "alice", "--output", "alice.env")
    assert result.returncode == 6, result.output
    assert "no usable key" in result.stderr
    assert not (workspace / "alice.env").exists()
    assert "None" not in result.stdout


@pytest.mark.parametrize("output", [True, False], ids=["to-output", "shown"])
def test_a_master_key_in_a_generate_answer_is_refused_not_written_or_shown(admin, admin_standin, workspace, output):
    _generate_answers(admin_standin, MASTER_KEY)
    result = admin("keys", "generate", "--developer", "alice", *(["--output", "alice.env"] if output else []))
    assert result.returncode == 8, result.output
    assert "master key" in result.stderr and MASTER_KEY not in result.output
    assert not (workspace / "alice.env").exists()


def test_rotate_keeps_the_old_key_when_the_answer_is_the_master_key(admin, admin_standin, workspace):
    old = admin_standin.add_admin_key(alias="claude-code-alice")
    _generate_answers(admin_standin, MASTER_KEY)
    result = admin("keys", "rotate", "claude-code-alice", "--output", "alice.env")
    assert result.returncode == 8, result.output
    assert old.secret in admin_standin.keys and not (workspace / "alice.env").exists()


def test_onboard_writes_no_file_for_an_answer_that_is_the_master_key(admin, admin_standin, workspace):
    (workspace / "team.yaml").write_text("developers:\n  - name: alice\n")
    _generate_answers(admin_standin, MASTER_KEY)
    result = admin("keys", "onboard", "team.yaml", "--output-dir", "keys", "--show")
    assert result.returncode != 0, result.output
    assert MASTER_KEY not in result.output and not (workspace / "keys" / "alice.env").exists()


def test_the_master_key_in_a_listing_shows_only_its_mask(admin, admin_standin):
    admin_standin.overrides["/key/list"] = lambda request: json_response({
        "keys": [{"token": MASTER_KEY, "key_alias": MASTER_KEY, "key_name": "sk-...0000", "models": [],
                  "metadata": {"note": f"made with {MASTER_KEY}"}}],
        "total_count": 1, "current_page": 1, "total_pages": 1,
    })
    for result in (admin("keys", "list"), admin("keys", "list", "--json")):
        assert result.returncode == 0, result.output
        assert MASTER_KEY not in result.output and "sk-...0000" in result.output


def test_an_sso_login_that_hands_over_the_master_key_stores_nothing(cli, workspace, standin):
    sso = SsoStandin(standin)
    sso.credential = MASTER_KEY
    sso.sign_in()
    (workspace / ".env").write_text(f"LITELLM_API_KEY={GOOD_KEY}\n")
    result = cli("login", env=FAST)
    assert result.returncode == 8, result.output
    assert "master key" in result.stderr
    assert (workspace / ".env").read_text() == f"LITELLM_API_KEY={GOOD_KEY}\n"


@pytest.mark.parametrize("credential", [None, 12345, ["eyJ"]], ids=["null", "number", "list"])
def test_an_sso_answer_without_a_usable_credential_stores_nothing(cli, workspace, standin, credential):
    sso = SsoStandin(standin)
    sso.sign_in()
    sso.queued.append(json_response({"status": "ready", "key": credential, "user_id": "alice@example.com"}))
    result = cli("login", env=FAST)
    assert result.returncode == 6, result.output
    assert "unusable" in result.stderr
    assert not (workspace / ".env").exists() or "LITELLM_API_KEY" not in (workspace / ".env").read_text()


# ---- a resumed login masks the poll secret as a fresh one does -----------------------------------------


@pytest.mark.parametrize("json_flag", [(), ("--json",)], ids=["text", "json"])
def test_a_resumed_login_whose_error_repeats_the_poll_secret_shows_its_mask(cli, standin, json_flag):
    sso = SsoStandin(standin)
    assert cli("login", "--no-wait", env=FAST).returncode == 0
    sso.queued.append(json_response({"detail": f"Invalid CLI polling secret {sso.poll_secret}"}, status=403))
    result = cli("login", *json_flag, env=FAST)
    assert result.returncode == 4, result.output
    assert "Invalid CLI polling secret" in result.output
    assert sso.poll_secret not in result.output
    if json_flag:
        assert sso.poll_secret not in json.loads(result.stdout)["error"]["message"]
