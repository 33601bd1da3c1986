"""Steps several commands share, so that no command imports another: start the proxy and say so,
report a verification, store a key and configure the clients, describe or remove the clients.

One malformed client config must not stop the other clients: each client is tried, failures after
the first are reported as they happen, and the first is raised at the end (exit 3) for the caller's
error handler to report, so the run still fails visibly.
"""

from __future__ import annotations

import shlex
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from .. import proxy, shell_profile
from ..clients import DRIFTED, NOT_CONFIGURED, ClientChange, ClientContext, ClientState, get_client
from ..console import Console
from ..envfile import BASE_URL_VARIABLE, EXPIRES_VARIABLE, KEY_VARIABLE, normalized_expiry, seconds_left, stored_expiry, update_env
from ..errors import LitellmKeyError, fail
from ..secret import ClientKey
from ..settings import Settings
from ..settings_values import KNOWN_CLIENTS
if TYPE_CHECKING:
    from ..gateway import Verification

# Clients that read the key from the environment, so they need the shell profile block.
ENVIRONMENT_CLIENTS = ("codex", "gemini", "opencode")


_PROXY_DONE = {
    "started": "started",
    "reloaded": "reloaded with the new config",
    "unchanged": "already running, config unchanged",
}


def start_and_report(settings: Settings, console: Console) -> str | None:
    """Start or reload the proxy and say so in one line; None when the settings say to run without one."""
    if not settings.proxy:
        return None
    outcome = proxy.ensure_running(settings)
    console.ok(f"proxy {_PROXY_DONE[outcome]}: {settings.proxy_url} → {settings.upstream} (Host: {settings.host_header})")
    return outcome


def first_proxy_problem(report: proxy.ProxyStatus, settings: Settings) -> LitellmKeyError | None:
    """The first hop that fails, as the catalogued error (`proxy status`, `status`)."""
    where = report.paths
    if not report.running and report.orphans:
        return fail("proxy-orphaned", pids=", ".join(map(str, report.orphans)), listen=report.listen)
    if not report.running:
        return fail("proxy-not-running", config=where.config)
    if not report.health_ok:
        url = f"{settings.proxy_url}{proxy.HEALTH_PATH}"
        return fail("proxy-not-answering", pid=report.pid, url=url, log=where.error_log)
    if report.upstream_ok is False:
        url = f"{settings.proxy_url}/health/liveliness"
        if report.upstream_status is None:
            return fail("gateway-timeout", url=url, timeout=settings.timeout)
        from ..gateway import classify

        return classify(report.upstream_status, report.upstream_body, url=url, key=None)
    return None


def report_verified(console: Console, key: ClientKey, verification: "Verification") -> None:
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


def store_and_configure(
    settings: Settings, key: ClientKey, console: Console, *, expires: str | None = None
) -> tuple[bool, list[ClientChange]]:
    """Write a verified key (and its expiry, when known) into .env, then configure the clients: the
    common end of every way to get a key (prompt, stdin, environment, portal, login). Returns
    (whether .env changed, the client changes)."""
    return store_key(settings, key, console, expires=expires), configure_clients(settings, key, console)


def store_key(settings: Settings, key: ClientKey, console: Console, *, expires: str | None = None) -> bool:
    """Write a verified key (and its expiry) where the `key_store` setting keeps it, without touching
    the clients: for a caller (`apply`) that configures them itself right after. True when it changed."""
    updates = {KEY_VARIABLE: key.reveal(), BASE_URL_VARIABLE: settings.base_url, EXPIRES_VARIABLE: normalized_expiry(expires)}
    if settings.key_store == "keyring":  # the key moves to the credential store; .env keeps URL and expiry
        from ..keyring_store import SERVICE, save_key

        changed = save_key(key)
        console.ok(f"stored in the OS credential store (service {SERVICE}){'' if changed else ', unchanged'}")
        updates[KEY_VARIABLE] = None
        changed = update_env(settings.env_file, updates) or changed
    else:
        changed = update_env(settings.env_file, updates)
        console.ok(f"stored in {settings.env_file} (mode 0600){'' if changed else ', unchanged'}")
    return changed


def record_expiry(settings: Settings, key: ClientKey, verification: "Verification") -> None:
    """Store the expiry LiteLLM just reported beside the key (`apply`, `renew`): `token` decides on
    the stored one alone, and one missing (an older .env, a hand edit) or changed by the admin
    would let the key expire unrenewed, and LiteLLM answer Claude Code 400. A login credential's
    expiry is `login`'s; a LiteLLM that will not say (no key info) changes nothing."""
    if verification.info is not None and not key.is_jwt:
        update_env(settings.env_file, {EXPIRES_VARIABLE: normalized_expiry(verification.info.expires)})


LOGIN_WARNING_SECONDS = 3600  # `token` and `apply` warn this long before a login credential expires


def login_expiry(settings: Settings, key: ClientKey) -> tuple[str, float] | None:
    """(LITELLM_KEY_EXPIRES, seconds left) for a credential from `litellm-key login` (a JWT);
    None for other keys, whose renewal is not a login, and when no expiry is stored."""
    if not key.is_jwt:
        return None
    expires = stored_expiry(settings.env_file)
    left = seconds_left(expires)
    return None if expires is None or left is None else (expires, left)


def warn_if_expiring(settings: Settings, key: ClientKey, console: Console) -> None:
    """One stderr warning when the login credential expires within the hour (or has): Claude Code
    would otherwise start failing with 401s mid-session and nobody would know why."""
    expiry = login_expiry(settings, key)
    if expiry is None or expiry[1] > LOGIN_WARNING_SECONDS:
        return
    expires, left = expiry
    when = f"expired at {expires}" if left <= 0 else f"expires at {expires} (in {max(int(left // 60), 1)} min)"
    console.warn(f"the login credential {key.mask()} {when}", "run `litellm-key login`")


def litellm_key_command() -> str:
    """The installed `litellm-key` by absolute path (Claude Code runs its helper from any cwd with a
    minimal PATH), else this interpreter running the package; shell-quoted."""
    installed = shutil.which("litellm-key")
    if installed:
        return shlex.quote(str(Path(installed).absolute()))
    return f"{shlex.quote(sys.executable)} -m litellm_key"


def refuse_master_key(key: ClientKey, verification: "Verification", console: Console) -> None:
    """The master key opens every key and budget on the gateway: setup never stores it in a
    container's .env, and status fails on one stored before. Without a database LiteLLM cannot
    tell, so there it is a warning, not a refusal."""
    if verification.role == "admin":
        raise fail("master-key-stored", key=key.mask())
    if verification.role == "no-db":
        console.warn(
            f"LiteLLM has no database, where only the master key (or a custom-auth key) works: {key.mask()} is "
            "probably the master key. Store a client key instead (`litellm-key keys generate` on the admin machine)."
        )
    if verification.role == "unknown":  # /key/list hidden or failing: say that nothing could be told
        console.warn(
            f"could not tell whether {key.mask()} is the master key: LiteLLM's admin route GET /key/list gave no "
            "clear answer (hidden by the ingress, or failing)",
            "if it is, store a client key instead (`litellm-key keys generate` on the admin machine)",
        )


def token_command(settings: Settings) -> str:
    """Claude Code's apiKeyHelper: prints the key from this workspace's .env, from any directory."""
    return _key_command(settings, "token")


def _key_command(settings: Settings, command: str) -> str:
    """`litellm-key token|env` as a client or a new terminal runs it: from any directory, so with
    the absolute .env, and with `--store keyring` when the key is in the OS credential store (it is
    not recorded anywhere those runs would look: without it they find no key)."""
    store = " --store keyring" if settings.key_store == "keyring" else ""
    return f"{litellm_key_command()} {command}{store} --env-file {shlex.quote(str(settings.env_file.absolute()))}"


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
        results = shell_profile.install(ctx.home, _key_command(settings, "env"), settings.env_file.absolute())
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
