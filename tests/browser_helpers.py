"""Real browsers signing in to a portal stand-in: Debian's `chromium` and `firefox-esr`, headless,
each with a throw-away profile. The browser loads the stand-in's sign-in page, which sets the
portal's `token` cookie; the browser writes its cookie store when it exits, so the run returns
once the store is on disk (no sleeping: the process's exit is the signal)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from werkzeug import Request, Response

import secret_service

CHROMIUM = shutil.which("chromium")
FIREFOX = shutil.which("firefox-esr") or shutil.which("firefox")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
needs_secret_service = pytest.mark.skipif(
    bool(secret_service.missing_tools()), reason="no Secret Service to run (apt-get install dbus gnome-keyring)"
)
needs_firefox = pytest.mark.skipif(FIREFOX is None, reason="firefox-esr is not installed (apt-get install firefox-esr)")

# Without these the browsers phone home at start, which a closed network refuses slowly.
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)
FIREFOX_PREFS = {
    "app.update.enabled": False,
    "browser.shell.checkDefaultBrowser": False,
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "extensions.update.enabled": False,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "toolkit.telemetry.enabled": False,
}


def sign_in_page(token: str):
    """The stand-in's fake sign-in: answers with the session cookie, as Open WebUI does after a login."""

    def handle(_request: Request) -> Response:
        response = Response("<html><body>signed in</body></html>", content_type="text/html")
        response.set_cookie("token", token, max_age=3600, path="/", httponly=True, samesite="Lax")
        return response

    return handle


def _quiet_env(home: Path) -> dict[str, str]:
    environ = {name: value for name, value in os.environ.items() if not name.startswith("DBUS_")}
    home.mkdir(parents=True, exist_ok=True)
    return {**environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"), "XDG_CACHE_HOME": str(home / ".cache")}


def chromium_visit(url: str, user_data: Path, home: Path, bus: dict[str, str] | None = None) -> Path:
    """Load `url` in headless Chromium; the cookie store it leaves behind. Without `bus` it uses the
    "basic" store (v10) whatever the desktop; with one (a Secret Service's D-Bus), the keyring (v11)."""
    store_flag = "--password-store=gnome-libsecret" if bus else "--password-store=basic"
    subprocess.run(
        [CHROMIUM, *CHROMIUM_FLAGS, store_flag, f"--user-data-dir={user_data}", "--dump-dom", url],
        env={**_quiet_env(home), **(bus or {})}, capture_output=True, timeout=120, check=True,
    )
    store = user_data / "Default" / "Cookies"
    assert store.is_file(), f"chromium left no cookie store in {user_data}"
    return store


def firefox_visit(url: str, profile: Path, home: Path) -> Path:
    """Load `url` in headless Firefox (a screenshot run exits once the page has loaded)."""
    profile.mkdir(parents=True, exist_ok=True)
    prefs = "".join(f'user_pref("{name}", {str(value).lower()});\n' for name, value in FIREFOX_PREFS.items())
    (profile / "user.js").write_text(prefs)
    subprocess.run(
        [FIREFOX, "--headless", "--no-remote", "--profile", str(profile), "--screenshot", str(profile / "page.png"), url],
        env=_quiet_env(home), capture_output=True, timeout=120, check=True,
    )
    store = profile / "cookies.sqlite"
    assert store.is_file(), f"firefox left no cookie store in {profile}"
    return store
