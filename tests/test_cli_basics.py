"""The small commands and the CLI's contract: token, env, help, no-TTY behaviour, JSON, imports."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys

import pytest

from conftest import GOOD_KEY, REPO
from litellm_key.cli import COMMANDS


@pytest.fixture
def stored(cli, workspace, standin):
    (workspace / ".env").write_text(f"OTHER=1\nLITELLM_API_KEY={GOOD_KEY}\n")
    return workspace / ".env"


def test_version_and_help_on_every_command(cli):
    assert cli("--version").stdout.startswith("litellm-key ")
    for command in COMMANDS:
        result = cli(command, "--help")
        assert result.returncode == 0, (command, result.output)
        assert "examples:" in result.stdout, command


def test_token_prints_exactly_the_key(cli, stored):
    result = cli("token")
    assert (result.returncode, result.stdout, result.stderr) == (0, f"{GOOD_KEY}\n", "")


def test_token_without_a_key_exits_4_and_prints_nothing_on_stdout(cli, workspace):
    result = cli("token")
    assert result.returncode == 4
    assert result.stdout == ""
    assert "No client key is stored" in result.stderr
    assert "config-claude-code.sh" in result.stderr


def test_env_prints_quoted_exports_a_shell_can_eval(cli, stored, standin, tmp_path):
    result = cli("env", env={"LITELLM_CLIENTS": "codex,gemini"})
    assert result.returncode == 0
    script = result.stdout + 'printf "%s|%s|%s" "$LITELLM_API_KEY" "$OPENAI_BASE_URL" "$ANTHROPIC_AUTH_TOKEN"'
    shell = subprocess.run(["sh", "-c", script], capture_output=True, text=True, check=True)
    assert shell.stdout == f"{GOOD_KEY}|{standin.url}/v1|{GOOD_KEY}"
    names = [shlex.split(line)[1].split("=")[0] for line in result.stdout.splitlines()]
    assert names[:2] == ["LITELLM_API_KEY", "LITELLM_BASE_URL"]  # ours first; the order of the rest means nothing to `eval`
    assert sorted(names) == sorted([
        "LITELLM_API_KEY", "LITELLM_BASE_URL", "ANTHROPIC_BASE_URL", "ANTHROPIC_AUTH_TOKEN",
        "OPENAI_BASE_URL", "OPENAI_API_KEY", "GEMINI_API_KEY", "GOOGLE_GEMINI_BASE_URL",
    ])


def test_env_leaves_the_token_to_claude_codes_helper_when_claude_code_is_configured(cli, stored):
    assert cli("setup", "--key-stdin", input=GOOD_KEY).returncode == 0  # default clients: claude-code
    result = cli("env")
    assert "ANTHROPIC_AUTH_TOKEN" not in result.stdout
    assert "export ANTHROPIC_BASE_URL=" in result.stdout


@pytest.mark.parametrize("command", ["token", "env"])
def test_hot_path_commands_import_nothing_heavy(cli, stored, command):
    probe = (
        "import sys, io, contextlib\n"
        "from litellm_key.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    code = main([{command!r}])\n"
        "heavy = sorted(m for m in ('httpx', 'questionary', 'prompt_toolkit', 'yaml', 'dotenv') if m in sys.modules)\n"
        "print(code, heavy)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=cli.workspace, env=cli.env, capture_output=True, text=True)
    assert result.stdout.strip() == "0 []", result.stderr


def test_setup_without_tty_or_key_exits_2_at_once(cli, workspace):
    result = cli("setup")  # stdin is an empty pipe, no LITELLM_API_KEY
    assert result.returncode == 2
    assert "--key-stdin" in result.stderr
    assert not (workspace / ".env").exists()


def test_setup_with_empty_stdin_is_a_usage_error(cli):
    result = cli("setup", "--key-stdin", input="")
    assert result.returncode == 2
    assert "held no key" in result.stderr


def test_setup_reads_key_from_environment(cli, workspace, standin):
    result = cli("setup", env={"LITELLM_API_KEY": GOOD_KEY})
    assert result.returncode == 0, result.output
    assert "from the LITELLM_API_KEY environment variable" in result.stdout
    assert f"LITELLM_API_KEY={GOOD_KEY}" in (workspace / ".env").read_text()


def test_setup_without_new_key_reverifies_the_stored_one(cli):
    cli("setup", "--key-stdin", input=GOOD_KEY)
    result = cli("setup")
    assert result.returncode == 0, result.output
    assert "from the stored key" in result.stdout
    assert "unchanged" in result.stdout


def test_setup_twice_gives_identical_files(cli, workspace):
    cli("setup", "--key-stdin", input=GOOD_KEY)
    first = {path.name: path.read_bytes() for path in workspace.iterdir() if path.is_file()}
    cli("setup", "--key-stdin", input=GOOD_KEY)
    assert {path.name: path.read_bytes() for path in workspace.iterdir() if path.is_file()} == first


def test_setup_json_reports_masked_key_and_models(cli):
    result = cli("setup", "--key-stdin", "--json", input=GOOD_KEY)
    document = json.loads(result.stdout)
    assert document["ok"] is True
    assert document["key"] == "sk-...cdef"
    assert document["models"] == ["claude-sonnet-4-5-20250929", "claude-3-opus-20240229"]
    assert document["key_info"]["alias"] == "dev-alice"


def test_setup_quiet_prints_nothing_on_success(cli):
    result = cli("setup", "--key-stdin", "--quiet", input=GOOD_KEY)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_no_verify_stores_the_key_offline(cli, workspace):
    result = cli("setup", "--key-stdin", "--no-verify", env={"LITELLM_UPSTREAM": "http://127.0.0.1:9"}, input=GOOD_KEY)
    assert result.returncode == 0
    assert "not verified" in result.stderr
    assert GOOD_KEY in (workspace / ".env").read_text()


def test_status_reports_key_and_models(cli, stored):
    result = cli("status")
    assert result.returncode == 0, result.output
    assert "✓ key sk-...cdef accepted by LiteLLM" in result.stdout
    assert "alias: dev-alice · expires: 2099-12-31T00:00:00Z" in result.stdout


def test_status_without_key_exits_4(cli):
    assert cli("status").returncode == 4


def test_module_entry_point_works(cli):
    result = subprocess.run([sys.executable, "-m", "litellm_key", "--version"], env=cli.env, capture_output=True, text=True)
    assert result.stdout.strip().startswith("litellm-key ")


@pytest.mark.parametrize("args", [("config",), ("config", "--json")])
def test_a_reader_that_went_away_ends_the_command_quietly(cli, workspace, args):
    """`litellm-key config | head`: the pipe's reader is gone before we write (deterministic: its
    end is closed first). Exit 141 as for any writer its reader left, no "unexpected error"."""
    reader, writer = os.pipe()
    os.close(reader)
    try:
        result = subprocess.run([sys.executable, "-m", "litellm_key", *args], cwd=workspace, env=cli.env,
                                stdout=writer, stderr=subprocess.PIPE, text=True, timeout=60)
    finally:
        os.close(writer)
    assert result.returncode == 141, result.stderr
    assert "unexpected error" not in result.stderr and "BrokenPipeError" not in result.stderr


def test_api_key_helper_form_answers_without_argparse_or_settings(cli, stored):
    probe = (
        "import sys\n"
        "from litellm_key.cli import main\n"
        f"code = main(['token', '--env-file', {str(stored)!r}])\n"
        "print(code, sorted(m for m in ('argparse', 're', 'pathlib', 'typing', 'litellm_key.settings') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd="/", env=cli.env, capture_output=True, text=True)
    assert result.stdout == f"{GOOD_KEY}\n0 []\n", result.stderr


@pytest.mark.parametrize(
    "content",
    [
        f'NOTE="spans\nlines"\nLITELLM_API_KEY={GOOD_KEY}\n',  # not plain: the full parser answers
        f"LITELLM_API_KEY = '{GOOD_KEY}'  \n",
        f"export LITELLM_API_KEY={GOOD_KEY}\r\n",
    ],
)
def test_api_key_helper_prints_the_key_whichever_path_answers(cli, tmp_path, content):
    env_file = tmp_path / "helper.env"
    env_file.write_text(content)
    result = cli("token", "--env-file", str(env_file))
    assert (result.returncode, result.stdout, result.stderr) == (0, f"{GOOD_KEY}\n", "")


def test_api_key_helper_without_a_key_still_explains(cli, tmp_path):
    env_file = tmp_path / "helper.env"
    env_file.write_text("OTHER=1\n")
    result = cli("token", "--env-file", str(env_file))
    assert result.returncode == 4
    assert result.stdout == ""
    assert "No client key is stored" in result.stderr
