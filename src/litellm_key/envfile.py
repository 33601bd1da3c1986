"""The workspace `.env`: where the client key lives between container rebuilds.

The file belongs to the user; we own two variables in it (`OWNED_VARIABLES`). Updates rewrite only
the lines that assign those variables, so comments, blank lines, quoting, `export` prefixes, CRLF
endings and bytes we cannot decode survive exactly. Before a key goes in, git must ignore the file.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Mapping

from .errors import fail
from .files import atomic_write, locked_dir
from .keyhelper import KEY_VARIABLE, plain_value
from .secret import ClientKey

if TYPE_CHECKING:
    import subprocess

BASE_URL_VARIABLE = "LITELLM_BASE_URL"
# When the stored key stops working (ISO 8601, UTC), so `token` and `apply` can decide to renew
# without a network call; absent for keys that never expire or whose expiry is unknown.
EXPIRES_VARIABLE = "LITELLM_KEY_EXPIRES"
OWNED_VARIABLES = (KEY_VARIABLE, BASE_URL_VARIABLE, EXPIRES_VARIABLE)


def normalized_expiry(raw: str | None) -> str | None:
    """LiteLLM's expiry (`2026-12-31T00:00:00Z`, `...T10:00:00.123+00:00`, with or without an
    offset) as `YYYY-MM-DDTHH:MM:SSZ` in UTC, the one form stored in .env: fixed width, so the
    apiKeyHelper fast path compares it with the clock as plain text, without importing datetime."""
    if not raw:
        return None
    from datetime import datetime, timezone

    try:
        moment = datetime.fromisoformat(str(raw).strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def stored_expiry(path: Path) -> str | None:
    """LITELLM_KEY_EXPIRES as stored (fixed-width UTC), or None."""
    try:
        return plain_value(path.read_text(encoding="utf-8", errors="replace"), EXPIRES_VARIABLE)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


def seconds_left(expires: str | None) -> float | None:
    """Seconds until `expires` (negative once past); None for a key that never expires."""
    normalized = normalized_expiry(expires)
    if normalized is None:
        return None
    from datetime import datetime, timezone

    moment = datetime.strptime(normalized, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    return (moment - datetime.now(timezone.utc)).total_seconds()


def stored_key(path: Path) -> ClientKey | None:
    """The key in `.env`, or None when there is none yet.

    A plain file is read by `keyhelper.plain_value` (no python-dotenv import: its logging, tempfile
    and regex tables cost more than Python's own start-up, and `token` and `env` run often);
    whatever it cannot read unambiguously goes to python-dotenv, so the answer is always dotenv's.
    """
    try:
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
    except (FileNotFoundError, IsADirectoryError):
        return None
    secret = plain_value(text)
    if secret is None:
        from dotenv import dotenv_values

        secret = dotenv_values(path, interpolate=False).get(KEY_VARIABLE) or ""
    return ClientKey.parse(secret) if secret.strip() else None


def _split_binding(original: str) -> tuple[str, str, str]:
    """(blank lines before, the assignment line without its ending, the line ending).

    python-dotenv folds the blank lines above an assignment into its `original` text; those belong
    to the user's layout and must stay when we replace or drop the assignment.
    """
    body_start = len(original) - len(original.lstrip())
    cut = original.rfind("\n", 0, body_start) + 1
    line = original[cut:]
    ending = "\r\n" if line.endswith("\r\n") else "\n" if line.endswith("\n") else ""
    return original[:cut], line[: len(line) - len(ending)], ending


def _assignment(old_line: str, name: str, value: str) -> str:
    """Our variable's new line, keeping the indentation, `export` prefix and quote style it had."""
    indent = old_line[: len(old_line) - len(old_line.lstrip())]
    export = "export " if old_line.lstrip().startswith("export") else ""
    after_equals = old_line.split("=", 1)[1].lstrip() if "=" in old_line else ""
    quote = after_equals[0] if after_equals[:1] in ("'", '"') else ""
    return f"{indent}{export}{name}={quote}{value}{quote}"


def render_update(text: str, updates: Mapping[str, str | None]) -> str:
    """`text` with each variable in `updates` set (or removed when None); everything else untouched."""
    from dotenv.parser import parse_stream

    newline = "\r\n" if "\r\n" in text else "\n"
    pieces: list[str] = []
    written: set[str] = set()
    for binding in parse_stream(io.StringIO(text)):
        if binding.error or binding.key not in updates:
            pieces.append(binding.original.string)
            continue
        blank_lines, line, ending = _split_binding(binding.original.string)
        pieces.append(blank_lines)
        value = updates[binding.key]
        if value is not None:
            pieces.append(_assignment(line, binding.key, value) + (ending or newline))
            written.add(binding.key)
    result = "".join(pieces)
    for name, value in updates.items():
        if value is not None and name not in written:
            if result and not result.endswith("\n"):
                result += newline
            result += f"{name}={value}{newline}"
    return result


def _already_set(path: Path, text: str, updates: Mapping[str, str | None]) -> bool:
    if any(value is None for value in updates.values()) or not path.exists():
        return False
    return (path.stat().st_mode & 0o777) == 0o600 and all(plain_value(text, name) == value for name, value in updates.items())


def update_env(path: Path, updates: Mapping[str, str | None]) -> bool:
    """Apply `updates` to the file atomically, mode 0600, serialised against concurrent writers.

    Returns whether the file changed. Undecodable bytes round-trip through surrogateescape. When
    every value is already there (`apply` at each container start, mostly) python-dotenv is not
    even imported.
    """
    with locked_dir(path.parent):
        try:
            text = path.read_bytes().decode("utf-8", "surrogateescape")
        except FileNotFoundError:
            text = ""
        if _already_set(path, text, updates):
            return False
        new_text = render_update(text, updates)
        return atomic_write(path, new_text.encode("utf-8", "surrogateescape"), mode=0o600)


def _git(folder: Path, *args: str) -> subprocess.CompletedProcess[str] | None:
    import subprocess

    try:
        return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, check=False)
    except FileNotFoundError:  # no git: nothing can commit the file either
        return None


def ensure_gitignored(path: Path) -> str | None:
    """Make sure git will never commit `path`; refuse if it already tracks it.

    Returns a line describing what was changed (the .gitignore entry added), or None.
    """
    folder = next(parent for parent in path.parents if parent.is_dir())  # .env's folder may not exist yet
    top = _git(folder, "rev-parse", "--show-toplevel")
    if top is None or top.returncode != 0:
        return None
    top_level = Path(top.stdout.strip())
    relpath = path.resolve().relative_to(top_level.resolve()).as_posix()
    tracked = _git(top_level, "ls-files", "--error-unmatch", "--", relpath)
    if tracked is not None and tracked.returncode == 0:
        raise fail("env-tracked", env_file=path, relpath=relpath)
    ignored = _git(top_level, "check-ignore", "-q", "--no-index", "--", relpath)
    if ignored is not None and ignored.returncode == 0:
        return None
    gitignore = top_level / ".gitignore"
    with locked_dir(top_level):
        try:
            current = gitignore.read_bytes()
        except FileNotFoundError:
            current = b""
        separator = b"" if not current or current.endswith(b"\n") else b"\n"
        atomic_write(gitignore, current + separator + f"/{relpath}\n".encode())
    return f"added /{relpath} to {gitignore}"
