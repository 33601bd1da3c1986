"""`keys audit` and `keys spend`: the manual guide's Security Best Practices and Usage Monitoring, as reports.

The audit reads every key once and reports what the practices forbid; it exits non-zero when it
finds anything, so a CI job or a cron mail can run it.
"""

from __future__ import annotations

import argparse
import re
from datetime import datetime, timedelta, timezone
from typing import Any

from ...admin import Admin, KeyRecord
from ...answers import moment
from ...console import Console
from ...errors import fail
from ...settings import Settings
from .common import table

_SPAN = re.compile(r"(\d+)(mo|[smhdw])")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400, "mo": 30 * 86400}  # LiteLLM's month: 30 days


def _seconds(count: float) -> timedelta:
    """A span, at most timedelta's largest (2.7 million years): `--within 99999999999d` means "ever"."""
    return timedelta(seconds=min(count, timedelta.max.total_seconds() - 1))


def span(text: str) -> timedelta:
    match = _SPAN.fullmatch(text)
    if not match:
        raise fail("admin-bad-duration", value=text)
    return _seconds(int(match.group(1)) * _SECONDS[match.group(2)])


def findings(record: KeyRecord, *, now: datetime, within: timedelta, unused: timedelta) -> list[str]:
    """The practices this key breaks, as stable finding ids (docs/admin.md explains each)."""
    found = []
    expires = moment(record.expires)  # compared as differences: `now + within` may be past year 9999
    if expires is None:
        found.append("never-expires")
    elif expires <= now:
        found.append("expired")
    elif expires - now <= within:
        found.append("expiring")
    if not record.models:
        found.append("all-models")
    last_used = moment(record.last_active)
    created = moment(record.created_at)
    if (last_used and now - last_used > unused) or (not last_used and record.spend == 0 and created and now - created > unused):
        found.append("unused")
    if record.blocked:
        found.append("blocked")
    if record.max_budget is not None and record.spend >= record.max_budget:
        found.append("budget-exhausted")
    return found


def audit(args: argparse.Namespace, settings: Settings, admin: Admin, console: Console) -> int:
    now = datetime.now(timezone.utc)
    within, unused = span(args.within), _seconds(args.unused_days * 86400)
    report = {}
    for record in admin.list_keys():
        found = findings(record, now=now, within=within, unused=unused)
        if found:
            report[record.alias or record.shown] = (record, found)
    count = sum(len(found) for _, found in report.values())
    document = {
        "ok": not report,
        "findings": [{"alias": r.alias, "key": r.shown, "expires": r.expires, "findings": f} for r, f in report.values()],
    }
    rows = [(name, record.shown, record.expires or "never", ", ".join(found)) for name, (record, found) in report.items()]
    table(console, ("ALIAS", "KEY", "EXPIRES", "FINDINGS"), rows)
    if not report:
        console.ok("no findings: every key expires, is limited to models, is used and within budget")
        console.emit(document)
        return 0
    error = fail("keys-audit-findings", count=count, keys=len(report))
    console.failure(error, document)
    return error.exit_code


def _date_range(start: str | None, end: str | None) -> tuple[str, str] | None:
    if start is None and end is None:
        return None
    try:
        if start and end and datetime.strptime(start, "%Y-%m-%d") <= datetime.strptime(end, "%Y-%m-%d"):
            return start, end
    except ValueError:
        pass
    raise fail("admin-date-range", start=start or "nothing", end=end or "nothing")


def spend(args: argparse.Namespace, settings: Settings, admin: Admin, console: Console) -> int:
    dates = _date_range(args.start, args.end)  # before any request: a usage error costs nothing
    keys = admin.spend_per_key(limit=args.limit)
    tags = admin.spend_per_tag()
    daily = admin.daily_activity(*dates) if dates else None
    console.emit({"ok": True, "keys": keys, "tags": tags, "daily": daily})
    table(
        console,
        ("ALIAS", "KEY", "SPEND (USD, 30 days)"),
        [(row.get("key_alias"), row.get("key_name"), f"{float(row.get('total_spend') or 0):.4f}") for row in keys],
    )
    if tags:
        table(
            console,
            ("TAG", "REQUESTS", "SPEND (USD)"),
            [(row.get("individual_request_tag"), row.get("log_count"), f"{float(row.get('total_spend') or 0):.4f}") for row in tags],
        )
    if daily is not None:
        table(console, ("DATE", "REQUESTS", "SPEND (USD)"), [(day, requests, f"{cost:.4f}") for day, (requests, cost) in _per_day(daily).items()])
    return 0


def _per_day(daily: list[dict[str, Any]]) -> dict[str, tuple[int, float]]:
    """Requests and spend per date: a date may span two of LiteLLM's pages, so it is summed."""
    days: dict[str, tuple[int, float]] = {}
    for row in daily:
        metrics = row.get("metrics") or {}
        requests, cost = days.get(str(row.get("date")), (0, 0.0))
        days[str(row.get("date"))] = (requests + int(metrics.get("api_requests") or 0), cost + float(metrics.get("spend") or 0))
    return days
