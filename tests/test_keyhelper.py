"""The hot paths (`token` both forms, `env`): answered from .env alone, the same as the full command,
and deferring to it whenever it must decide (an expiring key, a config that moves .env)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import GOOD_KEY, REPO
from litellm_key.keyhelper import RECORDED_CHOICES, expires_soon, fast_output

# What a real container's .env looks like after setup: the user's comments, quotes and exports.
USER_LINES = "# Don't commit this file\nexport EDITOR='code --wait'\nGREETING=\"hello world\"  # it's fine\n\n"
PLAIN_ENV = f"{USER_LINES}LITELLM_API_KEY={GOOD_KEY}\nLITELLM_BASE_URL=http://localhost:8080\n"
SYSTEM_CONFIG = "upstream: http://host.docker.internal:80\nclients: [claude-code, codex]\nmodels: [claude-sonnet-4-5-20250929]\n"


def _stamp(seconds_from_now: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + seconds_from_now))


@pytest.fixture
def plain(workspace, tmp_path):
    (workspace / ".env").write_text(PLAIN_ENV)
    config = tmp_path / "system-config.yaml"
    config.write_text(SYSTEM_CONFIG)
    return {"HOME": str(tmp_path / "home"), "LITELLM_KEY_SYSTEM_CONFIG": str(config)}


def test_both_token_forms_are_answered_from_a_plain_env(workspace, plain, monkeypatch):
    (workspace / "src" / "deep").mkdir(parents=True)
    monkeypatch.chdir(workspace / "src" / "deep")  # plain `token` finds the workspace by its .git
    assert fast_output(["token"], plain) == f"{GOOD_KEY}\n"
    assert fast_output(["token", "--env-file", str(workspace / ".env")], plain) == f"{GOOD_KEY}\n"
    assert fast_output(["token", f"--env-file={workspace / '.env'}"], plain) == f"{GOOD_KEY}\n"
    for unknown in (["--help"], ["--env-file"], ["--env-file", ""], ["--json"], ["--env-file", "a", "--env-file", "b"]):
        assert fast_output(["token", *unknown], plain) is None, unknown


@pytest.mark.parametrize(
    ("expires", "fast"),
    [(_stamp(30 * 86400), True), (_stamp(7200), True), (_stamp(1800), False), (_stamp(-60), False), ("not a date", True)],
)
def test_a_key_expiring_within_the_hour_goes_to_the_full_command(workspace, plain, expires, fast):
    env_file = workspace / ".env"
    env_file.write_text(PLAIN_ENV + f"LITELLM_KEY_EXPIRES={expires}\n")
    answer = fast_output(["token", "--env-file", str(env_file)], plain)
    assert answer == (f"{GOOD_KEY}\n" if fast else None)
    assert expires_soon(expires) is not fast


@pytest.mark.parametrize("where", ["system config", "recorded choices"])
def test_a_config_file_that_moves_env_is_left_to_the_settings_layers(cli, workspace, tmp_path, where):
    (workspace / ".env").write_text(f"LITELLM_API_KEY={GOOD_KEY}\n")
    (workspace / "private").mkdir()
    (workspace / "private" / "keys.env").write_text("LITELLM_API_KEY=sk-moved-0123456789abcdef\n")
    config = tmp_path / "system.yaml" if where == "system config" else workspace / RECORDED_CHOICES
    config.parent.mkdir(exist_ok=True)
    config.write_text("env_file: private/keys.env\n")
    system = tmp_path / "system.yaml"
    environ = {"HOME": str(tmp_path), "LITELLM_KEY_SYSTEM_CONFIG": str(system), "LITELLM_WORKSPACE": str(workspace)}
    assert fast_output(["token"], environ) is None
    result = cli("token", env={"LITELLM_KEY_SYSTEM_CONFIG": str(system)})
    assert result.stdout == "sk-moved-0123456789abcdef\n"


@pytest.mark.parametrize("where", ["environment", "system config", "workspace config", "recorded choices"])
def test_a_key_kept_outside_env_is_left_to_the_full_command(workspace, plain, tmp_path, where):
    environ = dict(plain)
    if where == "environment":
        environ["LITELLM_KEY_STORE"] = "keyring"
    elif where == "system config":
        with open(plain["LITELLM_KEY_SYSTEM_CONFIG"], "a") as config:
            config.write("key_store: keyring\n")
    else:
        (workspace / ".devcontainer").mkdir()
        name = "litellm-key.yaml" if where == "workspace config" else Path(RECORDED_CHOICES).name
        (workspace / ".devcontainer" / name).write_text("key_store: keyring\n")
    environ["LITELLM_WORKSPACE"] = str(workspace)
    for args in (["token"], ["token", "--env-file", str(workspace / ".env")], ["env"]):
        assert fast_output(args, environ) is None, args


@pytest.mark.parametrize("claude_configured", [False, True])
def test_env_prints_the_same_on_the_fast_and_the_full_path(cli, workspace, claude_configured):
    if claude_configured:
        settings = cli.workspace.parent / "home" / ".claude" / "settings.json"
        settings.parent.mkdir(parents=True)
        settings.write_text('{"apiKeyHelper": "litellm-key token --env-file /x/.env"}\n')
    env_file = workspace / ".env"
    env_file.write_text(PLAIN_ENV)
    fast = cli("env")
    env_file.write_text(PLAIN_ENV + 'NOTE="a value\nover two lines"\n')  # only the full parser reads this
    full = cli("env")
    assert (fast.returncode, full.returncode) == (0, 0)
    assert fast.stdout == full.stdout
    assert ("ANTHROPIC_AUTH_TOKEN" in fast.stdout) is not claude_configured
    assert "export OPENAI_BASE_URL=http://localhost:8080/v1\n" in fast.stdout


HEAVY = ("httpx", "yaml", "dotenv", "re", "argparse", "pathlib", "questionary")


@pytest.mark.parametrize("args", [["token"], ["token", "--env-file", "ABS"], ["env"], ["env", "--env-file", "ABS"]])
def test_hot_paths_import_nothing_heavy_with_a_system_config_present(workspace, plain, args):
    """Run the installed launcher's code in a fresh interpreter and look at what it imported."""
    args = [str(workspace / ".env") if arg == "ABS" else arg for arg in args]
    probe = (
        "import sys\n"
        f"sys.argv = ['litellm-key', *{args!r}]\n"
        f"source = open({str(REPO / 'bin' / 'litellm-key')!r}).read()\n"
        "try:\n"
        "    exec(compile(source, 'litellm-key', 'exec'), {'__name__': '__main__'})\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)\n"
    )
    environ = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO / "src"), **plain}
    result = subprocess.run([sys.executable, "-c", probe], cwd=workspace, env=environ, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert GOOD_KEY in result.stdout
    assert result.stderr.strip() == "[]"
