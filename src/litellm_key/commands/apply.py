"""`litellm-key apply`: the container-start / rebuild path, restoring everything from `.env`.

It runs as the feature's postStartCommand, so it never prompts, and being offline is a warning:
a container must start on a train. A bad key or a broken client config still fails loudly,
because the user would otherwise find out only when Claude Code hangs on a 401.
"""

from __future__ import annotations

import argparse

from ..console import Console
from ..services.setup_flow import apply
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


def run(args: argparse.Namespace, console: Console) -> int:
    settings = settings_from(args, uses_state=True)
    done = apply(settings, console)
    if done.key is None:
        console.emit({"ok": True, "key": None, "env_file": str(settings.env_file)})
        return 0
    console.emit(
        {
            "ok": True,
            "key": done.key.mask(),
            "env_file": str(settings.env_file),
            "proxy": done.proxy,
            "clients": render.changes_as_dict(done.client_changes),
            **render.verification_as_dict(done.verification),
        }
    )
    return 0
