"""`keys onboard ROSTER`: one key per developer of a team, idempotent, each written to its own file.

A roster is the team's list (YAML or CSV). A run creates the keys that are missing, so a second run
creates none and a run interrupted midway (a 500, a dead port-forward) is finished by running it
again. New keys go to DIR/NAME.env (0600, DIR 0700), never to the terminal unless --show.
"""

from __future__ import annotations

import argparse
import re
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...admin import Admin, KeyRecord
from ...console import Console
from ...errors import LitellmKeyError, fail
from ...settings import Settings
from ...settings_files import MAX_NODES
from .common import alias_for, check_models, confirm, discarded_on_failure, generate_body, name_from_alias, table, twin_of, usd, write_key_file

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True)
class Developer:
    name: str
    email: str | None = None
    user_id: str | None = None
    team: str | None = None
    models: tuple[str, ...] = ()
    budget: float | None = None


def _developer(entry: Any, source: str) -> Developer:
    if isinstance(entry, str):
        entry = {"name": entry}
    if not isinstance(entry, dict) or not str(entry.get("name") or "").strip():
        raise fail("roster-invalid", source=source, problem="an entry has no name")
    name = str(entry["name"]).strip()
    if not _NAME.fullmatch(name):
        raise fail("roster-invalid", source=source, problem=f"'{name}' is not a plain name (letters, digits, . _ -)")
    models = entry.get("models") or ()
    if isinstance(models, str):
        models = re.split(r"[\s,;]+", models.strip())
    budget = entry.get("budget")
    try:
        budget = usd(str(budget)) if budget not in (None, "") else None
    except ValueError:
        raise fail("roster-invalid", source=source, problem=f"{name}: budget '{budget}' is not a number of USD >= 0") from None
    return Developer(
        name=name,
        email=entry.get("email") or None,
        user_id=entry.get("user_id") or None,
        team=entry.get("team") or None,
        models=tuple(model for model in models if model),
        budget=budget,
    )


def _roster_yaml(text: str, source: Path) -> Any:
    """The YAML roster, refused at once (while parsing, before anything is built) when it holds an
    alias or more values than a settings file may: a 582-byte alias "bomb" in a `name` took 2 GB and
    16 s to print as text. A list of developers needs neither; a bigger team fits a CSV roster."""
    import yaml

    values = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise fail("roster-invalid", source=source, problem="it uses YAML anchors or aliases (&name, *name); write each value out")
            values += isinstance(event, (yaml.ScalarEvent, yaml.CollectionStartEvent))
            if values > MAX_NODES:
                raise fail("roster-invalid", source=source, problem=f"it holds more than {MAX_NODES} YAML values; list a team that big in a CSV roster")
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise fail("roster-invalid", source=source, problem=f"not valid YAML ({error.__class__.__name__})") from None


def _check_names(developers: list[Developer], source: Path) -> None:
    """Each name once, and no two that differ only in case: their DIR/NAME.env files would be one
    file on macOS (and Windows) file systems, and one developer would get the other's key. Linear:
    a 20,000-name roster is checked at once (counting each name in the list took 10 s)."""
    from collections import Counter

    listed = Counter(developer.name for developer in developers)
    twice = sorted(name for name, times in listed.items() if times > 1)
    if twice:
        raise fail("roster-invalid", source=source, problem=f"listed twice: {', '.join(twice)}")
    spellings: dict[str, list[str]] = {}
    for name in listed:
        spellings.setdefault(name.casefold(), []).append(name)
    cased = sorted("/".join(names) for names in spellings.values() if len(names) > 1)
    if cased:
        raise fail("roster-invalid", source=source,
                   problem=f"names that differ only in case, whose key files collide on macOS: {', '.join(cased)}")


def read_roster(path: Path) -> list[Developer]:
    """Developers from YAML (a list, or {developers: [...]}) or CSV (a `name` column)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise fail("roster-invalid", source=path, problem=error.strerror or "unreadable") from None
    if path.suffix.lower() == ".csv":
        import csv

        reader = csv.DictReader(text.splitlines())
        if "name" not in (reader.fieldnames or []):
            raise fail("roster-invalid", source=path, problem="the CSV has no `name` column")
        entries: Any = [{k.strip(): (v or "").strip() for k, v in row.items() if k} for row in reader]
    else:
        entries = _roster_yaml(text, path)
        entries = entries.get("developers") if isinstance(entries, dict) else entries
        if not isinstance(entries, list):
            raise fail("roster-invalid", source=path, problem="expected a list of developers")
    developers = [_developer(entry, str(path)) for entry in entries]
    _check_names(developers, path)
    return developers


class _Progress:
    """One line rewritten in place on a terminal (stderr), so stdout stays the summary."""

    def __init__(self, total: int) -> None:
        self.total, self.done, self._lock = total, 0, threading.Lock()
        self.live = sys.stderr.isatty()

    def tick(self) -> None:
        with self._lock:
            self.done += 1
            if self.live:
                print(f"\r… {self.done}/{self.total} keys", end="", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.live and self.total:
            print(file=sys.stderr)


def _create(admin: Admin, settings: Settings, args: argparse.Namespace, developer: Developer, folder: Path) -> str:
    body = generate_body(
        settings, args, developer.name, models=developer.models or None,
        user_id=developer.user_id, team_id=developer.team,
    )
    if developer.budget is not None:
        body["max_budget"] = developer.budget
    if developer.email:
        body["metadata"]["email"] = developer.email
    new = admin.generate(body)
    with discarded_on_failure(admin, new):  # else it would count as "existing" next run
        write_key_file(folder / f"{developer.name}.env", new)
    return new.key.reveal()


def onboard(args: argparse.Namespace, settings: Settings, admin: Admin, console: Console) -> int:
    developers = read_roster(Path(args.roster))
    folder = Path(args.output_dir)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)
    check_models(admin, sorted({m for d in developers for m in (d.models or settings.models)}))
    existing = {record.alias: record for record in admin.list_keys()}
    missing = [d for d in developers if alias_for(settings, d.name) not in existing]
    leavers = _leavers(args, settings, developers, existing) if args.prune else {}  # asked before any change
    status = {d.name: "existing" for d in developers if d not in missing}
    problems: dict[str, str] = {}
    shown: dict[str, str] = {}
    progress = _Progress(len(missing))
    console.step(f"creating {len(missing)} key(s), {args.jobs} at a time; {len(status)} exist already")

    def work(developer: Developer) -> None:
        try:
            shown[developer.name] = _create(admin, settings, args, developer, folder)
            status[developer.name] = "created"
        except LitellmKeyError as error:
            status[developer.name], problems[developer.name] = "failed", error.message
        except OSError as error:
            status[developer.name], problems[developer.name] = "failed", f"{error.filename}: {error.strerror}"
        finally:
            progress.tick()

    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        list(pool.map(work, missing))
    progress.close()
    pruned = _prune(admin, console, leavers)

    rows = [(d.name, alias_for(settings, d.name), status[d.name], problems.get(d.name, "")) for d in developers]
    table(console, ("DEVELOPER", "ALIAS", "STATUS", "PROBLEM"), rows + [(name, "", "pruned", "") for name in pruned])
    if args.show and not console.json_mode:
        for name in sorted(shown):
            console.line(f"{name}: {shown[name]}")
    counts = {word: sum(1 for value in status.values() if value == word) for word in ("created", "existing", "failed")}
    console.info(f"created {counts['created']}, existing {counts['existing']}, failed {counts['failed']}; keys in {folder}/")
    document = {"ok": not problems, "developers": status, "problems": problems, "pruned": pruned, **counts}
    if args.show:
        document["keys"] = dict(sorted(shown.items()))
    if problems:
        error = fail("onboard-incomplete", failed=len(problems), total=len(developers), roster=args.roster)
        console.failure(error, document)
        return error.exit_code
    console.emit(document)
    return 0


def _leavers(
    args: argparse.Namespace, settings: Settings, developers: list[Developer], existing: dict[str | None, KeyRecord]
) -> dict[str, KeyRecord]:
    """Pattern-made keys of developers who left the roster, once the admin confirmed their deletion.
    A rotation's twin (`claude-code-alice-rotating-…`, left by a rename that failed) of a developer
    still listed is that developer's live key, not a leaver's."""
    roster = {developer.name for developer in developers}

    def leaver(alias: str | None) -> str | None:
        name = name_from_alias(settings, twin_of(alias) or alias)
        return None if name is None or name in roster else name_from_alias(settings, alias)

    leavers = {name: record for alias, record in existing.items() if (name := leaver(alias))}
    if leavers:
        confirm(f"Delete the keys of {', '.join(sorted(leavers))} (no longer in the roster)?", yes=args.yes, action="--prune")
    return leavers


def _prune(admin: Admin, console: Console, leavers: dict[str, KeyRecord]) -> list[str]:
    """Delete the leavers' keys (the manual guide's "revoke on departure")."""
    if not leavers:
        return []
    admin.delete([record.token for record in leavers.values()], shown={r.token: f"{r.alias} ({r.shown})" for r in leavers.values()})
    for name, record in sorted(leavers.items()):
        console.ok(f"deleted {record.alias} ({record.shown}): {name} left the roster")
    return sorted(leavers)
