"""The undo record behind `logout`: what each client's files looked like before we touched them.

One JSON file per client (`<state_dir>/client-changes/<client>.json`, 0600), keyed by config path:
the file's bytes before our first change and its mode, the folders we had to create, a digest of
what we last wrote, and per setting the value it had before (`before`, absent when it was not
there) and a digest of the value we put (`after`). A key we write is kept only as a digest.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Mapping, MutableMapping

from ..files import atomic_write
from . import ClientContext
from ._document import ABSENT, TABLE, ConfigFile, digest, get, put
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


def new_entry(path: Path, original: bytes | None) -> dict[str, Any]:
    missing_dirs = [str(folder) for folder in path.parents if not folder.exists()]
    return {
        "original": None if original is None else original.decode("utf-8"),
        "mode": file_mode(path),
        "new_dirs": missing_dirs,  # deepest first: removed again (when empty) with a file we created
        "snapshot": True,
        "written": None if original is None else hashlib.sha256(original).hexdigest(),
        "changes": [],
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


def guessed_changes(config: ConfigFile) -> list[dict[str, Any]]:
    """No undo record (state dir wiped): treat our own settings as added by us, leave shared ones."""
    changes: list[dict[str, Any]] = []
    for setting in config.settings:
        if setting.shared or setting.value is ABSENT:
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
