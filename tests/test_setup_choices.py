"""What `setup` was told by flag survives a container rebuild, stays out of git, and `logout` forgets it."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import GOOD_KEY
from litellm_key import proxy
from litellm_key.settings import Settings
from litellm_key.settings_values import KNOWN_CLIENTS
from proxy_helpers import free_port, needs_nginx

RECORDED = Path(".devcontainer/litellm-key.local.yaml")
CLIENT_FILES = {
    "claude-code": ".claude/settings.json",
    "codex": ".codex/config.toml",
    "gemini": ".gemini/settings.json",
    "opencode": ".config/opencode/opencode.json",
    "roo": ".config/litellm-key/roo-code-settings.json",
}
# Nothing from the environment: the recorded choices must do the work.
NO_ENVIRONMENT_SETTINGS = {"LITELLM_PROXY": "", "LITELLM_UPSTREAM": ""}


@pytest.fixture
def home(cli) -> Path:
    return Path(cli.env["HOME"])


@pytest.fixture
def stop_proxy(cli, home):
    yield
    state_dir = Path(cli.env["XDG_STATE_HOME"]) / "litellm-key"
    proxy.stop(Settings(workspace=cli.workspace, env_file=cli.workspace / ".env", state_dir=state_dir))


def _rebuild(home: Path) -> None:
    """A rebuild: the home directory (client configs, proxy state) is new; the workspace stays."""
    shutil.rmtree(home)
    home.mkdir()


def _with_nginx(test):
    for mark in needs_nginx:
        test = mark(test)
    return test


@_with_nginx
def test_rebuild_restores_every_client_and_the_proxy_setup_was_given(cli, home, standin, stop_proxy):
    port = free_port()
    flags = ("--client", "all", "--upstream", standin.url, "--listen", f"127.0.0.1:{port}")
    setup = cli("setup", "--key-stdin", *flags, input=GOOD_KEY, env=NO_ENVIRONMENT_SETTINGS)
    assert setup.returncode == 0, setup.output
    assert f"recorded upstream, listen, clients in {cli.workspace / RECORDED}" in setup.stdout
    assert cli("proxy", "stop", env=NO_ENVIRONMENT_SETTINGS).returncode == 0
    _rebuild(home)

    applied = cli("apply", env=NO_ENVIRONMENT_SETTINGS)

    assert applied.returncode == 0, applied.output
    assert f"✓ proxy started: http://localhost:{port} → {standin.url}" in applied.stdout
    assert f"accepted by LiteLLM at http://localhost:{port}" in applied.stdout
    for client in KNOWN_CLIENTS:
        assert (home / CLIENT_FILES[client]).is_file(), client


def test_a_plain_rebuild_after_setup_client_all_restores_all_five(cli, home):
    assert cli("setup", "--key-stdin", "--client", "all", input=GOOD_KEY).returncode == 0
    _rebuild(home)
    applied = cli("apply", "--json")
    assert applied.returncode == 0, applied.output
    assert sorted(json.loads(applied.stdout)["clients"]) == sorted(KNOWN_CLIENTS)


def test_recorded_choices_are_git_ignored_and_a_later_setup_replaces_only_what_it_is_given(cli, workspace):
    assert cli("setup", "--key-stdin", "--client", "all", "--model", "claude-3-opus-20240229", input=GOOD_KEY).returncode == 0
    assert cli("setup", "--key-stdin", "--model", "claude-sonnet-4-5-20250929", input=GOOD_KEY).returncode == 0
    status = subprocess.run(["git", "status", "--porcelain", "--ignored"], cwd=workspace, capture_output=True, text=True)
    assert f"!! {RECORDED}" in status.stdout.splitlines() or "!! .devcontainer/" in status.stdout.splitlines()
    assert "/.devcontainer/litellm-key.local.yaml" in (workspace / ".gitignore").read_text()

    shown = json.loads(cli("config", "--json").stdout)["settings"]
    assert shown["clients"]["value"] == list(KNOWN_CLIENTS)
    assert shown["models"]["value"] == ["claude-sonnet-4-5-20250929"]
    assert shown["models"]["kind"] == "recorded"
    assert shown["models"]["source"].startswith(f"setup choice recorded in {workspace / RECORDED}:")


def test_status_says_which_settings_come_from_the_recorded_choices(cli, workspace):
    assert cli("setup", "--key-stdin", "--client", "codex", input=GOOD_KEY).returncode == 0
    result = cli("status")
    assert result.returncode == 0, result.output
    assert f"clients from setup choice recorded in {workspace / RECORDED}" in result.stdout
    assert json.loads(cli("status", "--json").stdout)["settings_sources"]["clients"].startswith("setup choice recorded in")


def test_logout_forgets_the_recorded_choices(cli, workspace):
    assert cli("setup", "--key-stdin", "--client", "gemini", input=GOOD_KEY).returncode == 0
    assert (workspace / RECORDED).is_file()
    result = cli("logout", "--json")
    assert result.returncode == 0, result.output
    assert json.loads(result.stdout)["choices_forgotten"] is True
    assert not (workspace / RECORDED).exists()
    assert json.loads(cli("config", "--json").stdout)["settings"]["clients"]["kind"] == "default"


def test_setup_refuses_to_record_choices_in_a_tracked_file_and_writes_nothing(cli, workspace):
    (workspace / RECORDED).parent.mkdir()
    (workspace / RECORDED).write_text("clients: [claude-code]\n")
    subprocess.run(["git", "add", str(RECORDED)], cwd=workspace, check=True)

    result = cli("setup", "--key-stdin", "--client", "all", input=GOOD_KEY)

    assert result.returncode == 8, result.output
    assert "tracked by git" in result.stderr and "git rm --cached .devcontainer/litellm-key.local.yaml" in result.stderr
    assert not (workspace / ".env").exists()
    assert (workspace / RECORDED).read_text() == "clients: [claude-code]\n"


def test_setup_without_flags_records_nothing(cli, workspace):
    result = cli("setup", "--key-stdin", "--json", input=GOOD_KEY)
    assert result.returncode == 0, result.output
    assert json.loads(result.stdout)["recorded_choices"] == []
    assert not (workspace / RECORDED).exists()


def test_a_recorded_no_proxy_is_restored_and_the_proxy_flag_overrides_it(cli, workspace):
    assert cli("setup", "--key-stdin", "--no-proxy", input=GOOD_KEY, env=NO_ENVIRONMENT_SETTINGS | {"LITELLM_UPSTREAM": cli.standin.url}).returncode == 0
    shown = json.loads(cli("config", "--json", env={"LITELLM_PROXY": ""}).stdout)["settings"]["proxy"]
    assert (shown["value"], shown["kind"]) == (False, "recorded")
    flag = json.loads(cli("config", "--json", "--proxy", env={"LITELLM_PROXY": ""}).stdout)["settings"]["proxy"]
    assert (flag["value"], flag["source"]) == (True, "--proxy")


def test_a_rebuild_finds_the_key_where_setup_stored_it_and_keeps_the_portal(cli, home, workspace):
    """`setup --env-file` and `--portal-url` are choices apply needs after a rebuild too: without
    them it looks for the key in the default .env and renews through no portal."""
    portal = "http://127.0.0.1:9/portal"
    setup = cli("setup", "--key-stdin", "--env-file", "keys/dev.env", "--portal-url", portal, input=GOOD_KEY)
    assert setup.returncode == 0, setup.output
    _rebuild(home)

    applied = cli("apply")
    shown = json.loads(cli("config", "--json").stdout)["settings"]

    assert applied.returncode == 0, applied.output
    assert "no LiteLLM client key" not in applied.output
    assert "accepted by LiteLLM" in applied.stdout
    assert (shown["env_file"]["value"], shown["env_file"]["kind"]) == (str(workspace / "keys" / "dev.env"), "recorded")
    assert (shown["portal_url"]["value"], shown["portal_url"]["kind"]) == (portal, "recorded")
    assert not (workspace / ".env").exists()


def test_choices_are_recorded_when_a_broken_client_config_fails_setup_after_the_key_is_stored(cli, home):
    """A malformed ~/.codex/config.toml ends setup with exit 3 after the key is stored and the other
    clients are configured: the choices are in effect, so the rebuild (which also throws that
    broken file away) must restore them."""
    (home / ".codex").mkdir()
    (home / ".codex" / "config.toml").write_text("[model_providers\nbroken = \n")
    setup = cli("setup", "--key-stdin", "--client", "all", input=GOOD_KEY)
    assert setup.returncode == 3, setup.output
    assert "recorded clients in" in setup.stdout
    _rebuild(home)

    applied = cli("apply", "--json")

    assert applied.returncode == 0, applied.output
    assert sorted(json.loads(applied.stdout)["clients"]) == sorted(KNOWN_CLIENTS)
