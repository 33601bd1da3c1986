"""The lines the steps several flows share report as they happen (the proxy start, a verification,
a stored key, the client set-up), through the `Progress` a command hands in: the setup and apply
flows run these steps in a service, and their lines must appear between the steps, in order, as
the commands printed them before.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .. import proxy
from ..clients import ClientChange
from ..known_clients import ENVIRONMENT_CLIENTS
from ..secret import ClientKey
from ..settings import Settings
from .client_setup import ClientSetup
from .key_store import KeyStore, Stored
from .progress import Progress
from .verification import Notice

if TYPE_CHECKING:
    from ..gateway import Verification

_PROXY_DONE = {
    "started": "started",
    "reloaded": "reloaded with the new config",
    "unchanged": "already running, config unchanged",
}


def start_proxy(settings: Settings, progress: Progress) -> str | None:
    """Start or reload the proxy and say so in one line; None when the settings say to run without one."""
    if not settings.proxy:
        return None
    outcome = proxy.ensure_running(settings)
    progress.ok(f"proxy {_PROXY_DONE[outcome]}: {settings.proxy_url} → {settings.upstream} (Host: {settings.host_header})")
    return outcome


def notice(progress: Progress, found: Notice | None) -> None:
    if found is not None:
        progress.warn(found.message, found.fix)


def verified(progress: Progress, key: ClientKey, verification: "Verification") -> None:
    """The success lines printed after a verification."""
    progress.ok(f"key {key.mask()} accepted by LiteLLM at {verification.base_url}")
    progress.info(f"models: {', '.join(verification.models) or '(none listed)'}")
    info = verification.info
    if info:
        progress.info(f"alias: {info.alias or '(none)'} · expires: {info.expires or 'never'}")


def stored(progress: Progress, result: Stored) -> bool:
    progress.ok(result.summary)
    return result.changed


def shown(path: Path, home: Path) -> str:
    """A path under the home directory as ~/..., as the user would type it."""
    try:
        return f"~/{path.relative_to(home)}"
    except ValueError:
        return str(path)


def client_setup(progress: Progress, setup: ClientSetup) -> list[ClientChange]:
    """One line per client (and the shell block); a failure after the first is a warning, the first
    is raised after the rest was reported, so the run fails visibly."""
    for error in setup.failures[1:]:
        progress.warn(error.message, error.fix)
    for change in setup.changes:
        files = ", ".join(shown(path, setup.home) for path in change.files)
        if change.changed:
            progress.ok(f"{change.client} configured: {files}")
        else:
            progress.ok(f"{change.client} already configured ({files})")
        if change.note:
            progress.info(change.note)
    if setup.shell_block is not None:
        files = ", ".join(shown(path, setup.home) for path in setup.shell_block.files)
        unchanged = "" if setup.shell_block.changed else ", unchanged"
        progress.ok(f"new terminals export the key for {', '.join(ENVIRONMENT_CLIENTS)} ({files}{unchanged})")
    if setup.failures:
        raise setup.failures[0]
    return setup.changes


def replaceable_key(progress: Progress, store: KeyStore) -> ClientKey | None:
    """The stored key for `setup` and `renew`; a stored value that is no usable key is a warning."""
    found = store.replaceable()
    if found.ignored is not None:
        progress.warn(f"ignoring the key stored in {store.where}: {found.ignored.message}")
    return found.key
