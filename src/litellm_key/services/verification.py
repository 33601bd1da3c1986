"""Verification policy: what a verified key may be (never the master key), when a login credential
is about to expire, which expiry is recorded beside the key, and which hop of the proxy fails first.
The gateway answers the facts; these rules decide what they mean. Nothing here prints: a warning
comes back as a `Notice` for the command to show.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from .. import proxy
from ..errors import LitellmKeyError, fail
from ..secret import ClientKey
from ..settings import Settings
from .key_store import key_store

if TYPE_CHECKING:
    from ..gateway import Verification

LOGIN_WARNING_SECONDS = 3600  # `token` and `apply` warn this long before a login credential expires


class Notice(NamedTuple):
    """A warning line for the user and, when there is one, its fix."""

    message: str
    fix: str = ""


def master_key_warning(key: ClientKey, verification: "Verification") -> Notice | None:
    """The master key opens every key and budget on the gateway: setup never stores it in a
    container's .env, and status fails on one stored before (raises master-key-stored). Without a
    database LiteLLM cannot tell, so there it is a warning, not a refusal; so is a gateway that
    would not say."""
    if verification.role == "admin":
        raise fail("master-key-stored", key=key.mask())
    if verification.role == "no-db":
        return Notice(
            f"LiteLLM has no database, where only the master key (or a custom-auth key) works: {key.mask()} is "
            "probably the master key. Store a client key instead (`litellm-key keys generate` on the admin machine)."
        )
    if verification.role == "unknown":  # /key/list hidden or failing: say that nothing could be told
        return Notice(
            f"could not tell whether {key.mask()} is the master key: LiteLLM's admin route GET /key/list gave no "
            "clear answer (hidden by the ingress, or failing)",
            "if it is, store a client key instead (`litellm-key keys generate` on the admin machine)",
        )
    return None


def record_expiry(settings: Settings, key: ClientKey, verification: "Verification") -> None:
    """Store the expiry LiteLLM just reported beside the key (`apply`, `renew`): `token` decides on
    the stored one alone, and one missing (an older .env, a hand edit) or changed by the admin
    would let the key expire unrenewed, and LiteLLM answer Claude Code 400. A login credential's
    expiry is `login`'s; a LiteLLM that will not say (no key info) changes nothing."""
    if verification.info is not None and not key.is_jwt:
        key_store(settings).record_expiry(verification.info.expires)


def login_expiry(settings: Settings, key: ClientKey) -> tuple[str, float] | None:
    """(LITELLM_KEY_EXPIRES, seconds left) for a credential from `litellm-key login` (a JWT);
    None for other keys, whose renewal is not a login, and when no expiry is stored."""
    from ..envfile import seconds_left

    if not key.is_jwt:
        return None
    expires = key_store(settings).expires()
    left = seconds_left(expires)
    return None if expires is None or left is None else (expires, left)


def login_expiry_warning(settings: Settings, key: ClientKey) -> Notice | None:
    """A warning when the login credential expires within the hour (or has): Claude Code would
    otherwise start failing with 401s mid-session and nobody would know why."""
    expiry = login_expiry(settings, key)
    if expiry is None or expiry[1] > LOGIN_WARNING_SECONDS:
        return None
    expires, left = expiry
    when = f"expired at {expires}" if left <= 0 else f"expires at {expires} (in {max(int(left // 60), 1)} min)"
    return Notice(f"the login credential {key.mask()} {when}", "run `litellm-key login`")


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
