"""`keys generate|list|info|delete|block|unblock|rename`: one virtual key at a time."""

from __future__ import annotations

import argparse
from pathlib import Path

from ...admin import Admin, KeyRecord
from ...console import Console
from ...errors import fail
from ...settings import Settings
from .. import add_setting_flag
from .common import check_models, confirm, discarded_on_failure, generate_body, key_names, show_new_key, table, usd


def add_key_options(parser: argparse.ArgumentParser) -> None:
    """What a new key gets: shared by generate and onboard."""
    add_setting_flag(parser, "models", help_text="a model the key may use")
    parser.add_argument("--duration", metavar="SPAN", help="lifetime: 30d, 12h, 2w, 1mo ... (default: never expires)")
    parser.add_argument("--max-budget", type=usd, metavar="USD", help="spend limit in USD")
    parser.add_argument("--budget-duration", metavar="SPAN", help="reset the spend every SPAN (30d, 1mo ...)")


def ensure_alias_free(admin: Admin, alias: str) -> None:
    """Aliases are unique in LiteLLM; asking first gives the `rotate` hint before any change."""
    if any(record.alias == alias for record in admin.list_keys(alias=alias)):
        raise fail("admin-alias-taken", alias=alias)


def generate(args: argparse.Namespace, settings: Settings, admin: Admin, console: Console) -> int:
    body = generate_body(settings, args, args.developer, user_id=args.user_id, team_id=args.team_id)
    check_models(admin, body["models"])
    ensure_alias_free(admin, body["key_alias"])
    new = admin.generate(body)
    with discarded_on_failure(admin, new):
        show_new_key(console, new, Path(args.output) if args.output else None, {})
    return 0


def models_cell(record: KeyRecord) -> str:
    return ", ".join(record.models) if record.models else "ALL"


def budget_cell(record: KeyRecord) -> str:
    return f"{record.spend:.2f}/{record.max_budget:.2f}" if record.max_budget is not None else f"{record.spend:.2f}/-"


def list_keys(args: argparse.Namespace, settings: Settings, admin: Admin, console: Console) -> int:
    records = admin.list_keys()
    console.emit({"ok": True, "keys": [record.as_dict() for record in records]})
    rows = [
        (r.alias, r.shown, models_cell(r), r.expires or "never", budget_cell(r), r.last_active, "blocked" if r.blocked else "")
        for r in records
    ]
    table(console, ("ALIAS", "KEY", "MODELS", "EXPIRES", "SPEND/BUDGET", "LAST ACTIVE", ""), rows)
    console.info(f"{len(records)} key(s)")
    return 0


def info(args: argparse.Namespace, settings: Settings, admin: Admin, console: Console) -> int:
    record = admin.find(key_names([args.key], console)[0])
    console.emit({"ok": True, "key_info": record.as_dict()})
    for label, value in (
        ("alias", record.alias), ("key", record.shown), ("models", models_cell(record)),
        ("expires", record.expires or "never"), ("spend/budget", budget_cell(record)),
        ("budget resets", record.budget_duration), ("created", record.created_at), ("last active", record.last_active),
        ("user", record.user_id), ("team", record.team_id), ("blocked", "yes" if record.blocked else "no"),
    ):
        console.info(f"{label:<14} {value if value is not None else '-'}")
    return 0


def delete(args: argparse.Namespace, settings: Settings, admin: Admin, console: Console) -> int:
    records = [admin.find(key) for key in key_names(args.keys, console)]
    listing = ", ".join(f"{r.alias or '(no alias)'} ({r.shown})" for r in records)
    confirm(f"Delete {listing}? Clients using them stop working.", yes=args.yes, action="Deleting keys")
    admin.delete([record.token for record in records], shown={r.token: f"{r.alias or '(no alias)'} ({r.shown})" for r in records})
    for record in records:
        console.ok(f"deleted {record.alias or '(no alias)'} ({record.shown})")
    console.emit({"ok": True, "deleted": [record.alias or record.token for record in records]})
    return 0


def block(args: argparse.Namespace, settings: Settings, admin: Admin, console: Console) -> int:
    blocked = args.action == "block"
    records = [admin.find(key) for key in key_names(args.keys, console)]
    for record in records:
        admin.set_blocked(record.token, blocked)
        console.ok(f"{'blocked' if blocked else 'unblocked'} {record.alias or '(no alias)'} ({record.shown})")
    console.emit({"ok": True, args.action + "ed": [record.alias or record.token for record in records]})
    return 0


def rename(args: argparse.Namespace, settings: Settings, admin: Admin, console: Console) -> int:
    record = admin.find(key_names([args.key], console)[0])
    ensure_alias_free(admin, args.alias)
    admin.update(record.token, key_alias=args.alias)
    console.ok(f"renamed {record.alias or record.shown} to {args.alias}")
    console.emit({"ok": True, "alias": args.alias})
    return 0
