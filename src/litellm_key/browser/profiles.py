"""Where each browser keeps the cookie store of the profile the user signs in with.

Only paths are worked out here; nothing is opened but Firefox's profiles.ini. The default profile
is the one the browser starts with (Firefox: the install's or the `Default=1` profile; the
Chromium family: `Default`); another one is named with the `browser_profile` setting.
"""

from __future__ import annotations

import configparser
import sys
from pathlib import Path
from typing import Mapping, NamedTuple

from ..errors import fail
from ..settings_values import BROWSERS

# browser -> (Linux folder under $XDG_CONFIG_HOME, macOS folder under ~/Library/Application Support)
_CHROMIUM_DATA = {
    "chromium": ("chromium", "Chromium"),
    "chrome": ("google-chrome", "Google/Chrome"),
    "brave": ("BraveSoftware/Brave-Browser", "BraveSoftware/Brave-Browser"),
    "edge": ("microsoft-edge", "Microsoft Edge"),
}


class CookieStore(NamedTuple):
    browser: str
    path: Path  # the SQLite file: Firefox's cookies.sqlite, Chromium's Cookies


def _home(environ: Mapping[str, str]) -> Path:
    return Path(environ.get("HOME") or Path.home())


def _firefox_roots(environ: Mapping[str, str]) -> list[Path]:
    home = _home(environ)
    if sys.platform == "darwin":
        return [home / "Library" / "Application Support" / "Firefox"]
    config = Path(environ.get("XDG_CONFIG_HOME") or home / ".config")
    return [
        home / ".mozilla" / "firefox",
        config / "mozilla" / "firefox",  # newer releases follow XDG
        home / "snap" / "firefox" / "common" / ".mozilla" / "firefox",
        home / ".var" / "app" / "org.mozilla.firefox" / ".mozilla" / "firefox",
    ]


def _firefox_default(root: Path) -> Path | None:
    """The profile Firefox starts with: an [Install…] section's Default (what the browser really
    uses since Firefox 67), else the [Profile…] marked Default=1, else the only one."""
    ini = configparser.RawConfigParser(strict=False)
    try:
        ini.read(root / "profiles.ini", encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return None
    installs = [ini[name]["Default"] for name in ini.sections() if name.startswith("Install") and ini[name].get("Default")]
    profiles = [ini[name] for name in ini.sections() if name.startswith("Profile") and ini[name].get("Path")]
    marked = [p for p in profiles if p.get("Default") == "1"] or profiles[:1]
    chosen = installs[0] if installs else (marked[0]["Path"] if marked else None)
    if chosen is None:
        return None
    absolute = not installs and marked[0].get("IsRelative", "1") == "0"
    return Path(chosen) if absolute else root / chosen


def _chromium_data(browser: str, environ: Mapping[str, str]) -> Path:
    home = _home(environ)
    linux, mac = _CHROMIUM_DATA[browser]
    if sys.platform == "darwin":
        return home / "Library" / "Application Support" / mac
    return Path(environ.get("XDG_CONFIG_HOME") or home / ".config") / linux


def _chromium_cookies(profile: Path) -> Path | None:
    """Chromium moved the file to Network/ in v96; a user-data folder holds it under Default/."""
    for folder in (profile, profile / "Default"):
        for candidate in (folder / "Network" / "Cookies", folder / "Cookies"):
            if candidate.is_file():
                return candidate
    return None


def find_store(browser: str, profile: Path | None, environ: Mapping[str, str]) -> CookieStore:
    """The cookie store of `browser`'s default profile, or of the profile folder given; a profile
    that does not exist (or has never stored a cookie) is `browser-not-found`."""
    if browser == "firefox":
        if profile is not None:
            candidates = [profile / "cookies.sqlite", profile]
        else:
            defaults = (_firefox_default(root) for root in _firefox_roots(environ) if (root / "profiles.ini").is_file())
            candidates = [folder / "cookies.sqlite" for folder in defaults if folder is not None]
        found = next((path for path in candidates if path.is_file()), None)
        looked = profile or ", ".join(str(root) for root in _firefox_roots(environ))
    else:
        found = _chromium_cookies(profile) if profile is not None else _chromium_cookies(_chromium_data(browser, environ))
        looked = profile or _chromium_data(browser, environ)
    if found is None:
        raise fail("browser-not-found", browser=browser, where=looked)
    return CookieStore(browser, found)
