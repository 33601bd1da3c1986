"""`litellm-key token`: Claude Code's apiKeyHelper contract — the key and a newline, nothing else.

Claude Code runs this through `/bin/sh -c` whenever its cached key expires, so it must be fast
(no httpx, no questionary, no network) and must never print anything else on stdout. A plain
`.env` is answered by keyhelper.fast_output before argparse loads; this full path runs when that
reader defers: a file only python-dotenv reads right, a config that moves `.env`, or a key whose
LITELLM_KEY_EXPIRES is within keyhelper.RENEW_MARGIN (an hour) or past, where renewing or warning
belongs here.
"""

from __future__ import annotations

import argparse
import sys

from ..console import Console
from ..envfile import stored_key
from ..errors import fail
from . import add_location_flags, settings_from

DESCRIPTION = """Print the stored client key followed by a newline, and nothing else.

Used as Claude Code's apiKeyHelper, so a renewed key is picked up without restarting anything.
Exit 4 (with a message on stderr) when no key is stored.

examples:
  $ litellm-key token
  $ litellm-key token --env-file /workspaces/app/.env
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_location_flags(parser)


def run(args: argparse.Namespace, console: Console) -> int:
    settings = settings_from(args, only=("env_file",))
    key = stored_key(settings.env_file)
    if key is None:
        raise fail("key-missing", env_file=settings.env_file)
    sys.stdout.write(key.reveal() + "\n")
    return 0
