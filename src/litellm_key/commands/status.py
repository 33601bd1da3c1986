"""`litellm-key status`: is the stored key still good, and what can it reach?"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ..console import Console
from ..errors import fail
from ..gateway import verify
from ..known_clients import KNOWN_CLIENTS
from ..settings import Settings
from ..services.client_setup import describe_clients
from ..services.key_store import key_store
from ..services.verification import first_proxy_problem, login_expiry, master_key_warning
from ..services import step_report
from . import add_connection_flags, add_output_flags, render, settings_from

if TYPE_CHECKING:
    from ..proxy import ProxyStatus

DESCRIPTION = f"""Check the stored key against LiteLLM (GET /v1/models through the proxy) and show the
models it can use, its alias and expiry, and whether each client ({', '.join(KNOWN_CLIENTS)}) is
configured, not configured, or drifted (its settings point elsewhere). Exits
with the documented code of the first failure; a credential from `litellm-key login` that has
expired exits 4 (login-expired) before any network call.

examples:
  $ litellm-key status
  $ litellm-key status --json | jq .models
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_connection_flags(parser)
    add_output_flags(parser)


def _check_proxy(settings: Settings, console: Console) -> "ProxyStatus":
    """A stopped proxy is named as such (exit 7), not reported as "cannot connect" by the key check."""
    from .. import proxy

    report = proxy.status(settings, check_upstream=False)
    problem = first_proxy_problem(report, settings)
    if problem is not None:
        raise problem
    console.ok(f"proxy running (pid {report.pid}): {settings.proxy_url} → {settings.upstream}")
    return report


def _where_settings_come_from(settings: Settings) -> str:
    """One line grouping the settings that are not defaults by the file, variable or flag they
    come from, so a value restored from the recorded setup choices is no surprise."""
    groups: dict[str, list[str]] = {}
    for name, origin in settings.sources.items():
        where = origin.where.rsplit(":", 1)[0] if origin.kind in ("system", "workspace", "recorded") else origin.where
        label = str(origin._replace(where=where))
        groups.setdefault(label, []).append(name)
    if not groups:
        return "settings: all defaults"
    return "settings: " + "; ".join(f"{', '.join(names)} from {label}" for label, names in groups.items())


def run(args: argparse.Namespace, console: Console) -> int:
    settings = settings_from(args, uses_state=True)
    key = key_store(settings).require()
    console.info(f"key {key.mask()} in {settings.env_file}")
    console.info(f"{_where_settings_come_from(settings)} (`litellm-key config` shows each)")
    expiry = login_expiry(settings, key)
    if expiry is not None:  # a login credential: its expiry is known here, without asking LiteLLM
        if expiry[1] <= 0:
            raise fail("login-expired", key=key.mask(), env_file=settings.env_file, expires=expiry[0])
        console.info(f"login credential, expires {expiry[0]}")
    client_states = render.client_states(console, describe_clients(settings, key))
    proxy_report = _check_proxy(settings, console) if settings.proxy else None
    verification = verify(settings.base_url, key, required_models=settings.models, timeout=settings.timeout, check_role=True)
    step_report.notice(console, master_key_warning(key, verification))
    step_report.verified(console, key, verification)
    console.emit(
        {
            "ok": True,
            "key": key.mask(),
            "env_file": str(settings.env_file),
            "login_expires": expiry[0] if expiry else None,
            "clients": render.states_as_dict(client_states),
            "proxy": proxy_report.as_dict() if proxy_report else None,
            "settings_sources": {name: str(origin) for name, origin in settings.sources.items()},
            **render.verification_as_dict(verification),
        }
    )
    return 0
