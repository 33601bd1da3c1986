"""`portal login --from-browser` and `session_source: browser`, with real browsers: headless
Chromium and Firefox sign in to a stand-in page that sets the portal's `token` cookie, and the CLI
reads it from the store they leave behind (Chromium's "basic" v10 store with the SHA-256 host
prefix of database version 24; Firefox's cookies.sqlite), read-only, for the portal's host only."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

import secret_service
from browser_helpers import chromium_visit, firefox_visit, needs_chromium, needs_firefox, needs_secret_service, sign_in_page
from conftest import GOOD_KEY, PAST, env_value, store
from portal_standin import SESSION_TOKEN, stored_session


@pytest.fixture(scope="module")
def sign_in_url():
    """The portal's sign-in page on 127.0.0.1: a cookie is per host, not per port, so the stores the
    browsers write here hold the session for every portal stand-in on 127.0.0.1."""
    server = HTTPServer(host="127.0.0.1", port=0)
    server.expect_request("/auth/signin").respond_with_handler(sign_in_page(SESSION_TOKEN))
    server.start()
    yield server.url_for("/auth/signin")
    server.stop()


@pytest.fixture(scope="module")
def chromium_profile(sign_in_url, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("chromium")
    chromium_visit(sign_in_url, folder / "user-data", folder / "home")
    return folder / "user-data"


@pytest.fixture(scope="module")
def firefox_profile(sign_in_url, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("firefox")
    firefox_visit(sign_in_url, folder / "profile", folder / "home")
    return folder / "profile"


@pytest.fixture
def bcli(cli, portal, token_file):  # noqa: F811
    """The CLI with the portal configured and a check that no output shows the session."""
    cli.env["LITELLM_PORTAL_URL"] = portal.url

    def run(*args, **kwargs):
        result = cli(*args, **kwargs)
        assert SESSION_TOKEN not in result.output
        return result

    return run


def _copy(profile: Path, tmp_path: Path) -> Path:
    """A per-test copy of the module's profile, for tests that change the store."""
    return Path(shutil.copytree(profile, tmp_path / profile.name, symlinks=True))


@needs_chromium
def test_portal_login_from_chromium_stores_the_session_it_signed_in_with(bcli, portal, chromium_profile, token_file):  # noqa: F811
    cookies = chromium_profile / "Default" / "Cookies"
    before = hashlib.sha256(cookies.read_bytes()).hexdigest()

    result = bcli("portal", "login", "--from-browser", "chromium", "--browser-profile", str(chromium_profile))

    assert result.returncode == 0, result.output
    assert "cookie for 127.0.0.1 from chromium" in result.stdout
    assert "logged in to" in result.stdout and "alice@example.com" in result.stdout
    assert token_file.read_text() == stored_session(portal.url)
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert hashlib.sha256(cookies.read_bytes()).hexdigest() == before  # read in place, never written


@needs_firefox
def test_portal_login_auto_finds_the_firefox_session_and_says_so(bcli, portal, firefox_profile, token_file):  # noqa: F811
    result = bcli("portal", "login", "--from-browser", "--browser-profile", str(firefox_profile), "--json")

    assert result.returncode == 0, result.output
    assert '"browser": "firefox"' in result.stdout
    assert token_file.read_text() == stored_session(portal.url)


@needs_firefox
def test_portal_login_from_the_browser_warns_that_the_session_variable_still_wins(bcli, portal, firefox_profile, token_file):  # noqa: F811
    result = bcli("portal", "login", "--from-browser", "firefox", "--browser-profile", str(firefox_profile), env={"LITELLM_SESSION_TOKEN": "eyJ.other.session"})
    assert result.returncode == 0, result.output
    assert "LITELLM_SESSION_TOKEN is set, and renewal uses it instead" in result.stderr
    assert token_file.read_text() == stored_session(portal.url)


@needs_firefox
def test_portal_login_finds_firefoxs_default_profile_through_profiles_ini(bcli, portal, home, firefox_profile, token_file):  # noqa: F811
    root = home / ".mozilla" / "firefox"
    shutil.copytree(firefox_profile, root / "abcd1234.default-esr", symlinks=True)
    (root / "profiles.ini").write_text(
        "[Profile0]\nName=default-esr\nIsRelative=1\nPath=abcd1234.default-esr\nDefault=1\n\n"
        "[Install3B6073811A6ABF12]\nDefault=abcd1234.default-esr\nLocked=1\n"
    )
    result = bcli("portal", "login", "--from-browser", "auto")
    assert result.returncode == 0, result.output
    assert "from firefox" in result.stdout
    assert token_file.read_text() == stored_session(portal.url)


@needs_chromium
def test_portal_login_finds_chromiums_default_profile_where_desktop_chromium_keeps_it(bcli, portal, home, chromium_profile, token_file):  # noqa: F811
    """Desktop Chromium (since v96) keeps the store in Default/Network/Cookies under ~/.config/chromium."""
    user_data = Path(shutil.copytree(chromium_profile, home / ".config" / "chromium", symlinks=True))
    (user_data / "Default" / "Network").mkdir(exist_ok=True)
    (user_data / "Default" / "Cookies").rename(user_data / "Default" / "Network" / "Cookies")
    result = bcli("portal", "login", "--from-browser", "chromium")
    assert result.returncode == 0, result.output
    assert str(user_data / "Default" / "Network" / "Cookies") in result.stdout
    assert token_file.read_text() == stored_session(portal.url)


@needs_chromium
def test_renew_reads_the_browser_session_again_when_the_stored_one_expired(bcli, cli, workspace, portal, standin, token_file, chromium_profile):  # noqa: F811
    standin.keys[GOOD_KEY].expires = PAST
    store(workspace, GOOD_KEY, PAST)
    token_file.parent.mkdir(parents=True)
    token_file.write_text(stored_session(portal.url, "eyJhbGciOiJIUzI1NiJ9.expired.session"))  # the portal no longer knows it
    cli.env.update(LITELLM_SESSION_SOURCE="browser", LITELLM_BROWSER="chromium", LITELLM_CLIENTS="roo")
    cli.env["LITELLM_BROWSER_PROFILE"] = str(chromium_profile)

    result = bcli("renew")

    assert result.returncode == 0, result.output
    assert "reading it again from the browser" in result.output
    assert env_value(workspace, "LITELLM_API_KEY").startswith("sk-portal-")
    assert token_file.read_text() == stored_session(portal.url)


@needs_firefox
def test_token_renews_with_the_browser_session_when_none_is_stored(bcli, cli, workspace, portal, standin, token_file, firefox_profile):  # noqa: F811
    store(workspace, GOOD_KEY, PAST)
    standin.keys[GOOD_KEY].expires = PAST
    cli.env.update(LITELLM_SESSION_SOURCE="browser", LITELLM_BROWSER_PROFILE=str(firefox_profile), LITELLM_CLIENTS="roo")

    result = bcli("token")

    assert result.returncode == 0, result.output
    assert result.stdout.startswith("sk-portal-")
    assert token_file.read_text() == stored_session(portal.url)


@needs_chromium
@needs_secret_service
def test_a_keyring_encrypted_chromium_cookie_is_read_and_a_locked_keyring_is_named(bcli, portal, sign_in_url, token_file, tmp_path):  # noqa: F811
    """Chromium with gnome-keyring writes `v11` values keyed from its Secret Service password."""
    with secret_service.secret_service(tmp_path / "session") as service:
        bus = {name: service[name] for name in ("DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR")}  # the CLI keeps its HOME
        chromium_visit(sign_in_url, tmp_path / "user-data", tmp_path / "browser-home", bus)
        result = bcli("portal", "login", "--from-browser", "chromium", "--browser-profile", str(tmp_path / "user-data"), env=bus)
        assert result.returncode == 0, result.output
        assert token_file.read_text() == stored_session(portal.url)

        token_file.unlink()
        secret_service.lock(service)
        result = bcli("portal", "login", "--from-browser", "chromium", "--browser-profile", str(tmp_path / "user-data"), env=bus)
    assert result.returncode == 3, result.output
    assert "it is locked (key kept in: the keyring 'Login')" in result.stderr
    assert not token_file.exists()


@needs_chromium
def test_doctor_checks_the_session_renewal_would_read_from_the_browser_without_storing_it(bcli, cli, standin, chromium_profile, token_file, tmp_path):  # noqa: F811
    standin.overrides["/health/readiness"] = lambda _request: Response(json.dumps({"status": "healthy", "db": "connected", "litellm_version": "1.80.0"}), content_type="application/json")
    assert cli("setup", "--key-stdin", input=f"{GOOD_KEY}\n").returncode == 0
    cli.env.update(LITELLM_SESSION_SOURCE="browser", LITELLM_BROWSER_PROFILE=str(chromium_profile))

    checks = {check["id"]: check for check in json.loads(bcli("doctor", "--json").stdout)["checks"]}
    assert checks["portal-session"]["status"] == "ok", checks["portal-session"]
    assert "alice@example.com" in checks["portal-session"]["summary"]
    assert not token_file.exists()  # doctor looks, it does not store

    cli.env["LITELLM_BROWSER_PROFILE"] = str(tmp_path / "nowhere")
    checks = {check["id"]: check for check in json.loads(bcli("doctor", "--json").stdout)["checks"]}
    assert checks["portal-session"]["status"] == "failed", checks["portal-session"]
    assert checks["portal-session"].get("reason") == "browser-not-found", checks["portal-session"]


def test_token_does_no_browser_work_when_no_renewal_is_due(bcli, cli, workspace, portal, tmp_path):  # noqa: F811
    store(workspace, GOOD_KEY, "2099-12-31T00:00:00Z")
    cli.env.update(LITELLM_SESSION_SOURCE="browser", LITELLM_BROWSER_PROFILE=str(tmp_path / "no-such-profile"))
    result = bcli("token")
    assert (result.returncode, result.stdout, result.stderr) == (0, GOOD_KEY + "\n", "")
    assert portal.requests == []


def _chromium_row(cookies: Path, sql: str, *params: object) -> None:
    connection = sqlite3.connect(cookies)
    with connection:
        connection.execute(sql, params)
    connection.close()


def _no_cookie_host(bcli, profile, **_):
    return bcli("portal", "login", "--from-browser", "--browser-profile", str(profile), "--portal-url", "http://localhost:9/")


def _portal_forgot_the_session(bcli, profile, portal, **_):
    portal.sessions.clear()
    return bcli("portal", "login", "--from-browser", "--browser-profile", str(profile))


def _keyring_store(bcli, profile, **_):
    cookies = profile / "Default" / "Cookies"
    with sqlite3.connect(cookies) as connection:
        (value,) = connection.execute("SELECT encrypted_value FROM cookies").fetchone()
    connection.close()
    _chromium_row(cookies, "UPDATE cookies SET encrypted_value = ?", b"v11" + value[3:])
    return bcli("portal", "login", "--from-browser", "chromium", "--browser-profile", str(profile))


def _value_moved_to_another_host(bcli, profile, portal, **_):
    """A v10 value whose SHA-256 host prefix names 127.0.0.1, stored under another host: refused."""
    cookies = profile / "Default" / "Cookies"
    _chromium_row(cookies, "UPDATE cookies SET host_key = 'localhost'")
    return bcli("portal", "login", "--from-browser", "chromium", "--browser-profile", str(profile), "--portal-url", "http://localhost:9/")


def _without_the_extra(bcli, cli, profile, tmp_path, **_):
    """cryptography not installed (the `browser` extra): shadowed by a package that cannot be imported."""
    (tmp_path / "shadow" / "cryptography").mkdir(parents=True)
    (tmp_path / "shadow" / "cryptography" / "__init__.py").write_text("raise ImportError('not installed')\n")
    cli.env["PYTHONPATH"] = f"{tmp_path / 'shadow'}:{cli.env['PYTHONPATH']}"
    return bcli("portal", "login", "--from-browser", "chromium", "--browser-profile", str(profile))


def _plain_http_to_another_machine(bcli, profile, **_):
    return bcli("portal", "login", "--from-browser", "--browser-profile", str(profile), "--portal-url", "http://portal.example.com/")


def _not_a_database(bcli, profile, **_):
    (profile / "Default" / "Cookies").write_bytes(b"not sqlite at all " * 100)
    return bcli("portal", "login", "--from-browser", "chromium", "--browser-profile", str(profile))


def _no_such_browser(bcli, tmp_path, **_):
    return bcli("portal", "login", "--from-browser", "brave", "--browser-profile", str(tmp_path / "nowhere"))


def _no_browser_at_all(bcli, **_):
    return bcli("portal", "login", "--from-browser")


def _inside_a_dev_container(bcli, cli, **_):
    cli.env["REMOTE_CONTAINERS"] = "true"
    return bcli("portal", "login", "--from-browser")


def _inside_the_features_container(bcli, cli, tmp_path, **_):
    """No variable says so, but the feature's /etc/litellm-key/config.yaml is there."""
    (tmp_path / "feature-config.yaml").write_text("upstream: http://host.docker.internal:80\n")
    cli.env["LITELLM_KEY_SYSTEM_CONFIG"] = str(tmp_path / "feature-config.yaml")
    return bcli("portal", "login", "--from-browser")


@needs_chromium
@pytest.mark.parametrize(
    "arrange, exit_code, says",
    [
        pytest.param(_no_cookie_host, 4, "has no `token` cookie for localhost", id="browser-no-cookie"),
        pytest.param(_portal_forgot_the_session, 4, "no longer a valid portal session", id="browser-session-expired"),
        pytest.param(_keyring_store, 3, "Secret Service", id="browser-store-undecryptable-keyring"),
        pytest.param(_value_moved_to_another_host, 3, "no key we hold opens it", id="browser-store-undecryptable-moved-value"),
        pytest.param(_without_the_extra, 3, "pip install 'litellm-key[browser]'", id="browser-extra-missing"),
        pytest.param(_plain_http_to_another_machine, 8, "over plain http", id="cleartext-refused"),
        pytest.param(_not_a_database, 3, "Cannot read chromium's cookie store", id="browser-store-unreadable"),
        pytest.param(_no_such_browser, 3, "No brave profile", id="browser-not-found"),
        pytest.param(_no_browser_at_all, 3, "firefox, chromium, chrome, brave, edge were looked for", id="browser-none-found"),
        pytest.param(_inside_a_dev_container, 2, "on the host", id="browser-in-container"),
        pytest.param(_inside_the_features_container, 2, "feature-config.yaml exists", id="browser-in-container-feature"),
    ],
)
def test_a_session_the_browser_cannot_give_is_a_clear_failure_and_nothing_is_stored(
    bcli, cli, portal, token_file, chromium_profile, tmp_path, arrange, exit_code, says  # noqa: F811
):
    profile = _copy(chromium_profile, tmp_path)
    result = arrange(bcli, cli=cli, profile=profile, portal=portal, tmp_path=tmp_path)
    assert result.returncode == exit_code, result.output
    assert says in result.stderr
    assert not token_file.exists()


def test_a_store_the_running_browser_holds_locked_says_to_close_it(bcli, tmp_path, token_file):  # noqa: F811
    """Firefox keeps cookies.sqlite under an exclusive lock, new cookies in its write-ahead log."""
    profile = tmp_path / "profile"
    profile.mkdir()
    browser = sqlite3.connect(profile / "cookies.sqlite")
    browser.execute("CREATE TABLE moz_cookies (id INTEGER PRIMARY KEY, originAttributes TEXT NOT NULL DEFAULT '', name TEXT, value TEXT, host TEXT, path TEXT, lastAccessed INTEGER)")
    browser.commit()
    browser.execute("PRAGMA journal_mode=WAL")
    browser.execute("PRAGMA locking_mode=EXCLUSIVE")
    browser.execute("INSERT INTO moz_cookies (name, value, host, path, lastAccessed) VALUES ('token', ?, '127.0.0.1', '/', 1)", (SESSION_TOKEN,))
    browser.commit()
    try:
        result = bcli("portal", "login", "--from-browser", "firefox", "--browser-profile", str(profile))
    finally:
        browser.close()
    assert result.returncode == 6, result.output
    assert "Close firefox" in result.stderr
    assert not token_file.exists()


@needs_chromium
@pytest.mark.parametrize("command", [("portal", "login", "--from-browser", "chromium"), ("renew",)], ids=["portal-login", "renew"])
def test_a_portal_url_from_the_checkout_gets_no_cookie_from_your_browser(bcli, cli, workspace, portal, standin, token_file, chromium_profile, command):  # noqa: F811
    """A parent-domain cookie reaches every sibling host, so a checkout naming `evil.example.com`
    as its portal would be handed the real portal's session: no browser is read for it."""
    standin.keys[GOOD_KEY].expires = PAST
    store(workspace, GOOD_KEY, PAST)
    del cli.env["LITELLM_PORTAL_URL"]
    (workspace / ".devcontainer").mkdir(exist_ok=True)
    (workspace / ".devcontainer" / "litellm-key.yaml").write_text(f"portal_url: {portal.url}\n")
    cli.env.update(LITELLM_SESSION_SOURCE="browser", LITELLM_BROWSER_PROFILE=str(chromium_profile), LITELLM_CLIENTS="roo")

    result = bcli(*command)

    assert result.returncode == 8, result.output
    assert "read only for a portal you chose" in result.stderr and "litellm-key.yaml" in result.stderr
    assert portal.requests == []
    assert not token_file.exists()
