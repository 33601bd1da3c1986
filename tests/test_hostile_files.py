"""Hostile files: the real CLI against .env files, links and folders a user (or an attacker) made.

Every probe asserts what a user is promised: the documented exit code, no traceback, no full key in the
output (the `cli` fixture checks that for every command but `token`/`env`), and `.env` and the
client files byte-identical when the command failed. Symbolic links follow one rule (docs/security.md):
the real file is checked, ignored and written; the link stays a link.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import GOOD_KEY, REPO

NEW_KEY = "sk-new-client-key-9876543210fedcba"


def _git(workspace, *args: str) -> str:
    return subprocess.run(["git", "-C", str(workspace), *args], capture_output=True, text=True, check=True).stdout


def _porcelain(workspace) -> set[str]:
    return set(_git(workspace, "status", "--porcelain", "--untracked-files=all").splitlines())


def _snapshot(*paths) -> dict[str, bytes | str | None]:
    """Bytes of each file, the target of each link: what must not change when a command fails."""
    state: dict[str, bytes | str | None] = {}
    for path in paths:
        if os.path.islink(path):
            state[str(path)] = "-> " + os.readlink(path)
        elif path.is_file():
            state[str(path)] = path.read_bytes()
        else:
            state[str(path)] = "dir" if path.is_dir() else None
    return state


def _no_crash(result) -> None:
    assert "Traceback" not in result.output
    assert "unexpected error" not in result.output


def _link_env(workspace, target: str) -> None:
    (workspace / "conf").mkdir(exist_ok=True)
    (workspace / ".env").symlink_to(target)


# ---- symbolic links ------------------------------------------------------------------------


def test_a_tracked_env_link_is_refused_and_nothing_is_written(cli, workspace):
    _link_env(workspace, "conf/dotenv")
    (workspace / "conf" / "dotenv").write_text("PUBLIC=1\n")
    _git(workspace, "add", ".env")  # the link is tracked, its target is not
    before = _snapshot(workspace / ".env", workspace / "conf" / "dotenv", workspace / ".gitignore")
    result = cli("setup", "--key-stdin", input=GOOD_KEY)
    assert result.returncode == 8, result.output
    assert "tracked by git" in result.stderr
    _no_crash(result)
    assert _snapshot(workspace / ".env", workspace / "conf" / "dotenv", workspace / ".gitignore") == before
    assert _porcelain(workspace) == {"A  .env", "?? conf/dotenv"}


def test_a_tracked_link_target_is_refused(cli, workspace):
    _link_env(workspace, "conf/dotenv")
    (workspace / "conf" / "dotenv").write_text("PUBLIC=1\n")
    _git(workspace, "add", "conf/dotenv")
    result = cli("setup", "--key-stdin", input=GOOD_KEY)
    assert result.returncode == 8
    assert "git rm --cached conf/dotenv" in result.stderr
    assert (workspace / "conf" / "dotenv").read_text() == "PUBLIC=1\n"


@pytest.mark.parametrize("via", ["default .env", "--env-file"])
def test_an_untracked_env_link_gets_link_and_target_ignored_and_stays_a_link(cli, workspace, via):
    _link_env(workspace, "conf/dotenv")
    (workspace / "conf" / "dotenv").write_text("# mine\nPUBLIC=1\n")
    args = ("--env-file", ".env") if via == "--env-file" else ()
    result = cli("setup", "--key-stdin", *args, input=GOOD_KEY)
    assert result.returncode == 0, result.output
    assert os.readlink(workspace / ".env") == "conf/dotenv"
    assert (workspace / "conf" / "dotenv").read_text().startswith(f"# mine\nPUBLIC=1\nLITELLM_API_KEY={GOOD_KEY}\n")
    assert (workspace / "conf" / "dotenv").stat().st_mode & 0o777 == 0o600
    recorded = "/.devcontainer/litellm-key.local.yaml\n" if via == "--env-file" else ""  # setup records --env-file
    assert (workspace / ".gitignore").read_text() == "/.env\n/conf/dotenv\n" + recorded
    assert _porcelain(workspace) == {"?? .gitignore"}  # neither the link nor the key file shows up
    assert cli("token").stdout == f"{GOOD_KEY}\n"


def test_a_dangling_env_link_creates_its_target(cli, workspace):
    _link_env(workspace, "conf/dotenv")
    result = cli("setup", "--key-stdin", input=GOOD_KEY)
    assert result.returncode == 0, result.output
    assert os.path.islink(workspace / ".env")
    assert (workspace / "conf" / "dotenv").read_text().startswith(f"LITELLM_API_KEY={GOOD_KEY}\n")
    assert _porcelain(workspace) == {"?? .gitignore"}


def test_an_env_link_leading_outside_the_workspace_is_refused(cli, workspace, tmp_path):
    outside = tmp_path / "elsewhere.env"
    outside.write_text("SHARED=1\n")
    (workspace / ".env").symlink_to(outside)
    result = cli("setup", "--key-stdin", input=GOOD_KEY)
    assert result.returncode == 8, result.output
    assert "symbolic link" in result.stderr and str(outside) in result.stderr
    _no_crash(result)
    assert outside.read_text() == "SHARED=1\n"
    assert not (workspace / ".gitignore").exists()


# ---- .env that is no file ----------------------------------------------------------------------


@pytest.mark.parametrize("command", ["token", "env", "status", "apply", "logout", "setup"])
def test_an_env_directory_is_a_clear_error(cli, workspace, command):
    (workspace / ".env").mkdir()
    result = cli(command, *(["--key-stdin"] if command == "setup" else []), input=GOOD_KEY)
    assert result.returncode == 3, result.output
    assert "is a directory" in result.stderr
    _no_crash(result)
    assert (workspace / ".env").is_dir() and not any((workspace / ".env").iterdir())


@pytest.mark.parametrize("ignored", [True, False], ids=["writing .env", "writing .gitignore"])
def test_a_read_only_workspace_is_a_clear_error_and_nothing_is_half_written(cli, workspace, ignored):
    (workspace / ".gitignore").write_text("/.env\n" if ignored else "node_modules/\n")
    (workspace / ".env").write_text("# mine\n")
    before = _snapshot(workspace / ".env", workspace / ".gitignore")
    command = [sys.executable, "-m", "litellm_key", "setup", "--key-stdin"]
    if os.geteuid() == 0:  # root writes through chmod: a read-only bind mount in a private namespace
        if not shutil.which("unshare"):
            pytest.skip("needs unshare to make a read-only mount as root")
        mount = f"mount --bind {workspace} {workspace} && mount -o remount,bind,ro {workspace} && exec \"$@\""
        command = ["unshare", "-m", "sh", "-c", mount, "sh", *command]
    else:
        workspace.chmod(0o555)
    try:
        completed = subprocess.run(command, cwd=workspace, env=cli.env, input=GOOD_KEY, capture_output=True, text=True, timeout=60)
    finally:
        workspace.chmod(0o755)
    if completed.returncode != 0 and "unshare" in completed.stderr[:200]:
        pytest.skip(f"cannot make a read-only mount here: {completed.stderr.strip()}")
    assert completed.returncode == 3, completed.stdout + completed.stderr
    assert "Cannot write" in completed.stderr and "nothing was changed" in completed.stderr
    assert "Traceback" not in completed.stderr and GOOD_KEY not in completed.stdout + completed.stderr
    assert _snapshot(workspace / ".env", workspace / ".gitignore") == before
    assert sorted(path.name for path in workspace.iterdir()) == [".env", ".git", ".gitignore"]


# ---- contents that broke readers -----------------------------------------------------------------


@pytest.mark.parametrize("command", ["token", "env", "status", "apply"])
def test_undecodable_bytes_and_an_odd_quote_elsewhere_break_nothing(cli, workspace, command):
    (workspace / ".env").write_bytes(
        b"LATIN=caf\xe9\n" + f"LITELLM_API_KEY={GOOD_KEY}\n".encode() + b"NOTE=\"it's open\n# caf\xe9 \"\n"
    )
    before = (workspace / ".env").read_bytes()
    result = cli(command)
    assert result.returncode == 0, result.output
    _no_crash(result)
    if command == "token":
        assert result.stdout == f"{GOOD_KEY}\n"
    if command != "apply":
        assert (workspace / ".env").read_bytes() == before


def test_a_separator_python_dotenv_ignores_cannot_smuggle_in_a_second_key(cli, workspace):
    (workspace / ".env").write_text(f"LITELLM_API_KEY={GOOD_KEY}\nFOO=bar\fLITELLM_API_KEY=sk-other-0123456789abcd\n")
    for args in (["token"], ["token", "--env-file", str(workspace / ".env")]):
        assert cli(*args).stdout == f"{GOOD_KEY}\n"


@pytest.mark.parametrize("bad", ["sk-clé-0123456789abcdef", "sk-key\x7f0123456789abcdef", "sk-key\u20ac0123456789abcdef", "sk-" + "a" * 100_000])
def test_a_key_no_header_can_carry_is_refused_before_anything_is_written(cli, workspace, bad):
    (workspace / ".env").write_text("# mine\n")
    result = cli("setup", "--key-stdin", "--no-verify", input=bad + "\n")
    assert result.returncode == 4, result.output
    assert "HTTP header" in result.stderr
    _no_crash(result)
    assert bad not in result.output
    assert (workspace / ".env").read_text() == "# mine\n"


@pytest.mark.parametrize("stored", ["sk-clé-0123456789abcdef", "sk-0123456789abcdef" * 1000], ids=["non-ASCII", "18 KB"])
@pytest.mark.parametrize("command", ["token", "env", "status", "apply"])
def test_a_stored_key_no_header_can_carry_is_a_clear_error(cli, workspace, command, stored):
    (workspace / ".env").write_text(f"LITELLM_API_KEY={stored}\n")
    before = (workspace / ".env").read_bytes()
    result = cli(command)
    assert result.returncode == 4, result.output
    assert "The key stored in" in result.stderr
    _no_crash(result)
    assert "0123456789abcdef" not in result.output
    assert (workspace / ".env").read_bytes() == before


# ---- links in the home folder: client configs and shell rc files -------------------------------------


def test_a_linked_client_config_and_rc_file_stay_links_through_setup_and_logout(cli, workspace, tmp_path):
    home = tmp_path / "home"
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    (dotfiles / "claude.json").write_text('{\n  "model": "opus"\n}\n')
    (dotfiles / "bashrc").write_text("alias ll='ls -l'\n")
    (home / ".claude").mkdir()
    (home / ".claude" / "settings.json").symlink_to(dotfiles / "claude.json")
    (home / ".bashrc").symlink_to(dotfiles / "bashrc")
    originals = {name: (dotfiles / name).read_bytes() for name in ("claude.json", "bashrc")}

    result = cli("setup", "--key-stdin", "--client", "claude-code", "--client", "codex", input=GOOD_KEY)
    assert result.returncode == 0, result.output
    assert os.path.islink(home / ".claude" / "settings.json") and os.path.islink(home / ".bashrc")
    assert "apiKeyHelper" in (dotfiles / "claude.json").read_text()
    assert "litellm-key" in (dotfiles / "bashrc").read_text()

    result = cli("logout")
    assert result.returncode == 0, result.output
    assert os.path.islink(home / ".claude" / "settings.json") and os.path.islink(home / ".bashrc")
    assert {name: (dotfiles / name).read_bytes() for name in originals} == originals


def test_the_launcher_is_what_pip_installs(tmp_path):
    """`litellm-key` on PATH is bin/litellm-key (no console-script wrapper importing `re`)."""
    installed = shutil.which("litellm-key", path=os.path.dirname(sys.executable))
    assert installed, "litellm-key is not installed beside the interpreter"
    with open(installed) as script:
        body = script.read()
    assert "from litellm_key.keyhelper import answer" in body
    assert body.split("\n", 1)[1] == (REPO / "bin" / "litellm-key").read_text().split("\n", 1)[1]


def test_a_linked_rc_file_holding_only_our_block_stays_a_link_after_logout(cli, workspace, tmp_path):
    home = tmp_path / "home"
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    (dotfiles / "bashrc").write_text("")
    (home / ".bashrc").symlink_to(dotfiles / "bashrc")

    assert cli("setup", "--key-stdin", "--client", "codex", input=GOOD_KEY).returncode == 0
    assert "litellm-key" in (dotfiles / "bashrc").read_text()
    result = cli("logout")

    assert result.returncode == 0, result.output
    assert os.path.islink(home / ".bashrc") and (dotfiles / "bashrc").read_text() == ""


@pytest.mark.parametrize("client, config", [
    ("claude-code", ".claude/settings.json"),
    ("roo", ".config/litellm-key/roo-code-settings.json"),  # holds the key itself
])
def test_a_config_we_created_and_the_user_then_linked_keeps_its_link_and_loses_our_values(cli, workspace, tmp_path, client, config):
    """The user adopts the file setup created (moves it into a dotfiles repo, links it back): logout
    empties it through the link. Unlinking would drop their link and leave the key in the target."""
    home, dotfiles = tmp_path / "home", tmp_path / "dotfiles"
    assert cli("setup", "--key-stdin", "--client", client, input=GOOD_KEY).returncode == 0
    dotfiles.mkdir()
    shutil.move(home / config, dotfiles / "adopted.json")
    (home / config).symlink_to(dotfiles / "adopted.json")

    result = cli("logout")

    assert result.returncode == 0, result.output
    assert os.path.islink(home / config)
    left = (dotfiles / "adopted.json").read_text()
    assert GOOD_KEY not in left and "litellm" not in left.lower()


# ---- the state folder (undo records, locks, the proxy's files) ------------------------------------


def _block_state_dir(cli, how: str) -> None:
    """A state folder litellm-key cannot use: a file where it belongs, or (not as root, who writes
    anyway) a root-owned leftover of `sudo litellm-key …`, which a chmod stands in for."""
    state = Path(cli.env["XDG_STATE_HOME"]) / "litellm-key"
    if how == "file in the way":
        shutil.rmtree(state, ignore_errors=True)
        state.parent.mkdir(parents=True, exist_ok=True)
        state.write_text("")
        return
    if os.geteuid() == 0:
        pytest.skip("root writes to any folder")
    (state / "client-changes").mkdir(parents=True, exist_ok=True)
    (state / "client-changes").chmod(0o500)


@pytest.mark.parametrize("how", ["file in the way", "not writable"])
@pytest.mark.parametrize("command", ["setup", "apply", "status", "logout", "renew"])
def test_an_unusable_state_folder_is_a_clear_error_before_anything_changes(cli, workspace, command, how):
    if command != "setup":
        assert cli("setup", "--key-stdin", input=GOOD_KEY).returncode == 0
    before = _snapshot(workspace / ".env", workspace / ".gitignore")
    _block_state_dir(cli, how)

    result = cli(command, *(["--key-stdin"] if command == "setup" else []), input=NEW_KEY)

    assert result.returncode == 3, result.output
    assert "Cannot use litellm-key's state folder" in result.stderr and "LITELLM_STATE_DIR" in result.stderr
    _no_crash(result)
    assert _snapshot(workspace / ".env", workspace / ".gitignore") == before


def test_doctor_names_an_unusable_state_folder_and_skips_what_needs_it(cli, workspace):
    assert cli("setup", "--key-stdin", input=GOOD_KEY).returncode == 0
    _block_state_dir(cli, "file in the way")

    result = cli("doctor", "--json")

    checks = {check["id"]: check for check in json.loads(result.stdout)["checks"]}
    assert result.returncode == 3, result.output
    assert checks["state-dir"]["status"] == "failed" and checks["state-dir"]["reason"] == "state-dir-unusable"
    assert checks["client-claude-code"]["status"] == "skipped"


# ---- .gitignore lines git does not read ------------------------------------------------------------


def _gitignore_link(workspace) -> None:
    """git reads no .gitignore that is a symbolic link (since 2.32): lines written through it ignore nothing."""
    (workspace / "conf").mkdir()
    (workspace / "conf" / "gitignore").write_text("node_modules/\n")
    (workspace / ".gitignore").symlink_to("conf/gitignore")


def _negated_below(workspace) -> None:
    """A deeper .gitignore wins over ours at the top: `!.env` there un-ignores app/.env again."""
    (workspace / "app").mkdir()
    (workspace / "app" / ".gitignore").write_text("!.env\n")


@pytest.mark.parametrize("arrange, env_file", [(_gitignore_link, ".env"), (_negated_below, "app/.env")], ids=["linked .gitignore", "negated below"])
def test_a_gitignore_git_does_not_honour_is_refused_before_the_key_is_written(cli, workspace, arrange, env_file):
    arrange(workspace)
    before = _porcelain(workspace)
    files = [workspace / name for name in (".gitignore", "conf/gitignore", "app/.gitignore", env_file)]
    snapshot = _snapshot(*files)

    result = cli("setup", "--key-stdin", "--env-file", env_file, input=GOOD_KEY)

    assert result.returncode == 8, result.output
    assert "git would still commit it" in result.stderr
    _no_crash(result)
    assert _snapshot(*files) == snapshot  # no key, and no .gitignore line that does nothing
    assert _porcelain(workspace) == before


# ---- config values repeated in errors ----------------------------------------------------------------

PUNCTUATED = "sk-a.b+c/d=e-0123456789xyz"  # a key the old `sk-[A-Za-z0-9_-]+` mask cut short after `sk-a`


@pytest.mark.parametrize("where", ["settings file", "environment"])
def test_a_key_pasted_into_a_setting_is_masked_in_the_error(cli, workspace, where):
    env = {}
    if where == "environment":
        env["LITELLM_TIMEOUT"] = PUNCTUATED
    else:
        (workspace / ".devcontainer").mkdir()
        (workspace / ".devcontainer" / "litellm-key.yaml").write_text(f"timeout: '{PUNCTUATED}'\n")
    for flags in ([], ["--json"]):
        result = cli("status", *flags, env=env)
        assert result.returncode == 3, result.output
        assert "timeout" in result.stderr and "sk-...9xyz" in result.stderr
        assert PUNCTUATED not in result.output and "d=e-0123" not in result.output


def test_a_stale_punctuated_key_in_the_way_in_a_client_file_is_masked(cli, workspace, tmp_path):
    settings = tmp_path / "home" / ".claude" / "settings.json"
    settings.parent.mkdir(parents=True)
    settings.write_text(json.dumps({"env": PUNCTUATED}))
    before = settings.read_bytes()

    result = cli("setup", "--key-stdin", "--client", "claude-code", input=GOOD_KEY)

    assert result.returncode == 3, result.output
    assert "`env` is a string" in result.stderr
    assert PUNCTUATED not in result.output and "d=e-0123" not in result.output
    assert settings.read_bytes() == before


# ---- client JSON strings keep their exact text ------------------------------------------------------

ESCAPED = '{\n  "a": "caf\\u00e9 \\/ x",\n  "lone": "\\ud800",\n  "pair": ["\\ud83d\\ude00"]\n}\n'


def test_escaped_strings_in_a_client_file_keep_their_text_through_setup_and_logout(cli, workspace, tmp_path):
    """`\\u00e9` and `\\/` are the user's spelling; a lone `\\ud800` cannot even be written as UTF-8."""
    settings = tmp_path / "home" / ".claude" / "settings.json"
    settings.parent.mkdir(parents=True)
    settings.write_text(ESCAPED)

    result = cli("setup", "--key-stdin", "--client", "claude-code", input=GOOD_KEY)

    assert result.returncode == 0, result.output
    _no_crash(result)
    text = settings.read_text()
    assert all(literal in text for literal in ('"caf\\u00e9 \\/ x"', '"\\ud800"', '"\\ud83d\\ude00"')), text
    assert "apiKeyHelper" in json.loads(text)
    assert cli("logout").returncode == 0
    assert settings.read_text() == ESCAPED


def test_a_name_spelled_with_escapes_skips_the_file_untouched(cli, workspace, tmp_path):
    settings = tmp_path / "home" / ".claude" / "settings.json"
    settings.parent.mkdir(parents=True)
    settings.write_text('{"caf\\u00e9": 1, "\\ud800": 2}\n')
    before = settings.read_bytes()

    result = cli("setup", "--key-stdin", "--client", "claude-code", input=GOOD_KEY)

    assert result.returncode == 3, result.output
    assert "line 1" in result.stderr and "escapes" in result.stderr
    _no_crash(result)
    assert settings.read_bytes() == before


# ---- things that are no regular file: a named pipe would block a reader for ever -----------------


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _loop(path: Path) -> None:
    path.symlink_to(path.name + ".other")
    path.with_name(path.name + ".other").symlink_to(path.name)


def _directory(path: Path) -> None:
    path.mkdir()


def _device(path: Path) -> None:
    """A copy of /dev/null (`LITELLM_ENV_FILE=/dev/null`): replacing it with a file as root would
    break every program in the container."""
    if os.geteuid() != 0:
        pytest.skip("only root can make a device node")
    os.mknod(path, 0o666 | __import__("stat").S_IFCHR, os.makedev(1, 3))


@pytest.mark.parametrize("make", [_fifo, _loop, _device], ids=["named pipe", "link loop", "device"])
@pytest.mark.parametrize("command", ["token", "env", "status", "apply", "setup", "logout"])
def test_an_env_that_is_a_pipe_or_a_link_loop_is_a_clear_error_not_a_hang(cli, workspace, command, make):
    make(workspace / ".env")
    result = cli(command, *(["--key-stdin"] if command == "setup" else []), input=GOOD_KEY)
    _no_crash(result)
    if command == "logout" and make is _loop:  # no file behind the link: no key there to remove
        assert result.returncode == 0 and "no key stored" in result.output, result.output
    else:
        assert result.returncode == 3, result.output
        assert str(workspace / ".env") in result.stderr
    assert not (workspace / ".env").is_file() or os.path.islink(workspace / ".env")
    if make is _device:
        assert (workspace / ".env").is_char_device()


@pytest.mark.parametrize("make", [_fifo, _loop, _directory], ids=["named pipe", "link loop", "directory"])
def test_a_client_config_that_is_no_file_skips_that_client_only(cli, workspace, tmp_path, make):
    settings = tmp_path / "home" / ".claude" / "settings.json"
    settings.parent.mkdir(parents=True)
    make(settings)

    result = cli("setup", "--key-stdin", "--client", "claude-code", "--client", "opencode", input=GOOD_KEY)

    assert result.returncode == 3, result.output
    _no_crash(result)
    assert f"claude-code: {settings}" in result.stderr and "not configured" in result.stderr
    assert "opencode configured" in result.stdout
    for command in ("status", "logout"):
        later = cli(command)
        _no_crash(later)
        assert later.returncode in (0, 3), later.output


@pytest.mark.parametrize("make", [_fifo, _directory], ids=["named pipe", "directory"])
def test_a_shell_rc_file_that_is_no_file_is_a_clear_error(cli, workspace, tmp_path, make):
    make(tmp_path / "home" / ".bashrc")
    result = cli("setup", "--key-stdin", "--client", "codex", input=GOOD_KEY)
    assert result.returncode == 3, result.output
    _no_crash(result)
    assert ".bashrc" in result.stderr



# ---- Roo Code's file holds the key: git must not be able to commit it either -----------------------

ROO = ".config/litellm-key/roo-code-settings.json"


def _dotfiles_repo(tmp_path: Path, tracked: bool) -> Path:
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    subprocess.run(["git", "init", "-q", str(dotfiles)], check=True)
    (dotfiles / "roo.json").write_text("{}\n")
    if tracked:
        _git(dotfiles, "add", "roo.json")
    return dotfiles


@pytest.mark.parametrize("how", ["tracked link target", "untracked link target", "~/.config is a repository", "a link ~/.config's repository tracks"])
def test_a_key_file_git_could_commit_is_refused_and_left_alone(cli, workspace, tmp_path, how):
    """Roo Code's file gets the .env rules (files.git_exposure): the link and its target, each in its own repository."""
    home = tmp_path / "home"
    roo = home / ROO
    roo.parent.mkdir(parents=True)
    if how == "~/.config is a repository":
        subprocess.run(["git", "init", "-q", str(home / ".config")], check=True)
        real = roo
        real.write_text("{}\n")
    elif how == "a link ~/.config's repository tracks":  # the target is outside git: the link is what git holds
        subprocess.run(["git", "init", "-q", str(home / ".config")], check=True)
        real = tmp_path / "elsewhere" / "roo.json"
        real.parent.mkdir()
        real.write_text("{}\n")
        roo.symlink_to(real)
        _git(home / ".config", "add", "litellm-key/roo-code-settings.json")
    else:
        dotfiles = _dotfiles_repo(tmp_path, tracked=how.startswith("tracked"))
        real = dotfiles / "roo.json"
        roo.symlink_to(real)
    before = real.read_bytes()

    result = cli("setup", "--key-stdin", "--client", "roo", "--client", "claude-code", input=GOOD_KEY)

    assert result.returncode == 8, result.output
    exposed = roo if how == "a link ~/.config's repository tracks" else real
    assert "git" in result.stderr and str(exposed) in result.stderr
    _no_crash(result)
    assert real.read_bytes() == before and GOOD_KEY not in real.read_text()
    assert "claude-code configured" in result.stdout  # the other clients are still configured


def test_an_ignored_key_file_in_a_repository_is_written(cli, workspace, tmp_path):
    dotfiles = _dotfiles_repo(tmp_path, tracked=False)
    (dotfiles / ".gitignore").write_text("roo.json\n")
    roo = tmp_path / "home" / ROO
    roo.parent.mkdir(parents=True)
    roo.symlink_to(dotfiles / "roo.json")

    result = cli("setup", "--key-stdin", "--client", "roo", input=GOOD_KEY)

    assert result.returncode == 0, result.output
    assert GOOD_KEY in (dotfiles / "roo.json").read_text() and os.path.islink(roo)


@pytest.mark.parametrize("name", [".bashrc", ".zshrc"])
def test_an_empty_rc_file_of_the_user_is_still_there_after_logout(cli, workspace, tmp_path, name):
    """An empty ~/.zshrc keeps zsh's new-user wizard away: logout must give it back, not delete it."""
    rc = tmp_path / "home" / name
    rc.write_bytes(b"")
    assert cli("setup", "--key-stdin", "--client", "codex", input=GOOD_KEY).returncode == 0
    assert "litellm-key" in rc.read_text()

    assert cli("logout").returncode == 0

    assert rc.is_file() and rc.read_bytes() == b""


def test_an_env_link_into_a_nested_repository_is_refused(cli, workspace):
    """`.env -> vendor/dotenv` where vendor/ is a repository of its own (a nested clone, a
    submodule): our .gitignore line does not reach into it, and there `git add -A` takes the key."""
    nested = workspace / "vendor"
    subprocess.run(["git", "init", "-q", str(nested)], check=True)
    (nested / "dotenv").write_text("PUBLIC=1\n")
    (workspace / ".env").symlink_to("vendor/dotenv")
    before = _snapshot(nested / "dotenv", workspace / ".gitignore")

    result = cli("setup", "--key-stdin", input=GOOD_KEY)

    assert result.returncode == 8, result.output
    assert "symbolic link" in result.stderr and str(nested / "dotenv") in result.stderr
    _no_crash(result)
    assert _snapshot(nested / "dotenv", workspace / ".gitignore") == before


def test_a_config_or_rc_file_linked_to_a_device_is_never_replaced(cli, workspace, tmp_path):
    """`ln -s /dev/null ~/.bashrc` silences a dotfile; writing "through" it renamed a regular file
    over the device (the real /dev/null, as root, in a container). Here a copy of it is used."""
    device = tmp_path / "null"
    _device(device)
    home = tmp_path / "home"
    (home / ".claude").mkdir(parents=True)
    (home / ".claude" / "settings.json").symlink_to(device)
    (home / ".bashrc").symlink_to(device)

    result = cli("setup", "--key-stdin", "--client", "claude-code", "--client", "codex", input=GOOD_KEY)

    assert result.returncode == 3, result.output
    _no_crash(result)
    assert "device" in result.stderr
    assert device.is_char_device()
    assert "codex configured" in result.stdout
