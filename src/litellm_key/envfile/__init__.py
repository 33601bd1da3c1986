"""The workspace `.env`: where the client key lives between container rebuilds.

The file belongs to the user; we own three variables in it (`OWNED_VARIABLES`). Updates rewrite
only the lines that assign those variables (`_rewrite.py`), so comments, blank lines, quoting,
`export` prefixes, CRLF endings and bytes we cannot decode survive exactly. Before a key goes in,
git must ignore the file (and, for a symbolic link, its target too).
"""

from __future__ import annotations

import errno
import io
import os
from pathlib import Path
from typing import Mapping

from ..answers import moment
from ..errors import LitellmKeyError, fail
from ..files import NotRegularFile, atomic_write, git, in_git, key_file_paths, locked_dir, read_regular, real_path
from ..keyhelper import BASE_URL_VARIABLE, EXPIRES_VARIABLE, KEY_VARIABLE, is_plain, plain_values
from ..secret import ClientKey
from ._rewrite import render_bytes, render_update  # noqa: F401 (render_update: part of this module's interface)


# LITELLM_KEY_EXPIRES: when the stored key stops working (ISO 8601, UTC), so `token` and `apply`
# can decide to renew without a network call; absent for keys that never expire or whose expiry is
# unknown.
OWNED_VARIABLES = (KEY_VARIABLE, BASE_URL_VARIABLE, EXPIRES_VARIABLE)


def normalized_expiry(raw: str | None) -> str | None:
    """LiteLLM's expiry (`2026-12-31T00:00:00Z`, `...T10:00:00.123+00:00`, with or without an
    offset) as `YYYY-MM-DDTHH:MM:SSZ` in UTC, the one form stored in .env: fixed width, so the
    apiKeyHelper fast path compares it with the clock as plain text, without importing datetime."""
    utc = moment(raw)
    if utc is None:
        return None
    # not strftime: its %Y is "1", not "0001", for the first years on glibc
    return f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}Z"


def _read_bytes(path: Path) -> bytes | None:
    """The file's bytes, None when it does not exist; a directory, a named pipe (which would block
    every reader), a link loop or an unreadable file is a clear error."""
    try:
        return read_regular(path)
    except FileNotFoundError:
        return None
    except NotRegularFile as error:
        raise fail("env-not-a-file", env_file=path, kind=error.kind) from None
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


def stored_expiry(path: Path) -> str | None:
    """LITELLM_KEY_EXPIRES as stored (fixed-width UTC), or None; never fails over an odd file."""
    try:
        return stored_values(path, (EXPIRES_VARIABLE,)).get(EXPIRES_VARIABLE)
    except LitellmKeyError:
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
    """The key in `.env`, or None when there is none yet; a stored value that is no usable key
    (a space, a control or non-ASCII character) is a clear error naming the file."""
    secret = stored_values(path, (KEY_VARIABLE,)).get(KEY_VARIABLE, "")
    if not secret.strip():
        return None
    problem = ClientKey.problem(secret)
    if problem:
        raise fail("env-key-malformed", env_file=path, problem=problem)
    return ClientKey.parse(secret)


def _already_set(path: Path, data: bytes, updates: Mapping[str, str | None]) -> bool:
    if any(value is None for value in updates.values()) or not data:
        return False
    if (path.stat().st_mode & 0o777) != 0o600:
        return False
    values = plain_values(data.decode("utf-8", "surrogateescape"), tuple(updates))
    return values is not None and all(values.get(name) == value and is_plain(value) for name, value in updates.items())


def key_file(path: Path) -> Path:
    """Where the key is really written: a symbolic link's target (files.real_path), which must be
    a file or not exist yet."""
    try:
        os.stat(path)
    except FileNotFoundError:
        pass  # a new file, or a dangling link whose target we create
    except OSError as error:  # a link loop: nothing to resolve
        raise fail("env-unreadable", env_file=path, detail=error.strerror or error) from None
    target = real_path(path)
    if target.is_dir():
        raise fail("env-not-a-file", env_file=path, kind="a directory")
    return target


def _write_failed(path: Path, error: OSError) -> Exception:
    """A folder that belongs to another uid is what a Dev Container shows when the host's workspace
    owner and the container user differ: name that cause and its fix, not only "Permission denied"."""
    if isinstance(error, PermissionError):
        folder = next((parent for parent in path.parents if parent.is_dir()), path.parent)
        owner, uid = folder.stat().st_uid, os.geteuid()
        if owner != uid:
            return fail("env-folder-not-yours", path=path, detail=error.strerror or error, folder=folder, owner=owner, uid=uid)
    return fail("env-unwritable", path=path, detail=error.strerror or error)


def update_env(path: Path, updates: Mapping[str, str | None]) -> bool:
    """Apply `updates` to the file atomically, mode 0600, serialised against concurrent writers.

    Returns whether the file changed. A symbolic link stays a link: its target is rewritten, and a
    key is written only once git ignores the file (ensure_gitignored, also called by setup before
    it asks for a key); when every value is already there nothing is written and git is not asked. Undecodable bytes round-trip through surrogateescape. When every
    value is already there (`apply` at each container start, mostly) python-dotenv is not even
    imported, and the file is never half-written: a read-only workspace is a clear error.
    """
    target = key_file(path)
    try:
        if _already_set(target, _read_bytes(target) or b"", updates):
            return False  # nothing to write (a warm setup, apply), so no git to ask either
        if updates.get(KEY_VARIABLE):
            ensure_gitignored(path)  # outside the lock: it locks the repository's folder itself
        with locked_dir(target.parent):
            data = _read_bytes(target) or b""
            if _already_set(target, data, updates):  # another writer was first
                return False
            new_data = render_bytes(data, updates)
            return atomic_write(target, new_data, mode=0o600, current=data if target.exists() else None)
    except PermissionError as error:
        raise _write_failed(path, error) from None
    except OSError as error:
        if error.errno in (errno.EROFS, errno.ENOSPC, errno.EDQUOT):
            raise _write_failed(path, error) from None
        raise


def unignored(path: Path) -> tuple[Path, list[str]] | None:
    """What git could commit of `path`, without changing anything: (the repository's top level,
    the paths in it that git does not ignore), or None outside git. Refuses (raises) when git
    tracks the file or the file a link points to, or the link points outside the repository.

    The files are those of the one git-exposure guard (files.key_file_paths: a symbolic link
    `.env -> conf/dotenv` is both the link, whose tracked text would be replaced by nothing of
    ours, and the target, the key), each asked in its own repository (files.in_git). On top, since
    our .gitignore line must reach both: a link whose target lies outside the repository (or,
    outside git, outside the link's folder), or inside another repository nested in it (a clone,
    a submodule: our .gitignore does not reach into it), is refused.
    """
    key_file(path)  # a link loop or a folder where the file belongs: the catalogued error first
    link, target = key_file_paths(path)
    link_git = in_git(link)
    target_git = link_git if target == link else in_git(target)
    top_level = link_git.top_level if link_git else link.parent
    repositories = (link_git and link_git.top_level, target_git and target_git.top_level)
    if target != link and (not target.is_relative_to(top_level) or repositories[0] != repositories[1]):
        raise fail("env-link-outside", env_file=path, target=target, top=top_level)
    if link_git is None:
        return None
    found = [link_git] if target_git is link_git else [link_git, target_git]
    for each in found:
        if each and each.tracked:
            raise fail("env-tracked", env_file=path, relpath=each.relpath)
    return top_level, list(dict.fromkeys(each.relpath for each in found if each and not each.ignored))


def _not_ignored(top_level: Path, relpaths: list[str]) -> list[str]:
    missing = []
    for relpath in relpaths:
        ignored = git(top_level, "check-ignore", "-q", "--no-index", "--", relpath)
        if ignored is None or ignored.returncode != 0:
            missing.append(relpath)
    return missing


def ensure_gitignored(path: Path) -> str | None:
    """Make sure git will never commit `path` (see `unignored`): each path git does not ignore gets
    its own .gitignore line. Returns a line describing what was added, or None.

    git is asked again afterwards: it reads no .gitignore that is a symbolic link, and a deeper
    .gitignore (`!.env`) wins over our line at the top. Then the line is taken back out and the
    key refused (`env-not-ignored`): a line that ignores nothing would only look safe.
    """
    exposure = unignored(path)
    if exposure is None or not exposure[1]:
        return None
    top_level, missing = exposure
    gitignore = top_level / ".gitignore"
    try:
        with locked_dir(top_level):
            before = _read_bytes(gitignore)
            current = before or b""
            separator = b"" if not current or current.endswith(b"\n") else b"\n"
            atomic_write(gitignore, current + separator + "".join(f"/{rel}\n" for rel in missing).encode())
            still = _not_ignored(top_level, missing)
            if still:
                if before is None:
                    real_path(gitignore).unlink()
                else:
                    atomic_write(gitignore, before)
    except OSError as error:
        raise _write_failed(gitignore, error) from None
    if still:
        raise fail("env-not-ignored", env_file=path, relpath=still[0], gitignore=gitignore)
    return f"added {', '.join('/' + rel for rel in missing)} to {gitignore}"
