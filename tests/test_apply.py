"""`litellm-key apply`: a container start or rebuild restores everything from .env, without a prompt."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

from conftest import GOOD_KEY
from proxy_helpers import free_port



def test_apply_without_a_key_says_what_to_run_and_succeeds(cli, workspace):
    result = cli("apply", "--quiet")
    assert result.returncode == 0
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "run config-claude-code.sh" in result.stderr
    assert not (workspace / ".env").exists()


def test_apply_after_rebuild_restores_client_configs_from_env(cli, workspace):
    assert cli("setup", "--key-stdin", input=GOOD_KEY).returncode == 0
    home = cli.workspace.parent / "home"
    settings_before = (home / ".claude" / "settings.json").read_bytes()
    shutil.rmtree(home)  # a rebuild: the home directory is new, the workspace (and .env) survive
    home.mkdir()

    result = cli("apply")

    assert result.returncode == 0, result.output
    assert "accepted by LiteLLM" in result.stdout
    assert (home / ".claude" / "settings.json").read_bytes() == settings_before


def test_apply_offline_warns_and_still_exits_0(cli, workspace):
    (workspace / ".env").write_text(f"LITELLM_API_KEY={GOOD_KEY}\n")
    result = cli("apply", env={"LITELLM_UPSTREAM": f"http://127.0.0.1:{free_port()}"})
    assert result.returncode == 0, result.output
    assert "could not verify the key now: Cannot connect" in result.stderr
    assert (cli.workspace.parent / "home" / ".claude" / "settings.json").exists()


def test_apply_with_an_expired_key_fails_with_exit_4(cli, workspace, standin):
    standin.keys[GOOD_KEY].expires = "2021-06-01T00:00:00Z"
    (workspace / ".env").write_text(f"LITELLM_API_KEY={GOOD_KEY}\n")
    result = cli("apply")
    assert result.returncode == 4
    assert "has expired" in result.stderr


def test_apply_twice_gives_identical_files(cli, workspace):
    cli("setup", "--key-stdin", input=GOOD_KEY)
    cli("apply")
    home = cli.workspace.parent / "home"

    def snapshot():
        return {p: p.read_bytes() for root in (home, workspace) for p in sorted(root.rglob("*")) if p.is_file() and ".git/" not in str(p)}

    first = snapshot()
    second_run = cli("apply", "--json")
    assert json.loads(second_run.stdout)["verified"] is True
    assert snapshot() == first


def test_apply_never_reads_stdin(cli, workspace):
    (workspace / ".env").write_text(f"LITELLM_API_KEY={GOOD_KEY}\n")
    result = cli("apply", input="sk-should-never-be-read-000000\n")
    assert result.returncode == 0
    assert "sk-should-never-be-read" not in (workspace / ".env").read_text()


def test_apply_with_env_already_current_leaves_it_untouched_without_python_dotenv(cli, workspace):
    assert cli("setup", "--key-stdin", input=GOOD_KEY).returncode == 0
    env_file = workspace / ".env"
    before = (env_file.read_bytes(), env_file.stat().st_mtime_ns)
    probe = (
        "import sys, io, contextlib\n"
        "from litellm_key.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    code = main(['apply', '--quiet'])\n"
        "print(code, 'dotenv' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=workspace, env=cli.env, capture_output=True, text=True)
    assert result.stdout == "0 False\n", result.stderr
    assert (env_file.read_bytes(), env_file.stat().st_mtime_ns) == before
