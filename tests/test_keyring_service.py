"""`--store keyring` against a real Secret Service (gnome-keyring-daemon on a private D-Bus session,
tests/secret_service.py) through the keyring library's own SecretService backend: the whole key
life (setup, token, env, renew, logout), and a locked or absent keyring, which must be a clear
error naming what to unlock or install, never a traceback or a wait for a prompt nobody sees.
Locally these skip without gnome-keyring and dbus; with CI set they fail instead."""

from __future__ import annotations

import getpass
import time
from pathlib import Path
from typing import Iterator

import pytest
from pytest_httpserver import HTTPServer

import secret_service
from conftest import GOOD_KEY
from feature_package import skip_or_fail
from portal_standin import SESSION_TOKEN, PortalStandin

pytestmark = pytest.mark.keyring

SERVICE = "LITELLM_API_KEY"
PAST = "2021-06-01T00:00:00Z"


@pytest.fixture
def keyring_env(cli) -> Iterator[dict[str, str]]:
    """The CLI pointed at a running, unlocked Secret Service, with the key kept there."""
    missing = secret_service.missing_tools()
    if missing:
        skip_or_fail("real keyring tests need " + ", ".join(missing) + " (apt-get install gnome-keyring dbus)")
    with secret_service.secret_service(Path(cli.env["HOME"])) as environ:
        cli.env.update(environ, LITELLM_KEY_STORE="keyring")
        yield environ


def test_the_key_lives_in_the_secret_service_from_setup_to_logout(cli, workspace, keyring_env, standin):
    setup = cli("setup", "--key-stdin", input=GOOD_KEY)
    assert setup.returncode == 0, setup.output
    assert secret_service.stored(keyring_env, SERVICE, getpass.getuser()) == GOOD_KEY
    assert GOOD_KEY not in (workspace / ".env").read_text()

    assert cli("token").stdout == f"{GOOD_KEY}\n"
    exported = cli("env")
    assert exported.returncode == 0 and f"export LITELLM_API_KEY={GOOD_KEY}\n" in exported.stdout

    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    try:
        portal = PortalStandin(server, standin)
        cli.env["LITELLM_PORTAL_URL"] = portal.url
        assert cli("portal", "login", "--token-stdin", input=SESSION_TOKEN).returncode == 0
        standin.keys[GOOD_KEY].expires = PAST
        renewed = cli("renew")
        assert renewed.returncode == 0, renewed.output
        assert portal.current and secret_service.stored(keyring_env, SERVICE, getpass.getuser()) == portal.current
    finally:
        server.stop()

    logout = cli("logout")
    assert logout.returncode == 0, logout.output
    assert secret_service.stored(keyring_env, SERVICE, getpass.getuser()) is None


def _assert_clear_error(result, started: float, *phrases: str) -> None:
    assert time.monotonic() - started < 20, "the command waited for a prompt nobody can answer"
    assert result.returncode == 3, result.output
    assert "Traceback" not in result.output and GOOD_KEY not in result.output
    for phrase in phrases:
        assert phrase in result.stderr, result.stderr


@pytest.mark.parametrize("command", [("token",), ("env",), ("setup", "--key-stdin")])
def test_a_locked_keyring_names_what_to_unlock(cli, keyring_env, command):
    assert cli("setup", "--key-stdin", "--no-verify", input=GOOD_KEY).returncode == 0
    secret_service.lock(keyring_env)
    started = time.monotonic()
    result = cli(*command, input=GOOD_KEY)
    _assert_clear_error(result, started, "The OS credential store is locked", "gnome-keyring-daemon --unlock")


@pytest.mark.parametrize(
    "environment",
    [
        pytest.param({"PYTHON_KEYRING_BACKEND": secret_service.BACKEND}, id="SecretService-without-a-session-bus"),
        pytest.param({}, id="no-backend-at-all"),
    ],
)
def test_no_secret_service_names_what_to_install(cli, environment):
    cli.env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    cli.env.update(environment, LITELLM_KEY_STORE="keyring")
    started = time.monotonic()
    result = cli("setup", "--key-stdin", "--no-verify", input=GOOD_KEY)
    _assert_clear_error(result, started, "No OS credential store answers", "apt-get install gnome-keyring dbus-user-session")
