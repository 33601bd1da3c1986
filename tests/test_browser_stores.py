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


def _v10(plaintext: bytes) -> bytes:
    """Chromium's Linux "basic" store: AES-128-CBC, key PBKDF2-SHA1("peanuts", "saltysalt", 1), IV of spaces."""
    import hashlib

    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    key = hashlib.pbkdf2_hmac("sha1", b"peanuts", b"saltysalt", 1, 16)
    padder = padding.PKCS7(128).padder()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(b" " * 16)).encryptor()
    return b"v10" + encryptor.update(padder.update(plaintext) + padder.finalize()) + encryptor.finalize()


def test_an_older_chromium_store_without_the_host_prefix_or_partitions_is_read(tmp_path):
    """Before database version 24 the plaintext has no SHA-256 of the host; before v106 no partitions."""
    cookies = tmp_path / "profile" / "Default" / "Cookies"
    cookies.parent.mkdir(parents=True)
    connection = sqlite3.connect(cookies)
    with connection:
        connection.execute("CREATE TABLE meta (key LONGVARCHAR NOT NULL UNIQUE PRIMARY KEY, value LONGVARCHAR)")
        connection.execute("INSERT INTO meta VALUES ('version', '18')")
        connection.execute(
            "CREATE TABLE cookies (host_key TEXT, name TEXT, value TEXT, encrypted_value BLOB, path TEXT, last_access_utc INTEGER)"
        )
        connection.executemany(
            "INSERT INTO cookies VALUES (?, ?, '', ?, '/', ?)",
            [("portal.example.com", "token", _v10(b"the-session"), 2), ("other.example.com", "token", _v10(b"decoy"), 3)],
        )
    connection.close()
    found = read_session_cookie("chromium", "portal.example.com", "token", profile=tmp_path / "profile", environ={"HOME": str(tmp_path)})
    assert (found.browser, found.value) == ("chromium", "the-session")
