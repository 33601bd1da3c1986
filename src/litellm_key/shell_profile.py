"""A marked block in ~/.bashrc and ~/.zshrc that exports the client variables in every new terminal.

Codex, Gemini CLI and OpenCode read the key from the environment. The block runs
`litellm-key env` only when the `.env` exists, hides its stderr, and evaluates nothing when no key
is stored yet, so a new terminal stays quiet and fast. It is written only between its markers:
rewriting it in place keeps the rest of the file byte for byte, and `logout` takes it out again.
A file that did not end with a line break gets one before the block; the begin marker then says so
(`JOINED`), so `logout` takes that line break out too and gives back the exact original bytes.
"""

from __future__ import annotations

import shlex
from pathlib import Path

from .errors import fail
from .files import atomic_write, read_regular
from .known_clients import ENVIRONMENT_CLIENTS_TEXT

BEGIN = "# >>> litellm-key >>>"
END = "# <<< litellm-key <<<"
JOINED = " (litellm-key added the line break above)"  # after BEGIN: the file had no final newline
FOUND_EMPTY = " (this file was empty before litellm-key)"  # after BEGIN: logout empties it, keeps it
RC_FILES = (".bashrc", ".zshrc")


def block(env_command: str, env_file: Path, joined: bool = False, found_empty: bool = False) -> str:
    """The lines between (and including) the markers; `env_command` (`litellm-key env --env-file
    …`) is already shell-quoted."""
    env_path = shlex.quote(str(env_file))
    note = JOINED if joined else FOUND_EMPTY if found_empty else ""
    return (
        f"{BEGIN}{note}\n"
        f"# LiteLLM key and proxy URL for {ENVIRONMENT_CLIENTS_TEXT}; `litellm-key logout` removes this block.\n"
        f'if [ -r {env_path} ]; then eval "$({env_command} 2>/dev/null)"; fi\n'
        f"{END}\n"
    )


def _split(text: str) -> tuple[str, str, str, bool] | None:
    """(before, our block, after, whether we added the line break before it) when the file has our
    block. A file that was empty before our block says so (FOUND_EMPTY): `found_empty` tells."""
    start, joined = -1, False
    for note in (JOINED, FOUND_EMPTY, ""):
        start = text.find(BEGIN + note + "\n")
        if start != -1:
            joined = note == JOINED
            break
    if start == -1 or (start > 0 and text[start - 1] != "\n"):
        return None
    end = text.find(END, start)
    if end == -1:
        return None
    stop = end + len(END)
    if text[stop : stop + 1] == "\n":
        stop += 1
    return text[:start], text[start:stop], text[stop:], joined


def _read(path: Path) -> str | None:
    """The file's text; None when it is missing, or is no file (a directory, a named pipe, a link
    loop), which cannot carry our block: `install` refuses those, `remove` passes them by."""
    try:
        return read_regular(path).decode("utf-8", "surrogateescape")
    except OSError:
        return None


def _writable(path: Path) -> None:
    try:
        read_regular(path)
    except FileNotFoundError:
        pass
    except OSError as error:
        raise fail("shell-rc-not-a-file", path=path, detail=error.strerror or error) from None


def found_empty(ours: str) -> bool:
    """Whether our block says the file was the user's, empty, before it (an empty ~/.zshrc keeps
    zsh's new-user wizard away: logout must not delete it)."""
    return ours.startswith(BEGIN + FOUND_EMPTY + "\n")


def rc_files(home: Path) -> list[Path]:
    """The rc files that exist; ~/.bashrc when there is none (the Dev Container default shell)."""
    existing = [home / name for name in RC_FILES if (home / name).exists()]
    return existing or [home / RC_FILES[0]]


def install(home: Path, env_command: str, env_file: Path) -> list[tuple[Path, bool]]:
    """Write or refresh the block; returns (rc file, whether it changed)."""
    results = []
    for path in rc_files(home):
        _writable(path)
        text = _read(path) or ""
        parts = _split(text)
        if parts:
            before, ours, after, joined = parts
            new_text = before + block(env_command, env_file, joined, found_empty(ours)) + after
        else:
            joined = bool(text) and not text.endswith("\n")
            empty = not text and path.exists()
            new_text = text + ("\n" if joined else "") + block(env_command, env_file, joined, empty)
        results.append((path, atomic_write(path, new_text.encode("utf-8", "surrogateescape"))))
    return results


def remove(home: Path) -> list[Path]:
    """Take the block out of every rc file that has it; returns the files changed.

    A file that held nothing but the block was created by `install`, and goes, unless the block says
    the file was there, empty, before it; a symbolic link that points at such a file stays a link
    (to an empty file), like every path we write.
    """
    changed = []
    for name in RC_FILES:
        path = home / name
        text = _read(path)
        parts = _split(text) if text else None
        if not parts:
            continue
        before, ours, after, joined = parts
        if joined:
            before = before[:-1]
        if before or after or path.is_symlink() or found_empty(ours):  # the user's file: empty it, keep it
            atomic_write(path, (before + after).encode("utf-8", "surrogateescape"))
        else:
            path.unlink()
        changed.append(path)
    return changed



def installed(home: Path) -> list[Path]:
    """The rc files that carry the block (`doctor`)."""
    return [home / name for name in RC_FILES if _split(_read(home / name) or "")]
