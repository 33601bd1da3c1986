"""`litellm-key login`: a credential through LiteLLM's CLI SSO, with the test playing the host's browser."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import GOOD_KEY
from litellm_standin import json_response
from conftest import env_text
from sso_standin import FAST, SsoStandin


def _no_secret_shown(sso: SsoStandin, *outputs: str) -> None:
    for output in outputs:
        assert sso.poll_secret not in output


def _wait_until(condition, what: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def test_login_waits_while_pending_and_stores_the_credential_once_the_browser_signs_in(cli, workspace, sso):
    process = subprocess.Popen(
        [sys.executable, "-m", "litellm_key", "login"], cwd=workspace, env={**cli.env, **FAST},
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        _wait_until(lambda: len(sso.polls) >= 3, "the CLI to poll")
        assert not env_text(workspace), "nothing is stored while the login is pending"
        sso.sign_in()  # the person signed in on the host
        stdout, stderr = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 0, stdout + stderr
    assert f"http://litellm.localhost/sso/key/generate?source=litellm-cli&key={sso.login_id}" in stdout
    assert sso.user_code in stdout
    assert "waiting for the sign-in in the browser" in stdout  # the plain line without a terminal
    assert "accepted by LiteLLM" in stdout
    assert sso.credential not in stdout + stderr
    assert f"...{sso.credential[-4:]}" in stdout
    assert "does not start with sk-" not in stderr
    _no_secret_shown(sso, stdout, stderr)
    assert all(poll.headers["x-litellm-cli-poll-secret"] == sso.poll_secret for poll in sso.polls)
    env = env_text(workspace)
    assert f"LITELLM_API_KEY={sso.credential}\n" in env
    assert "LITELLM_KEY_EXPIRES=20" in env  # the JWT's exp, fixed-width UTC
    assert (workspace / ".env").stat().st_mode & 0o777 == 0o600


def _read_until(stream, text: str, seconds: float = 20) -> str:
    """What `stream` (a pipe) delivered up to `text`, read as it arrives (no sleeps)."""
    import os
    import select

    seen, deadline = b"", time.monotonic() + seconds
    while text.encode() not in seen:
        left = deadline - time.monotonic()
        assert left > 0 and select.select([stream], [], [], left)[0], f"no {text!r} yet, only {seen.decode()!r}"
        chunk = os.read(stream.fileno(), 4096)
        assert chunk, f"the pipe closed before {text!r}: {seen.decode()!r}"
        seen += chunk
    return seen.decode()


def test_without_a_terminal_the_waiting_line_reaches_a_pipe_while_it_waits(cli, workspace, sso):
    """`login | tee login.log`, a CI log, `docker exec` without -t: stdout is a block-buffered pipe."""
    env = {key: value for key, value in {**cli.env, **FAST}.items() if key != "PYTHONUNBUFFERED"}
    process = subprocess.Popen([sys.executable, "-m", "litellm_key", "login"], cwd=workspace, env=env,
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        shown = _read_until(process.stdout, "waiting for the sign-in in the browser")
        assert sso.user_code in shown and not sso.signed_in
        sso.sign_in()
        assert process.wait(timeout=30) == 0
    finally:
        process.kill()
        process.stdout.close()


def test_login_with_json_counts_down_on_stderr_and_keeps_stdout_for_the_document(cli, workspace, sso):
    sso.sign_in_after = 2
    result = cli("login", "--json", env=FAST)
    assert result.returncode == 0, result.output
    document = json.loads(result.stdout)
    assert document["ok"] and document["key"] == f"...{sso.credential[-4:]}" and document["expires"].startswith("20")
    assert sso.user_code in result.stderr
    assert "waiting for the sign-in in the browser" in result.stderr  # the person still sees it wait


def test_login_url_setting_names_what_the_hosts_browser_opens(cli, sso):
    sso.sign_in_after = 0
    result = cli("login", env={**FAST, "LITELLM_LOGIN_URL": "https://ai.example.test:8443"})
    assert result.returncode == 0, result.output
    assert f"https://ai.example.test:8443/sso/key/generate?source=litellm-cli&key={sso.login_id}" in result.stdout


def test_login_with_team_flag_asks_litellm_for_that_team(cli, workspace, standin):
    sso = SsoStandin(standin, teams=[("team-a", "Alpha"), ("team-b", "Beta")])
    sso.sign_in_after = 1
    result = cli("login", "--team", "team-b", env=FAST)
    assert result.returncode == 0, result.output
    assert sso.polls[-1].args.get("team_id") == "team-b"
    assert f"LITELLM_API_KEY={sso.credential}" in env_text(workspace)


def test_login_with_team_when_litellm_does_not_ask_says_the_flag_was_not_used(cli, workspace, sso):
    sso.sign_in_after = 0  # one team (or none): LiteLLM issues the credential without asking
    result = cli("login", "--team", "team-b", env=FAST)
    assert result.returncode == 0, result.output
    assert "LiteLLM did not ask which team, so --team team-b was not used" in result.stderr
    assert f"LITELLM_API_KEY={sso.credential}" in env_text(workspace)


def test_login_with_a_team_litellm_did_not_offer_lists_the_teams_and_exits_2(cli, workspace, standin):
    sso = SsoStandin(standin, teams=[("team-a", "Alpha"), ("team-b", "Beta")])
    sso.sign_in_after = 0
    result = cli("login", "--team", "team-typo", env=FAST)
    assert result.returncode == 2, result.output
    assert "Team 'team-typo' is not one of yours for this login. Teams: Alpha (team-a), Beta (team-b)" in result.stderr
    assert all(poll.args.get("team_id") != "team-typo" for poll in sso.polls)
    assert not env_text(workspace)


def test_login_without_a_terminal_lists_the_teams_and_exits_2(cli, workspace, standin):
    sso = SsoStandin(standin, teams=[("team-a", "Alpha"), ("team-b", "Beta")])
    sso.sign_in_after = 0
    result = cli("login", env=FAST)
    assert result.returncode == 2, result.output
    assert "Alpha (team-a), Beta (team-b)" in result.stderr
    assert "litellm-key login --team team-a" in result.stderr
    assert not env_text(workspace)


def _asks_for_a_team_but_lists_none(sso: SsoStandin) -> None:
    poll = sso.litellm.overrides[f"/sso/cli/poll/{sso.login_id}"]
    sso.litellm.overrides[f"/sso/cli/poll/{sso.login_id}"] = lambda request: (
        poll(request) if not sso.signed_in else json_response({"status": "ready", "requires_team_selection": True,
                                                        "teams": [], "team_details": []}))


def test_a_team_choice_without_teams_says_so_and_stores_nothing(cli, workspace, sso):
    _asks_for_a_team_but_lists_none(sso)
    sso.sign_in()
    result = cli("login", env=FAST)
    assert result.returncode == 4, result.output
    assert "LiteLLM wants a team for the credential but lists none of yours" in result.stderr
    assert "add you to a team" in result.stderr and "--team" not in result.stderr
    assert not env_text(workspace)


def test_a_team_question_without_a_terminal_keeps_the_sign_in_for_login_with_team(cli, workspace, standin):
    sso = SsoStandin(standin, teams=[("team-a", "Alpha"), ("team-b", "Beta")])
    sso.sign_in()
    first = cli("login", env=FAST)
    assert first.returncode == 2, first.output
    assert "no new sign-in" in first.stderr
    second = cli("login", "--team", "team-b", env=FAST)
    assert second.returncode == 0, second.output
    assert "resuming the login already started (code WXYZ-4821)" in second.stdout
    assert sso.starts == 1, "the person signed in once"
    assert sso.polls[-1].args.get("team_id") == "team-b"
    assert f"LITELLM_API_KEY={sso.credential}" in env_text(workspace)
    assert not (cli.workspace.parent / "home" / ".local" / "state" / "litellm-key" / "sso-login.json").exists()
    _no_secret_shown(sso, first.output, second.output)


def test_login_slows_down_on_429_and_still_succeeds(cli, workspace, sso):
    sso.queued = [json_response({"detail": "Too many requests"}, status=429)] * 2
    sso.sign_in_after = 2
    result = cli("login", env=FAST)
    assert result.returncode == 0, result.output
    assert len(sso.polls) >= 3
    assert f"LITELLM_API_KEY={sso.credential}" in env_text(workspace)


def test_a_litellm_error_or_silence_while_polling_is_retried_until_the_sign_in(cli, workspace, sso):
    """A LiteLLM restarting (500), Traefik or our proxy without an upstream (502), a poll that gets
    no answer in time: the person may be signing in right now, so the login goes on."""
    from werkzeug import Response

    path = f"/sso/cli/poll/{sso.login_id}"
    poll = sso.litellm.overrides[path]
    troubles = [json_response({"detail": "boom"}, status=500), Response("Bad Gateway", status=502), None]

    def flaky(request):
        if not troubles:
            return poll(request)
        answer = troubles.pop(0)
        if answer is None:  # no answer within --timeout: the server's behaviour, not synchronisation
            time.sleep(1.5)
            return json_response({"status": "pending"})
        return answer

    sso.litellm.overrides[path] = flaky
    sso.sign_in_after = 1
    result = cli("login", "--timeout", "1", env=FAST)
    assert result.returncode == 0, result.output
    assert "LiteLLM failed with 500: boom; trying again until the login ends" in result.stderr
    assert f"LITELLM_API_KEY={sso.credential}" in env_text(workspace)


def test_a_litellm_that_fails_until_the_login_ends_is_reported_not_nobody_signing_in(cli, workspace, sso):
    sso.queued = [json_response({"detail": "database is down"}, status=503)] * 1000
    sso.expires_in = 1
    result = cli("login", env=FAST)
    assert result.returncode == 6, result.output
    assert "LiteLLM failed with 503: database is down" in result.stderr
    assert "Nobody finished the login" not in result.stderr
    assert not env_text(workspace)


@pytest.mark.parametrize(
    "arrange, exit_code, message",
    [
        (lambda sso: sso.queued.append(json_response({"detail": "Invalid CLI polling secret"}, status=403)), 4,
         "the poll secret does not match (Invalid CLI polling secret)"),
        (lambda sso: sso.queued.append(json_response({"detail": f"Invalid CLI polling secret {sso.poll_secret}"}, status=403)),
         4, "Invalid CLI polling secret"),
        (lambda sso: setattr(sso, "expired", True), 4, "The login expired or was already collected"),
        (lambda sso: setattr(sso, "unsupported", True), 6, "older than 1.84, or SSO is not configured"),
        (lambda sso: setattr(sso, "expires_in", 0), 4, "Nobody finished the login with code WXYZ-4821"),
        (lambda sso: sso.litellm.overrides.__setitem__(
            "/sso/cli/start", lambda request: json_response({"detail": "Too many CLI login attempts. Try again later."}, 429)),
         6, "LiteLLM refused to start another login now (429"),
    ],
    ids=["403-wrong-secret", "403-echoing-the-secret", "400-expired-login", "404-old-litellm", "login-timed-out",
         "429-on-start"],
)
def test_login_failures_name_the_cause_and_keep_the_stored_key(cli, workspace, sso, arrange, exit_code, message):
    (workspace / ".env").write_text(f"LITELLM_API_KEY={GOOD_KEY}\n")
    arrange(sso)
    result = cli("login", env=FAST)
    assert result.returncode == exit_code, result.output
    assert message in result.stderr
    assert "litellm-key" in result.stderr  # the fix names a command
    assert env_text(workspace) == f"LITELLM_API_KEY={GOOD_KEY}\n"
    _no_secret_shown(sso, result.output)


def test_traefiks_404_for_a_wrong_host_header_is_not_taken_for_an_old_litellm(cli, workspace, standin):
    from werkzeug import Response

    standin.overrides["/sso/cli/start"] = lambda request: Response(
        "404 page not found\n", status=404, content_type="text/plain; charset=utf-8")  # Traefik's own 404
    result = cli("login", env=FAST)
    assert result.returncode == 6, result.output
    assert "with something that is not LiteLLM (404 page not found)" in result.stderr
    assert "check `host_header`" in result.stderr
    assert "older than 1.84" not in result.stderr
    assert not env_text(workspace)


def test_a_login_id_with_url_characters_is_escaped_in_the_url_and_the_poll(cli, workspace, standin):
    sso = SsoStandin(standin, login_id="sk-a b/c?d&e\n")
    sso.sign_in_after = 1
    result = cli("login", env=FAST)
    assert result.returncode == 0, result.output
    assert "/sso/key/generate?source=litellm-cli&key=sk-a%20b%2Fc%3Fd%26e%0A\n" in result.stdout
    assert len(sso.polls) == 2 and f"LITELLM_API_KEY={sso.credential}" in env_text(workspace)


def test_a_poll_secret_no_header_can_carry_is_a_clear_error_not_a_crash(cli, workspace, sso):
    sso.poll_secret += "…"
    result = cli("login", env=FAST)
    assert result.returncode == 6, result.output
    assert "a poll secret no HTTP header can carry" in result.stderr and "Traceback" not in result.output
    assert not env_text(workspace)


def test_a_credential_that_fails_verification_is_not_stored(cli, workspace, standin, sso):
    (workspace / ".env").write_text(f"LITELLM_API_KEY={GOOD_KEY}\n")
    standin.keys[sso.credential].blocked = True
    sso.sign_in_after = 0
    result = cli("login", env=FAST)
    assert result.returncode == 4, result.output
    assert "blocked" in result.stderr
    assert env_text(workspace) == f"LITELLM_API_KEY={GOOD_KEY}\n"


def _pipe_where_the_saved_login_goes(cli):
    state_file = cli.workspace.parent / "home" / ".local" / "state" / "litellm-key" / "sso-login.json"
    state_file.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(state_file)


def test_a_named_pipe_where_a_saved_login_is_read_is_skipped_not_waited_on(cli, workspace, sso):
    """Reading a pipe would wait for a writer for ever: `login` starts a new login instead."""
    _pipe_where_the_saved_login_goes(cli)
    sso.sign_in_after = 0
    result = cli("login", env=FAST)
    assert result.returncode == 0, result.output
    assert f"LITELLM_API_KEY={sso.credential}" in env_text(workspace)


def test_a_named_pipe_where_the_login_is_saved_is_a_clear_error(cli, workspace, sso):
    _pipe_where_the_saved_login_goes(cli)
    result = cli("login", "--no-wait", env=FAST)
    assert result.returncode == 3, result.output
    assert "is a named pipe, not a file" in result.stderr and "Move it away" in result.stderr
    assert "unexpected error" not in result.output and not env_text(workspace)


def test_no_wait_prints_the_url_and_the_next_login_collects_that_same_login(cli, workspace, sso):
    first = cli("login", "--no-wait", "--json", env=FAST)
    assert first.returncode == 0, first.output
    document = json.loads(first.stdout)
    assert document["url"].endswith(f"key={sso.login_id}") and document["user_code"] == sso.user_code
    assert sso.login_id in first.stderr  # the person still sees the URL when stdout is JSON
    assert not sso.polls and not env_text(workspace)
    state_file = cli.workspace.parent / "home" / ".local" / "state" / "litellm-key" / "sso-login.json"
    assert state_file.stat().st_mode & 0o777 == 0o600
    _no_secret_shown(sso, first.output)

    sso.sign_in()
    second = cli("login", env=FAST)
    assert second.returncode == 0, second.output
    assert "resuming the login already started (code WXYZ-4821)" in second.stdout
    assert sso.starts == 1
    assert not state_file.exists()
    assert f"LITELLM_API_KEY={sso.credential}" in env_text(workspace)


@pytest.fixture
def terminal(cli, spawn):
    """The CLI on a pseudo-terminal, as a person runs it, polling fast."""
    return lambda *args: spawn(*args, env={**cli.env, **FAST})


def test_login_on_a_terminal_shows_a_countdown_until_the_sign_in(terminal, workspace, sso):
    import pexpect

    child = terminal("login")
    child.expect(sso.user_code)
    child.expect(r"waiting for the sign-in: \d:\d\d left")
    sso.sign_in()
    child.expect("accepted by LiteLLM")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert sso.poll_secret not in child.before
    assert f"LITELLM_API_KEY={sso.credential}" in env_text(workspace)


def test_ctrl_c_while_waiting_stops_with_130_and_stores_nothing(terminal, workspace, sso):
    import pexpect

    (workspace / ".env").write_text("KEEP=1\n")
    child = terminal("login")
    child.expect(r"waiting for the sign-in: \d:\d\d left")
    _wait_until(lambda: len(sso.polls) >= 2, "the CLI to be in its polling loop")
    child.sendcontrol("c")
    child.expect("Cancelled")
    child.expect(pexpect.EOF)
    # wait(), not close(): close() sends SIGHUP and then SIGKILL to a child it has not reaped 0.1 s
    # after closing the pty (a slow exit on a loaded machine); wait() only waits for its own status
    assert child.wait() == 130
    assert env_text(workspace) == "KEEP=1\n"


def test_an_interrupted_json_login_still_prints_its_one_document(cli, workspace, sso):
    """A script running `login --json` that is interrupted (SIGINT, as Ctrl-C sends) gets a JSON
    document naming the cause and exit 130, not an empty stdout."""
    process = subprocess.Popen(
        [sys.executable, "-m", "litellm_key", "login", "--json"], cwd=workspace, env={**cli.env, **FAST},
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        _wait_until(lambda: len(sso.polls) >= 2, "the CLI to poll")
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 130, stdout + stderr
    document = json.loads(stdout)
    assert document["ok"] is False and document["error"]["reason"] == "interrupted"
    assert "Cancelled" in stderr and not env_text(workspace)


def test_login_on_a_terminal_asks_which_team(terminal, workspace, standin):
    import pexpect

    sso = SsoStandin(standin, teams=[("team-a", "Alpha"), ("team-b", "Beta")])
    sso.sign_in_after = 0
    child = terminal("login")
    child.expect("Which team is the credential for")
    child.expect("Beta")
    child.send("\x1b[B")  # arrow down to the second team
    child.send("\r")
    child.expect("accepted by LiteLLM")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert sso.polls[-1].args.get("team_id") == "team-b"


def test_a_team_choice_without_teams_on_a_terminal_says_so_instead_of_an_empty_menu(terminal, workspace, sso):
    import pexpect

    _asks_for_a_team_but_lists_none(sso)
    sso.sign_in()
    child = terminal("login")
    child.expect("lists none of yours")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 4
    assert not env_text(workspace)


def test_a_litellm_that_trickles_its_answer_ends_at_the_deadline(cli, workspace):
    from hostile_server import HostileServer, trickle

    server = HostileServer(trickle(headers_too=False))
    try:
        result = cli("login", "--timeout", "2", env={**FAST, "LITELLM_UPSTREAM": server.url, "LITELLM_PROXY": "false"})
    finally:
        server.close()
    assert result.returncode == 6, result.output
    assert "did not answer within 2" in result.stderr
    assert not env_text(workspace)


def test_the_docs_say_when_to_log_in_instead_of_pasting_or_using_the_portal():
    from conftest import REPO
    from markdown_tables import rows_by_first_cell, section

    ways = rows_by_first_cell(section((REPO / "docs" / "setup.md").read_text(), "Which way to get a key"))
    used = " ".join(cells[1] for cells in ways.values())
    for way in ("litellm-key setup", "litellm-key setup --from-portal", "litellm-key login"):
        assert f"`{way}`" in used, way
    assert any("LiteLLM ≥ 1.84 with SSO" in name and "24 h" in cells[2] for name, cells in ways.items())
    assert "(docs/setup.md#which-way-to-get-a-key)" in (REPO / "README.md").read_text()
