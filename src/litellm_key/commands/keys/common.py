"""What every `keys` sub-command shares: the master key, the way to LiteLLM, confirmations, tables.

The master key is read once per run (environment, Kubernetes or a hidden prompt) and lives only in
memory; with --port-forward the LiteLLM connection is a supervised kubectl child for the run.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ... import kube
from ...admin import Admin, NewKey
from ...console import Console, neutralised
from ...errors import LitellmKeyError, fail
from ...secret import ClientKey, MasterKey, refuse_cleartext
from ...settings import Settings
from .. import add_allow_http_flag, add_setting_flag, interactive, settings_from

MASTER_KEY_VARIABLE = "LITELLM_MASTER_KEY"
_DURATION = re.compile(r"\d+(s|m|h|d|w|mo)")
_TWIN = re.compile(r"(.+)-rotating-\d+")


def add_admin_flags(parser: argparse.ArgumentParser) -> None:
    """Where the master key comes from and how to reach LiteLLM: every sub-command takes these."""
    group = parser.add_argument_group("master key and connection (see docs/admin.md)")
    group.add_argument("--from-k8s", action="store_true", help="read the master key from the Kubernetes secret (`master_key_secret`)")
    add_setting_flag(group, "admin_url")
    group.add_argument(
        "--port-forward", action="store_true", help="run the `port_forward` command (kubectl port-forward) for this run"
    )
    group.add_argument("--forward-timeout", type=float, default=15.0, metavar="SECONDS", help="wait for the port-forward (default 15)")
    add_setting_flag(group, "timeout")
    add_allow_http_flag(group)
    group.add_argument("--json", action="store_true", help="print one JSON document instead of text")
    group.add_argument("--quiet", "-q", action="store_true", help="print only warnings and errors")


def admin_settings(args: argparse.Namespace) -> Settings:
    """Where the master key goes, which secret holds it and what `--port-forward` runs come from
    --url, the environment or your own config file only: `keys` run inside someone else's checkout
    ignores what its files say about them (settings_declared: YOURS_ONLY)."""
    return settings_from(args)


def master_key(args: argparse.Namespace, settings: Settings) -> MasterKey:
    if args.from_k8s:
        return kube.read_master_key(settings.master_key_secret)
    if os.environ.get(MASTER_KEY_VARIABLE):
        return MasterKey(os.environ[MASTER_KEY_VARIABLE])
    if not interactive():
        raise fail("no-master-key")
    import questionary

    answer = questionary.password("LiteLLM master key:").ask()
    if answer is None:
        raise fail("cancelled")
    return MasterKey(answer)


def _terminated(*_args: object) -> None:
    raise KeyboardInterrupt  # SIGTERM and SIGHUP unwind like Ctrl-C, so the port-forward child is stopped


@contextmanager
def admin_session(args: argparse.Namespace, settings: Settings, console: Console) -> Iterator[Admin]:
    if not args.port_forward:  # refused before the master key is even read (Kubernetes, a prompt)
        refuse_cleartext(settings.admin_url, "master key", allow_http=settings.allow_http)
    master = master_key(args, settings)
    if not args.port_forward:
        with Admin(
            settings.admin_url, master, timeout=settings.timeout, allow_http=settings.allow_http, warn=console.warn
        ) as admin:
            yield admin
        return
    import signal

    # SIGHUP too: a closed terminal must not leave kubectl (in its own session, so it gets none) running.
    previous = {number: signal.signal(number, _terminated) for number in (signal.SIGTERM, signal.SIGHUP)}
    forward = kube.PortForward(settings.port_forward, ready_timeout=args.forward_timeout)
    console.step(f"starting `{settings.port_forward}`")
    try:
        with forward, Admin(
            forward.url, master, timeout=settings.timeout, keepalive=forward.alive, recover=forward.recover, warn=console.warn
        ) as admin:
            yield admin
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        if forward.restarts:
            console.warn(f"the port-forward died and was restarted {forward.restarts} time(s)")


def key_names(names: Sequence[str], console: Console) -> list[str | ClientKey]:
    """Aliases and token hashes as given; `-` reads keys from stdin, one a line (argv shows in `ps`)."""
    resolved: list[str | ClientKey] = []
    for name in names:
        if name == "-":
            resolved += [ClientKey.parse(line) for line in sys.stdin.read().splitlines() if line.strip()]
        elif name.startswith("sk-"):
            console.warn("a key on the command line is visible to every user in `ps`", "pass `-` and the key on stdin")
            resolved.append(ClientKey.parse(name))
        else:
            resolved.append(name)
    return resolved


def usd(text: str) -> float:
    """A budget in USD: a finite number >= 0. `inf` and `nan` parse as floats, but JSON has no
    spelling for them (Python sends `Infinity`, which LiteLLM's parser refuses)."""
    import math

    value = float(text)
    if not math.isfinite(value) or value < 0:
        raise ValueError(text)
    return value


def check_duration(value: str | None) -> str | None:
    if value is not None and not _DURATION.fullmatch(value):
        raise fail("admin-bad-duration", value=value)
    return value


def confirm(question: str, *, yes: bool, action: str) -> None:
    """Go on only with --yes or a 'yes' typed on a terminal; without a terminal never wait."""
    if yes:
        return
    if not interactive():
        raise fail("confirm-needed", action=action)
    import questionary

    answer = questionary.confirm(neutralised(question), default=False).ask()  # it names aliases LiteLLM sent
    if not answer:
        raise fail("cancelled")


def write_key_file(path: Path, new: NewKey) -> None:
    """The new key into a .env with setup's writer, so with its git-exposure guard (update_env makes
    the file git-ignored before the key goes in, or refuses): atomic, 0600, other lines kept."""
    from ...envfile import EXPIRES_VARIABLE, KEY_VARIABLE, normalized_expiry, update_env

    update_env(path, {KEY_VARIABLE: new.key.reveal(), EXPIRES_VARIABLE: normalized_expiry(new.record.expires)})


@contextmanager
def discarded_on_failure(admin: Admin, new: NewKey) -> Iterator[None]:
    """Delete a new key when handing it over fails (its file cannot be written): a key nobody
    received would hold its alias, so a re-run would find it "taken" instead of making it."""
    try:
        yield
    except (LitellmKeyError, OSError):
        admin.delete([new.record.token])
        raise


def table(console: Console, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A plain aligned table on stdout (text mode only)."""
    if not console.chatty:
        return
    cells = [[str(cell) for cell in headers]] + [["-" if cell is None else str(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for row in cells:
        console.line("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())


def alias_for(settings: Settings, name: str) -> str:
    return settings.key_alias_pattern.format(name=name)


def twin_alias(alias: str) -> str:
    """The alias `keys rotate` gives the new key until the old one is deleted and it can take `alias`."""
    import time

    return f"{alias}-rotating-{int(time.time())}"


def twin_of(alias: str | None) -> str | None:
    """The alias a rotation's twin stands in for; None for other aliases. A twin whose rename failed
    holds the developer's only live key."""
    match = _TWIN.fullmatch(alias or "")
    return match.group(1) if match else None


def name_from_alias(settings: Settings, alias: str | None) -> str | None:
    """The developer a pattern-made alias belongs to, or None for keys the pattern did not make."""
    prefix, _, suffix = settings.key_alias_pattern.partition("{name}")
    if alias and alias.startswith(prefix) and alias.endswith(suffix) and len(alias) > len(prefix) + len(suffix):
        return alias[len(prefix) : len(alias) - len(suffix)]
    return None


def show_new_key(console: Console, new: NewKey, output: Path | None, document: dict[str, Any]) -> None:
    """The one place a full key reaches a terminal: shown once, or written to --output instead."""
    record = new.record
    if output is not None:
        write_key_file(output, new)
        console.ok(f"wrote the key {new.key.mask()} ({record.alias}) to {output}")
        console.emit({"ok": True, "output": str(output), "key_info": record.as_dict(), **document})
        return
    if console.json_mode:
        console.emit({"ok": True, "key": new.key.reveal(), "key_info": record.as_dict(), **document})
        return
    console.ok(f"key {record.alias} ({new.key.mask()}), expires {record.expires or 'never'}, models {', '.join(record.models) or 'all'}")
    console.info("the key, shown this once (LiteLLM keeps only its hash):")
    console.line(new.key.reveal())


def check_models(admin: Admin, models: Sequence[str]) -> None:
    """Refuse model names the gateway does not serve: the manual guide's "key not allowed to access model" trap.

    A short name (claude-3-opus) gets the full one (claude-3-opus-20240229) as the fix.
    """
    served = admin.served_models()
    unknown = [model for model in models if "*" not in model and model not in served]
    if not unknown:
        return
    hints = []
    for model in unknown:
        longer = [name for name in served if name.startswith(f"{model}-")]
        if longer:
            hints.append(f"use {longer[0]} (not {model})")
    suggestion = ("Use the full names: " + "; ".join(hints) + ". ") if hints else ""
    raise fail("admin-model-unknown", models=", ".join(unknown), suggestion=suggestion, available=", ".join(served) or "nothing")


def generate_body(
    settings: Settings, args: argparse.Namespace, name: str, *, models: tuple[str, ...] | None = None, **extra: Any
) -> dict[str, Any]:
    """The /key/generate body `generate` and `onboard` both send: one alias pattern, one metadata
    shape, so `onboard` recognises the keys `generate` made (and the other way round)."""
    body: dict[str, Any] = {
        "key_alias": alias_for(settings, name),
        "models": list(models or settings.models),
        "duration": check_duration(args.duration),
        "max_budget": args.max_budget,
        "budget_duration": check_duration(args.budget_duration),
        "metadata": {"developer": name, "created_by": "litellm-key", "duration": args.duration},
        **extra,
    }
    return {field: value for field, value in body.items() if value is not None}
