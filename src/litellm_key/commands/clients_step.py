"""The client step shared by `setup`, `apply`, `status` and `logout`: configure, describe, remove.

One malformed config must not stop the other clients: each client is tried, failures after the
first are reported as they happen, and the first is raised at the end (exit 3) for the caller's
error handler to report, so the run still fails visibly.
"""

from __future__ import annotations

import shlex
import shutil
import sys
from pathlib import Path
from typing import Callable

from .. import shell_profile
from ..clients import DRIFTED, NOT_CONFIGURED, ClientChange, ClientContext, ClientState, get_client
from ..console import Console
from ..errors import LitellmKeyError
from ..secret import ClientKey
from ..settings import KNOWN_CLIENTS, Settings

# Clients that read the key from the environment, so they need the shell profile block.
ENVIRONMENT_CLIENTS = ("codex", "gemini", "opencode")


def litellm_key_command() -> str:
    """The installed `litellm-key` by absolute path (Claude Code runs its helper from any cwd with a
    minimal PATH), else this interpreter running the package; shell-quoted."""
    installed = shutil.which("litellm-key")
    if installed:
        return shlex.quote(str(Path(installed).absolute()))
    return f"{shlex.quote(sys.executable)} -m litellm_key"


def token_command(settings: Settings) -> str:
    """Claude Code's apiKeyHelper: prints the key from this workspace's .env, from any directory."""
    return f"{litellm_key_command()} token --env-file {shlex.quote(str(settings.env_file.absolute()))}"


def _shown(path: Path, home: Path) -> str:
    try:
        return f"~/{path.relative_to(home)}"
    except ValueError:
        return str(path)


def _each_client(
    names: tuple[str, ...], action: Callable[[str], ClientChange], console: Console
) -> tuple[list[ClientChange], list[LitellmKeyError]]:
    changes: list[ClientChange] = []
    failures: list[LitellmKeyError] = []
    for name in names:
        try:
            changes.append(action(name))
        except LitellmKeyError as error:
            if failures:  # the first one is raised at the end and reported there
                console.warn(error.message, error.fix)
            failures.append(error)
    return changes, failures


def configure_clients(settings: Settings, key: ClientKey, console: Console) -> list[ClientChange]:
    """Configure every client in settings.clients (and the shell block when one of them needs it)."""
    ctx = ClientContext.current(settings, key, token_command(settings))
    changes, failures = _each_client(settings.clients, lambda name: get_client(name).configure(ctx), console)
    for change in changes:
        files = ", ".join(_shown(path, ctx.home) for path in change.files)
        if change.changed:
            console.ok(f"{change.client} configured: {files}")
        else:
            console.ok(f"{change.client} already configured ({files})")
        if change.note:
            console.info(change.note)
    if any(name in ENVIRONMENT_CLIENTS for name in settings.clients):
        results = shell_profile.install(ctx.home, litellm_key_command(), settings.env_file.absolute())
        files = ", ".join(_shown(path, ctx.home) for path, _ in results)
        unchanged = "" if any(was_changed for _, was_changed in results) else ", unchanged"
        console.ok(f"new terminals export the key for {', '.join(ENVIRONMENT_CLIENTS)} ({files}{unchanged})")
    if failures:
        raise failures[0]
    return changes


def remove_clients(settings: Settings, console: Console) -> list[ClientChange]:
    """Take out what litellm-key added to every client's config and the shell rc files."""
    ctx = ClientContext.current(settings, None, token_command(settings))
    changes, failures = _each_client(KNOWN_CLIENTS, lambda name: get_client(name).remove(ctx), console)
    for change in changes:
        if change.changed:
            files = ", ".join(_shown(path, ctx.home) for path in change.changed)
            console.ok(f"{change.client}: took litellm-key's settings out of {files}")
    for path in shell_profile.remove(ctx.home):
        console.ok(f"removed the litellm-key block from {_shown(path, ctx.home)}")
    if failures:
        raise failures[0]
    return changes


def describe_clients(settings: Settings, console: Console, key: ClientKey | None = None) -> list[ClientState]:
    """One line per known client for `status`; drifted ones with the command that fixes them."""
    ctx = ClientContext.current(settings, key, token_command(settings))
    states = [get_client(name).describe(ctx) for name in KNOWN_CLIENTS]
    for state in states:
        if state.state == DRIFTED:
            console.warn(f"{state.client}: drifted: {state.detail}", f"litellm-key setup --client {state.client}")
        elif state.state == NOT_CONFIGURED:
            console.info(f"- {state.client}: not configured{f' ({state.detail})' if state.detail else ''}")
        else:
            console.ok(f"{state.client}: configured")
    return states


def changes_as_dict(changes: list[ClientChange]) -> dict[str, object]:
    return {
        change.client: {"changed": [str(path) for path in change.changed], "files": [str(path) for path in change.files]}
        for change in changes
    }


def states_as_dict(states: list[ClientState]) -> dict[str, object]:
    return {
        state.client: {"state": state.state, "detail": state.detail, "files": [str(path) for path in state.files]}
        for state in states
    }
