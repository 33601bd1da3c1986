"""Which cookie out of a browser's store is the portal's session: crafted Firefox and Chromium
stores (real SQLite files with the browsers' own table shapes) hold decoys around it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from litellm_key.browser import read_session_cookie
from litellm_key.browser.sqlite_store import host_keys

MOZ_COOKIES = (
    "CREATE TABLE moz_cookies (id INTEGER PRIMARY KEY, originAttributes TEXT NOT NULL DEFAULT '', name TEXT, "
    "value TEXT, host TEXT, path TEXT, expiry INTEGER, lastAccessed INTEGER)"
)


@pytest.mark.parametrize(
    "host, keys",
    [
        ("portal.example.com", ["portal.example.com", ".portal.example.com", ".example.com"]),
        ("Portal.Example.COM.", ["portal.example.com", ".portal.example.com", ".example.com"]),
        ("127.0.0.1", ["127.0.0.1", ".127.0.0.1"]),
        ("localhost", ["localhost", ".localhost"]),
    ],
)
def test_a_cookie_is_looked_up_only_under_the_hosts_that_may_send_it(host, keys):
    assert host_keys(host) == keys  # never `.com`, never a LIKE pattern that matches evil-example.com


def _firefox_store(folder: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    """rows: (host, name, value, originAttributes)."""
    folder.mkdir()
    connection = sqlite3.connect(folder / "cookies.sqlite")
    with connection:
        connection.execute(MOZ_COOKIES)
        connection.executemany(
            "INSERT INTO moz_cookies (host, name, value, originAttributes, path, lastAccessed) VALUES (?, ?, ?, ?, '/', 1)", rows
        )
    connection.close()
    return folder


def test_the_first_party_session_of_the_portals_host_is_chosen_among_decoys(tmp_path):
    profile = _firefox_store(
        tmp_path / "profile",
        [
            ("evil-portal.example.com", "token", "decoy-other-host", ""),
            ("portal.example.com.evil.test", "token", "decoy-suffix-host", ""),
            ("portal.example.com", "token", "decoy-partitioned", "^partitionKey=%28https%2Cevil.test%29"),
            ("portal.example.com", "token", "decoy-container-tab", "^userContextId=2"),
            ("portal.example.com", "other", "decoy-other-name", ""),
            (".example.com", "token", "the-session", ""),
        ],
    )
    found = read_session_cookie("firefox", "portal.example.com", "token", profile=profile, environ={"HOME": str(tmp_path)})
    assert (found.browser, found.value) == ("firefox", "the-session")
    assert "the-session" not in repr(found)


def test_the_host_only_cookie_wins_over_a_parent_domains(tmp_path):
    profile = _firefox_store(
        tmp_path / "profile",
        [(".example.com", "token", "parent-domain", ""), ("portal.example.com", "token", "host-only", "")],
    )
    found = read_session_cookie("firefox", "portal.example.com", "token", profile=profile, environ={"HOME": str(tmp_path)})
    assert found.value == "host-only"


def test_reading_leaves_nothing_beside_the_store(tmp_path):
    """Opened read-only in place: no journal, no copy, no changed byte."""
    profile = _firefox_store(tmp_path / "profile", [("portal.example.com", "token", "the-session", "")])
    before = (profile / "cookies.sqlite").read_bytes()
    found = read_session_cookie("firefox", "portal.example.com", "token", profile=profile, environ={"HOME": str(tmp_path)})
    assert found.value == "the-session"
    assert sorted(path.name for path in profile.iterdir()) == ["cookies.sqlite"]
    assert (profile / "cookies.sqlite").read_bytes() == before
