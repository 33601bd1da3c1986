"""How several commands show the same results, as text (✓/!/- lines) and as `--json` parts, side
by side: a verification, the client set-up, removal and states. Not a command, and no policy: the
services decide, this only renders what they return. The lines of the steps a flow reports as it
goes (the proxy start, a verification, a stored key) are `services.step_report`'s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..clients import DRIFTED, NOT_CONFIGURED, ClientChange, ClientState
from ..console import Console
from ..services.client_setup import ClientRemoval
from ..services.step_report import shown

if TYPE_CHECKING:
    from ..gateway import Verification


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


def client_removal(console: Console, removal: ClientRemoval) -> list[ClientChange]:
    for error in removal.failures[1:]:
        console.warn(error.message, error.fix)
    for change in removal.changes:
        if change.changed:
            files = ", ".join(shown(path, removal.home) for path in change.changed)
            console.ok(f"{change.client}: took litellm-key's settings out of {files}")
    for path in removal.shell_files:
        console.ok(f"removed the litellm-key block from {shown(path, removal.home)}")
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
