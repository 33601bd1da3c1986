"""`litellm-key renew`: replace an expired, rejected or nearly expired key with one from the portal.

A working key that is not near its expiry is left alone and the portal is not even asked: renewal
is meant to run from hooks and timers, and must be a no-op when there is nothing to do.
"""

from __future__ import annotations

import argparse

from ..console import Console
from ..services.key_store import key_store
from ..services.verification import record_expiry
from . import add_key_source_flags, ask_session_token, interactive, settings_from
from ..services.client_setup import configure_clients
from ..services.renewal import Health, check_key, renew_locked, require_portal, require_session
from ..services import step_report

DESCRIPTION = """Check the stored key against LiteLLM; when it is expired, rejected or expires within
`renew_before` (default 1d), get a working one from the key portal (`portal_url`): the portal's
current key if LiteLLM accepts it, else a new one (POST). The new key is verified before it
replaces the old one in .env; then the clients are configured again.

The portal session token comes from LITELLM_SESSION_TOKEN, the token file (`litellm-key portal
login` stores it), or a hidden prompt on a terminal; with `session_source: browser`, from the
browser you signed in to the portal with, whenever none is stored or the portal no longer
accepts the stored one. See docs/renewal.md.

exit: 0 valid or renewed; 4 key invalid (--check) or portal session expired; 3 no portal
configured or API keys disabled there; 2 no session token and no terminal; 6 portal or LiteLLM
unreachable. On every failure the stored key stays as it was.

examples:
  $ litellm-key renew               # renew only when needed
  $ litellm-key renew --check       # report only: exit 0 valid, 4 invalid
  $ litellm-key renew --force --json
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="only report whether the key is valid (exit 0) or not (exit 4)")
    mode.add_argument("--force", action="store_true", help="renew even when the stored key is valid")
    parser.add_argument("--no-input", action="store_true", help="never prompt for the session token")
    add_key_source_flags(parser)


def _report(health: Health, console: Console, key_shown: str) -> None:
    if health.problem is not None:
        console.warn(f"the stored key does not work: {health.problem.message}")
    elif health.due:
        console.warn(f"the key {key_shown} works but expires at {health.expires}, within renew_before")
    else:
        console.ok(f"the key {key_shown} works; expires: {health.expires or 'never'}")


def run(args: argparse.Namespace, console: Console) -> int:
    settings = settings_from(args, uses_state=True)
    key = step_report.replaceable_key(console, key_store(settings))
    shown = key.mask() if key else None
    document: dict[str, object] = {"ok": True, "key": shown, "env_file": str(settings.env_file)}
    if not args.force:
        console.step(f"checking the stored key against {settings.base_url}/v1/models")
        health = check_key(settings, key)
        if args.check and health.problem is not None:
            raise health.problem  # reported once, as the failure
        _report(health, console, shown or "")
        document.update(valid=health.problem is None, expires=health.expires, due=health.due)
        if args.check or not health.due:
            if not args.check and key is not None and health.verification is not None:
                record_expiry(settings, key, health.verification)  # for `token`, which decides on it
            console.emit({**document, "renewed": False})
            return 0
    require_portal(settings)
    session = require_session(settings, console, ask=ask_session_token if interactive(args) else None)
    renewal = renew_locked(settings, console, session, old_key=key)
    if renewal.stored is not None:
        step_report.client_setup(console, configure_clients(settings, renewal.key))
    console.ok(f"key {renewal.key.mask()} in use ({renewal.source}); expires: {renewal.expires or 'never'}")
    console.emit(
        {
            **document,
            "renewed": renewal.key != key,
            "key": renewal.key.mask(),
            "previous_key": shown,
            "source": renewal.source,
            "expires": renewal.expires,
            "portal_user": renewal.user,
        }
    )
    return 0
