"""`litellm-key env`: export lines so a shell (and every client started from it) sees the key.

For `eval "$(litellm-key env)"` in a shell profile; like `token`, it stays off the network and
imports nothing heavy, because it runs in every new terminal.
"""

from __future__ import annotations

import argparse
import shlex
import sys

from ..console import Console
from ..envfile import BASE_URL_VARIABLE, KEY_VARIABLE
from ..errors import fail
from . import add_location_flags, load_key, settings_from

DESCRIPTION = """Print `export NAME=value` lines for the stored key and the proxy URL, in the names
each client reads: LITELLM_*, ANTHROPIC_*, OPENAI_*, GEMINI_API_KEY, GOOGLE_GEMINI_BASE_URL.
ANTHROPIC_AUTH_TOKEN is left out when claude-code is a configured client: its apiKeyHelper reads
the current key, and an exported token would shadow it. Values are shell-quoted. Exit 4 (message
on stderr, nothing on stdout) when no key is stored.

examples:
  $ eval "$(litellm-key env)"
  $ litellm-key env --env-file /workspaces/app/.env
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_location_flags(parser)


def client_environment(secret: str, base_url: str, *, claude_has_helper: bool) -> dict[str, str]:
    """The variables each client reads.

    With Claude Code configured, its key comes from apiKeyHelper, which reads .env on demand; an
    exported ANTHROPIC_AUTH_TOKEN would win over the helper and pin every terminal to the key it
    was opened with, so a renewed key would not reach Claude Code. It is left out then.
    """
    variables = {
        KEY_VARIABLE: secret,
        BASE_URL_VARIABLE: base_url,
        "ANTHROPIC_BASE_URL": base_url,
        "ANTHROPIC_AUTH_TOKEN": secret,
        "OPENAI_BASE_URL": f"{base_url}/v1",
        "OPENAI_API_KEY": secret,
        "GEMINI_API_KEY": secret,
        "GOOGLE_GEMINI_BASE_URL": base_url,
    }
    if claude_has_helper:
        del variables["ANTHROPIC_AUTH_TOKEN"]
    return variables


def run(args: argparse.Namespace, console: Console) -> int:
    settings = settings_from(args)
    key = load_key(settings)
    if key is None:
        raise fail("key-missing", env_file=settings.env_file)
    variables = client_environment(key.reveal(), settings.base_url, claude_has_helper="claude-code" in settings.clients)
    for name, value in variables.items():
        sys.stdout.write(f"export {name}={shlex.quote(value)}\n")
    return 0
