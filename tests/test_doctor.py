"""`litellm-key doctor`: each failure mode produces exactly its ✗ (or !) line, its fix and its exit
code; a healthy setup is all ✓; with everything down the run still ends in seconds."""

from __future__ import annotations

import json
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
from werkzeug import Response

from conftest import GOOD_KEY
from litellm_key import proxy
from litellm_key.settings import Settings
from litellm_standin import MASTER_KEY, litellm_error
from markdown_tables import rows_by_first_cell, section
from markdown_tables import tables as markdown_tables
from portal_standin import stored_session
from proxy_helpers import free_port, needs_nginx


def _ready(database: str = "connected"):
    body = json.dumps({"status": "healthy", "db": database, "litellm_version": "1.80.0"})
    return lambda request: Response(body, status=200, content_type="application/json")


@pytest.fixture
def healthy(cli, standin, workspace):
    """A stored key, configured Claude Code, and a LiteLLM with its database."""
    standin.overrides["/health/readiness"] = _ready()
    assert cli("setup", "--key-stdin", input=f"{GOOD_KEY}\n").returncode == 0
    return cli


def _doctor(cli, *args: str, env: dict[str, str] | None = None):
    result = cli("doctor", *args, env=env)
    document = json.loads(cli("doctor", "--json", *args, env=env).stdout)
    statuses = {check["id"]: check for check in document["checks"]}
    return result, statuses


def test_a_healthy_setup_is_all_green(healthy):
    result, checks = _doctor(healthy)

    assert result.returncode == 0, result.output
    assert "✗" not in result.stdout
    assert "✓ key: key sk-...cdef accepted" in result.stdout
    assert "✓ litellm-database: LiteLLM 1.80.0, database connected" in result.stdout
    assert {check["status"] for check in checks.values()} == {"ok"}


@needs_nginx[0]
@needs_nginx[1]
def test_a_healthy_setup_through_the_real_proxy_is_all_green(healthy, standin):
    env = {"LITELLM_PROXY": "true", "LITELLM_LISTEN": f"127.0.0.1:{free_port()}"}
    assert healthy("setup", "--key-stdin", input=f"{GOOD_KEY}\n", env=env).returncode == 0
    try:
        result, checks = _doctor(healthy, env=env)
    finally:
        state_dir = Path(healthy.env["XDG_STATE_HOME"]) / "litellm-key"
        proxy.stop(Settings(workspace=healthy.workspace, env_file=healthy.workspace / ".env", state_dir=state_dir))

    assert result.returncode == 0, result.output
    assert checks["proxy"]["status"] == "ok" and checks["nginx"]["status"] == "ok"


def _failing(cli, check_id: str, exit_code: int, *, env=None, args=()):
    result, checks = _doctor(cli, *args, env=env)
    assert result.returncode == exit_code, result.output
    assert checks[check_id]["status"] == "failed", checks[check_id]
    line = next(line for line in result.stdout.splitlines() if line.startswith(f"✗ {check_id}:"))
    fix = result.stdout.split(line, 1)[1].splitlines()[1]
    assert fix.startswith("    fix: ")
    return result, checks, line, fix


def test_no_key_stored_is_one_failure_not_a_cascade(cli, standin):
    standin.overrides["/health/readiness"] = _ready()
    result, checks, line, fix = _failing(cli, "env-file", 4)

    assert "No client key is stored" in line and "setup" in fix
    assert checks["key"]["status"] == checks["models"]["status"] == "skipped"
    assert result.stdout.count("✗") == 2  # the env-file line and the closing count


def test_a_tracked_env_file_is_refused_for_safety(healthy, workspace):
    subprocess.run(["git", "-C", str(workspace), "add", "-f", ".env"], check=True)

    _, _, line, fix = _failing(healthy, "env-git", 8)

    assert "tracked by git" in line and "git rm --cached" in fix


def test_a_world_readable_env_file_is_a_warning(healthy, workspace):
    (workspace / ".env").chmod(0o644)

    result, checks = _doctor(healthy)

    assert result.returncode == 0
    assert checks["env-file"]["status"] == "warning"
    assert "chmod 600" in checks["env-file"]["fix"]


def test_the_env_file_line_shows_its_real_mode(healthy, workspace):
    (workspace / ".env").chmod(0o400)  # private, so no warning; but it is not 0600 either

    result, checks = _doctor(healthy)

    assert checks["env-file"]["status"] == "ok" and "(mode 0400)" in checks["env-file"]["summary"]


def test_the_master_key_in_env_is_refused(healthy, workspace, standin):
    def key_list(request):
        if request.headers.get("Authorization") == f"Bearer {MASTER_KEY}":
            return Response(json.dumps({"keys": [], "total_count": 0}), content_type="application/json")
        return litellm_error(401, "Authentication Error, Only proxy admin can be used to generate keys. Route=/key/list", "auth_error")

    standin.overrides["/key/list"] = key_list
    text = (workspace / ".env").read_text().replace(GOOD_KEY, MASTER_KEY)
    (workspace / ".env").write_text(text)

    _, _, line, fix = _failing(healthy, "not-master-key", 8)

    assert "master key" in line and "keys generate" in fix


@pytest.mark.parametrize(("proxy", "exit_code"), [("true", 7), ("false", 6)])
def test_an_unresolvable_upstream_is_named(healthy, proxy, exit_code):
    """Behind the proxy nginx could not start (exit 7); without it the clients cannot reach LiteLLM
    (exit 6): either way the fix is `--add-host` for host.docker.internal."""
    env = {"LITELLM_UPSTREAM": "http://no-such-host.invalid:80", "LITELLM_PROXY": proxy}
    _, checks, line, fix = _failing(healthy, "upstream-resolves", exit_code, env=env)

    assert "no-such-host.invalid" in line and "--add-host" in fix
    assert ("nginx" in line) == (proxy == "true")
    assert checks["litellm"]["status"] == "skipped"


@needs_nginx[0]
@needs_nginx[1]
def test_an_unresolvable_upstream_is_not_also_a_stopped_proxy(healthy):
    """nginx refuses to start with an upstream it cannot resolve: "start the proxy" would be a
    second ✗ for the same cause, with a fix that fails."""
    env = {"LITELLM_PROXY": "true", "LITELLM_LISTEN": f"127.0.0.1:{free_port()}", "LITELLM_UPSTREAM": "http://no-such-host.invalid:80"}

    _, checks, _, fix = _failing(healthy, "upstream-resolves", 7, env=env)

    assert "--add-host" in fix
    assert checks["nginx"]["status"] == "ok" and checks["proxy"]["status"] == "skipped"


def test_missing_nginx_is_named_and_nothing_behind_it_is_checked(healthy):
    env = {"LITELLM_PROXY": "true", "LITELLM_LISTEN": f"127.0.0.1:{free_port()}"}
    _, checks, line, fix = _failing(healthy, "nginx", 7, env={**env, "LITELLM_KEY_NGINX": "/nonexistent/nginx"})
    assert "nginx is not installed" in line and "apt-get install" in fix
    assert checks["litellm"]["status"] == "skipped"


@needs_nginx[0]
@needs_nginx[1]
def test_a_stopped_proxy_says_start_it(healthy):
    env = {"LITELLM_PROXY": "true", "LITELLM_LISTEN": f"127.0.0.1:{free_port()}"}

    _, _, line, fix = _failing(healthy, "proxy", 7, env=env)

    assert "proxy is not running" in line and "litellm-key proxy start" in fix


def test_litellm_down_is_a_gateway_failure(healthy):
    _, checks, line, _ = _failing(healthy, "litellm", 6, env={"LITELLM_UPSTREAM": f"http://127.0.0.1:{free_port()}"})

    assert "Cannot connect" in line
    assert checks["key"]["status"] == "skipped"


def test_traefik_404_points_at_the_host_header(healthy, standin):
    standin.traefik_host = "litellm.localhost"  # without the proxy nothing sets that Host header

    _, _, line, fix = _failing(healthy, "litellm", 6)

    assert "not LiteLLM" in line and "host_header" in fix


def test_a_litellm_without_database_cannot_check_virtual_keys(healthy, standin):
    standin.overrides["/health/readiness"] = _ready("Not connected")

    _, _, line, fix = _failing(healthy, "litellm-database", 6)

    assert "no database" in line and "DATABASE_URL" in fix


def test_a_litellm_without_database_is_one_failure_not_two(healthy, standin):
    """Without its database LiteLLM also refuses every virtual key ("No connected db."): that is
    the same cause, so the key check below it must be skipped, not a second ✗."""
    standin.database = False
    del standin.overrides["/health/readiness"]  # the stand-in's own readiness now says "Not connected"

    result, checks, line, _ = _failing(healthy, "litellm-database", 6)

    assert checks["key"]["status"] == "skipped"
    assert [check_id for check_id, check in checks.items() if check["status"] == "failed"] == ["litellm-database"]
    assert result.stdout.count("✗") == 2  # the litellm-database line and the closing count


def test_a_readiness_that_fails_is_a_warning_with_its_fix(healthy, standin):
    standin.overrides["/health/readiness"] = lambda request: litellm_error(503, "Service Unhealthy")

    result, checks = _doctor(healthy)

    assert result.returncode == 0, result.output
    assert checks["litellm-database"]["status"] == "warning" and checks["key"]["status"] == "ok"
    assert "kubectl -n ai logs" in checks["litellm-database"]["fix"]
    assert "! litellm-database: /health/readiness did not answer" in result.stdout
    assert "    fix: " in result.stdout.split("! litellm-database:", 1)[1].splitlines()[1]


def test_an_expiry_that_is_no_date_is_a_warning_with_its_fix(healthy, standin):
    body = json.dumps({"key": "x", "info": {"expires": "next tuesday", "spend": 0, "max_budget": None, "models": []}})
    standin.overrides["/key/info"] = lambda request: Response(body, status=200, content_type="application/json")

    result, checks = _doctor(healthy)

    assert result.returncode == 0, result.output
    assert checks["expiry"]["status"] == "warning" and "next tuesday" in checks["expiry"]["summary"]
    assert "expires" in checks["expiry"]["fix"]


def test_a_deleted_key_is_rejected(healthy, standin):
    del standin.keys[GOOD_KEY]

    _, _, line, fix = _failing(healthy, "key", 4)

    assert "does not know the key sk-...cdef" in line and "new one" in fix


def test_a_short_model_name_suggests_the_full_one(healthy, standin):
    _, _, line, fix = _failing(healthy, "models", 5, env={"LITELLM_MODELS": "claude-sonnet-4.5"})

    assert "claude-sonnet-4.5 is missing but claude-sonnet-4-5-20250929 is there" in line
    assert "full name claude-sonnet-4-5-20250929" in fix


def test_a_model_the_gateway_lacks_points_at_the_litellm_config(healthy, standin):
    standin.keys[GOOD_KEY].models = []  # a key for every model: what it misses, the gateway lacks

    _, _, line, fix = _failing(healthy, "models", 5, env={"LITELLM_MODELS": "mistral-large"})

    assert "does not serve mistral-large" in line and "LiteLLM config lacks the model name mistral-large" in fix


def test_a_key_without_the_model_must_be_regenerated(healthy):
    _, _, line, fix = _failing(healthy, "models", 5, env={"LITELLM_MODELS": "gpt-4o"})

    assert "may not use gpt-4o" in line and "keys generate --model gpt-4o" in fix


def test_a_key_expiring_within_a_day_is_a_warning(healthy, standin):
    soon = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3 * 3600))
    standin.keys[GOOD_KEY].expires = soon

    result, checks = _doctor(healthy)

    assert result.returncode == 0
    assert checks["expiry"]["status"] == "warning" and "expires in 2 hours" in checks["expiry"]["summary"]


def test_a_nearly_spent_budget_warns(healthy, standin):
    standin.keys[GOOD_KEY].max_budget, standin.keys[GOOD_KEY].spend = 10.0, 9.5
    _, checks = _doctor(healthy)
    assert checks["budget"]["status"] == "warning"


def test_an_unconfigured_client_names_the_command_that_configures_it(healthy):
    result, checks, line, fix = _failing(healthy, "client-codex", 3, env={"LITELLM_CLIENTS": "claude-code,codex"})

    assert "codex not configured" in line and fix == "    fix: litellm-key apply --client codex"
    # the same `apply` writes the shell block: its absence is this cause, not a second ✗
    assert checks["shell-block"]["status"] == "skipped" and result.stdout.count("✗") == 2


@pytest.mark.parametrize("variable", ["ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN"])
def test_an_exported_stale_anthropic_key_breaks_claude_code(healthy, variable):
    """Claude Code sends an exported key instead of asking its apiKeyHelper: another key than the
    stored one means every request fails, so it is a ✗, not a warning."""
    _, _, line, fix = _failing(healthy, "claude-code-overrides", 3, env={variable: "sk-ant-stale-0000000000"})

    assert variable in line and "not the stored key" in line
    assert f"unset {variable}" in fix


def test_an_exported_copy_of_the_stored_key_is_a_warning(healthy):
    """It works today, and breaks at the next renewal, when the helper would have followed."""
    result, checks = _doctor(healthy, env={"ANTHROPIC_API_KEY": GOOD_KEY})

    assert result.returncode == 0, result.output
    assert checks["claude-code-overrides"]["status"] == "warning"
    assert "ANTHROPIC_API_KEY" in checks["claude-code-overrides"]["summary"]
    assert "unset ANTHROPIC_API_KEY" in result.stdout


def test_live_reports_the_model_error_verbatim_and_masked(healthy, standin):
    standin.overrides["/v1/messages"] = lambda request: litellm_error(
        400, f"litellm.BadRequestError: AnthropicException - credit balance too low (key {GOOD_KEY})", "invalid_request_error"
    )

    result, checks = _doctor(healthy, "--live")

    live = [check for check_id, check in checks.items() if check_id.startswith("live-claude-code-")]
    assert live and all(check["status"] == "failed" for check in live)
    assert "credit balance too low" in result.stdout
    assert GOOD_KEY not in result.stdout  # masked: the cli fixture asserts this for every call too
    assert result.returncode == 6


def test_live_waits_for_a_model_slower_than_the_probes_deadline(healthy, standin):
    """A real model often takes seconds for its first token: the 2 s probe deadline (kept so a
    dead gateway costs seconds) must not turn a working model into a ✗ gateway-timeout."""
    def slow_model(request):
        time.sleep(3)  # a slow first token, not synchronisation: nothing waits on it
        return Response(json.dumps({"id": "msg_1", "type": "message", "content": []}), content_type="application/json")

    standin.overrides["/v1/messages"] = slow_model

    result, checks = _doctor(healthy, "--live", env={"LITELLM_MODELS": "claude-sonnet-4-5-20250929"})

    assert result.returncode == 0, result.output
    assert checks["live-claude-code-claude-sonnet-4-5-20250929"]["status"] == "ok"


def test_live_passes_when_every_model_answers(healthy):
    result, checks = _doctor(healthy, "--live")

    assert result.returncode == 0, result.output
    assert checks["live-claude-code-claude-sonnet-4-5-20250929"]["status"] == "ok"


@pytest.fixture
def silent_server():
    """Accepts connections and never answers: the worst case for a deadline."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    listener.close()


def test_everything_down_ends_within_the_time_budget(healthy, silent_server, tmp_path):
    """LiteLLM and the key portal (the two branches that do not wait for each other) both accept
    connections and never answer: the worst case for the deadlines."""
    token_file = tmp_path / "home" / ".config" / "litellm-key" / "session-token"
    token_file.parent.mkdir(parents=True, exist_ok=True)
    token_file.write_text(stored_session(silent_server, "portal-session-token"))
    env = {"LITELLM_UPSTREAM": silent_server, "LITELLM_PORTAL_URL": silent_server, "LITELLM_TIMEOUT": "30"}

    started = time.monotonic()
    result = healthy("doctor", "--live", env=env)
    elapsed = time.monotonic() - started

    assert result.returncode == 6, result.output
    assert "✗ litellm:" in result.stdout and "✗ portal-session:" in result.stdout
    # "raise LITELLM_TIMEOUT" alone would not change doctor's own deadline: say so
    assert result.stdout.count("doctor waits at most 2 s per request") == 2
    assert elapsed < 10, f"doctor took {elapsed:.1f} s with a silent upstream"  # budget ~5 s; generous for CI load


def test_the_settings_line_names_the_files_and_variables_read(healthy, workspace):
    (workspace / ".devcontainer").mkdir()
    (workspace / ".devcontainer" / "litellm-key.yaml").write_text("models: [claude-sonnet-4-5-20250929]\n")

    result, checks = _doctor(healthy, env={"LITELLM_TIMEOUT": "7"})

    assert result.returncode == 0, result.output
    line = next(line for line in result.stdout.splitlines() if line.startswith("✓ settings:"))
    assert f"{workspace}/.devcontainer/litellm-key.yaml" in line
    assert "LITELLM_TIMEOUT" in line and "LITELLM_UPSTREAM" in line and "LITELLM_PROXY" in line
    assert "LITELLM_TIMEOUT" in checks["settings"]["summary"]


def test_invalid_settings_are_the_first_failure(healthy, workspace):
    (workspace / ".devcontainer").mkdir()
    (workspace / ".devcontainer" / "litellm-key.yaml").write_text("upstream: [unclosed\n")

    result = healthy("doctor")

    assert result.returncode == 3
    assert result.stdout.startswith("✗ settings:")
    assert "fix:" in result.stdout


@pytest.fixture
def portal(standin, healthy, tmp_path):
    from pytest_httpserver import HTTPServer

    from portal_standin import PortalStandin

    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    token_file = tmp_path / "home" / ".config" / "litellm-key" / "session-token"
    token_file.parent.mkdir(parents=True, exist_ok=True)
    token_file.write_text(stored_session(server.url_for("").rstrip("/")))
    healthy.env.update(LITELLM_PORTAL_URL=server.url_for("").rstrip("/"))
    yield PortalStandin(server, standin)
    server.clear()
    server.stop()


def test_a_valid_portal_session_is_checked(healthy, portal):
    result, checks = _doctor(healthy)

    assert result.returncode == 0, result.output
    assert "✓ portal-session: portal session valid (alice@example.com)" in result.stdout


def test_an_expired_portal_session_is_found_before_the_key_runs_out(healthy, portal):
    portal.sessions.clear()

    _, _, line, fix = _failing(healthy, "portal-session", 4)

    assert "portal login" in fix


def test_no_portal_session_warns_that_renewal_cannot_run(healthy, portal, tmp_path):
    (tmp_path / "home" / ".config" / "litellm-key" / "session-token").unlink()

    result, checks = _doctor(healthy)

    assert result.returncode == 0
    assert checks["portal-session"]["status"] == "warning" and checks["portal-session"]["fix"] == "litellm-key portal login"


def test_a_key_due_for_renewal_names_renew_when_a_portal_is_configured(healthy, portal, standin):
    standin.keys[GOOD_KEY].expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3 * 3600))

    _, checks = _doctor(healthy)

    assert checks["expiry"]["status"] == "warning" and checks["expiry"]["fix"].startswith("litellm-key renew")


def test_an_env_file_linking_outside_the_repository_is_refused(healthy, workspace, tmp_path):
    outside = tmp_path / "elsewhere.env"
    outside.write_bytes((workspace / ".env").read_bytes())
    outside.chmod(0o600)
    (workspace / ".env").unlink()
    (workspace / ".env").symlink_to(outside)

    _, _, line, fix = _failing(healthy, "env-git", 8)

    assert "outside" in line and "regular file" in fix


def test_an_env_file_git_would_add_is_a_warning(healthy, workspace):
    (workspace / ".gitignore").write_text("")

    result, checks = _doctor(healthy)

    assert result.returncode == 0
    assert checks["env-git"]["status"] == "warning" and "/.env" in checks["env-git"]["fix"]


@pytest.mark.parametrize("how", ["a `!` rule", "a linked .gitignore"])
def test_a_gitignore_line_git_does_not_follow_is_named_not_add_the_line(healthy, workspace, tmp_path, how):
    """The /.env line is there, yet git would commit .env: "add /.env to .gitignore" would change
    nothing, and setup would refuse (env-not-ignored)."""
    gitignore = workspace / ".gitignore"
    gitignore.unlink(missing_ok=True)
    if how == "a `!` rule":
        gitignore.write_text("/.env\n!.env\n")
    else:
        elsewhere = tmp_path / "shared.gitignore"
        elsewhere.write_text("/.env\n")
        gitignore.symlink_to(elsewhere)

    _, checks, line, fix = _failing(healthy, "env-git", 8)

    assert checks["env-git"]["reason"] == "env-not-ignored" and "git would still commit it" in line
    assert ".git/info/exclude" in fix


def test_a_key_in_the_os_credential_store_is_found_there(healthy, workspace, tmp_path):
    """With key_store: keyring, .env holds no key on purpose: that is no `key-missing`."""
    from conftest import REPO

    healthy.env.update(
        PYTHONPATH=f"{REPO / 'src'}:{REPO / 'tests'}",
        PYTHON_KEYRING_BACKEND="keyring_backend.FileKeyring",
        LITELLM_TEST_KEYRING=str(tmp_path / "keyring.json"),
        LITELLM_KEY_STORE="keyring",
    )
    assert healthy("setup", "--key-stdin", input=f"{GOOD_KEY}\n").returncode == 0
    assert GOOD_KEY not in (workspace / ".env").read_text()
    result, checks = _doctor(healthy)
    assert result.returncode == 0, result.output
    assert "✓ env-file: key sk-...cdef in the OS credential store" in result.stdout
    assert checks["key"]["status"] == "ok"


def test_a_budget_that_is_no_number_is_a_warning_not_a_crash(healthy, standin):
    body = json.dumps({"key": "x", "info": {"spend": "n/a", "max_budget": "unlimited", "models": []}})
    standin.overrides["/key/info"] = lambda request: Response(body, status=200, content_type="application/json")
    result, checks = _doctor(healthy)
    assert result.returncode == 0, result.output
    assert checks["budget"]["status"] == "warning" and "unlimited" in checks["budget"]["summary"]
    assert checks["claude-code-overrides"]["status"] == "ok"  # the checks after it still ran


def test_every_doctor_check_is_in_the_troubleshooting_table(tmp_path):
    """docs/troubleshooting.md promises a table of check ids (scripts select on them), each naming
    catalogued reasons only."""
    import re

    from conftest import REPO
    from litellm_key.commands.doctor import plan
    from litellm_key.errors import CATALOGUE

    settings = Settings(workspace=tmp_path, env_file=tmp_path / ".env", state_dir=tmp_path / "state", proxy=True,
                        portal_url="http://portal.test", clients=("claude-code", "codex"))
    ids = {check.id for check in plan(settings, live=True)} | {"settings"}
    text = (REPO / "docs" / "troubleshooting.md").read_text()
    rows = rows_by_first_cell(section(text, "What each doctor check detects"), r"`.+`")
    documented = set(rows)
    assert {check_id for check_id in ids if not check_id.startswith(("client-", "live-"))} <= documented
    assert {"client-<name>", "live-<client>-<model>"} <= documented
    reasons = {word for row in rows.values() for word in row[2].split("`")[1::2] if re.fullmatch(r"[a-z]+(-[a-z]+)+", word)}
    assert reasons and reasons <= set(CATALOGUE), reasons - set(CATALOGUE)


def test_every_troubleshooting_table_in_the_docs_names_the_doctor_check():
    """Every row of every troubleshooting table says which doctor check
    detects it ("—" with why, when doctor cannot)."""
    from conftest import REPO

    tables = 0
    for page in sorted((REPO / "docs").glob("*.md")):
        for table in markdown_tables(page.read_text()):
            if not (any("symptom" in cell for cell in table.header) or table.header[0].startswith("you run")):
                continue
            tables += 1
            assert table.header[-1] == "doctor check", f"{page.name}:{table.line}: no doctor check column"
            for row in table.rows:
                assert row[-1], f"{page.name}: {' | '.join(row)[:60]}… names no doctor check"
    assert tables >= 4


def _with_a_resolver_that_never_answers(monkeypatch, check, settings):
    """Run one doctor check while getaddrinfo blocks until the test releases it: a check that
    waited for the resolver would not return before `release.set()`."""
    from litellm_key.commands.doctor import common

    release = threading.Event()
    monkeypatch.setattr(common.socket, "getaddrinfo", lambda *args, **kwargs: release.wait(30))
    try:
        finding = check(common.Probe(settings))
        assert not release.is_set()
    finally:
        release.set()
    return finding


def test_a_resolver_that_never_answers_is_a_failure_not_a_hang(monkeypatch, tmp_path):
    """getaddrinfo has no timeout; a dead DNS server must not hold doctor. (The one place a fake
    stands in: no real resolver can be made to stall on loopback.) The fake blocks until the test
    releases it, so a doctor that waited for it would never return before `release.set()`."""
    from litellm_key.commands.doctor import local

    finding = _with_a_resolver_that_never_answers(monkeypatch, local.resolve_upstream, Settings(
        workspace=tmp_path, env_file=tmp_path / ".env", state_dir=tmp_path / "state",
        upstream="http://litellm.example:4000", timeout=0.2))
    assert finding.status == "failed" and finding.reason == "gateway-name-unresolved"
    assert "did not answer within 0.2 s" in finding.summary


@needs_nginx[0]
@needs_nginx[1]
def test_a_port_held_by_another_program_is_named_instead_of_start_the_proxy(healthy):
    """The older set-up scripts' nginx on 8080: `proxy start` would fail, so doctor must not say "start it"."""
    squatter = socket.socket()
    squatter.bind(("127.0.0.1", 0))
    squatter.listen(4)
    port = squatter.getsockname()[1]
    try:
        _, checks, line, fix = _failing(healthy, "proxy", 7, env={"LITELLM_PROXY": "true", "LITELLM_LISTEN": f"127.0.0.1:{port}"})
    finally:
        squatter.close()

    assert f"Port {port} is already in use" in line and "(pid " in line
    assert "choose another port" in fix and "proxy start" not in fix
    assert checks["proxy"]["reason"] == "proxy-port-busy" and checks["litellm"]["status"] == "skipped"


# ---- one test per remaining failure mode doctor must find --------------------------------------


def test_a_hand_edited_key_no_client_could_send_is_named(healthy, workspace):
    text = (workspace / ".env").read_text().replace(GOOD_KEY, GOOD_KEY[:-4] + "cdéf")
    (workspace / ".env").write_text(text)

    _, checks, line, fix = _failing(healthy, "env-file", 4)

    assert "outside ASCII" in line and "setup" in fix
    assert checks["env-file"]["reason"] == "env-key-malformed" and checks["key"]["status"] == "skipped"


def test_localhost_that_does_not_resolve_is_named(monkeypatch, tmp_path):
    """A root without /etc/hosts. (A fake resolver: loopback cannot be made to forget localhost.)"""
    from litellm_key.commands.doctor import common, local

    def resolve(host, *args, **kwargs):
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(common.socket, "getaddrinfo", resolve)
    settings = Settings(workspace=tmp_path, env_file=tmp_path / ".env", state_dir=tmp_path / "state")

    finding = local.resolve_localhost(common.Probe(settings))

    assert finding.status == "failed" and finding.reason == "gateway-name-unresolved" and finding.exit_code == 6
    assert "localhost" in finding.summary and "/etc/hosts" in finding.fix


def test_something_else_answering_200_is_not_litellm(healthy, standin):
    standin.overrides["/health/liveliness"] = lambda request: Response("<html>Welcome to nginx!</html>", status=200, content_type="text/html")

    _, checks, line, _ = _failing(healthy, "litellm", 6)

    assert "not LiteLLM" in line and checks["litellm"]["reason"] == "gateway-not-litellm"
    assert checks["key"]["status"] == "skipped"


@pytest.mark.parametrize(
    ("change", "reason", "words"),
    [
        (lambda key: setattr(key, "expires", "2020-01-01T00:00:00Z"), "key-expired", "has expired"),
        (lambda key: setattr(key, "blocked", True), "key-blocked", "blocked"),
        (lambda key: (setattr(key, "max_budget", 10.0), setattr(key, "spend", 10.5)), "key-budget", "over its budget"),
    ],
)
def test_the_key_is_classified_by_litellms_error_type(healthy, standin, change, reason, words):
    change(standin.keys[GOOD_KEY])

    _, checks, line, fix = _failing(healthy, "key", 4)

    assert checks["key"]["reason"] == reason and words in line and fix.strip() != "fix:"
    assert checks["models"]["status"] == checks["expiry"]["status"] == "skipped"


def _logged_in(standin, workspace, seconds: float, *, stamped: bool = True) -> None:
    """A login credential (JWT) in .env; `stamped`: with the LITELLM_KEY_EXPIRES line `login` writes."""
    from sso_standin import make_jwt

    expires_at = time.time() + seconds
    credential = make_jwt(expires_at)
    standin.add_key(credential)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(expires_at))
    (workspace / ".env").write_text(f"LITELLM_API_KEY={credential}\n" + (f"LITELLM_KEY_EXPIRES={stamp}\n" if stamped else ""))
    (workspace / ".env").chmod(0o600)


def test_a_login_credential_without_a_stored_expiry_is_read_from_its_jwt(healthy, standin, workspace):
    """LiteLLM's /key/info has no expiry for an SSO credential; the JWT's own `exp` says when."""
    _logged_in(standin, workspace, 3 * 3600, stamped=False)

    result, checks = _doctor(healthy)

    assert result.returncode == 0, result.output
    assert checks["expiry"]["status"] == "warning" and "expires in 2 hours" in checks["expiry"]["summary"]
    assert checks["expiry"]["fix"] == "litellm-key login"


def test_a_login_credential_near_its_expiry_says_log_in_again(healthy, standin, workspace):
    _logged_in(standin, workspace, 3 * 3600)

    result, checks = _doctor(healthy)

    assert result.returncode == 0, result.output
    assert checks["expiry"]["status"] == "warning" and checks["expiry"]["fix"] == "litellm-key login"


def test_an_expired_login_credential_is_a_failure(healthy, standin, workspace):
    _logged_in(standin, workspace, -60)  # the stand-in, like a lenient clock, still takes it

    _, checks, line, fix = _failing(healthy, "expiry", 4)

    assert checks["expiry"]["reason"] == "login-expired" and "litellm-key login" in fix


def test_a_spent_budget_is_a_failure_when_litellm_still_takes_the_key(healthy, standin):
    body = json.dumps({"key": "x", "info": {"spend": 12.0, "max_budget": 10.0, "models": []}})
    standin.overrides["/key/info"] = lambda request: Response(body, status=200, content_type="application/json")

    _, checks, line, fix = _failing(healthy, "budget", 4)

    assert checks["budget"]["reason"] == "key-budget" and "spent 12.0 of 10.0" in line


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("ANTHROPIC_BASE_URL", "http://localhost:9999", "localhost:9999"),  # pointing elsewhere
        ("ANTHROPIC_API_KEY", "sk-ant-stale-0000000000", "ANTHROPIC_API_KEY"),  # a key that wins over the helper
    ],
)
def test_a_hand_edited_claude_code_setting_is_drift(healthy, tmp_path, variable, value, named):
    settings_file = tmp_path / "home" / ".claude" / "settings.json"
    document = json.loads(settings_file.read_text())
    document["env"][variable] = value
    settings_file.write_text(json.dumps(document))

    _, _, line, fix = _failing(healthy, "client-claude-code", 3)

    assert "drifted" in line and named in line and fix == "    fix: litellm-key apply --client claude-code"


def test_an_env_based_client_without_the_shell_block_is_named(healthy):
    env = {"LITELLM_CLIENTS": "claude-code,codex"}
    assert healthy("apply", env=env).returncode == 0
    bashrc = Path(healthy.env["HOME"]) / ".bashrc"
    bashrc.write_text("# the user's own\n")

    _, checks, line, fix = _failing(healthy, "shell-block", 3, env=env)

    assert "no litellm-key block" in line and fix == "    fix: litellm-key apply"
    assert checks["client-codex"]["status"] == "ok"


def test_an_rc_file_that_is_no_file_is_named_instead_of_run_apply(healthy):
    """`apply` cannot write its block into a folder (or a pipe, a link loop): saying "run apply"
    would send the user in a circle."""
    env = {"LITELLM_CLIENTS": "claude-code,codex"}
    assert healthy("apply", env=env).returncode == 0
    bashrc = Path(healthy.env["HOME"]) / ".bashrc"
    bashrc.unlink()
    bashrc.mkdir()

    _, checks, line, fix = _failing(healthy, "shell-block", 3, env=env)

    assert checks["shell-block"]["reason"] == "shell-rc-not-a-file" and str(bashrc) in line
    assert f"Move {bashrc} away" in fix


def test_an_anthropic_model_the_key_lacks_is_a_warning(healthy):
    result, checks = _doctor(healthy, env={"ANTHROPIC_MODEL": "gpt-4o"})

    assert result.returncode == 0, result.output
    assert checks["claude-code-overrides"]["status"] == "warning"
    assert "gpt-4o" in checks["claude-code-overrides"]["summary"] and "client_models" in checks["claude-code-overrides"]["fix"]


@pytest.fixture
def proxied(healthy):
    """The healthy setup behind a real nginx; stopped afterwards."""
    env = {"LITELLM_PROXY": "true", "LITELLM_LISTEN": f"127.0.0.1:{free_port()}"}
    assert healthy("setup", "--key-stdin", input=f"{GOOD_KEY}\n", env=env).returncode == 0
    healthy.env.update(env)
    state_dir = Path(healthy.env["XDG_STATE_HOME"]) / "litellm-key"
    settings = Settings(workspace=healthy.workspace, env_file=healthy.workspace / ".env", state_dir=state_dir)
    yield healthy, settings
    proxy.stop(settings)


@needs_nginx[0]
@needs_nginx[1]
def test_litellm_down_behind_the_proxy_is_told_from_a_stopped_proxy(proxied, standin):
    cli, _ = proxied
    standin.server.stop()
    try:
        _, checks, line, fix = _failing(cli, "litellm", 6)
        status, body = _through_the_proxy(cli, "/health/liveliness")
    finally:
        standin.server.start()

    assert checks["proxy"]["status"] == "ok" and checks["litellm"]["reason"] == "gateway-upstream-down"
    assert "could not reach LiteLLM" in line and "--add-host" in fix
    assert status == 502 and "`litellm-key doctor` checks each hop" in body  # the proxy's page points here


def _through_the_proxy(cli, path: str) -> tuple[int, str]:
    import http.client

    connection = http.client.HTTPConnection(*cli.env["LITELLM_LISTEN"].split(":"), timeout=10)
    connection.request("GET", path)
    page = connection.getresponse()
    return page.status, page.read().decode()


@needs_nginx[0]
@needs_nginx[1]
def test_litellm_too_slow_behind_the_proxy_is_the_proxys_504(proxied, standin):
    cli, _ = proxied
    cli.env["LITELLM_PROXY_TIMEOUT"] = "1"
    assert cli("proxy", "reload").returncode == 0

    def hung(request):
        time.sleep(3)  # LiteLLM hung: longer than the proxy's 1 s read timeout, nothing waits on it
        return Response(json.dumps("I'm alive!"), content_type="application/json")

    standin.overrides["/health/liveliness"] = hung

    _, checks, line, fix = _failing(cli, "litellm", 6)
    status, body = _through_the_proxy(cli, "/health/liveliness")

    assert checks["proxy"]["status"] == "ok" and checks["litellm"]["reason"] == "gateway-upstream-down"
    assert "timed out" in line
    assert status == 504 and "`litellm-key doctor` checks each hop" in body  # the proxy's page points here


@needs_nginx[0]
@needs_nginx[1]
def test_a_stale_proxy_config_is_a_warning(proxied):
    cli, _ = proxied

    result, checks = _doctor(cli, env={"LITELLM_HOST_HEADER": "other.localhost"})

    assert checks["proxy"]["status"] == "warning" and checks["proxy"]["reason"] == "proxy-config-stale"
    assert "litellm-key proxy reload" in checks["proxy"]["fix"]


@needs_nginx[0]
@needs_nginx[1]
def test_workers_left_by_a_killed_master_are_named(proxied):
    import os
    import signal

    cli, settings = proxied
    os.kill(proxy.running_pid(proxy.paths(settings)), signal.SIGKILL)

    _, checks, line, fix = _failing(cli, "proxy", 7)

    assert checks["proxy"]["reason"] == "proxy-orphaned" and "still serve" in line and "proxy start" in fix


@needs_nginx[0]
@needs_nginx[1]
def test_a_wedged_nginx_is_named_and_the_run_still_ends(proxied):
    import os
    import signal

    cli, settings = proxied
    frozen = proxy.our_processes(proxy.paths(settings))
    for pid in frozen:
        os.kill(pid, signal.SIGSTOP)
    try:
        result = cli("doctor", "--json")
    finally:
        for pid in frozen:
            os.kill(pid, signal.SIGCONT)

    checks = {check["id"]: check for check in json.loads(result.stdout)["checks"]}
    assert result.returncode == 7, result.stdout
    assert checks["proxy"]["reason"] == "proxy-not-answering" and checks["litellm"]["status"] == "skipped"


def test_live_sends_each_client_its_own_endpoint(healthy, standin):
    clients = {"LITELLM_CLIENTS": "claude-code,codex,gemini,opencode"}
    assert healthy("apply", env=clients).returncode == 0
    standin.requests.clear()

    result = healthy("doctor", "--live", env=clients)

    assert result.returncode == 0, result.output
    for client in ("claude-code", "codex", "gemini", "opencode"):
        assert f"✓ live-{client}-claude-sonnet-4-5-20250929: {client}: a 1-token request" in result.stdout
    sent = {request.path for request in standin.requests if request.method == "POST"}
    assert sent == {"/v1/messages", "/v1/responses", "/v1/chat/completions",
                    "/v1beta/models/claude-sonnet-4-5-20250929:generateContent"}


def _tree(root: Path) -> dict[str, tuple[int, int, int]]:
    return {str(path): (path.lstat().st_mode, path.lstat().st_size, path.lstat().st_mtime_ns)
            for path in sorted(root.rglob("*")) if ".git" not in path.relative_to(root).parts}


@needs_nginx[0]
@needs_nginx[1]
def test_doctor_writes_nothing(proxied, tmp_path):
    """doctor only looks: no file, folder, mode or timestamp changes, even with --live through the proxy."""
    cli, _ = proxied
    before = _tree(tmp_path)

    assert cli("doctor", "--live").returncode == 0
    assert cli("doctor", "--json", env={"LITELLM_MODELS": "gpt-4o"}).returncode == 5

    after = _tree(tmp_path)
    assert after == before, {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}


@needs_nginx[0]
@needs_nginx[1]
def test_traefiks_404_through_the_proxy_points_at_the_host_header(proxied, standin):
    cli, _ = proxied
    standin.traefik_host = "other.localhost"  # the proxy sends Host: litellm.localhost, Traefik routes another name

    _, checks, line, fix = _failing(cli, "litellm", 6)

    assert checks["proxy"]["status"] == "ok" and checks["litellm"]["reason"] == "gateway-not-litellm"
    assert "404 page not found" in line and "host_header" in fix


def test_a_portal_name_the_resolver_never_answers_does_not_hold_doctor(monkeypatch, tmp_path):
    """The portal check waits for nothing above it, so a dead DNS server must not stall it for the
    resolver's own 10 s or more (the fake resolver blocks until the test releases it)."""
    from litellm_key.commands.doctor import litellm as doctor_litellm

    token_file = tmp_path / "session-token"
    token_file.write_text(stored_session("http://portal.example", "portal-session-token"))
    finding = _with_a_resolver_that_never_answers(monkeypatch, doctor_litellm.portal_session, Settings(
        workspace=tmp_path, env_file=tmp_path / ".env", state_dir=tmp_path / "state",
        portal_url="http://portal.example", session_token_file=token_file, timeout=0.2))
    assert finding.status == "failed" and finding.reason == "portal-unreachable"
    assert "did not answer within 0.2 s" in finding.summary
