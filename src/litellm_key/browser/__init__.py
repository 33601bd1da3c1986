"""The portal's session cookie, read from the browser the user signed in with (`--from-browser`).

Nothing here signs in or bypasses anything: it reads the cookie the portal itself set in the
user's own browser profile, for the portal's host only, and hands it over to be checked against
the portal (`GET /api/v1/auths/`) before it is stored like a pasted token. The value never goes
into a message. Inside a Dev Container there is no browser profile: that case has its own failure.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping, NamedTuple

from ..errors import LitellmKeyError, fail
from ..keyhelper import SYSTEM_CONFIG
from .profiles import BROWSERS, CookieStore, find_store
from .sqlite_store import read_row

__all__ = ["BROWSERS", "BrowserSession", "read_session_cookie"]

# VS Code's Dev Containers and Codespaces set these; our feature installs its config file.
_CONTAINER_MARKERS = ("REMOTE_CONTAINERS", "CODESPACES", "DEVCONTAINER")
# what `auto` reports when no browser had the cookie: what the user can act on first
_MOST_TELLING = ("browser-store-locked", "browser-extra-missing", "browser-store-undecryptable", "browser-store-unreadable")


class BrowserSession(NamedTuple):
    """The cookie's value and where it was found (the browser is named to the user; the value never)."""

    browser: str
    store: Path
    value: str

    def __repr__(self) -> str:
        return f"BrowserSession({self.browser!r}, {str(self.store)!r}, '****')"


def _in_dev_container(environ: Mapping[str, str]) -> str | None:
    marker = next((name for name in _CONTAINER_MARKERS if environ.get(name)), None)
    if marker:
        return f"{marker} is set"
    feature_config = environ.get("LITELLM_KEY_SYSTEM_CONFIG") or SYSTEM_CONFIG  # as keyhelper.config_files finds it
    return f"{feature_config} exists" if os.path.isfile(feature_config) else None


def _from_store(store: CookieStore, host: str, name: str) -> BrowserSession:
    row = read_row(store.path, firefox=store.browser == "firefox", name=name, host=host, browser=store.browser)
    if row is not None and row.encrypted:
        from .chromium import decrypt_value

        value = decrypt_value(store.browser, row.host, row.encrypted, row.version)
    else:
        value = row.value if row is not None else ""
    if not value.strip():
        raise fail("browser-no-cookie", cookie=name, host=host, browser=store.browser, path=store.path)
    return BrowserSession(store.browser, store.path, value.strip())


def read_session_cookie(
    browser: str, host: str, name: str, *, profile: Path | None = None, environ: Mapping[str, str] | None = None
) -> BrowserSession:
    """The cookie `name` for `host` from `browser` ("auto": each of BROWSERS in turn, the first
    that has it). Under auto a browser without the cookie or whose store fails is skipped; when none
    has it, the most telling failure is raised: a locked or undecryptable store before "no cookie",
    "no cookie" before "no browser"."""
    environ = os.environ if environ is None else environ
    problems: list[LitellmKeyError] = []
    for candidate in BROWSERS if browser == "auto" else (browser,):
        try:
            return _from_store(find_store(candidate, profile, environ), host, name)
        except LitellmKeyError as error:
            problems.append(error)
    found = [problem for problem in problems if problem.reason != "browser-not-found"]
    if not found:
        marker = _in_dev_container(environ)
        if marker:
            raise fail("browser-in-container", marker=marker)
        if browser == "auto" and profile is None:  # a profile folder named is reported as not found
            raise fail("browser-none-found", browsers=", ".join(BROWSERS))
    ranked = sorted(found or problems, key=lambda problem: _MOST_TELLING.index(problem.reason) if problem.reason in _MOST_TELLING else 9)
    raise ranked[0]
