"""The portal session read from the user's browser: `portal login --from-browser`, and renewal with
`session_source: browser` when the stored session is missing or has expired.

The cookie is checked against the portal (GET /api/v1/auths/) and then stored by the very function
a pasted token goes through (`portal.save_session_token`), so both are kept alike: 0600, outside
the workspace, bound to the portal it was read for. The cookie's value is never shown.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

from ..errors import KeyRejected, fail
from ..portal import Portal, SessionToken, save_session_token, token_file
from ..secret import refuse_cleartext
from ..settings import Settings
from ..settings_declared import YOURS_ONLY
from .progress import Progress


class BrowserLogin(NamedTuple):
    token: SessionToken
    user: str
    browser: str
    token_file: Path
    changed: bool


def browser_portal_host(settings: Settings) -> str:
    """The host whose cookie may be read, checked before any browser store is opened.

    A browser sends a `Domain=.example.com` cookie to every sibling host, so a `portal_url` that a
    checkout's settings file names (`evil.example.com`) would be handed the real portal's session:
    the cookie is read only for a portal the user chose (own config file, environment, flag)."""
    if not settings.portal_url:
        raise fail("portal-not-configured")
    origin = settings.source_of("portal_url")
    if origin.kind not in YOURS_ONLY:
        raise fail("browser-portal-not-yours", portal_url=settings.portal_url, origin=origin)
    refuse_cleartext(settings.portal_url, "portal session token", allow_http=settings.allow_http)
    return urlsplit(settings.portal_url).hostname or ""


def login_from_browser(settings: Settings, progress: Progress, *, deadline: float | None = None) -> BrowserLogin:
    """Read the `session_cookie` for portal_url's host from `browser`, check it, store it."""
    host = browser_portal_host(settings)
    path = token_file(settings.session_token_file)
    if path.absolute().resolve().is_relative_to(settings.workspace.resolve()):  # as `portal login` refuses it
        raise fail("session-token-in-workspace", path=path, workspace=settings.workspace)
    from ..browser import read_session_cookie  # sqlite3 and the stores only when a browser is read

    found = read_session_cookie(settings.browser, host, settings.session_cookie, profile=settings.browser_profile)
    progress.ok(f"read the portal's `{settings.session_cookie}` cookie for {host} from {found.browser} ({found.store})")
    token = SessionToken.parse(found.value)
    try:
        with Portal(settings.portal_url, token, timeout=settings.timeout, deadline=deadline, allow_http=settings.allow_http) as portal:
            user = portal.whoami()
    except KeyRejected as error:
        if error.reason != "portal-session-expired":
            raise
        raise fail("browser-session-expired", cookie=settings.session_cookie, browser=found.browser, host=host, url=settings.portal_url) from None
    progress.ok(f"session valid: logged in to {settings.portal_url} as {user}")
    changed = save_session_token(path, token, settings.portal_url)
    return BrowserLogin(token, user, found.browser, path, changed)
