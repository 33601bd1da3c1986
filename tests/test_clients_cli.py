"""The clients through the real CLI: `setup --client`, `status`, a broken config, and Claude Code's
apiKeyHelper run the way Claude Code runs it."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from clients_helpers import MALFORMED, parse, write_files
from conftest import GOOD_KEY
from litellm_key.clients import ROO_SETTINGS_PATH
from litellm_key.settings_values import KNOWN_CLIENTS
FILES = {
    "claude-code": ".claude/settings.json",
    "codex": ".codex/config.toml",
    "gemini": ".gemini/settings.json",
    "opencode": ".config/opencode/opencode.json",
    "roo": ".config/litellm-key/roo-code-settings.json",
}


@pytest.fixture
def home(cli) -> Path:
    return Path(cli.env["HOME"])


def test_setup_client_all_configures_all_five_from_one_run(cli, home, standin):
    result = cli("setup", "--key-stdin", "--client", "all", input=f"{GOOD_KEY}\n")

    assert result.returncode == 0, result.output
    for client in KNOWN_CLIENTS:
        assert f"✓ {client} configured: ~/{FILES[client]}" in result.stdout
        assert (home / FILES[client]).is_file()
    assert f"roo-cline.autoImportSettingsPath = {ROO_SETTINGS_PATH}" in result.stdout
    assert "✓ new terminals export the key for codex, gemini, opencode (~/.bashrc)" in result.stdout
    assert parse(home / FILES["claude-code"])["env"]["ANTHROPIC_BASE_URL"] == standin.url
    assert parse(home / FILES["codex"])["model_providers"]["litellm"]["base_url"] == f"{standin.url}/v1"
    roo = home / FILES["roo"]
    assert parse(roo)["providerProfiles"]["apiConfigs"]["litellm"]["litellmApiKey"] == GOOD_KEY
    assert stat.S_IMODE(roo.stat().st_mode) == 0o600
    keyed = [path for path in home.rglob("*") if path.is_file() and GOOD_KEY.encode() in path.read_bytes()]
    assert keyed == [roo]  # the only copy of the key outside .env: Roo cannot read the environment


def test_setup_by_default_configures_claude_code_and_leaves_the_rc_files_alone(cli, home):
    result = cli("setup", "--key-stdin", "--json", input=GOOD_KEY)

    assert result.returncode == 0, result.output
    assert list(json.loads(result.stdout)["clients"]) == ["claude-code"]
    written = sorted(str(path.relative_to(home)) for path in home.rglob("*") if path.is_file())
    assert [name for name in written if not name.startswith(".local/")] == [".claude.json", ".claude/settings.json"]


def test_status_json_lists_every_client_and_text_flags_drift(cli, home):
    cli("setup", "--key-stdin", "--client", "codex", "--client", "roo", input=GOOD_KEY)

    result = cli("status", "--json")

    assert result.returncode == 0, result.output
    clients = json.loads(result.stdout)["clients"]
    assert list(clients) == list(KNOWN_CLIENTS)
    assert {name: entry["state"] for name, entry in clients.items()} == {
        "claude-code": "not configured",
        "codex": "configured",
        "gemini": "not configured",
        "opencode": "not configured",
        "roo": "configured",
    }
    assert clients["codex"]["files"] == [str(home / FILES["codex"])]

    config = home / FILES["codex"]
    config.write_text(config.read_text().replace("/v1", "/elsewhere/v1"))
    result = cli("status")
    assert result.returncode == 0, result.output
    assert "✓ roo: configured" in result.stdout
    assert "- claude-code: not configured" in result.stdout
    assert "! codex: drifted: config.toml: model_providers.litellm.base_url is" in result.stderr
    assert "fix: litellm-key setup --client codex" in result.stderr


@pytest.mark.parametrize("broken", [("codex",), ("codex", "gemini")])
def test_a_malformed_config_fails_setup_after_the_other_clients_are_configured(cli, home, workspace, broken):
    for client in broken:
        name, text, _ = MALFORMED[client]
        write_files(home, {name: text})

    result = cli("setup", "--key-stdin", "--client", "all", input=GOOD_KEY)

    assert result.returncode == 3, result.output
    for client in broken:
        name, text, kind = MALFORMED[client]
        assert f"{client}: {home / name}, line 3: not valid {kind}" in result.stderr
        assert (home / name).read_text() == text
    assert result.stderr.count("left untouched") == len(broken)
    for client in set(KNOWN_CLIENTS) - set(broken):
        assert f"✓ {client} configured" in result.stdout
    assert GOOD_KEY in (workspace / ".env").read_text()


def _launcher_dirs() -> list[str]:
    """PATH without litellm-key (the `python -m litellm_key` fallback), and with it when installed."""
    plain = "/usr/bin:/bin"
    installed = Path(sys.executable).parent
    return [plain] + ([f"{installed}:{plain}"] if (installed / "litellm-key").exists() else [])


@pytest.mark.parametrize("path", _launcher_dirs())
def test_claude_code_api_key_helper_prints_exactly_the_key_from_any_directory(cli, home, workspace, tmp_path, path):
    assert cli("setup", "--key-stdin", input=GOOD_KEY, env={"PATH": path}).returncode == 0
    helper = parse(home / FILES["claude-code"])["apiKeyHelper"]
    assert GOOD_KEY not in helper
    unrelated = tmp_path / "somewhere" / "else"
    unrelated.mkdir(parents=True)
    claude_env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}

    def run_helper() -> subprocess.CompletedProcess[str]:
        # How Claude Code runs apiKeyHelper: a shell string, from whatever directory claude started in.
        return subprocess.run(["/bin/sh", "-c", helper], cwd=unrelated, env=claude_env, capture_output=True, text=True)

    first = run_helper()
    assert (first.returncode, first.stdout, first.stderr) == (0, f"{GOOD_KEY}\n", "")

    renewed = "sk-renewed-client-key-9876543210"
    env_file = workspace / ".env"
    env_file.write_text(env_file.read_text().replace(GOOD_KEY, renewed))
    assert run_helper().stdout == f"{renewed}\n"  # no restart, no reconfiguration


def test_setup_keeps_running_clients_untouched_when_nothing_changed(cli, home):
    cli("setup", "--key-stdin", "--client", "all", input=GOOD_KEY)
    stamps = {path: path.stat().st_mtime_ns for path in home.rglob("*") if path.is_file()}

    result = cli("setup", "--client", "all", env={"LITELLM_API_KEY": ""})

    assert result.returncode == 0, result.output
    assert "✓ codex already configured" in result.stdout
    assert {path: path.stat().st_mtime_ns for path in stamps} == stamps
    assert os.listdir(home / ".local" / "state" / "litellm-key" / "client-changes")
