"""`--store keyring` (host use): the key lives in the OS credential store, read by `token` and `env`."""

from __future__ import annotations

import getpass
import json
import subprocess
from pathlib import Path

import pytest

from conftest import GOOD_KEY, REPO


@pytest.fixture
def keyring_file(cli, tmp_path):
    path = tmp_path / "keyring.json"
    cli.env.update(
        PYTHONPATH=f"{REPO / 'src'}:{REPO / 'tests'}",
        PYTHON_KEYRING_BACKEND="keyring_backend.FileKeyring",
        LITELLM_TEST_KEYRING=str(path),
    )
    return path


def stored(keyring_file):
    return json.loads(keyring_file.read_text()).get(f"LITELLM_API_KEY/{getpass.getuser()}")


def test_setup_keeps_the_key_in_the_credential_store_and_env_exports_it(cli, workspace, keyring_file):
    result = cli("setup", "--store", "keyring", "--key-stdin", input=GOOD_KEY)
    assert result.returncode == 0, result.output
    assert "stored in the OS credential store (service LITELLM_API_KEY)" in result.stdout
    assert stored(keyring_file) == GOOD_KEY
    env_text = (workspace / ".env").read_text()
    assert GOOD_KEY not in env_text and "LITELLM_BASE_URL=" in env_text

    exported = cli("env", "--store", "keyring")
    assert exported.returncode == 0, exported.output
    assert f"export LITELLM_API_KEY={GOOD_KEY}\n" in exported.stdout
    token = cli("token", env={"LITELLM_KEY_STORE": "keyring"})
    assert token.stdout == f"{GOOD_KEY}\n"

    assert cli("logout", "--store", "keyring").returncode == 0
    assert stored(keyring_file) is None


def test_a_key_moved_to_the_credential_store_leaves_env(cli, workspace, keyring_file):
    (workspace / ".env").write_text(f"# mine\nLITELLM_API_KEY={GOOD_KEY}\n")
    result = cli("setup", env={"LITELLM_KEY_STORE": "keyring", "LITELLM_API_KEY": GOOD_KEY})
    assert result.returncode == 0, result.output
    assert stored(keyring_file) == GOOD_KEY
    assert GOOD_KEY not in (workspace / ".env").read_text()
    assert (workspace / ".env").read_text().startswith("# mine\n")


@pytest.fixture
def no_keyring(cli, tmp_path):
    """A `keyring` that fails to import, as when the optional extra is not installed."""
    missing = tmp_path / "no-keyring" / "keyring"
    missing.mkdir(parents=True)
    (missing / "__init__.py").write_text("raise ImportError('not installed')\n")
    cli.env["PYTHONPATH"] = f"{missing.parent}:{REPO / 'src'}"


def test_without_the_keyring_library_the_store_says_what_to_install(cli, workspace, no_keyring):
    before = (workspace / ".env").read_bytes() if (workspace / ".env").exists() else None
    result = cli("setup", "--store", "keyring", "--key-stdin", input=GOOD_KEY)
    assert result.returncode == 3
    assert "litellm-key[keyring]" in result.stderr
    assert ((workspace / ".env").read_bytes() if (workspace / ".env").exists() else None) == before


def test_without_the_keyring_library_a_key_from_the_environment_gets_one_clear_error(cli, workspace, no_keyring):
    result = cli("setup", "--store", "keyring", env={"LITELLM_API_KEY": GOOD_KEY})
    assert result.returncode == 3
    assert "litellm-key[keyring]" in result.stderr
    assert "ignoring the key" not in result.output  # the missing library is the one problem reported


def test_no_key_in_the_credential_store_says_where_it_looked(cli, keyring_file):
    result = cli("token", env={"LITELLM_KEY_STORE": "keyring"})

    assert result.returncode == 4
    assert "No client key is stored in the OS credential store." in result.stderr


def test_claude_codes_helper_and_a_new_terminal_find_a_key_in_the_credential_store(cli, workspace, keyring_file):
    """What setup writes must work as written: nothing else tells a later `token`/`env` run, started
    by Claude Code or a new terminal without LITELLM_KEY_STORE, that the key is in the keyring."""
    result = cli("setup", "--store", "keyring", "--key-stdin", "--client", "claude-code", "--client", "codex", input=GOOD_KEY)
    assert result.returncode == 0, result.output
    home = Path(cli.env["HOME"])
    helper = json.loads((home / ".claude" / "settings.json").read_text())["apiKeyHelper"]
    env = {name: value for name, value in cli.env.items() if name != "LITELLM_KEY_STORE"}

    answered = subprocess.run(["/bin/sh", "-c", helper], cwd="/", env=env, capture_output=True, text=True, timeout=60)
    terminal = subprocess.run(["bash", "-c", '. "$HOME/.bashrc"; printf %s "$LITELLM_API_KEY"'], cwd="/", env=env,
                              capture_output=True, text=True, timeout=60)

    assert answered.returncode == 0 and answered.stdout == f"{GOOD_KEY}\n", answered.stderr
    assert terminal.stdout == GOOD_KEY, terminal.stderr
