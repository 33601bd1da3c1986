"""`litellm-key setup`: from "I was handed a key" to "every client works", in one command.

The command parses the flags, holds the prompts (a person at a terminal answers them) and renders;
the order that "loses nothing" rests on is `services.setup_flow.set_up`'s.
"""

from __future__ import annotations

import argparse
import sys

from ..console import Console
from ..errors import KeyRejected, fail
from ..secret import ClientKey
from ..services.setup_flow import KeySource, Prompts, set_up
from . import add_key_source_flags, ask_session_token, given_flags, interactive, render, settings_from

DESCRIPTION = """Get a LiteLLM client key, verify it against /v1/models, and store it in the workspace .env
(git-ignored, mode 0600).

The key comes from, in order: --key-stdin (one line on stdin), the LITELLM_API_KEY environment
variable, or a hidden prompt; or, with --from-portal (not with --key-stdin), from the key portal
(docs/renewal.md). Without a terminal and without a key source, setup exits 2 at once;
with a key already stored it re-verifies that key instead. A key that fails verification is not
written: the previous .env stays as it was. Nor is the LiteLLM master key: a key that may call
admin-only routes (GET /key/list) is refused with exit 8 (on a LiteLLM without a database, where
that cannot be told, setup warns instead).

Then it configures the clients chosen with --client (default: the `clients` setting, claude-code).
A client whose config file is not valid JSON/TOML is skipped and its file left untouched; the
others are still configured and setup exits 3.

The choices given by flag (--client, --model, --upstream, --host-header, --listen,
--no-proxy/--proxy, --timeout, --env-file, --portal-url) are recorded in
.devcontainer/litellm-key.local.yaml (git-ignored), so `apply` restores them after a container
rebuild; a later setup replaces the ones it is given, `logout` forgets them.
At the hidden prompt, an empty or malformed paste is asked for again (3 tries).

examples:
  $ litellm-key setup                                  # prompts for the key
  $ printf '%s\\n' "$KEY" | litellm-key setup --key-stdin
  $ LITELLM_API_KEY=sk-... litellm-key setup --json
  $ litellm-key setup --key-stdin --model claude-sonnet-4-5-20250929 < keyfile
  $ litellm-key setup --client all                     # also Codex, Gemini CLI, OpenCode, Roo Code
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group()  # one key source: the portal's would drop a piped key
    source.add_argument("--key-stdin", action="store_true", help="read the key from the first line of stdin")
    source.add_argument("--from-portal", action="store_true", help="fetch the key from the key portal (docs/renewal.md)")
    parser.add_argument("--no-input", action="store_true", help="never prompt, even on a terminal")
    parser.add_argument("--no-verify", action="store_true", help="store the key without checking it (offline)")
    add_key_source_flags(parser)


def _confirm(question: str) -> bool:
    import questionary

    answer = questionary.confirm(question, default=False).ask()
    if answer is None:
        raise fail("cancelled")
    return answer


PROMPT_TRIES = 3
# Flags whose values setup records for `apply`: what it connects to and configures, where it stored
# the key (.env elsewhere: a rebuild must find it there) and the portal that renews it. Not
# --workspace (the recorded file is in it) nor --store/--session-token-file (host-side places a
# rebuild does not keep).
RECORDED_FLAGS = ("upstream", "host_header", "listen", "proxy", "models", "clients", "timeout", "env_file", "portal_url")


def _ask_hidden() -> str:
    import questionary

    secret = questionary.password("LiteLLM client key (sk-...):").ask()
    if secret is None:
        raise fail("cancelled")
    return secret


def _paste(console: Console) -> ClientKey:
    """The hidden prompt, asked again after an empty or malformed paste (an Enter pressed right
    after "Replace it?", a paste with a line break inside), saying why, as `gh auth login` does."""
    for tries_left in range(PROMPT_TRIES - 1, 0, -1):
        try:
            return ClientKey.parse(_ask_hidden())
        except KeyRejected as error:
            console.warn(f"{error.message} Paste it again ({tries_left} {'try' if tries_left == 1 else 'tries'} left).")
    return ClientKey.parse(_ask_hidden())


def _prompt_for_key(console: Console) -> ClientKey:
    key = _paste(console)
    if not key.looks_virtual:
        console.warn(f"{key.mask()} does not start with sk-: LiteLLM virtual keys do.")
        if not _confirm("Use it anyway?"):
            raise fail("cancelled")
    return key


def run(args: argparse.Namespace, console: Console) -> int:
    settings = settings_from(args, uses_state=True)
    choices = {name: value for name, value in given_flags(args).items() if name in RECORDED_FLAGS}
    prompts = Prompts(_confirm, lambda: _prompt_for_key(console), ask_session_token) if interactive(args) else None
    source = KeySource(args.from_portal, args.key_stdin, sys.stdin.readline, prompts)
    done = set_up(settings, source, console, verify_key=not args.no_verify, choices=choices)
    console.emit(
        {
            "ok": True,
            "key": done.key.mask(),
            "source": done.source,
            "env_file": str(settings.env_file),
            "proxy": done.proxy,
            "env_changed": done.env_changed,
            "clients": render.changes_as_dict(done.client_changes),
            "recorded_choices": list(done.recorded_choices),
            **render.verification_as_dict(done.verification),
        }
    )
    return 0
