"""`litellm-key keys ...`: the platform engineer's half of the manual key guide, with the master key.

One command, several sub-commands, one module per group: `manage` (one key at a time), `rotate`,
`onboard` (a team from a roster), `report` (audit, spend); `common` holds the master key source, the
connection (optionally a supervised port-forward) and the output helpers.
"""

from __future__ import annotations

import argparse

from ...console import Console
from . import common

DESCRIPTION = """Manage LiteLLM virtual keys with the master key, on the admin's machine (not in a
developer's container). The master key comes from LITELLM_MASTER_KEY, --from-k8s (the Kubernetes
secret named by `master_key_secret`) or a hidden prompt; it is never stored or printed.
LiteLLM is reached at --url / `admin_url` (default http://localhost:4000), or through
--port-forward (`port_forward`: kubectl port-forward -n ai svc/litellm 4000:4000, supervised).

examples:
  $ litellm-key keys generate --developer alice --duration 30d --max-budget 50 --from-k8s --port-forward
  $ litellm-key keys list
  $ litellm-key keys rotate claude-code-alice --output alice.env
  $ litellm-key keys onboard team.yaml --output-dir keys/ --duration 90d
  $ litellm-key keys audit --within 14d --json
  $ litellm-key keys spend --start 2026-11-01 --end 2026-11-30
See docs/admin.md for the manual guide's steps mapped to these commands.
"""

_ACTIONS = {
    "generate": "create a developer's key (alias from `key_alias_pattern`); the key is shown once",
    "list": "every key: alias, masked key, models, expiry, spend/budget, last active",
    "info": "one key in detail (by alias, key or token)",
    "delete": "delete keys (asks first unless --yes)",
    "block": "block keys: requests with them fail until unblocked",
    "unblock": "unblock keys",
    "rename": "give a key another alias",
    "rotate": "replace a key's secret, keeping alias, models, budget and lifetime",
    "onboard": "create the missing keys of a team roster (YAML or CSV), one .env file each",
    "audit": "report keys that break the security practices; exits non-zero on findings",
    "spend": "spend per key and per tag, daily activity with --start/--end",
}


def _add_actions(subparsers: argparse._SubParsersAction) -> dict[str, argparse.ArgumentParser]:
    parsers = {}
    for name, summary in _ACTIONS.items():
        sub = subparsers.add_parser(name, help=summary, description=summary)
        common.add_admin_flags(sub)
        parsers[name] = sub
    return parsers


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from .manage import add_key_options

    subparsers = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = _add_actions(subparsers)
    p["generate"].add_argument("--developer", required=True, metavar="NAME", help="the developer the key is for")
    p["generate"].add_argument("--user-id", metavar="ID", help="LiteLLM user_id to own the key")
    p["generate"].add_argument("--team-id", metavar="ID", help="LiteLLM team_id to own the key")
    for name in ("generate", "onboard"):
        add_key_options(p[name])
    for name in ("generate", "rotate"):
        p[name].add_argument("--output", metavar="FILE", help="write the key into this .env (0600) instead of showing it")
    p["info"].add_argument("key", metavar="ALIAS|TOKEN|-", help="an alias, a token hash, or - to read the key from stdin")
    p["rename"].add_argument("key", metavar="ALIAS|TOKEN|-")
    p["rename"].add_argument("alias", metavar="NEW_ALIAS")
    for name in ("delete", "block", "unblock"):
        p[name].add_argument("keys", nargs="+", metavar="ALIAS|TOKEN|-", help="aliases, token hashes, - for keys on stdin")
    for name in ("delete", "onboard"):
        p[name].add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    p["rotate"].add_argument("alias", metavar="ALIAS")
    p["rotate"].add_argument("--grace-period", metavar="SPAN", help="regenerate: the old secret keeps working this long (24h)")
    p["rotate"].add_argument("--duration", metavar="SPAN", help="lifetime of the new key (default: the old key's)")
    p["rotate"].add_argument("--no-regenerate", action="store_true", help="skip /key/regenerate; generate, verify, delete")
    p["onboard"].add_argument("roster", metavar="ROSTER", help="YAML or CSV: name, optional email/user_id/team/models/budget")
    p["onboard"].add_argument("--output-dir", required=True, metavar="DIR", help="write each new key to DIR/NAME.env")
    p["onboard"].add_argument("--show", action="store_true", help="also print the new keys")
    p["onboard"].add_argument("--prune", action="store_true", help="delete pattern keys of developers not in the roster")
    p["onboard"].add_argument("--jobs", type=int, default=4, metavar="N", help="requests at a time (default 4)")
    p["audit"].add_argument("--within", default="7d", metavar="SPAN", help="report keys expiring within SPAN (default 7d)")
    p["audit"].add_argument("--unused-days", type=int, default=30, metavar="N", help="report keys unused for N days (default 30)")
    p["spend"].add_argument("--start", metavar="YYYY-MM-DD", help="daily activity from this date (with --end)")
    p["spend"].add_argument("--end", metavar="YYYY-MM-DD", help="daily activity up to this date")
    p["spend"].add_argument("--limit", type=int, default=100, metavar="N", help="keys in the spend table (default 100)")


def _handler(action: str):  # type: ignore[no-untyped-def]
    from . import manage, onboard, report, rotate

    return {
        "generate": manage.generate,
        "list": manage.list_keys,
        "info": manage.info,
        "delete": manage.delete,
        "block": manage.block,
        "unblock": manage.block,
        "rename": manage.rename,
        "rotate": rotate.rotate,
        "onboard": onboard.onboard,
        "audit": report.audit,
        "spend": report.spend,
    }[action]


def run(args: argparse.Namespace, console: Console) -> int:
    settings = common.admin_settings(args)
    handler = _handler(args.action)
    with common.admin_session(args, settings, console) as admin:
        return handler(args, settings, admin, console)
