"""`keys rotate ALIAS`: a new secret for a developer's key, with the old one working until the new one does.

Where LiteLLM allows it (Enterprise), `/key/{key}/regenerate` does it in one call (with a grace
period). Elsewhere the same effect in steps, each undoable until the old key is deleted: generate a
twin under a temporary alias -> prove it against /v1/models -> write it to --output -> delete the old
key -> give the twin the alias. A failure before the delete deletes the twin and leaves the old key;
a failed delete prints the exact commands that finish the job.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path
from typing import Any

from ...admin import Admin, KeyRecord, NewKey
from ...answers import moment
from ...console import Console
from ...errors import LitellmKeyError, fail
from ...settings import Settings
from .common import check_duration, discarded_on_failure, show_new_key, twin_alias, write_key_file


def _duration(record: KeyRecord, asked: str | None) -> str | None:
    """The lifetime the twin gets: --duration, what we recorded at generate, else the old key's span."""
    if asked or record.metadata.get("duration"):
        return asked or str(record.metadata["duration"])
    expires, created = moment(record.expires), moment(record.created_at)
    if expires is None or created is None:  # no expiry, or dates LiteLLM does not spell as dates
        return None
    return f"{max(int((expires - created).total_seconds()), 60)}s"


def _twin_body(record: KeyRecord, alias: str, duration: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "key_alias": alias,
        "models": list(record.models),
        "duration": duration,
        "max_budget": record.max_budget,
        "budget_duration": record.budget_duration,
        "user_id": record.user_id,
        "team_id": record.team_id,
        "metadata": {**record.metadata, "rotated_from": record.shown},
    }
    return {field: value for field, value in body.items() if value is not None}


def _verified_twin(admin: Admin, record: KeyRecord, alias: str, duration: str | None, output: Path | None) -> NewKey:
    """Generate, prove and (optionally) store the twin; on any failure delete it and re-raise."""
    twin = admin.generate(_twin_body(record, twin_alias(alias), duration))
    try:
        reachable = admin.key_models(twin.key)
        missing = [model for model in record.models if model not in reachable]
        if missing:
            raise fail(
                "admin-key-unverified", key=twin.key.mask(), alias=alias, detail=f"it cannot reach {', '.join(missing)}"
            )
    except KeyboardInterrupt:  # Ctrl-C: nobody will ever have this key, so it must not stay behind
        admin.delete([twin.record.token])
        raise
    except LitellmKeyError as error:
        admin.delete([twin.record.token])
        if error.reason == "admin-key-unverified":
            raise
        raise fail("admin-key-unverified", key=twin.key.mask(), alias=alias, detail=error.message) from None
    if output is not None:
        with discarded_on_failure(admin, twin):  # the file's own error says what is wrong with it
            write_key_file(output, twin)
    return twin


def rotate(args: argparse.Namespace, settings: Settings, admin: Admin, console: Console) -> int:
    record = admin.find(args.alias)
    alias = record.alias or args.alias
    output = Path(args.output) if args.output else None
    duration = _duration(record, check_duration(args.duration))
    regenerated = None if args.no_regenerate else admin.regenerate(record.token, grace_period=args.grace_period, duration=duration)
    if regenerated is not None:
        console.ok(f"regenerated {alias} (the old secret {record.shown} works for {args.grace_period or 'no'} grace period)")
        try:
            show_new_key(console, regenerated, output, {"method": "regenerate"})
        except LitellmKeyError as error:  # --output unwritable: the old secret is replaced, so show the new one
            return _unfinished(console, regenerated, None, error, method="regenerate")
        return 0
    console.step("regenerate is not available here: generating a twin, verifying it, then deleting the old key")
    twin = _verified_twin(admin, record, alias, duration, output)
    console.ok(f"new key {twin.key.mask()} reaches {', '.join(record.models) or 'all models'}")
    rename = f"litellm-key keys rename {twin.record.alias} {alias}"
    try:
        admin.delete([record.token], shown={record.token: f"the old key {record.shown}"})
    except LitellmKeyError as error:
        cleanup = f"litellm-key keys delete --yes {alias} && {rename}"
        failure = fail("rotate-delete-failed", temporary=twin.record.alias, detail=error.message, cleanup=cleanup)
        return _unfinished(console, twin, output, failure, cleanup=cleanup)
    console.ok(f"deleted the old key {record.shown}")
    try:
        admin.update(twin.record.token, key_alias=alias)
    except LitellmKeyError as error:
        failure = fail("rotate-rename-failed", temporary=twin.record.alias, alias=alias, detail=error.message, cleanup=rename)
        return _unfinished(console, twin, output, failure, cleanup=rename)
    twin = NewKey(twin.key, replace(twin.record, alias=alias))
    show_new_key(console, twin, output, {"method": "generate"})
    return 0


def _unfinished(
    console: Console, new: NewKey, stored: Path | None, failure: LitellmKeyError, *, cleanup: str = "", method: str = "generate"
) -> int:
    """A rotation stopped after the new key exists: hand it over all the same (it may be the only
    copy), with the command that finishes the job, in one --json document. `stored`: the file the key
    is already in, if any."""
    document: dict[str, Any] = {"method": method, "key_info": new.record.as_dict(), **({"cleanup": cleanup} if cleanup else {})}
    if stored is not None:
        document["output"] = str(stored)
    elif console.json_mode:
        document["key"] = new.key.reveal()
    else:
        show_new_key(console, new, None, {})
    console.failure(failure, document)
    return failure.exit_code
