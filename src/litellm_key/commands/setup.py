"""`litellm-key setup`: from "I was handed a key" to "every client works", in one command.

Order matters for "loses nothing": refuse a git-tracked .env before asking for anything, verify
the new key before it replaces the old one, and only then write .env.
"""

from __future__ import annotations

import argparse
import os
import sys

from ..console import Console
from ..envfile import KEY_VARIABLE, ensure_gitignored
from ..errors import KeyRejected, LitellmKeyError, SafetyRefusal, fail
from ..gateway import Verification, verify
from ..secret import ClientKey
from ..settings import Settings
from ..settings_files import record_choices, recorded_choices_path
from ..services.client_setup import configure_clients
from ..services.key_store import key_store
from ..services.verification import master_key_warning
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


def obtain_key(args: argparse.Namespace, settings: Settings, console: Console) -> tuple[ClientKey, str]:
    """The key to set up and where it came from: stdin, environment, prompt, or the stored one."""
    if args.from_portal:
        from ..services.renewal import key_from_portal

        return key_from_portal(settings, console, ask=ask_session_token if interactive(args) else None), "the key portal"
    if args.key_stdin:
        line = sys.stdin.readline()
        if not line.strip():
            raise fail("empty-stdin")
        key, source = ClientKey.parse(line), "stdin"
    else:
        current = render.replaceable_key(console, key_store(settings))
        from_environment = os.environ.get(KEY_VARIABLE, "")
        # A shell that ran `eval "$(litellm-key env)"` exports the stored key: that is no new key.
        if from_environment.strip() and ClientKey.parse(from_environment) != current:
            key, source = ClientKey.parse(from_environment), f"the {KEY_VARIABLE} environment variable"
        elif not interactive(args):
            if current is None:
                raise fail("no-key-source")
            return current, "the stored key"
        elif current is not None and not _confirm(f"A key is stored ({current.mask()}). Replace it?"):
            return current, "the stored key"
        else:
            return _prompt_for_key(console), "the prompt"
    if not key.looks_virtual:
        console.warn(f"{key.mask()} does not start with sk-: LiteLLM virtual keys do.")
    return key, source


def _guard_choices(settings: Settings, choices: dict[str, object]) -> str | None:
    """Before anything is asked: the recorded choices must stay out of git, like .env."""
    if not choices:
        return None
    path = recorded_choices_path(settings.workspace)
    try:
        return ensure_gitignored(path)
    except SafetyRefusal as error:
        if error.reason != "env-tracked":
            raise
        raise fail("choices-tracked", path=path, relpath=path.relative_to(settings.workspace).as_posix()) from None


def run(args: argparse.Namespace, console: Console) -> int:
    settings = settings_from(args, uses_state=True)
    choices = {name: value for name, value in given_flags(args).items() if name in RECORDED_FLAGS}
    gitignore_change = ensure_gitignored(settings.env_file)
    choices_gitignore_change = _guard_choices(settings, choices)
    # Before verifying, which goes through the proxy; for --from-portal before the key is fetched,
    # as the portal's key is verified there (in a fresh container the proxy is not running yet).
    if args.from_portal:
        proxy_outcome = render.start_proxy(settings, console)
    key, source = obtain_key(args, settings, console)
    console.ok(f"key {key.mask()} from {source}")
    if not args.from_portal:
        proxy_outcome = render.start_proxy(settings, console)

    verification: Verification | None = None
    if args.no_verify:
        console.warn("not verified (--no-verify): run `litellm-key status` once LiteLLM is reachable")
    else:
        console.step(f"checking the key against {settings.base_url}/v1/models")
        verification = verify(
            settings.base_url, key, required_models=settings.models, timeout=settings.timeout, check_role=True
        )
        render.verified(console, key, verification)
        render.notice(console, master_key_warning(key, verification))

    for change in (gitignore_change, choices_gitignore_change):
        if change:
            console.info(change)
    expires = verification.info.expires if verification and verification.info else None
    changed = render.stored(console, key_store(settings).save(key, expires=expires))
    client_failure: LitellmKeyError | None = None
    try:
        client_changes = render.client_setup(console, configure_clients(settings, key))
    except LitellmKeyError as error:  # a malformed client config: the others are configured, the key stored
        client_failure, client_changes = error, []
    if choices:  # in effect once the key is stored, so a rebuild restores them even after a client failure
        unchanged = "" if record_choices(settings.workspace, choices) else ", unchanged"
        where = recorded_choices_path(settings.workspace)
        console.ok(f"recorded {', '.join(choices)} in {where} for rebuilds{unchanged}")
    if client_failure:
        raise client_failure
    console.emit(
        {
            "ok": True,
            "key": key.mask(),
            "source": source,
            "env_file": str(settings.env_file),
            "proxy": proxy_outcome,
            "env_changed": changed,
            "clients": render.changes_as_dict(client_changes),
            "recorded_choices": sorted(choices),
            **render.verification_as_dict(verification),
        }
    )
    return 0
