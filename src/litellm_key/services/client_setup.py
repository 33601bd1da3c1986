"""Client set-up: configure, remove or describe every client, plus the shell block for the clients
that read the key from the environment, and the `litellm-key token|env` command they run.

One malformed client config must not stop the other clients: each client is tried and every
failure is returned beside the changes; the command reports them and raises the first (exit 3),
so the run still fails visibly. Nothing here prints.
"""

from __future__ import annotations

import shlex
import shutil
import sys
from pathlib import Path
from typing import Callable, NamedTuple, TypeVar

from .. import shell_profile
from ..clients import ClientChange, ClientContext, ClientState, get_client
from ..errors import LitellmKeyError
from ..known_clients import ENVIRONMENT_CLIENTS, KNOWN_CLIENTS
from ..secret import ClientKey
from ..settings import Settings
from .key_store import key_store

Result = TypeVar("Result")


class ShellBlock(NamedTuple):
    """The block in the shell rc files that exports the key for ENVIRONMENT_CLIENTS in new terminals."""

    files: tuple[Path, ...]
    changed: bool


class ClientSetup(NamedTuple):
    """What configuring the clients did; `failures` in client order (the first is the one to raise)."""

    home: Path
    changes: list[ClientChange]
    failures: list[LitellmKeyError]
    shell_block: ShellBlock | None


class ClientRemoval(NamedTuple):
    home: Path
    changes: list[ClientChange]
    failures: list[LitellmKeyError]
    shell_files: tuple[Path, ...]


def litellm_key_command() -> str:
    """The installed `litellm-key` by absolute path (Claude Code runs its helper from any cwd with a
    minimal PATH), else this interpreter running the package; shell-quoted."""
    installed = shutil.which("litellm-key")
    if installed:
        return shlex.quote(str(Path(installed).absolute()))
    return f"{shlex.quote(sys.executable)} -m litellm_key"


def key_command(settings: Settings, command: str) -> str:
    """`litellm-key token|env` as a client or a new terminal runs it: from any directory, so with
    the absolute .env, and with what the key store needs to be found (`--store keyring`)."""
    return f"{litellm_key_command()} {command}{key_store(settings).flag} --env-file {shlex.quote(str(settings.env_file.absolute()))}"


def token_command(settings: Settings) -> str:
    """Claude Code's apiKeyHelper: prints the key from this workspace's .env, from any directory."""
    return key_command(settings, "token")


def _each_client(names: tuple[str, ...], action: Callable[[str], Result]) -> tuple[list[Result], list[LitellmKeyError]]:
    results: list[Result] = []
    failures: list[LitellmKeyError] = []
    for name in names:
        try:
            results.append(action(name))
        except LitellmKeyError as error:
            failures.append(error)
    return results, failures


def configure_clients(settings: Settings, key: ClientKey) -> ClientSetup:
    """Configure every client in settings.clients, and the shell block when one of them needs it."""
    ctx = ClientContext.current(settings, key, token_command(settings))
    changes, failures = _each_client(settings.clients, lambda name: get_client(name).configure(ctx))
    block = None
    if any(name in ENVIRONMENT_CLIENTS for name in settings.clients):
        try:
            results = shell_profile.install(ctx.home, key_command(settings, "env"), settings.env_file.absolute())
            block = ShellBlock(tuple(path for path, _ in results), any(changed for _, changed in results))
        except LitellmKeyError as error:  # an rc file we cannot write: the clients above are still reported
            failures.append(error)
    return ClientSetup(ctx.home, changes, failures, block)


def remove_clients(settings: Settings) -> ClientRemoval:
    """Take out what litellm-key added to every known client's config and the shell rc files."""
    ctx = ClientContext.current(settings, None, token_command(settings))
    changes, failures = _each_client(KNOWN_CLIENTS, lambda name: get_client(name).remove(ctx))
    return ClientRemoval(ctx.home, changes, failures, tuple(shell_profile.remove(ctx.home)))


def describe_clients(settings: Settings, key: ClientKey | None = None) -> list[ClientState]:
    """Every known client's state for `status`: configured, not configured or drifted."""
    ctx = ClientContext.current(settings, key, token_command(settings))
    return [get_client(name).describe(ctx) for name in KNOWN_CLIENTS]
