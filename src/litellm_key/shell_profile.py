"""A marked block in ~/.bashrc and ~/.zshrc that exports the client variables in every new terminal.

Codex, Gemini CLI and OpenCode read the key from the environment. The block runs
`litellm-key env` only when the `.env` exists, hides its stderr, and evaluates nothing when no key
is stored yet, so a new terminal stays quiet and fast. It is written only between its markers:
rewriting it in place keeps the rest of the file byte for byte, and `logout` takes it out again.
"""

from __future__ import annotations

import shlex
from pathlib import Path

from .files import atomic_write

BEGIN = "# >>> litellm-key >>>"
END = "# <<< litellm-key <<<"
RC_FILES = (".bashrc", ".zshrc")


def block(command: str, env_file: Path) -> str:
    """The lines between (and including) the markers; `command` is already shell-quoted."""
    env_path = shlex.quote(str(env_file))
    return (
        f"{BEGIN}\n"
        "# LiteLLM key and proxy URL for codex, gemini and opencode; `litellm-key logout` removes this block.\n"
        f'if [ -r {env_path} ]; then eval "$({command} env --env-file {env_path} 2>/dev/null)"; fi\n'
        f"{END}\n"
    )


def _split(text: str) -> tuple[str, str, str] | None:
    """(before, our block, after) when the file has our block."""
    start = text.find(BEGIN + "\n")
    if start == -1 or (start > 0 and text[start - 1] != "\n"):
        return None
    end = text.find(END, start)
    if end == -1:
        return None
    stop = end + len(END)
    if text[stop : stop + 1] == "\n":
        stop += 1
    return text[:start], text[start:stop], text[stop:]


def _read(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8", "surrogateescape")
    except FileNotFoundError:
        return None


def rc_files(home: Path) -> list[Path]:
    """The rc files that exist; ~/.bashrc when there is none (the Dev Container default shell)."""
    existing = [home / name for name in RC_FILES if (home / name).exists()]
    return existing or [home / RC_FILES[0]]


def install(home: Path, command: str, env_file: Path) -> list[tuple[Path, bool]]:
    """Write or refresh the block; returns (rc file, whether it changed)."""
    wanted = block(command, env_file)
    results = []
    for path in rc_files(home):
        text = _read(path) or ""
        parts = _split(text)
        if parts:
            before, _, after = parts
            new_text = before + wanted + after
        else:
            new_text = text + ("\n" if text and not text.endswith("\n") else "") + wanted
        results.append((path, atomic_write(path, new_text.encode("utf-8", "surrogateescape"))))
    return results


def remove(home: Path) -> list[Path]:
    """Take the block out of every rc file that has it; returns the files changed.

    A file that held nothing but the block was created by `install`, and goes.
    """
    changed = []
    for name in RC_FILES:
        path = home / name
        text = _read(path)
        parts = _split(text) if text else None
        if not parts:
            continue
        before, _, after = parts
        if before or after:
            atomic_write(path, (before + after).encode("utf-8", "surrogateescape"))
        else:
            path.unlink()
        changed.append(path)
    return changed



def installed(home: Path) -> list[Path]:
    """The rc files that carry the block (`doctor`)."""
    return [home / name for name in RC_FILES if _split(_read(home / name) or "")]
