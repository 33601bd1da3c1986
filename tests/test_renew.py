"""Renewal through the key portal: `renew`, `setup --from-portal`, `portal login/logout`, and the
automatic renewals in `apply` and `token` — with a portal stand-in and the LiteLLM stand-in."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from werkzeug import Response

from conftest import GOOD_KEY, PAST, env_value, in_hours, store
from portal_standin import SESSION_TOKEN, stored_session
from proxy_helpers import free_port

ROO_FILE = ".config/litellm-key/roo-code-settings.json"


def roo_key(home: Path) -> str:
    return json.loads((home / ROO_FILE).read_text())["providerProfiles"]["apiConfigs"]["litellm"]["litellmApiKey"]


def test_renew_leaves_a_valid_key_alone_and_never_asks_the_portal(pcli, workspace, portal):
    before = store(workspace, GOOD_KEY, "2099-12-31T00:00:00Z")
    result = pcli("renew")
    assert result.returncode == 0, result.output
    assert "works; expires: 2099-12-31T00:00:00Z" in result.stdout
    assert portal.requests == []
    assert (workspace / ".env").read_bytes() == before


def test_renew_replaces_an_expired_key_verifies_it_and_reconfigures_clients(pcli, workspace, portal, standin, home):
    standin.keys[GOOD_KEY].expires = PAST
    portal.current = GOOD_KEY
    store(workspace, GOOD_KEY, PAST)

    result = pcli("renew", "--json")

    assert result.returncode == 0, result.output
    document = json.loads(result.stdout)
    new_key = portal.current
    assert document["renewed"] is True and document["source"] == "a new key from the portal"
    assert document["version"] == 1 and document["portal_user"] == "alice@example.com"
    assert portal.posts == 1
    assert env_value(workspace, "LITELLM_API_KEY") == new_key
    assert env_value(workspace, "LITELLM_KEY_EXPIRES") == "2099-06-30T00:00:00Z"
    assert (workspace / ".env").read_text().startswith("# mine\n")
    assert roo_key(home) == new_key
    verified = [r for r in standin.requests if r.headers.get("Authorization") == f"Bearer {new_key}"]
    assert verified, "the new key was stored without being verified"


def test_renew_takes_the_portals_current_key_when_litellm_accepts_it(pcli, workspace, portal, standin):
    standin.keys[GOOD_KEY].expires = PAST
    fresh = standin.add_key("sk-portal-current-0123456789abcdef", expires="2099-01-01T00:00:00Z").secret
    portal.current = fresh
    store(workspace, GOOD_KEY, PAST)

    result = pcli("renew")

    assert result.returncode == 0, result.output
    assert "the portal's current key" in result.stdout
    assert portal.posts == 0
    assert env_value(workspace, "LITELLM_API_KEY") == fresh


def test_renew_asks_for_a_new_key_when_the_portals_current_key_is_rejected_too(pcli, workspace, portal, standin):
    standin.keys[GOOD_KEY].expires = PAST
    portal.current = standin.add_key("sk-portal-stale-0123456789abcdef", expires=PAST).secret
    store(workspace, GOOD_KEY, PAST)

    result = pcli("renew")

    assert result.returncode == 0, result.output
    assert "does not work either" in result.stdout
    assert portal.posts == 1
    assert env_value(workspace, "LITELLM_API_KEY") == portal.current


def test_renew_renews_a_key_that_expires_within_renew_before(pcli, workspace, portal, standin):
    soon = in_hours(2)
    standin.keys[GOOD_KEY].expires = soon
    portal.current = GOOD_KEY
    store(workspace, GOOD_KEY, soon)

    assert pcli("renew", env={"LITELLM_RENEW_BEFORE": "1h"}).returncode == 0
    assert portal.requests == [] and env_value(workspace, "LITELLM_API_KEY") == GOOD_KEY

    result = pcli("renew")  # default renew_before: 1 day
    assert result.returncode == 0, result.output
    assert "expires at" in result.stderr
    assert portal.posts == 1 and env_value(workspace, "LITELLM_API_KEY") == portal.current


def _hang(_request):
    threading.Event().wait(3)  # longer than the 1 s LITELLM_TIMEOUT the test sets
    return Response("{}", status=200, content_type="application/json")


@pytest.mark.parametrize(
    ("arrange", "exit_code", "message"),
    [
        (lambda p: p.sessions.clear(), 4, "did not accept the session token (401"),
        (lambda p: setattr(p, "keys_enabled", False), 3, "does not allow API keys"),
        (lambda p: p.overrides.update({("GET", "/api/v1/auths/"): lambda r: Response("Not Found", 404)}), 6, "not the key portal"),
        (lambda p: p.overrides.update({("POST", "/api/v1/auths/api_key"): lambda r: Response("boom", 500)}), 6, "portal failed with 500"),
        (lambda p: p.overrides.update({("GET", "/api/v1/auths/api_key"): _hang}), 6, "did not answer within 1.0 s"),
    ],
    ids=["401-session-expired", "403-keys-disabled", "404-not-a-portal", "500", "timeout"],
)
def test_a_portal_failure_keeps_the_old_key_and_says_why(pcli, workspace, portal, standin, arrange, exit_code, message):
    standin.keys[GOOD_KEY].expires = PAST
    before = store(workspace, GOOD_KEY, PAST)
    arrange(portal)

    result = pcli("renew", env={"LITELLM_TIMEOUT": "1"})

    assert result.returncode == exit_code, result.output
    assert message in result.stderr
    assert "fix:" in result.stderr
    assert (workspace / ".env").read_bytes() == before


def test_a_new_key_that_litellm_rejects_is_not_stored(pcli, workspace, portal, standin):
    standin.keys[GOOD_KEY].expires = PAST
    portal.new_key_expires = PAST
    before = store(workspace, GOOD_KEY, PAST)
    result = pcli("renew")
    assert result.returncode == 4, result.output
    assert "issued the key sk-...fXYZ, but LiteLLM rejected it" in result.stderr
    assert (workspace / ".env").read_bytes() == before


def test_renew_check_only_reports(pcli, workspace, portal, standin):
    store(workspace, GOOD_KEY, "2099-12-31T00:00:00Z")
    assert pcli("renew", "--check").returncode == 0
    standin.keys[GOOD_KEY].expires = PAST
    result = pcli("renew", "--check")
    assert result.returncode == 4
    assert "has expired" in result.stderr
    assert portal.requests == []


def test_renew_without_a_session_and_without_a_terminal_exits_2(pcli, workspace, standin, token_file):
    token_file.unlink()
    standin.keys[GOOD_KEY].expires = PAST
    store(workspace, GOOD_KEY, PAST)
    result = pcli("renew")
    assert result.returncode == 2
    assert "portal login" in result.stderr


def test_the_session_token_variable_wins_over_the_file(pcli, workspace, portal, standin, token_file):
    token_file.write_text("some-stale-session\n")
    result = pcli("renew", "--force", env={"LITELLM_SESSION_TOKEN": SESSION_TOKEN})
    assert result.returncode == 0, result.output
    assert portal.requests[0].headers["Authorization"] == f"Bearer {SESSION_TOKEN}"


def test_two_concurrent_renewals_make_one_new_key(pcli, cli, workspace, portal, standin):
    standin.keys[GOOD_KEY].expires = PAST
    portal.current = GOOD_KEY
    store(workspace, GOOD_KEY, PAST)

    def both_checked_the_old_key():  # hold the first POST until the second process wants to renew too
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if sum(r.headers.get("Authorization") == f"Bearer {GOOD_KEY}" for r in standin.requests) >= 2:
                return
            threading.Event().wait(0.02)

    portal.before_post = both_checked_the_old_key
    command = [sys.executable, "-m", "litellm_key", "renew"]
    runs = [
        subprocess.Popen(command, cwd=workspace, env=cli.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=60) for run in runs]

    assert [run.returncode for run in runs] == [0, 0], outputs
    assert portal.posts == 1
    assert any("another litellm-key process already renewed" in out for out, _ in outputs)
    assert env_value(workspace, "LITELLM_API_KEY") == portal.current


def test_setup_from_portal_fetches_verifies_and_configures(pcli, workspace, portal, standin, home):
    result = pcli("setup", "--from-portal")
    assert result.returncode == 0, result.output
    assert "from the key portal" in result.stdout
    assert portal.posts == 1  # the portal had no key yet (404)
    assert env_value(workspace, "LITELLM_API_KEY") == portal.current
    assert env_value(workspace, "LITELLM_KEY_EXPIRES") == "2099-06-30T00:00:00Z"
    assert roo_key(home) == portal.current


def test_apply_renews_an_expired_key_without_asking(pcli, workspace, portal, standin, home):
    standin.keys[GOOD_KEY].expires = PAST
    portal.current = GOOD_KEY
    store(workspace, GOOD_KEY, PAST)
    result = pcli("apply")
    assert result.returncode == 0, result.output
    assert portal.posts == 1
    assert env_value(workspace, "LITELLM_API_KEY") == portal.current
    assert roo_key(home) == portal.current
    # the renewal stores, apply configures: one line per client, not "configured" then "already configured"
    assert [line for line in result.output.splitlines() if line.startswith("✓ roo")] == [
        f"✓ roo configured: ~/{ROO_FILE}"
    ], result.output


def test_apply_without_a_session_fails_on_the_expired_key_as_before(pcli, workspace, portal, standin, token_file):
    token_file.unlink()
    standin.keys[GOOD_KEY].expires = PAST
    store(workspace, GOOD_KEY, PAST)
    result = pcli("apply")
    assert result.returncode == 4
    assert portal.requests == []


def test_token_renews_a_key_whose_stored_expiry_has_passed(pcli, workspace, portal, standin):
    standin.keys[GOOD_KEY].expires = PAST
    portal.current = GOOD_KEY
    store(workspace, GOOD_KEY, PAST)
    result = pcli("token")
    assert result.returncode == 0, result.output
    assert result.stdout == f"{portal.current}\n"
    assert portal.posts == 1
    assert env_value(workspace, "LITELLM_API_KEY") == portal.current


def test_token_leaves_the_portal_alone_when_nothing_is_due(pcli, workspace, portal):
    store(workspace, GOOD_KEY, "2099-12-31T00:00:00Z")
    result = pcli("token")
    assert result.stdout == f"{GOOD_KEY}\n"
    assert portal.requests == []


@pytest.mark.parametrize("portal_state", ["down", "hanging"])
def test_token_prints_the_stored_key_when_the_portal_cannot_renew(pcli, workspace, portal, standin, token_file, portal_state):
    standin.keys[GOOD_KEY].expires = PAST
    before = store(workspace, GOOD_KEY, PAST)
    env = {"LITELLM_TIMEOUT": "30"}  # the 5 s budget of the helper is what stops the wait
    if portal_state == "down":
        env["LITELLM_PORTAL_URL"] = f"http://127.0.0.1:{free_port()}"
        token_file.write_text(stored_session(env["LITELLM_PORTAL_URL"]))
    else:
        portal.overrides[("GET", "/api/v1/auths/")] = lambda r: (threading.Event().wait(10), Response("{}"))[1]
    result = pcli("token", env=env)
    assert result.returncode == 0
    assert result.stdout == f"{GOOD_KEY}\n"
    assert "could not renew the key" in result.stderr
    assert (workspace / ".env").read_bytes() == before


def test_portal_login_checks_and_stores_the_token_privately(cli, portal, token_file):
    cli.env["LITELLM_PORTAL_URL"] = portal.url
    result = cli("portal", "login", "--token-stdin", input=SESSION_TOKEN + "\n")
    assert result.returncode == 0, result.output
    assert "logged in to" in result.stdout and "alice@example.com" in result.stdout
    assert SESSION_TOKEN not in result.output
    assert token_file.read_text() == stored_session(portal.url)
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600

    assert cli("portal", "logout").returncode == 0
    assert not token_file.exists()


def test_portal_login_refuses_a_token_the_portal_rejects(cli, portal, token_file):
    cli.env["LITELLM_PORTAL_URL"] = portal.url
    result = cli("portal", "login", "--token-stdin", input="not-a-session\n")
    assert result.returncode == 4
    assert not token_file.exists()


def test_portal_login_refuses_a_token_file_inside_the_workspace(cli, portal, workspace):
    cli.env["LITELLM_PORTAL_URL"] = portal.url
    result = cli("portal", "login", "--token-stdin", "--session-token-file", "token", input=SESSION_TOKEN + "\n")
    assert result.returncode == 8
    assert not (workspace / "token").exists()


def test_token_hands_out_the_renewed_key_even_when_a_client_config_is_broken(pcli, workspace, portal, standin, home):
    standin.keys[GOOD_KEY].expires = PAST
    portal.current = GOOD_KEY
    store(workspace, GOOD_KEY, PAST)
    (home / ROO_FILE).parent.mkdir(parents=True, exist_ok=True)
    (home / ROO_FILE).write_text("{ not json")
    result = pcli("token")
    assert result.returncode == 0
    assert result.stdout == f"{portal.current}\n"
    assert env_value(workspace, "LITELLM_API_KEY") == portal.current
    assert "roo" in result.stderr


def test_renew_with_the_key_in_the_credential_store_replaces_it_there(pcli, cli, workspace, portal, standin, tmp_path):
    from conftest import REPO

    keyring_file = tmp_path / "keyring.json"
    cli.env.update(
        PYTHONPATH=f"{REPO / 'src'}:{REPO / 'tests'}",
        PYTHON_KEYRING_BACKEND="keyring_backend.FileKeyring",
        LITELLM_TEST_KEYRING=str(keyring_file),
        LITELLM_KEY_STORE="keyring",
    )
    assert pcli("setup", "--key-stdin", input=GOOD_KEY).returncode == 0
    standin.keys[GOOD_KEY].expires = PAST
    portal.current = GOOD_KEY

    result = pcli("renew")

    assert result.returncode == 0, result.output
    assert list(json.loads(keyring_file.read_text()).values()) == [portal.current]
    assert env_value(workspace, "LITELLM_API_KEY") is None
    assert pcli("token").stdout == f"{portal.current}\n"


def test_token_renews_a_key_that_expires_within_the_hour(pcli, workspace, portal, standin):
    soon = in_hours(0.5)
    standin.keys[GOOD_KEY].expires = soon
    portal.current = GOOD_KEY
    store(workspace, GOOD_KEY, soon)
    result = pcli("token")
    assert result.stdout == f"{portal.current}\n" != f"{GOOD_KEY}\n"
    assert portal.posts == 1


def test_apply_offline_with_a_portal_starts_without_asking_it(pcli, workspace, portal):
    before = store(workspace, GOOD_KEY, PAST)
    result = pcli("apply", env={"LITELLM_UPSTREAM": f"http://127.0.0.1:{free_port()}"})
    assert result.returncode == 0, result.output
    assert "could not verify the key now" in result.stderr
    assert portal.requests == []
    assert (workspace / ".env").read_bytes().startswith(before)


def test_renew_check_reports_an_invalid_key_once(pcli, workspace, standin):
    standin.keys[GOOD_KEY].expires = PAST
    store(workspace, GOOD_KEY, PAST)
    result = pcli("renew", "--check", "--json")
    assert result.returncode == 4
    assert result.stderr.count("has expired") == 1
    assert "run `litellm-key renew`" in json.loads(result.stdout)["error"]["fix"]
    assert json.loads(result.stdout)["error"]["reason"] == "key-expired"


def test_renew_replaces_a_malformed_stored_key_with_a_warning(pcli, workspace, portal, home):
    (workspace / ".env").write_text("# mine\nLITELLM_API_KEY=sk-broken\x01key\n")
    result = pcli("renew")
    assert result.returncode == 0, result.output
    assert f"ignoring the key stored in {workspace / '.env'}" in result.stderr
    assert env_value(workspace, "LITELLM_API_KEY") == portal.current
    assert (workspace / ".env").read_text().startswith("# mine\n")


def test_portal_login_refuses_a_token_no_http_header_can_carry(cli, portal, token_file):
    cli.env["LITELLM_PORTAL_URL"] = portal.url
    result = cli("portal", "login", "--token-stdin", input=SESSION_TOKEN + "…\n")  # a smart-ellipsis paste
    assert result.returncode == 2, result.output
    assert "outside ASCII" in result.stderr and "Traceback" not in result.output
    assert not token_file.exists()


def test_a_portal_that_echoes_the_session_token_in_an_error_shows_its_mask(pcli, workspace, portal, standin):
    standin.keys[GOOD_KEY].expires = PAST
    before = store(workspace, GOOD_KEY, PAST)
    portal.overrides[("GET", "/api/v1/auths/")] = lambda r: Response(
        json.dumps({"detail": f"session {SESSION_TOKEN} has expired"}), status=401, content_type="application/json"
    )
    result = pcli("renew")  # pcli asserts that the session token is nowhere in the output
    assert result.returncode == 4
    assert "has expired" in result.stderr
    assert (workspace / ".env").read_bytes() == before


def test_token_ends_within_its_budget_when_the_portal_trickles(pcli, workspace, standin, token_file):
    """A portal that sends one byte at a time never trips a per-read timeout; only the overall
    deadline ends the call (the subprocess timeout would fail this test on a hang)."""
    from hostile_server import HostileServer, trickle

    server = HostileServer(trickle(headers_too=True))
    try:
        standin.keys[GOOD_KEY].expires = PAST
        before = store(workspace, GOOD_KEY, PAST)
        token_file.write_text(stored_session(server.url))
        result = pcli("token", env={"LITELLM_PORTAL_URL": server.url, "LITELLM_TIMEOUT": "30"})
    finally:
        server.close()
    assert result.returncode == 0, result.output
    assert result.stdout == f"{GOOD_KEY}\n"
    assert "could not renew the key" in result.stderr
    assert (workspace / ".env").read_bytes() == before


@pytest.mark.parametrize("command", ["renew", "token"])
@pytest.mark.parametrize("what", ["no text", "a named pipe"])
def test_a_session_token_file_that_is_no_text_is_a_clear_error(pcli, workspace, standin, token_file, command, what):
    """A pipe there would block `token` (Claude Code's helper) for ever, waiting for a writer."""
    standin.keys[GOOD_KEY].expires = PAST
    before = store(workspace, GOOD_KEY, PAST)
    if what == "no text":
        token_file.write_bytes(b"\xff\xfe binary \x00\n")
    else:
        token_file.unlink()
        os.mkfifo(token_file)
    result = pcli(command)
    assert "Traceback" not in result.output and "unexpected error" not in result.output, result.output
    assert "session token" in result.stderr
    if command == "token":  # Claude Code still gets the stored key
        assert result.returncode == 0 and result.stdout == f"{GOOD_KEY}\n"
    else:
        assert result.returncode == (2 if what == "no text" else 3), result.output
    assert (workspace / ".env").read_bytes() == before


def test_apply_blames_a_missing_model_on_the_model_not_on_renewal(pcli, workspace, portal):
    store(workspace, GOOD_KEY, "2099-12-31T00:00:00Z")
    result = pcli("apply", env={"LITELLM_MODELS": "gpt-4o"})
    assert result.returncode == 5, result.output
    assert "could not renew" not in result.output  # nothing was renewed, nothing failed to renew
    assert portal.requests == []


def test_token_keeps_its_budget_when_litellm_is_slow_to_verify_the_new_key(pcli, workspace, portal, standin):
    """Verifying a key is two requests (models, then key info); each taking 3 s would make the
    renewal outlast the helper's 5 s budget, so it is given up and the stored key printed."""
    standin.keys[GOOD_KEY].expires = PAST
    portal.current = GOOD_KEY
    before = store(workspace, GOOD_KEY, PAST)

    def slow(path):
        def answer(request):
            threading.Event().wait(3)
            del standin.overrides[path]
            return standin.handle(request)

        return answer

    standin.overrides.update({path: slow(path) for path in ("/v1/models", "/key/info")})
    result = pcli("token", env={"LITELLM_TIMEOUT": "30"})
    assert result.returncode == 0, result.output
    assert result.stdout == f"{GOOD_KEY}\n"
    assert "could not renew the key" in result.stderr
    assert (workspace / ".env").read_bytes() == before


@pytest.mark.parametrize("stored", [None, "2099-12-31T00:00:00Z"], ids=["no-expiry-stored", "stale-expiry"])
def test_apply_records_the_expiry_so_token_renews_in_time(pcli, workspace, portal, standin, stored):
    """A key stored without its expiry (an older .env, a hand edit) or whose expiry the admin changed:
    the container start learns the real one, so Claude Code's helper renews before LiteLLM says 400."""
    soon = in_hours(0.5)
    standin.keys[GOOD_KEY].expires = soon
    portal.current = GOOD_KEY
    store(workspace, GOOD_KEY, stored)

    result = pcli("apply", env={"LITELLM_RENEW_BEFORE": "10m"})  # not due for apply: it only verifies
    assert result.returncode == 0, result.output
    assert portal.requests == []
    assert env_value(workspace, "LITELLM_KEY_EXPIRES") == soon

    result = pcli("token")
    assert result.stdout == f"{portal.current}\n" != f"{GOOD_KEY}\n"
    assert portal.posts == 1


def test_token_renews_with_the_workspace_settings_when_claude_runs_elsewhere(cli, workspace, portal, standin, token_file, tmp_path):
    """Claude Code runs `token --env-file ABS` from wherever `claude` was started; the portal and
    LiteLLM named in that workspace's .devcontainer/litellm-key.yaml still apply."""
    token_file.parent.mkdir(parents=True)
    token_file.write_text(stored_session(portal.url))
    del cli.env["LITELLM_UPSTREAM"]
    (workspace / ".devcontainer").mkdir()
    (workspace / ".devcontainer" / "litellm-key.yaml").write_text(f"portal_url: {portal.url}\nupstream: {standin.url}\n")
    standin.keys[GOOD_KEY].expires = PAST
    portal.current = GOOD_KEY
    store(workspace, GOOD_KEY, PAST)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    result = subprocess.run(
        [sys.executable, "-m", "litellm_key", "token", "--env-file", str(workspace / ".env")],
        cwd=elsewhere, env=cli.env, capture_output=True, text=True, timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{portal.current}\n" != f"{GOOD_KEY}\n", result.stderr
    assert env_value(workspace, "LITELLM_API_KEY") == portal.current


def test_portal_login_stores_the_session_token_from_the_environment(cli, portal, token_file):
    """Without a terminal, LITELLM_SESSION_TOKEN is the prompt's equivalent (CI, a script): it is
    checked and stored, not answered with "LITELLM_SESSION_TOKEN is unset"."""
    cli.env.update(LITELLM_PORTAL_URL=portal.url, LITELLM_SESSION_TOKEN=SESSION_TOKEN)
    result = cli("portal", "login")
    assert result.returncode == 0, result.output
    assert "alice@example.com" in result.stdout and SESSION_TOKEN not in result.output
    assert token_file.read_text() == stored_session(portal.url)


@pytest.mark.parametrize("command", ["renew", "apply"])
def test_an_expired_key_answered_with_400_as_litellm_up_to_1_84_does_is_renewed(pcli, workspace, portal, standin, command):
    standin.expired_status = 400
    standin.keys[GOOD_KEY].expires = PAST
    portal.current = GOOD_KEY
    store(workspace, GOOD_KEY, None)  # nothing stored says it expired: only LiteLLM's 400 does
    result = pcli(command)
    assert result.returncode == 0, result.output
    assert portal.posts == 1
    assert env_value(workspace, "LITELLM_API_KEY") == portal.current


def test_a_portal_403_not_authenticated_is_an_expired_session(pcli, workspace, portal, standin):
    standin.keys[GOOD_KEY].expires = PAST
    before = store(workspace, GOOD_KEY, PAST)
    portal.overrides[("GET", "/api/v1/auths/")] = lambda r: Response(
        json.dumps({"detail": "Not authenticated"}), status=403, content_type="application/json"
    )
    result = pcli("renew")
    assert result.returncode == 4, result.output
    assert "did not accept the session token (403: Not authenticated)" in result.stderr
    assert "portal login" in result.stderr
    assert (workspace / ".env").read_bytes() == before


def test_setup_from_portal_with_a_key_on_stdin_is_a_usage_error(pcli, workspace, portal):
    """Two key sources at once: taking the portal's silently would drop the piped key and have the
    portal replace the user's key there (POST)."""
    result = pcli("setup", "--from-portal", "--key-stdin", input=GOOD_KEY + "\n")
    assert result.returncode == 2, result.output
    assert "not allowed with" in result.stderr
    assert portal.requests == []
    assert not (workspace / ".env").exists()


def test_portal_logout_warns_that_the_session_variable_still_logs_in(pcli, token_file):
    result = pcli("portal", "logout", env={"LITELLM_SESSION_TOKEN": SESSION_TOKEN})
    assert result.returncode == 0, result.output
    assert not token_file.exists()
    assert "LITELLM_SESSION_TOKEN is still set" in result.stderr


def test_renew_records_the_expiry_of_a_valid_key_for_token(pcli, workspace, portal, standin):
    """On a laptop no `apply` runs: `renew` (by hand or from a timer) keeps the stored expiry that
    `token` decides on in step with LiteLLM's, without asking the portal; `--check` writes nothing."""
    store(workspace, GOOD_KEY, None)
    assert pcli("renew", "--check").returncode == 0
    assert env_value(workspace, "LITELLM_KEY_EXPIRES") is None
    result = pcli("renew")
    assert result.returncode == 0, result.output
    assert env_value(workspace, "LITELLM_KEY_EXPIRES") == "2099-12-31T00:00:00Z"
    assert portal.requests == []
