"""The shell profile block: new terminals get the client variables, quietly, and logout takes it out."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import GOOD_KEY
from litellm_key import shell_profile

COMMAND = f"{shlex.quote(sys.executable)} -m litellm_key"


def _install(home, env_file):
    """The block as setup writes it: `litellm-key env --env-file ABS`, guarded by that file."""
    return shell_profile.install(home, f"{COMMAND} env --env-file {shlex.quote(str(env_file))}", env_file)


def _new_terminal(home: Path, shell: str = "bash", rc: str = ".bashrc") -> subprocess.CompletedProcess[str]:
    """An interactive shell's start, reduced to sourcing the rc file, then print what a client sees."""
    script = f'. "$HOME/{rc}"; printf "%s|%s|%s" "$LITELLM_API_KEY" "$GEMINI_API_KEY" "$LITELLM_BASE_URL"'
    flags = ["--norc", "--noprofile"] if shell == "bash" else ["-f"]
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin"}
    return subprocess.run([shell, *flags, "-c", script], env=env, capture_output=True, text=True, timeout=30)


def test_block_is_added_once_and_refreshed_in_place(tmp_path):
    home = tmp_path
    (home / ".bashrc").write_text("alias ll='ls -l'\n")
    env_file = tmp_path / "workspace" / ".env"

    assert _install(home, env_file) == [(home / ".bashrc", True)]
    (home / ".bashrc").write_text((home / ".bashrc").read_text() + "export EDITOR=vim\n")
    assert _install(home, env_file) == [(home / ".bashrc", False)]
    _install(home, tmp_path / "other" / ".env")

    text = (home / ".bashrc").read_text()
    assert text.count(shell_profile.BEGIN) == 1
    assert text.startswith("alias ll='ls -l'\n# >>> litellm-key >>>\n")
    assert text.endswith("# <<< litellm-key <<<\nexport EDITOR=vim\n")
    assert str(tmp_path / "other" / ".env") in text and str(env_file) not in text


def test_block_goes_into_every_existing_rc_file_or_a_new_bashrc(tmp_path):
    (tmp_path / "a").mkdir()
    assert [path.name for path, _ in _install(tmp_path / "a", tmp_path / ".env")] == [".bashrc"]
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / ".zshrc").write_text("setopt autocd\n")
    (tmp_path / "b" / ".bashrc").write_text("")
    changed = _install(tmp_path / "b", tmp_path / ".env")
    assert [path.name for path, _ in changed] == [".bashrc", ".zshrc"]


def test_remove_gives_the_original_bytes_back(tmp_path):
    original = "# my rc\nalias ll='ls -l'\n\nexport PATH=$HOME/bin:$PATH\n"
    (tmp_path / ".bashrc").write_text(original)
    _install(tmp_path, tmp_path / ".env")

    assert shell_profile.remove(tmp_path) == [tmp_path / ".bashrc"]
    assert (tmp_path / ".bashrc").read_text() == original
    assert shell_profile.remove(tmp_path) == []


@pytest.mark.parametrize(
    "original",
    [b"alias ll='ls -l'", b"alias ll='ls -l'\n", b"alias ll='ls -l'\r\nexport A=1\r\n", b"export A=1\r\nalias ll='ls -l'"],
    ids=["no-final-newline", "final-newline", "crlf", "crlf-no-final-newline"],
)
def test_install_and_remove_round_trip_byte_for_byte(tmp_path, original):
    (tmp_path / ".bashrc").write_bytes(original)
    _install(tmp_path, tmp_path / ".env")
    _install(tmp_path, tmp_path / ".env")  # a refresh keeps what it knows
    installed = (tmp_path / ".bashrc").read_bytes()
    assert installed.startswith(original) and shell_profile.BEGIN.encode() in installed

    assert shell_profile.remove(tmp_path) == [tmp_path / ".bashrc"]
    assert (tmp_path / ".bashrc").read_bytes() == original


def test_a_new_terminal_exports_the_stored_key(tmp_path):
    env_file = tmp_path / "workspace" / ".env"
    env_file.parent.mkdir()
    env_file.write_text(f"LITELLM_API_KEY={GOOD_KEY}\nLITELLM_BASE_URL=http://localhost:8080\n")
    _install(tmp_path, env_file)

    result = _new_terminal(tmp_path)

    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == f"{GOOD_KEY}|{GOOD_KEY}|http://localhost:8080"


@pytest.mark.parametrize("env_content", [None, "# no key yet\nOTHER=1\n"])
def test_a_new_terminal_without_a_key_stays_silent(tmp_path, env_content):
    env_file = tmp_path / "workspace" / ".env"
    if env_content is not None:
        env_file.parent.mkdir()
        env_file.write_text(env_content)
    _install(tmp_path, env_file)

    result = _new_terminal(tmp_path)

    assert (result.returncode, result.stdout, result.stderr) == (0, "||", "")


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh not installed")
def test_zsh_reads_the_same_block(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text(f"LITELLM_API_KEY={GOOD_KEY}\n")
    (tmp_path / ".zshrc").write_text("setopt autocd\n")
    _install(tmp_path, env_file)

    assert _new_terminal(tmp_path, "zsh", ".zshrc").stdout.startswith(f"{GOOD_KEY}|")


def test_setup_for_an_environment_client_writes_the_block_and_logout_removes_it(cli):
    home = Path(cli.env["HOME"])
    (home / ".bashrc").write_text("alias ll='ls -l'\n")

    assert cli("setup", "--key-stdin", "--client", "gemini", input=GOOD_KEY).returncode == 0
    assert _new_terminal(home).stdout.startswith(f"{GOOD_KEY}|{GOOD_KEY}|")
    assert cli("logout").returncode == 0

    assert (home / ".bashrc").read_text() == "alias ll='ls -l'\n"
    assert _new_terminal(home).stdout == "||"
