"""One cookie out of a browser's SQLite cookie store, read in place and read-only.

The store is never copied (a copy of every session the user has would sit in /tmp) and never
written: it is opened `mode=ro`, and when the running browser holds it locked (Firefox keeps an
exclusive lock), `immutable=1`, which reads the saved file without taking a lock. Only rows of
the one cookie name for the portal's host (and the domains above it that may set a cookie for
it) are selected: the SQL names them exactly, never with LIKE.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from typing import NamedTuple

from ..errors import fail

# Firefox: moz_cookies; a cookie of a container tab or a partitioned (third-party) one has
# originAttributes set: the user's own first-party session comes first.
_FIREFOX = (
    "SELECT host, value, NULL FROM moz_cookies WHERE name = ? AND host IN ({hosts}) "
    "AND originAttributes NOT LIKE '%partitionKey=%' ORDER BY originAttributes != '', length(host) DESC, lastAccessed DESC"
)
# Chromium: cookies; a partitioned cookie (CHIPS, since v106) has a top_frame_site_key.
_CHROMIUM = (
    "SELECT host_key, value, encrypted_value FROM cookies WHERE name = ? AND host_key IN ({hosts}) "
    "{partitioned}ORDER BY length(host_key) DESC, last_access_utc DESC"
)


class Row(NamedTuple):
    """The stored cookie: its host as stored, its plain value, its encrypted value (Chromium)."""

    host: str
    value: str
    encrypted: bytes | None
    version: int  # Chromium's cookie database version (meta table); 0 for Firefox


def host_keys(host: str) -> list[str]:
    """The host column values a cookie sent to `host` can have: the host itself (host-only), and
    `.host` and every `.parent.domain` (a Domain= cookie); never a bare top-level domain."""
    host = host.lower().rstrip(".")
    keys = [host, f".{host}"]
    if not host.replace(".", "").isdigit() and ":" not in host:  # an IP address has no parent domain
        labels = host.split(".")
        keys += [".%s" % ".".join(labels[i:]) for i in range(1, len(labels) - 1)]
    return keys


def _open(path: Path, *, immutable: bool) -> sqlite3.Connection:
    options = "immutable=1" if immutable else "mode=ro"
    connection = sqlite3.connect(f"{path.absolute().as_uri()}?{options}", uri=True, timeout=0.2)
    connection.text_factory = lambda data: data.decode("utf-8", "replace")
    return connection


def _query(connection: sqlite3.Connection, firefox: bool, name: str, host: str) -> Row | None:
    keys = host_keys(host)
    partitioned = ""
    if not firefox and any(column[1] == "top_frame_site_key" for column in connection.execute("PRAGMA table_info(cookies)")):
        partitioned = "AND top_frame_site_key = '' "
    sql = (_FIREFOX if firefox else _CHROMIUM).format(hosts=", ".join("?" * len(keys)), partitioned=partitioned)
    found = connection.execute(sql, (name, *keys)).fetchone()
    if found is None:
        return None
    version = 0
    if not firefox:
        meta = connection.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
        version = int(meta[0]) if meta and str(meta[0]).isdigit() else 0
    return Row(found[0], found[1] or "", found[2], version)


def _locked(error: sqlite3.Error) -> bool:
    return "locked" in str(error) or "busy" in str(error)


def read_row(path: Path, *, firefox: bool, name: str, host: str, browser: str) -> Row | None:
    """The best row for (name, host): the most specific host, then the most recently used. A store
    locked by the running browser is read from its saved file; if the cookie is not there (it may
    be in the write-ahead log only) the failure says to close the browser, not "no cookie"."""
    try:
        with contextlib.closing(_open(path, immutable=False)) as connection:
            return _query(connection, firefox, name, host)
    except sqlite3.OperationalError as error:
        if not _locked(error) and "unable to open" not in str(error):
            raise fail("browser-store-unreadable", browser=browser, path=path, detail=error) from None
        locked = _locked(error)
    except sqlite3.DatabaseError as error:
        raise fail("browser-store-unreadable", browser=browser, path=path, detail=error) from None
    try:
        with contextlib.closing(_open(path, immutable=True)) as connection:
            row = _query(connection, firefox, name, host)
    except sqlite3.DatabaseError as error:
        if locked:  # the saved part is not a whole store yet: the browser holds the rest
            raise fail("browser-store-locked", browser=browser, path=path) from None
        raise fail("browser-store-unreadable", browser=browser, path=path, detail=error) from None
    if row is None and locked:
        raise fail("browser-store-locked", browser=browser, path=path)
    return row
