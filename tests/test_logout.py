"""`litellm-key logout`: the key and everything litellm-key added go; the user's own bytes stay."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from clients_helpers import RICH, home_files, restored, write_files
from conftest import GOOD_KEY

USER_ENV = "# my project\nDATABASE_URL=postgres://localhost/app\n\nexport DEBUG=1\n"


def _modes(home: Path) -> dict[str, int]:
    return {name: stat.S_IMODE((home / name).stat().st_mode) for name in home_files(home)}


def _files_holding_the_key(*folders: Path) -> list[Path]:
    return [
        path
        for folder in folders
        for path in folder.rglob("*")
        if path.is_file() and ".git/" not in str(path) and GOOD_KEY.encode() in path.read_bytes()
    ]


def test_logout_gives_back_every_original_byte_but_stale_keys(cli, workspace):
    home = Path(cli.env["HOME"])
    for files in RICH.values():
        write_files(home, files)
    write_files(home, {".bashrc": "alias ll='ls -l'\n", ".zshrc": "setopt autocd\n"})
    (workspace / ".env").write_text(USER_ENV)
    original, modes = home_files(home), _modes(home)
    assert cli("setup", "--key-stdin", "--client", "all", input=GOOD_KEY).returncode == 0
    assert home_files(home) != original

    result = cli("logout")

    assert result.returncode == 0, result.output
    assert home_files(home) == restored(original)
    assert _modes(home) == modes
    assert (workspace / ".env").read_text() == USER_ENV
    assert _files_holding_the_key(home, workspace) == []
    assert f"✓ removed the key from {workspace / '.env'}" in result.stdout


def test_logout_in_a_fresh_home_leaves_only_litellm_keys_state_folder(cli, workspace):
    home = Path(cli.env["HOME"])
    assert cli("setup", "--key-stdin", "--client", "all", input=GOOD_KEY).returncode == 0

    result = cli("logout", "--json")

    assert result.returncode == 0, result.output
    document = json.loads(result.stdout)
    assert document["ok"] is True and document["env_changed"] is True
    assert set(document["clients"]) == {"claude-code", "codex", "gemini", "opencode", "roo"}
    assert home_files(home) == {}
    assert sorted(path.name for path in home.iterdir()) == [".config", ".local"]  # ~/.config held two of ours
    assert list((home / ".config").iterdir()) == []
    assert (workspace / ".env").read_text() == ""
    assert cli("token").returncode == 4


def test_logout_keeps_settings_the_user_changed_after_setup(cli):
    home = Path(cli.env["HOME"])
    assert cli("setup", "--key-stdin", "--client", "codex", input=GOOD_KEY).returncode == 0
    config = home / ".codex" / "config.toml"
    config.write_text(config.read_text().replace('model = "claude-sonnet-4-5-20250929"', 'model = "gpt-4o"'))

    assert cli("logout").returncode == 0

    assert config.read_text() == 'model = "gpt-4o"\n'


def test_logout_with_a_broken_config_still_removes_the_key_and_the_rest(cli, workspace):
    home = Path(cli.env["HOME"])
    assert cli("setup", "--key-stdin", "--client", "all", input=GOOD_KEY).returncode == 0
    broken = home / ".gemini" / "settings.json"
    broken.write_text("{ not json\n")

    result = cli("logout")

    assert result.returncode == 3, result.output
    assert f"gemini: {broken}, line 1: not valid JSON" in result.stderr
    assert "gemini was not cleaned up" in result.stderr
    assert broken.read_text() == "{ not json\n"
    assert not (home / ".codex" / "config.toml").exists()
    assert not (home / ".config" / "litellm-key" / "roo-code-settings.json").exists()
    assert GOOD_KEY not in (workspace / ".env").read_text()


def test_logout_twice_is_harmless(cli, workspace):
    cli("setup", "--key-stdin", input=GOOD_KEY)
    assert cli("logout").returncode == 0

    result = cli("logout")

    assert result.returncode == 0, result.output
    assert "no key stored in" in result.stdout


def test_logout_without_env_file_does_not_create_one(cli, workspace):
    assert cli("logout").returncode == 0
    assert not (workspace / ".env").exists()
