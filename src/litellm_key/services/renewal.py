"""Renewal: getting a key from the portal, shared by `renew`, `setup --from-portal`, `apply` and `token`.

Two rules hold whatever the caller: a key from the portal is stored only after LiteLLM accepted it
(the old key stays until then), and concurrent renewals (a container start, Claude Code's helper,
a user typing `renew`) serialise on a lock and re-read `.env` once inside it, so the portal issues
one new key, not one per process.

A renewal talks to two servers and takes seconds, so it reports each step as it happens through
the `Progress` the command hands in (its Console), and returns what it did; it never prompts: a
command that may ask passes the prompt (`ask`).
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from typing import Callable, Iterator

from ..envfile import normalized_expiry
from ..errors import GatewayError, KeyRejected, LitellmKeyError, ModelAccessError, fail
from ..files import locked_dir
from ..gateway import Verification, verify
from ..keyhelper import RENEW_MARGIN
from ..portal import Portal, SessionToken, same_portal, session_token, token_file
from ..secret import ClientKey
from ..settings import Settings
from ..settings_declared import YOURS_ONLY
from .browser_session import login_from_browser
from .client_setup import configure_clients
from .key_lifetime import due, record_lifetime
from .key_store import Stored, key_store
from .progress import Progress
from .verification import master_key_warning

HELPER_BUDGET = 5.0  # seconds `token` may spend renewing before it prints the stored key anyway


@dataclass(frozen=True)
class Health:
    """The stored key as renewal sees it: working (with its verification) or not, and whether it is due."""

    verification: Verification | None
    problem: LitellmKeyError | None
    expires: str | None
    due: bool


@dataclass(frozen=True)
class Renewal:
    """The key in use after a renewal; `stored` is None when another process had already renewed it."""

    key: ClientKey
    source: str
    expires: str | None
    user: str | None
    stored: Stored | None = None


def _verify(settings: Settings, key: ClientKey, deadline: float | None, *, check_role: bool = False) -> Verification:
    """With a deadline, verify's requests (models and key info, plus readiness and key list for the
    role) share what is left of it: the gateway bounds each request, not the lot, and `token` must
    answer within its budget."""
    requests = 4 if check_role else 2
    timeout = settings.timeout if deadline is None else min(settings.timeout, round((deadline - time.monotonic()) / requests, 1))
    if timeout <= 0:
        raise fail("gateway-timeout", url=f"{settings.base_url}/v1/models", timeout=round(settings.timeout, 1))
    return verify(settings.base_url, key, required_models=settings.models, timeout=timeout, check_role=check_role)


def _portal_key(settings: Settings, key: ClientKey, deadline: float | None, progress: Progress) -> Verification:
    """A key from the portal is checked like a pasted one, master key included: a misconfigured
    portal must not put the master key into .env (it is asked only when renewing, not per start)."""
    verification = _verify(settings, key, deadline, check_role=True)
    notice = master_key_warning(key, verification)
    if notice is not None:
        progress.warn(notice.message, notice.fix)
    return verification


def check_key(settings: Settings, key: ClientKey | None) -> Health:
    """Verify the stored key; a rejected key is due for renewal, so is one that expires within renew_before.
    A gateway that cannot be reached raises: it could not verify a new key either."""
    if key is None:
        return Health(None, fail("key-missing", where=key_store(settings).where), None, True)
    try:
        verification = _verify(settings, key, None)
    except KeyRejected as error:
        return Health(None, error, key_store(settings).expires(), True)
    expires = verification.info.expires if verification.info else key_store(settings).expires()
    return Health(verification, None, normalized_expiry(expires), due(settings, expires, key))


def require_portal(settings: Settings) -> str:
    if not settings.portal_url:
        raise fail("portal-not-configured")
    return settings.portal_url


def available_session(settings: Settings) -> SessionToken | None:
    """The session token from the environment or the token file; never asks (apply, token).

    A stored token goes only to the portal it was stored for; one from LITELLM_SESSION_TOKEN only to
    a `portal_url` the user chose too (environment, flag, your own config file), never to one a
    checkout's file names. An
    older token file, stored without its portal, goes nowhere until `portal login` stores it again."""
    found = session_token(token_file(settings.session_token_file))
    if found is None:
        return None
    portal_url = require_portal(settings)
    origin = settings.source_of("portal_url")
    if found.from_environment:
        bound = portal_url if origin.kind in YOURS_ONLY else None
        nowhere = "no portal (the variable goes only to a portal_url set in the environment, by a flag or in your own config file)"
    else:
        bound, nowhere = found.portal_url, "no portal (an older file: the token was stored without its portal)"
    if bound is None or not same_portal(bound, portal_url):
        raise fail("portal-token-other-portal", source=found.source, bound=bound or nowhere, portal_url=portal_url, origin=origin)
    return found.token


def renewal_session(settings: Settings, progress: Progress) -> SessionToken | None:
    """`available_session`, else (`session_source: browser`) the one read from the browser and stored."""
    found = available_session(settings)
    if found is None and settings.session_source == "browser":
        return login_from_browser(settings, progress).token
    return found


def require_session(settings: Settings, progress: Progress, *, ask: Callable[[str], SessionToken] | None) -> SessionToken:
    """The session token; `ask` (the command's prompt for the portal it names, when a person is
    there) is the last resort, and a token typed there is not stored."""
    found = renewal_session(settings, progress)
    if found is not None:
        return found
    if ask is None:
        raise fail("portal-no-session", token_file=token_file(settings.session_token_file))
    return ask(require_portal(settings))


def fetch_verified(
    settings: Settings, session: SessionToken, progress: Progress, *, old_key: ClientKey | None, deadline: float | None = None
) -> tuple[ClientKey, Verification, str, str]:
    """`_fetch_verified`; with `session_source: browser`, a stored session the portal no longer
    accepts is read again from the browser (and stored) and the portal asked once more."""
    try:
        return _fetch_verified(settings, session, progress, old_key=old_key, deadline=deadline)
    except KeyRejected as error:
        if error.reason != "portal-session-expired" or settings.session_source != "browser":
            raise
    progress.info("the stored portal session has expired: reading it again from the browser")
    fresh = login_from_browser(settings, progress, deadline=deadline).token
    return _fetch_verified(settings, fresh, progress, old_key=old_key, deadline=deadline)


def _fetch_verified(
    settings: Settings, session: SessionToken, progress: Progress, *, old_key: ClientKey | None, deadline: float | None
) -> tuple[ClientKey, Verification, str, str]:
    """(key, its verification, where it came from, whose session): the portal's current key when it
    works and is not itself due, else a new one. A new key LiteLLM rejects is `portal-key-rejected`."""
    portal_url = require_portal(settings)
    with Portal(portal_url, session, timeout=settings.timeout, deadline=deadline, allow_http=settings.allow_http) as portal:
        progress.step(f"asking the key portal {portal.url}")
        user = portal.whoami()
        progress.ok(f"portal session valid ({user})")
        current = portal.current_key()
        if current is not None and current != old_key:
            try:
                verification = _portal_key(settings, current, deadline, progress)
                if not due(settings, verification.info.expires if verification.info else None):
                    return current, verification, "the portal's current key", user
                progress.info(f"the portal's current key {current.mask()} expires soon too: asking for a new one")
            except (KeyRejected, ModelAccessError) as error:
                progress.info(f"the portal's current key {current.mask()} does not work either: {error.message}")
        new_key = portal.new_key()
    progress.ok(f"the portal issued a new key {new_key.mask()}")
    try:
        return new_key, _portal_key(settings, new_key, deadline, progress), "a new key from the portal", user
    except (KeyRejected, ModelAccessError) as error:
        raise fail("portal-key-rejected", key=new_key.mask(), detail=error.message) from None


@contextlib.contextmanager
def _renewal_lock(settings: Settings, deadline: float | None) -> Iterator[None]:
    """One renewal at a time per state dir; with a deadline, give up (renewal-busy) instead of waiting on."""
    with contextlib.ExitStack() as held:
        try:
            held.enter_context(locked_dir(settings.state_dir / "renewal", deadline))
        except TimeoutError:  # only the wait for the lock: a timeout inside the renewal is its own
            raise fail("renewal-busy") from None
        yield


def renew_locked(
    settings: Settings,
    progress: Progress,
    session: SessionToken,
    *,
    old_key: ClientKey | None,
    deadline: float | None = None,
) -> Renewal:
    """Fetch, verify and store a key, unless another process did it while we waited; the caller
    configures the clients with the new key (`Renewal.stored` says there is one)."""
    with _renewal_lock(settings, deadline):
        current = _now_stored(settings, None)  # a malformed stored key is what this replaces
        if current is not None and current != old_key:
            progress.ok(f"another litellm-key process already renewed the key: {current.mask()}")
            return Renewal(current, "another litellm-key process", key_store(settings).expires(), None)
        key, verification, source, user = fetch_verified(settings, session, progress, old_key=old_key, deadline=deadline)
        expires = verification.info.expires if verification.info else None
        stored = key_store(settings).save(key, expires=expires)
        progress.ok(stored.summary)
        record_lifetime(settings, key, expires, progress)
        return Renewal(key, source, normalized_expiry(expires), user, stored)


def renew_on_start(settings: Settings, key: ClientKey, progress: Progress) -> ClientKey:
    """`apply`: renew a rejected or nearly expired key when a portal and a session are at hand. Never
    prompts, never fails the start: a problem is a warning and the stored key stays."""
    if not settings.portal_url:
        return key
    try:
        if available_session(settings) is None and settings.session_source != "browser":
            return key
        if not check_key(settings, key).due:
            return key
        session = renewal_session(settings, progress)
        progress.step("the stored key is expired, rejected or expires soon: renewing it through the portal")
        return renew_locked(settings, progress, session, old_key=key).key  # apply configures the clients next
    except (GatewayError, ModelAccessError):
        return key  # offline, or a model the key lacks: apply's own verification says so
    except LitellmKeyError as error:
        progress.warn(f"could not renew the key: {error.message}", error.fix)
        return _now_stored(settings, key)


def renew_for_helper(settings: Settings, key: ClientKey, progress: Progress) -> ClientKey:
    """`token` when the stored expiry is near or past: renew within HELPER_BUDGET, else the stored key
    (with a warning on stderr), so Claude Code always gets an answer quickly."""
    deadline = time.monotonic() + HELPER_BUDGET
    if not due(settings, key_store(settings).expires(), key, margin=RENEW_MARGIN):
        return key  # a short-lived key renewal stored, in the first half of its life
    try:
        session = renewal_session(settings, progress) if settings.portal_url else None
        if session is None:
            progress.warn(
                f"the stored key {key.mask()} expires at {key_store(settings).expires()} and cannot be renewed here",
                "Set portal_url and run `litellm-key portal login`, then `litellm-key renew`.",
            )
            return key
        renewal = renew_locked(settings, progress, session, old_key=key, deadline=deadline)
        if renewal.stored is not None:  # Roo Code keeps the key in its own file
            failures = configure_clients(settings, renewal.key).failures
            if failures:
                raise failures[0]
        return renewal.key
    except LitellmKeyError as error:
        progress.warn(f"could not renew the key {key.mask()}: {error.message}", error.fix)
        return _now_stored(settings, key)


def _now_stored(settings: Settings, fallback: ClientKey | None) -> ClientKey | None:
    """The key stored now, else `fallback` (also for a stored value that is no key). After a
    failure: a client config that failed after the new key was stored must not make the caller
    hand out the old one; inside the lock: another process may have renewed meanwhile."""
    try:
        return key_store(settings).load() or fallback
    except LitellmKeyError:
        return fallback


def key_from_portal(settings: Settings, progress: Progress, *, ask: Callable[[str], SessionToken] | None) -> ClientKey:
    """`setup --from-portal`: the portal's key, already verified; setup stores it like a pasted one."""
    require_portal(settings)
    session = require_session(settings, progress, ask=ask)
    key, _, _, _ = fetch_verified(settings, session, progress, old_key=None)
    return key
