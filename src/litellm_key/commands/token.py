"""`litellm-key token`: Claude Code's apiKeyHelper contract — the key and a newline, nothing else.

Claude Code runs this through `/bin/sh -c` whenever its cached key expires, so it must be fast
(no httpx, no questionary, no network) and must never print anything else on stdout. The one
exception is a key whose stored expiry is near: it is renewed first (docs/renewal.md), because
LiteLLM answers an expired key with 400, on which Claude Code does not ask its helper again.

A plain `.env` is answered by keyhelper.fast_output before argparse loads; this full path runs
when that reader defers: a file only python-dotenv reads right, a config that moves `.env` or the
key store, or a key whose LITELLM_KEY_EXPIRES is within keyhelper.RENEW_MARGIN (an hour) or past.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..console import Console
from ..keyhelper import config_files, expires_soon, find_workspace
from ..services.key_store import KeyStore, key_store
from ..settings import Settings
from . import add_location_flags, settings_from

DESCRIPTION = """Print the stored client key followed by a newline, and nothing else.

Used as Claude Code's apiKeyHelper, so a renewed key is picked up without restarting anything.
When the stored expiry (LITELLM_KEY_EXPIRES) is less than an hour away or past, and a key portal
and session token are available, the key is renewed first, within 5 s; otherwise (or if that
fails) the stored key is printed, with a warning on stderr (docs/renewal.md). A credential from
`litellm-key login` cannot be renewed that way: in its last hour (or past it) it is still
printed, with a warning on stderr to run `litellm-key login`.
Exit 4 (with a message on stderr) when no key is stored.

examples:
  $ litellm-key token
  $ litellm-key token --env-file /workspaces/app/.env
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_location_flags(parser)


def _expiry_near(store: KeyStore) -> bool:
    """Whether LITELLM_KEY_EXPIRES is within keyhelper.RENEW_MARGIN or past: the same test as the
    fast path's, so a key that is not due costs no datetime import and no network."""
    expires = store.expires()
    return bool(expires) and expires_soon(expires)


def _renewal_settings(args: argparse.Namespace) -> Settings:
    """All settings, from the workspace that holds `--env-file` when it has litellm-key settings
    files: Claude Code runs its helper from wherever `claude` was started, and the portal_url and
    upstream of that workspace's .devcontainer/litellm-key.yaml must still apply to the renewal.
    (An .env kept outside its workspace, by an env_file setting, has none: the current folder's
    settings stay in charge then.)"""
    if args.env_file and not args.workspace and not os.environ.get("LITELLM_WORKSPACE"):
        folder = Path(args.env_file).expanduser()
        if folder.is_absolute():
            workspace = find_workspace(str(folder.parent), os.environ)
            if any(os.path.exists(path) for layer, path in config_files(workspace, os.environ) if layer in ("workspace", "recorded")):
                args.workspace = workspace
    return settings_from(args)


def run(args: argparse.Namespace, console: Console) -> int:
    settings = settings_from(args, only=("env_file", "key_store"))
    store = key_store(settings)
    key = store.require()
    if key.is_jwt:  # a login credential is renewed by logging in again: only warn
        from ..services import step_report
        from ..services.verification import login_expiry_warning

        step_report.notice(console, login_expiry_warning(settings, key))
    elif _expiry_near(store):
        from ..services.renewal import renew_for_helper

        key = renew_for_helper(_renewal_settings(args), key, Console(quiet=True, out=sys.stderr))
    sys.stdout.write(key.reveal() + "\n")
    return 0
