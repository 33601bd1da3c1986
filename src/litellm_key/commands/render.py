"""How several commands show the same results, as text (✓/!/- lines) and as `--json` parts, side
by side: the proxy start, a verification, a stored key, the client set-up. Not a command, and no
policy: the services decide, this only renders what they return.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .. import proxy
from ..clients import DRIFTED, NOT_CONFIGURED, ClientChange, ClientState
from ..console import Console
from ..known_clients import ENVIRONMENT_CLIENTS
from ..secret import ClientKey
from ..services.client_setup import ClientRemoval, ClientSetup
from ..services.key_store import KeyStore, Stored
from ..services.verification import Notice
from ..settings import Settings

if TYPE_CHECKING:
    from ..gateway import Verification

_PROXY_DONE = {
    "started": "started",
    "reloaded": "reloaded with the new config",
    "unchanged": "already running, config unchanged",
}


def start_proxy(settings: Settings, console: Console) -> str | None:
    """Start or reload the proxy and say so in one line; None when the settings say to run without one."""
    if not settings.proxy:
        return None
    outcome = proxy.ensure_running(settings)
    console.ok(f"proxy {_PROXY_DONE[outcome]}: {settings.proxy_url} → {settings.upstream} (Host: {settings.host_header})")
    return outcome


def notice(console: Console, found: Notice | None) -> None:
    if found is not None:
        console.warn(found.message, found.fix)


def verified(console: Console, key: ClientKey, verification: "Verification") -> None:
    """The success lines printed after a verification."""
    console.ok(f"key {key.mask()} accepted by LiteLLM at {verification.base_url}")
    console.info(f"models: {', '.join(verification.models) or '(none listed)'}")
    info = verification.info
    if info:
        console.info(f"alias: {info.alias or '(none)'} · expires: {info.expires or 'never'}")


def verification_as_dict(verification: "Verification | None") -> dict[str, object]:
    if verification is None:
        return {"verified": False}
    info = verification.info
    return {
        "verified": True,
        "base_url": verification.base_url,
        "models": list(verification.models),
        "key_info": None
        if info is None
        else {"alias": info.alias, "expires": info.expires, "spend": info.spend, "max_budget": info.max_budget},
    }


def stored(console: Console, result: Stored) -> bool:
    console.ok(result.summary)
    return result.changed


def _shown(path: Path, home: Path) -> str:
    try:
        return f"~/{path.relative_to(home)}"
    except ValueError:
        return str(path)


def client_setup(console: Console, setup: ClientSetup) -> list[ClientChange]:
    """One line per client (and the shell block); a failure after the first is a warning, the first
    is raised after the rest was reported, so the run fails visibly."""
    for error in setup.failures[1:]:
        console.warn(error.message, error.fix)
    for change in setup.changes:
        files = ", ".join(_shown(path, setup.home) for path in change.files)
        if change.changed:
            console.ok(f"{change.client} configured: {files}")
        else:
            console.ok(f"{change.client} already configured ({files})")
        if change.note:
            console.info(change.note)
    if setup.shell_block is not None:
        files = ", ".join(_shown(path, setup.home) for path in setup.shell_block.files)
        unchanged = "" if setup.shell_block.changed else ", unchanged"
        console.ok(f"new terminals export the key for {', '.join(ENVIRONMENT_CLIENTS)} ({files}{unchanged})")
    if setup.failures:
        raise setup.failures[0]
    return setup.changes


def client_removal(console: Console, removal: ClientRemoval) -> list[ClientChange]:
    for error in removal.failures[1:]:
        console.warn(error.message, error.fix)
    for change in removal.changes:
        if change.changed:
            files = ", ".join(_shown(path, removal.home) for path in change.changed)
            console.ok(f"{change.client}: took litellm-key's settings out of {files}")
    for path in removal.shell_files:
        console.ok(f"removed the litellm-key block from {_shown(path, removal.home)}")
    if removal.failures:
        raise removal.failures[0]
    return removal.changes


def client_states(console: Console, states: list[ClientState]) -> list[ClientState]:
    """One line per known client for `status`; drifted ones with the command that fixes them."""
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


def replaceable_key(console: Console, store: KeyStore) -> ClientKey | None:
    """The stored key for `setup` and `renew`; a stored value that is no usable key is a warning."""
    found = store.replaceable()
    if found.ignored is not None:
        console.warn(f"ignoring the key stored in {store.where}: {found.ignored.message}")
    return found.key
