"""A key is only ever written into a .env that git ignores; a tracked .env is refused outright."""

from __future__ import annotations

import subprocess

from conftest import GOOD_KEY


def _git(workspace, *args: str) -> str:
    return subprocess.run(["git", "-C", str(workspace), *args], capture_output=True, text=True, check=True).stdout


def test_setup_adds_env_to_gitignore_before_writing_the_key(cli, workspace):
    (workspace / ".gitignore").write_text("node_modules/")  # no trailing newline
    result = cli("setup", "--key-stdin", input=GOOD_KEY)
    assert result.returncode == 0, result.output
    assert (workspace / ".gitignore").read_text() == "node_modules/\n/.env\n"
    assert _git(workspace, "status", "--porcelain", "--untracked-files=all").strip() == "?? .gitignore"


def test_already_ignored_env_leaves_gitignore_alone(cli, workspace):
    (workspace / ".gitignore").write_text("*.env\n.env\n")
    cli("setup", "--key-stdin", input=GOOD_KEY)
    assert (workspace / ".gitignore").read_text() == "*.env\n.env\n"


def test_env_file_in_a_subfolder_is_ignored_by_its_own_path(cli, workspace):
    result = cli("setup", "--key-stdin", "--env-file", "config/.env", input=GOOD_KEY)
    assert result.returncode == 0, result.output
    # --env-file is a choice setup records for rebuilds, in a file that is git-ignored as well
    assert (workspace / ".gitignore").read_text() == "/config/.env\n/.devcontainer/litellm-key.local.yaml\n"
    assert _git(workspace, "check-ignore", "config/.env").strip() == "config/.env"


def test_tracked_env_is_refused_with_exit_8_and_left_untouched(cli, workspace):
    (workspace / ".env").write_text("PUBLIC=1\n")
    _git(workspace, "add", ".env")
    result = cli("setup", "--key-stdin", input=GOOD_KEY)
    assert result.returncode == 8
    assert "tracked by git" in result.stderr
    assert "git rm --cached .env" in result.stderr
    assert (workspace / ".env").read_text() == "PUBLIC=1\n"


def test_workspace_outside_git_still_gets_a_private_env(cli, tmp_path):
    plain = tmp_path / "plain"
    plain.mkdir()
    result = cli("setup", "--key-stdin", "--workspace", str(plain), input=GOOD_KEY)
    assert result.returncode == 0, result.output
    assert not (plain / ".gitignore").exists()
    assert (plain / ".env").stat().st_mode & 0o777 == 0o600
