"""Merge our settings into a client's config files, and take them out again, touching nothing else.

A client declares what it needs as `Setting`s per `ConfigFile`; this module does the rest once:
- every file of a client is parsed before any is written, so a malformed file (or a value in the
  way, like `model = "x"` where we need a `model` table) skips the whole client and is never
  overwritten;
- only our settings change; writes are atomic, keep the file's mode (or force 0600 for files
  holding a key) and are skipped when the bytes are already right (a second run changes nothing);
- an undo record per client (`<state_dir>/client-changes/<client>.json`, 0600) remembers the value
  each setting had before we changed it, the file's bytes before our first change and a digest of
  what we last wrote, but never a key (see _undo.py). `logout` puts back the exact original bytes when nobody else touched the
  file since; otherwise it reverts setting by setting: a value still as we left it gets its old
  value back (or goes), a value someone changed since is theirs and stays.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Sequence

from ..errors import fail
from ..files import atomic_write, git_exposure, locked_dir
from . import CONFIGURED, DRIFTED, NOT_CONFIGURED, ClientChange, ClientContext, ClientState
from ._document import ABSENT, TABLE, Conflict, ConfigFile, Setting, Unreadable, digest, failure, get, load_all, parse, put, read, same, shown
from ._formats import Format, ParseProblem
from ._undo import Ledger, guessed_changes, kept_before, new_entry, record, remove_empty_dirs, revert


def configure(ctx: ClientContext, client: str, configs: Sequence[ConfigFile], note: str = "") -> ClientChange:
    changed: list[Path] = []
    unchanged: list[Path] = []
    with locked_dir(ctx.ledger_dir):
        ledger = Ledger(ctx, client)
        secret = ctx.key.reveal() if ctx.key else None
        outputs = []
        for config, (data, document) in zip(configs, load_all(client, configs, "configured")):
            key = str(config.path)
            if data is None or key not in ledger.entries:
                ledger.entries[key] = new_entry(config, data, document, secret)
            entry = ledger.entries[key]
            try:
                for setting in config.settings:
                    current = get(document, setting.path)
                    if same(current, setting.value, config.format):
                        continue
                    for container in put(document, setting.path, setting.value, config.format):
                        record(entry, container, "table")
                    if setting.value is not TABLE:
                        after = "absent" if setting.value is ABSENT else digest(setting.value)
                        record(entry, setting.path, after, kept_before(setting, current, config.format, secret))
            except Conflict as conflict:
                raise failure(client, config, conflict, "configured", secret) from None
            outputs.append((config, data, entry, config.format.dump(document, None if data is None else data.decode())))
        for config, data, _, text in outputs:
            _refuse_exposed_key(client, config, data, text.encode("utf-8"), secret)
        for config, data, entry, text in outputs:  # every file parsed, merged and checked: now write
            new_data = text.encode("utf-8")
            if data is not None and new_data != data and hashlib.sha256(data).hexdigest() != entry["written"]:
                entry["snapshot"] = False  # someone else changed the file since our last write
            if atomic_write(config.path, new_data, mode=config.mode):
                changed.append(config.path)
            else:
                unchanged.append(config.path)
            entry["written"] = hashlib.sha256(new_data).hexdigest()
        ledger.save()
    return ClientChange(client, tuple(changed), tuple(unchanged), note)


def _refuse_exposed_key(client: str, config: ConfigFile, data: bytes | None, new_data: bytes, secret: str | None) -> None:
    """A file about to receive the key (Roo Code's) must be one git cannot commit: the `.env` rule.
    Asked only when the key goes in anew, so `apply` at each start runs no git."""
    if not secret or new_data == data or secret.encode() not in new_data or (data and secret.encode() in data):
        return
    exposure = git_exposure(config.path)
    if exposure:
        raise fail("client-key-file-exposed", client=client, path=config.path, real=exposure[0], exposure=exposure[1])


def remove(ctx: ClientContext, client: str, configs: Sequence[ConfigFile]) -> ClientChange:
    changed: list[Path] = []
    unchanged: list[Path] = []
    if not any(config.path.exists() for config in configs):
        return ClientChange(client)
    with locked_dir(ctx.ledger_dir):
        ledger = Ledger(ctx, client)
        for config, (data, document) in zip(configs, load_all(client, configs, "cleaned up")):
            entry = ledger.entries.pop(str(config.path), None)
            if data is None:
                continue
            linked = config.path.is_symlink()  # the user's link (see files.py): emptied through it, never unlinked
            if entry and entry["snapshot"] and hashlib.sha256(data).hexdigest() == entry["written"] and not (
                linked and entry["original"] is None
            ):
                original = entry["original"]
                restored = None if original is None else original.encode("utf-8")
                mode = entry["mode"]
            else:
                revert(document, entry["changes"] if entry else guessed_changes(config), config.format)
                created_by_us = entry is None or not entry.get("keep_empty", entry["original"] is not None)
                emptied = created_by_us and not document and not linked
                restored = None if emptied else config.format.dump(document, data.decode()).encode()
                mode = None
            if restored is None:
                config.path.unlink()
                remove_empty_dirs(entry["new_dirs"] if entry else [])
                changed.append(config.path)
            elif atomic_write(config.path, restored, mode=mode):
                changed.append(config.path)
            else:
                unchanged.append(config.path)
        ledger.save()
    return ClientChange(client, tuple(changed), tuple(unchanged))


def _shown(setting: Setting, current: Any, fmt: Format, key: str | None) -> str:
    name = ".".join(setting.path)
    if setting.value is ABSENT:
        return f"{name} is set (it would win over litellm-key's settings)"
    if current is ABSENT:
        return f"{name} is missing"
    if setting.secret:
        return f"{name} holds a different key"
    return f"{name} is {shown(fmt.plain(current), key, 60)}, not {json.dumps(setting.value)[:60]}"


def describe(ctx: ClientContext, client: str, configs: Sequence[ConfigFile]) -> ClientState:
    """Configured when every setting holds; drifted when we configured it (the undo record says so)
    and something now differs; otherwise not configured, whatever the user's own settings are."""
    differences: list[str] = []
    files = tuple(config.path for config in configs)
    key = ctx.key.reveal() if ctx.key else None
    for config in configs:
        try:  # a missing file reads as empty without its parser: `status` need not import tomlkit
            data = read(config)
            document = {} if data is None else parse(config, data)
        except ParseProblem as problem:
            detail = f"{config.path}: line {problem.line}: not valid {config.format.name} ({problem.detail})"
            return ClientState(client, NOT_CONFIGURED, detail, files)
        except Unreadable as problem:
            return ClientState(client, NOT_CONFIGURED, f"{config.path}: {problem}", files)
        for setting in config.settings:
            current = get(document, setting.path)
            if setting.value is not None and not same(current, setting.value, config.format):
                differences.append(f"{config.path.name}: {_shown(setting, current, config.format, key)}")
    if not differences:
        return ClientState(client, CONFIGURED, ", ".join(str(path) for path in files), files)
    if not Ledger(ctx, client).entries:
        return ClientState(client, NOT_CONFIGURED, "", files)
    more = f" (+{len(differences) - 1} more)" if len(differences) > 1 else ""
    return ClientState(client, DRIFTED, differences[0] + more, files)
