"""`litellm-key logout`: take the key and everything litellm-key added back out, and nothing else.

Client configs get their earlier values back (exact bytes when nobody touched a file since), the
shell rc block goes, and `.env` loses our two variables while the user's lines stay. A malformed
client config does not stop the rest: the key still leaves `.env`, and the failure is raised last.
"""

from __future__ import annotations

import argparse

from ..console import Console
from ..errors import LitellmKeyError
from ..settings_files import forget_choices
from ..services.client_setup import remove_clients
from ..services.key_store import key_store
from . import add_location_flags, add_output_flags, render, settings_from

DESCRIPTION = """Remove the stored key (LITELLM_API_KEY and LITELLM_BASE_URL) from .env, and undo what
litellm-key wrote into the clients' configs (Claude Code, Codex, Gemini CLI, OpenCode, Roo Code)
and into ~/.bashrc / ~/.zshrc, and forget the choices `setup` recorded for rebuilds
(.devcontainer/litellm-key.local.yaml). Settings you changed yourself since are left as you set them.
Everything else in those files stays byte for byte. Exit 3 when a client config could not be read
(the rest is still cleaned up).

examples:
  $ litellm-key logout
  $ litellm-key logout --env-file /workspaces/app/.env --json
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_location_flags(parser)
    add_output_flags(parser)


def run(args: argparse.Namespace, console: Console) -> int:
    settings = settings_from(args, uses_state=True)
    failure: LitellmKeyError | None = None
    changes = []
    try:
        changes = render.client_removal(console, remove_clients(settings))
    except LitellmKeyError as error:
        failure = error
    store = key_store(settings)
    forgotten = store.forget()
    env_changed = forgotten.env_file
    if forgotten.credential_store:
        console.ok(f"removed the key from {store.described}")
    if env_changed:
        console.ok(f"removed the key from {settings.env_file}")
    else:
        console.info(f"no key stored in {settings.env_file}")
    forgotten = forget_choices(settings.workspace)
    if forgotten:
        console.ok(f"forgot the setup choices recorded in {forgotten}")
    if failure:
        raise failure
    console.emit(
        {
            "ok": True,
            "env_file": str(settings.env_file),
            "env_changed": env_changed,
            "choices_forgotten": forgotten is not None,
            "clients": render.changes_as_dict(changes),
        }
    )
    return 0
