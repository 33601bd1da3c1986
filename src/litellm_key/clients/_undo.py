"""The undo record behind `logout`: what each client's files looked like before we touched them.

One JSON file per client (`<state_dir>/client-changes/<client>.json`, 0600), keyed by config path:
the file's bytes before our first change and its mode, the folders we had to create, a digest of
what we last wrote, and per setting the value it had before (`before`, absent when it was not
there) and a digest of the value we put (`after`).

A record never holds a key, ours or one the user had: a record outlives the key, and putting an old
key back on `logout` would resurrect it. A key we write is kept only as a digest; a secret value we
replace or remove gets no `before` (logout removes it rather than restoring it); and a file that
holds any key (ours, a value at a secret path, anything that looks like one) gets no byte snapshot:
logout reverts it setting by setting instead.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Callable, Mapping, MutableMapping

from ..files import atomic_write
from ..secret import scrub
from . import ClientContext
from ._document import ABSENT, TABLE, ConfigFile, Setting, digest, get, put, same
from ._formats import Format


class Ledger:
    def __init__(self, ctx: ClientContext, client: str) -> None:
        self.path = ctx.ledger_dir / f"{client}.json"
        try:
            self.entries: dict[str, dict[str, Any]] = json.loads(self.path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):  # ours; a damaged one is worth nothing
            self.entries = {}

    def save(self) -> None:
        if self.entries:
            atomic_write(self.path, json.dumps(self.entries, indent=2, sort_keys=True, default=str).encode(), mode=0o600)
        else:
            self.path.unlink(missing_ok=True)


def holds_secret(value: Any, key: str | None) -> bool:
    """Whether a plain value, or anything inside it (names too), is our key or looks like a key."""
    if isinstance(value, str):
        return (key is not None and key in value) or scrub(value) != value
    if isinstance(value, Mapping):
        return any(holds_secret(name, key) or holds_secret(item, key) for name, item in value.items())
    if isinstance(value, list):
        return any(holds_secret(item, key) for item in value)
    return False


def file_holds_secret(config: ConfigFile, data: bytes, document: Mapping[str, Any], key: str | None) -> bool:
    in_secret_path = any(
        setting.secret and get(document, setting.path) not in (ABSENT, None, "") for setting in config.settings
    )
    ours = key is not None and key.encode() in data
    return in_secret_path or ours or holds_secret(config.format.plain(document), key)


def kept_before(setting: Setting, current: Any, fmt: Format, key: str | None) -> Any:
    """What the undo record may remember of the value we replace: nothing (ABSENT) when it is a secret."""
    if current is ABSENT or setting.secret:
        return ABSENT
    plain = fmt.plain(current)
    return ABSENT if holds_secret(plain, key) else plain


def new_entry(config: ConfigFile, original: bytes | None, document: Mapping[str, Any], key: str | None) -> dict[str, Any]:
    """The record of a file before our first change; without its bytes when they hold a key.

    Such a file is reverted setting by setting, and our settings it already holds (left by a run
    whose record was lost) count as ours, the way `logout` without any record treats them.
    """
    path = config.path
    missing_dirs = [str(folder) for folder in path.parents if not folder.exists()]
    secret = original is not None and file_holds_secret(config, original, document, key)
    kept = None if original is None or secret else original.decode("utf-8")
    changes = guessed_changes(config, lambda setting: same(get(document, setting.path), setting.value, config.format)) if secret else []
    return {
        "original": kept,
        "keep_empty": kept is not None,  # the user's file stays even when nothing else is left in it
        "mode": file_mode(path),
        "new_dirs": missing_dirs,  # deepest first: removed again (when empty) with a file we created
        "snapshot": not secret,
        "written": None if original is None else hashlib.sha256(original).hexdigest(),
        "changes": changes,
    }


def record(entry: dict[str, Any], path: tuple[str, ...], after: str, before: Any = ABSENT) -> None:
    for change in entry["changes"]:
        if tuple(change["path"]) == path:
            change["after"] = after  # keep the first `before`: that is the user's value
            return
    change: dict[str, Any] = {"path": list(path), "after": after}
    if before is not ABSENT:
        change["before"] = before
    entry["changes"].append(change)


def guessed_changes(config: ConfigFile, ours: Callable[[Setting], bool] = lambda setting: True) -> list[dict[str, Any]]:
    """No undo record (state dir wiped): treat our own settings as added by us, leave shared ones."""
    changes: list[dict[str, Any]] = []
    for setting in config.settings:
        if setting.shared or setting.value is ABSENT or not ours(setting):
            continue
        for depth in range(1, len(setting.path)):
            if {"path": list(setting.path[:depth]), "after": "table"} not in changes:
                changes.append({"path": list(setting.path[:depth]), "after": "table"})
        if setting.value is TABLE:
            changes.append({"path": list(setting.path), "after": "table"})
        else:
            changes.append({"path": list(setting.path), "after": "any" if setting.value is None else digest(setting.value)})
    return changes


def revert(document: MutableMapping[str, Any], changes: list[dict[str, Any]], fmt: Format) -> None:
    for change in reversed(changes):
        path, after = tuple(change["path"]), change["after"]
        current = get(document, path)
        if after == "table":
            if isinstance(current, Mapping) and not current:
                put(document, path, ABSENT, fmt)
            continue
        still_ours = (
            current is ABSENT if after == "absent" else current is not ABSENT and after in ("any", digest(fmt.plain(current)))
        )
        if still_ours:
            put(document, path, change.get("before", ABSENT), fmt)


def remove_empty_dirs(folders: list[str]) -> None:
    for folder in folders:
        try:
            Path(folder).rmdir()
        except OSError:  # not empty (someone else's files) or already gone: stop there
            return


def file_mode(path: Path) -> int | None:
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        return None
