"""`litellm-key apply`: the container-start / rebuild path, restoring everything from `.env`.

It runs as the feature's postStartCommand, so it never prompts, and being offline is a warning:
a container must start on a train. A bad key or a broken client config still fails loudly,
because the user would otherwise find out only when Claude Code hangs on a 401.
"""

from __future__ import annotations

import argparse

from ..console import Console
from ..errors import GatewayError, LitellmKeyError
from ..gateway import Verification, verify
from ..services.client_setup import configure_clients
from ..services.key_store import key_store
from ..services.verification import login_expiry_warning, record_expiry
from . import add_portal_flags, add_client_flags, add_connection_flags, add_output_flags, render, settings_from

DESCRIPTION = """Restore the proxy and every configured client from the key in .env, then verify the
key. Never prompts. Exit 0 when there is no key yet (with one line saying to run
config-claude-code.sh) and when LiteLLM is unreachable (a warning: the container must start
offline); non-zero for a rejected key, a proxy failure or a malformed client config.

With `portal_url` set and a portal session token stored (`litellm-key portal login`) or in
LITELLM_SESSION_TOKEN, a key that is expired, rejected or expires within `renew_before` is first
renewed through the portal (docs/renewal.md); a renewal problem is a warning.

examples:
  $ litellm-key apply            # what the Dev Container feature runs at every start
  $ litellm-key apply --quiet    # only warnings and errors
  $ litellm-key apply --client all --json
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_portal_flags(parser)
    add_connection_flags(parser)
    add_client_flags(parser)
    add_output_flags(parser)


def _verify_unless_offline(settings, key, console: Console) -> Verification | None:
    try:
        verification = verify(settings.base_url, key, required_models=settings.models, timeout=settings.timeout)
    except GatewayError as error:
        console.warn(f"could not verify the key now: {error.message}", error.fix)
        return None
    render.verified(console, key, verification)
    record_expiry(settings, key, verification)
    return verification


def run(args: argparse.Namespace, console: Console) -> int:
    settings = settings_from(args, uses_state=True)
    store = key_store(settings)
    key = store.load()
    if key is None:
        console.warn(f"no LiteLLM client key in {settings.env_file} yet: run config-claude-code.sh to set one up")
        console.emit({"ok": True, "key": None, "env_file": str(settings.env_file)})
        return 0

    render.notice(console, login_expiry_warning(settings, key))
    proxy_outcome = render.start_proxy(settings, console)
    if settings.portal_url:  # renewal brings the portal client along: only load it when it can act
        from ..services.renewal import renew_on_start

        key = renew_on_start(settings, key, console)  # after the proxy: verification goes through it
    store.record_base_url()
    client_failure: LitellmKeyError | None = None
    try:
        client_changes = render.client_setup(console, configure_clients(settings, key))
    except LitellmKeyError as error:  # still verify: the other clients were configured
        client_failure, client_changes = error, []
    verification = _verify_unless_offline(settings, key, console)
    if client_failure:
        raise client_failure
    console.emit(
        {
            "ok": True,
            "key": key.mask(),
            "env_file": str(settings.env_file),
            "proxy": proxy_outcome,
            "clients": render.changes_as_dict(client_changes),
            **render.verification_as_dict(verification),
        }
    )
    return 0
