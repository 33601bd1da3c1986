"""`litellm-key doctor`: every hop from the client to the model, checked in order, with the fix.

The checks form a tree (`needs`): a check whose parent failed is skipped, so one cause is one ✗
line with its fix, not a cascade. `--json` gives each check under a stable id for scripts.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Callable

from ...console import Console
from ...errors import LitellmKeyError
from ...known_clients import ENVIRONMENT_CLIENTS
from ...settings import Settings
from .. import add_connection_flags, add_output_flags, settings_from
from . import litellm as litellm_checks
from . import local as checks
from .common import FAIL, OK, SKIPPED, WARN, Finding, Probe, failed, within_deadline

DESCRIPTION = """Check every hop from the clients to the model and say how to fix what is broken:
settings (valid, and which files and variables they were read from), the .env file (present, git-ignored, mode 0600, a well-formed client key, not the
master key), the state folder, name resolution, nginx and the proxy, LiteLLM through the proxy (reachable, its
database), the key (accepted, every configured model, expiry, budget) and each configured client.
One line per check (✓ ok, ! warning, ✗ failed, with a fix under each ! and ✗); a check whose parent
failed is skipped. Exits 0 when nothing failed (warnings allowed), else with the exit code of
the first failure. Nothing is written.

  --live   also send one 1-token request per configured model, on the endpoint each configured
           client uses (this costs a few tokens)

examples:
  $ litellm-key doctor
  $ litellm-key doctor --live
  $ litellm-key doctor --json | jq '.checks[] | select(.status != "ok")'
"""


@dataclass(frozen=True)
class Check:
    id: str  # stable: scripts select on it, and the troubleshooting tables name it
    run: Callable[[Probe], Finding]
    needs: tuple[str, ...] = ()
    deadline: bool = True  # its requests wait doctor's short deadline, not the `timeout` setting


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--live", action="store_true", help="send one 1-token request per configured model")
    add_connection_flags(parser)
    add_output_flags(parser)


def plan(settings: Settings, *, live: bool) -> list[Check]:
    """The checks for these settings, parents before children."""
    through = ("proxy",) if settings.proxy else ("upstream-resolves",)
    tree = [
        Check("env-file", checks.env_file),
        Check("env-git", checks.env_git, ("env-file",)),
        Check("state-dir", checks.state_dir),
        Check("localhost-resolves", checks.resolve_localhost),
        Check("upstream-resolves", checks.resolve_upstream),
    ]
    if settings.proxy:
        tree += [
            Check("nginx", checks.nginx_installed),
            # nginx will not start with an upstream it cannot resolve: that cause is upstream-resolves'
            Check("proxy", checks.proxy_running, ("nginx", "localhost-resolves", "upstream-resolves", "state-dir")),
        ]
    tree += [
        Check("litellm", litellm_checks.litellm_alive, through),
        Check("litellm-database", litellm_checks.litellm_database, ("litellm",)),
        # without its database LiteLLM refuses every virtual key: that is litellm-database's ✗, not a second one
        Check("key", litellm_checks.key_accepted, ("litellm-database", "env-file")),
        Check("not-master-key", litellm_checks.not_master_key, ("key",)),
        Check("models", litellm_checks.models_reachable, ("key",)),
        Check("expiry", litellm_checks.expiry, ("key",)),
        Check("budget", litellm_checks.budget, ("key",)),
    ]
    if settings.portal_url:
        tree.append(Check("portal-session", litellm_checks.portal_session))
    tree += [Check(f"client-{name}", checks.client_check(name), ("env-file", "state-dir")) for name in settings.clients]
    environment_clients = tuple(f"client-{name}" for name in settings.clients if name in ENVIRONMENT_CLIENTS)
    if environment_clients:  # `apply` writes the block with those clients: not configured is one ✗, not two
        tree.append(Check("shell-block", checks.shell_block, ("env-file", *environment_clients)))
    if "claude-code" in settings.clients:
        tree.append(Check("claude-code-overrides", checks.claude_overrides, ("key",)))
    if live:
        tree += [
            Check(f"live-{client}-{model}", litellm_checks.live_check(client, model), ("models",), deadline=False)
            for client, model in litellm_checks.live_requests(settings)
        ]
    return tree


def diagnose(settings: Settings, *, live: bool = False, report: Callable[[str, Finding], None] = lambda *_: None) -> list[tuple[str, Finding]]:
    """Run the plan; `report` sees each finding as it arrives (so a slow hop shows progress)."""
    probe = Probe(settings)
    outcomes: dict[str, str] = {}
    results = []
    for check in plan(settings, live=live):
        blocked = [parent for parent in check.needs if outcomes.get(parent) not in (OK, WARN)]
        if blocked:
            finding = Finding(SKIPPED, f"skipped: {blocked[0]} did not pass")
        else:
            try:
                finding = check.run(probe)
            except LitellmKeyError as error:
                finding = failed(error)
            if check.deadline:
                finding = within_deadline(finding)
        outcomes[check.id] = finding.status
        results.append((check.id, finding))
        report(check.id, finding)
    return results


_SYMBOLS = {OK: "✓", WARN: "!", FAIL: "✗", SKIPPED: "-"}


def _print(console: Console, check_id: str, finding: Finding) -> None:
    """One line per check; skipped checks are summed up at the end instead of listed."""
    if console.json_mode or finding.status == SKIPPED or (console.quiet and finding.status == OK):
        return
    console.line(f"{_SYMBOLS[finding.status]} {check_id}: {finding.summary}")
    if finding.fix and finding.status in (WARN, FAIL):
        console.line(f"    fix: {finding.fix}")
    console.out.flush()


def run(args: argparse.Namespace, console: Console) -> int:
    try:
        settings = settings_from(args)
    except LitellmKeyError as error:
        _print(console, "settings", failed(error))
        console.emit({"ok": False, "checks": [_as_dict("settings", failed(error))]})
        return error.exit_code
    settings_ok = Finding(OK, f"settings valid (workspace {settings.workspace}); {_read_from(settings)}")
    _print(console, "settings", settings_ok)
    results = [("settings", settings_ok)]
    results += diagnose(settings, live=args.live, report=lambda check_id, finding: _print(console, check_id, finding))
    failures = [finding for _, finding in results if finding.status == FAIL]
    console.emit({"ok": not failures, "checks": [_as_dict(check_id, finding) for check_id, finding in results]})
    if console.chatty:
        skipped = [check_id for check_id, finding in results if finding.status == SKIPPED]
        if skipped:
            console.line(f"- not checked, because a check they need failed: {', '.join(skipped)}")
        warnings = sum(finding.status == WARN for _, finding in results)
        passed = sum(finding.status == OK for _, finding in results)
        console.line(f"{'✗' if failures else '✓'} {len(failures)} failed, {warnings} warning(s), {passed} passed")
    return failures[0].exit_code or 1 if failures else 0


def _read_from(settings: Settings) -> str:
    """Which files, variables and flags the values came from: a setting that is not what the user
    thinks usually comes from a layer they forgot (`litellm-key config` shows each value's origin)."""
    places = {origin.where.rsplit(":", 1)[0] if origin.kind not in ("environment", "flag") else origin.where: None
              for origin in sorted(settings.sources.values(), key=lambda origin: origin.kind in ("environment", "flag"))}
    return f"read from {', '.join(places)}" if places else "no settings file or variable: all defaults"


def _as_dict(check_id: str, finding: Finding) -> dict[str, object]:
    return {"id": check_id, "status": finding.status, "summary": finding.summary, "fix": finding.fix, "reason": finding.reason}
