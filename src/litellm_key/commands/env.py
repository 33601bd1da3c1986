"""`litellm-key env`: export lines so a shell (and every client started from it) sees the key.

For `eval "$(litellm-key env)"` in a shell profile; like `token`, it stays off the network and
imports nothing heavy, because it runs in every new terminal. A plain `.env` is answered by
keyhelper.fast_output before argparse loads; this is the full path, which must print the same.
"""

from __future__ import annotations

import argparse
import os
import sys

from ..console import Console
from ..envfile import BASE_URL_VARIABLE, stored_values
from ..keyhelper import claude_has_helper, client_environment, export_lines
from ..services.key_store import key_store
from . import add_location_flags, settings_from

DESCRIPTION = """Print `export NAME=value` lines for the stored key and the proxy URL, in the names
each client reads: LITELLM_*, ANTHROPIC_*, OPENAI_*, GEMINI_API_KEY, GOOGLE_GEMINI_BASE_URL.
The URL is the LITELLM_BASE_URL that setup and apply store in .env (the settings decide only when
.env has none), so a new terminal reads one file and no YAML. ANTHROPIC_AUTH_TOKEN is left out
when Claude Code's settings (~/.claude/settings.json) name an apiKeyHelper: the helper reads the
current key, and an exported token would shadow it. Values are shell-quoted. Exit 4 (message on
stderr, nothing on stdout) when no key is stored.

examples:
  $ eval "$(litellm-key env)"
  $ litellm-key env --env-file /workspaces/app/.env
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_location_flags(parser)


def run(args: argparse.Namespace, console: Console) -> int:
    settings = settings_from(args, only=("env_file", "key_store"))
    key = key_store(settings).require()
    # The URL setup and apply stored beside the key; the settings layers only for a .env without one.
    base_url = stored_values(settings.env_file, (BASE_URL_VARIABLE,)).get(BASE_URL_VARIABLE) or settings_from(args).base_url
    variables = client_environment(key.reveal(), base_url, claude_has_helper=claude_has_helper(os.environ))
    sys.stdout.write(export_lines(variables))
    return 0
