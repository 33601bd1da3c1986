"""The workspace `.env`: where the client key lives between container rebuilds.

The file belongs to the user; we own two variables in it (`OWNED_VARIABLES`). Updates rewrite only
the lines that assign those variables, so comments, blank lines, quoting, `export` prefixes, CRLF
endings and bytes we cannot decode survive exactly. Before a key goes in, git must ignore the file.
"""

from __future__ import annotations

import errno
import io
import os
from pathlib import Path
from typing import TYPE_CHECKING, Mapping

from .errors import fail
from .files import atomic_write, locked_dir, real_path
from .keyhelper import (
    BASE_URL_VARIABLE,
    EXPIRES_VARIABLE,
    KEY_VARIABLE,
    UNUSUAL_SPACE,
    UNUSUAL_SPACE_ASCII,
    assignment,
    is_plain,
    plain_values,
)
from .secret import ClientKey

if TYPE_CHECKING:
    import subprocess

# LITELLM_KEY_EXPIRES: when the stored key stops working (ISO 8601, UTC), so `token` and `apply`
# can decide to renew without a network call; absent for keys that never expire or whose expiry is
# unknown.
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


def _read_bytes(path: Path) -> bytes | None:
    """The file's bytes, None when it does not exist; a directory or an unreadable file is a clear error."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise fail("env-not-a-file", env_file=path) from None
    except OSError as error:
        raise fail("env-unreadable", env_file=path, detail=error.strerror or error) from None


def stored_values(path: Path, names: tuple[str, ...] = OWNED_VARIABLES) -> dict[str, str]:
    """Our variables as python-dotenv reads them (absent or empty ones left out).

    A plain file is read by `keyhelper.plain_values` (no python-dotenv import: its logging, tempfile
    and regex tables cost more than Python's own start-up, and `token` and `env` run often);
    whatever it cannot read unambiguously goes to python-dotenv, so the answer is always dotenv's.
    Bytes that are not UTF-8 (in any line) round-trip through surrogateescape instead of failing.
    """
    data = _read_bytes(path)
    if not data:
        return {}
    text = data.decode("utf-8", "surrogateescape")
    values = plain_values(text, names)
    if values is None or not all(is_plain(value) for value in values.values()):
        from dotenv.parser import parse_stream

        # What dotenv_values(interpolate=False) returns, without its log line per unparsable line
        # (the user's own lines are not ours to complain about on every `token`).
        values = {binding.key: binding.value for binding in parse_stream(io.StringIO(text)) if binding.key is not None}
    return {name: value for name in names if (value := values.get(name))}


def stored_key(path: Path) -> ClientKey | None:
    """The key in `.env`, or None when there is none yet; a stored value that is no usable key
    (a space, a control or non-ASCII character) is a clear error naming the file."""
    secret = stored_values(path, (KEY_VARIABLE,)).get(KEY_VARIABLE, "")
    if not secret.strip():
        return None
    problem = ClientKey.problem(secret)
    if problem:
        raise fail("env-key-malformed", env_file=path, problem=problem)
    return ClientKey.parse(secret)


def _assignment(old_line: str, name: str, value: str) -> str:
    """Our variable's new line, keeping the indentation, `export` prefix and quote style it had."""
    indent = old_line[: len(old_line) - len(old_line.lstrip())]
    export = "export " if old_line.lstrip().startswith("export") else ""
    after_equals = old_line.split("=", 1)[1].lstrip() if "=" in old_line else ""
    quote = after_equals[0] if after_equals[:1] in ("'", '"') else ""
    return f"{indent}{export}{name}={quote}{value}{quote}"


_BOM = "\ufeff".encode()


def _line_around(data: bytes, position: int) -> tuple[int, int]:
    """(start, end) of the line holding `position`, the end past its newline."""
    start = data.rfind(b"\n", 0, position) + 1
    end = data.find(b"\n", position)
    return start, len(data) if end == -1 else end + 1


def _decode(line: bytes) -> str:
    return line.decode("utf-8", "surrogateescape")


# A line python-dotenv may read past its end, found by one search over the whole file (a 10 MB
# .env costs tens of milliseconds, not a Python loop per line): a quote in the name part (a quoted
# key), or a value that opens a quote and reaches the end of the line or a backslash before
# closing it. Comments and unquoted values end with their line. `(?=(x*))\1` is an atomic
# group (Python 3.10 has none), so a good line costs no backtracking.
_DEPENDENT_LINE = (
    rb"""(?=([^=\n'"#]*))\1(?:['"]|=[ \t]*(?:'(?=([^'\n\\]*))\2(?:\\|$)|"(?=([^"\n\\]*))\3(?:\\|$)))"""
)


def _lines_are_independent(data: bytes, end: int) -> bool:
    """Whether python-dotenv reads every line of `data[:end]` on its own (what keyhelper's
    line_is_independent decides line by line, for the whole stretch at once)."""
    import re

    unusual = UNUSUAL_SPACE_ASCII if data.isascii() else UNUSUAL_SPACE
    if any(data.find(char.encode(), 0, end) != -1 for char in unusual):
        return False
    if data.count(b"\r", 0, end) != data.count(b"\r\n", 0, end):
        return False  # a lone CR ends a line for dotenv, not for this scanner
    if re.compile(_DEPENDENT_LINE, re.MULTILINE).match(data, 0, end):
        return False
    # Searching for "\n" + pattern lets the regex engine skip to line starts at memchr speed.
    return re.compile(b"\n" + _DEPENDENT_LINE, re.MULTILINE).search(data, 0, end) is None


def _scan_update(data: bytes, updates: Mapping[str, str | None]) -> bytes | None:
    """`data` with our lines rewritten, found by searching for the names instead of parsing the
    whole file (python-dotenv's regex per line made a 10 MB .env cost seconds); None when some
    line could be read differently by python-dotenv, which then decides.

    Only the lines up to the last one mentioning a name must stand alone: a quote opened further
    down cannot reach back, and cannot swallow the lines we append (they hold no quote).
    """
    if data.startswith(_BOM) or any(value and any(c in value for c in "'\"\r\n") for value in updates.values()):
        return None
    newline = b"\r\n" if b"\r\n" in data else b"\n"
    edits: list[tuple[int, int, bytes]] = []
    written: set[str] = set()
    checked_to = 0
    for name, value in updates.items():
        position = data.find(name.encode())
        while position != -1:
            start, end = _line_around(data, position)
            checked_to = max(checked_to, end)
            piece = data[start:end]
            body = piece.rstrip(b"\r\n")
            parsed = assignment(_decode(body))
            if parsed is not None and parsed[0] == name:
                if parsed[1] is None:
                    return None  # `NAME` alone or a broken value: dotenv's rules decide
                replacement = b""
                if value is not None:
                    ending = piece[len(body) :] or newline
                    replacement = _assignment(_decode(body), name, value).encode("utf-8", "surrogateescape") + ending
                    written.add(name)
                edits.append((start, end, replacement))
            position = data.find(name.encode(), end)
    if not _lines_are_independent(data, checked_to):
        return None
    view = memoryview(data)
    pieces: list[bytes | memoryview] = []
    done = 0
    for start, end, replacement in sorted(edits):
        pieces += [view[done:start], replacement]
        done = end
    pieces.append(view[done:])
    missing = [f"{name}={value}".encode() + newline for name, value in updates.items() if value is not None and name not in written]
    last = next((bytes(piece[-1:]) for piece in reversed(pieces) if len(piece)), b"\n")
    if missing and last != b"\n":
        pieces.append(newline)
    return b"".join([*pieces, *missing])


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


def _render_with_dotenv(text: str, updates: Mapping[str, str | None]) -> str:
    """The careful path: python-dotenv's own parser says where each binding starts and ends."""
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


def render_bytes(data: bytes, updates: Mapping[str, str | None]) -> bytes:
    """`data` with each variable in `updates` set (or removed when None); every other byte untouched."""
    if data.startswith(_BOM):  # dotenv reads past it; it stays the file's first bytes
        return _BOM + render_bytes(data[len(_BOM) :], updates)
    scanned = _scan_update(data, updates)
    if scanned is not None:
        return scanned
    return _render_with_dotenv(_decode(data), updates).encode("utf-8", "surrogateescape")


def render_update(text: str, updates: Mapping[str, str | None]) -> str:
    """`render_bytes` for text."""
    return _decode(render_bytes(text.encode("utf-8", "surrogateescape"), updates))


def _already_set(path: Path, data: bytes, updates: Mapping[str, str | None]) -> bool:
    if any(value is None for value in updates.values()) or not data:
        return False
    if (path.stat().st_mode & 0o777) != 0o600:
        return False
    values = plain_values(_decode(data), tuple(updates))
    return values is not None and all(values.get(name) == value and is_plain(value) for name, value in updates.items())


def key_file(path: Path) -> Path:
    """Where the key is really written: a symbolic link's target (files.real_path), which must be
    a file or not exist yet."""
    target = real_path(path)
    if target.is_dir():
        raise fail("env-not-a-file", env_file=path)
    return target


def _write_failed(path: Path, error: OSError) -> Exception:
    return fail("env-unwritable", path=path, detail=error.strerror or error)


def update_env(path: Path, updates: Mapping[str, str | None]) -> bool:
    """Apply `updates` to the file atomically, mode 0600, serialised against concurrent writers.

    Returns whether the file changed. A symbolic link stays a link: its target is rewritten, and a
    new key is written only once git ignores the file (ensure_gitignored, also called by setup
    before it asks for a key). Undecodable bytes round-trip through surrogateescape. When every
    value is already there (`apply` at each container start, mostly) python-dotenv is not even
    imported, and the file is never half-written: a read-only workspace is a clear error.
    """
    if updates.get(KEY_VARIABLE):
        ensure_gitignored(path)
    target = key_file(path)
    try:
        with locked_dir(target.parent):
            data = _read_bytes(target) or b""
            if _already_set(target, data, updates):
                return False
            new_data = render_bytes(data, updates)
            return atomic_write(target, new_data, mode=0o600, current=data if target.exists() else None)
    except PermissionError as error:
        raise _write_failed(path, error) from None
    except OSError as error:
        if error.errno in (errno.EROFS, errno.ENOSPC, errno.EDQUOT):
            raise _write_failed(path, error) from None
        raise


def _git(folder: Path, *args: str) -> subprocess.CompletedProcess[str] | None:
    import subprocess

    try:
        return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, check=False)
    except FileNotFoundError:  # no git: nothing can commit the file either
        return None


def _inside(path: Path, top: Path) -> str | None:
    try:
        return path.relative_to(top).as_posix()
    except ValueError:
        return None


def ensure_gitignored(path: Path) -> str | None:
    """Make sure git will never commit `path`; refuse if it already tracks it.

    A symbolic link `.env -> conf/dotenv` is checked as both files: git would commit either the
    link (its text is the target's name, harmless, but a tracked link is replaced by nothing of
    ours) or the target (the key). Tracking either refuses (exit 8); each one git does not ignore
    gets its own .gitignore line. A link whose target lies outside the repository (or, outside
    git, outside the link's folder) is refused: nothing there can be made ignored.
    Returns a line describing what was changed (the .gitignore entries added), or None.
    """
    is_link = os.path.islink(path)
    target = key_file(path)
    folder = next(parent for parent in path.parents if parent.is_dir())  # .env's folder may not exist yet
    link = folder.resolve() / path.relative_to(folder)  # the link itself, not where it points
    target = target.resolve() if is_link else link
    top = _git(folder, "rev-parse", "--show-toplevel")
    in_git = top is not None and top.returncode == 0
    top_level = Path(top.stdout.strip()).resolve() if in_git else link.parent
    if is_link and _inside(target, top_level) is None:
        raise fail("env-link-outside", env_file=path, target=target, top=top_level)
    if not in_git:
        return None
    relpaths = list(dict.fromkeys(rel for rel in (_inside(link, top_level), _inside(target, top_level)) if rel))
    for relpath in relpaths:
        tracked = _git(top_level, "ls-files", "--error-unmatch", "--", relpath)
        if tracked is not None and tracked.returncode == 0:
            raise fail("env-tracked", env_file=path, relpath=relpath)
    missing = []
    for relpath in relpaths:
        ignored = _git(top_level, "check-ignore", "-q", "--no-index", "--", relpath)
        if ignored is None or ignored.returncode != 0:
            missing.append(relpath)
    if not missing:
        return None
    gitignore = top_level / ".gitignore"
    try:
        with locked_dir(top_level):
            current = _read_bytes(gitignore) or b""
            separator = b"" if not current or current.endswith(b"\n") else b"\n"
            atomic_write(gitignore, current + separator + "".join(f"/{rel}\n" for rel in missing).encode())
    except OSError as error:
        raise fail("env-unwritable", path=gitignore, detail=error.strerror or error) from None
    return f"added {', '.join('/' + rel for rel in missing)} to {gitignore}"
