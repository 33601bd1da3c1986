"""Chromium-family cookie values: `v10`/`v11` + AES-128-CBC, as os_crypt writes them on Linux and macOS.

Linux: `v10` is the "basic" store, keyed with the fixed password "peanuts" (no keyring involved);
`v11` is keyed with a password Chromium keeps in the Secret Service (gnome-keyring, KeePassXC…),
which is asked for only when a `v11` value is met, so a `v10` store works without D-Bus.
macOS: `v10` keyed with a password from the login Keychain (untested here). Since cookie database
version 24 the plaintext starts with the SHA-256 of the cookie's host: it is checked, so a wrong
key or a value moved between hosts is refused rather than returned.
`cryptography` (the `browser` extra) is imported only when a value must be decrypted.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from typing import Callable

from ..errors import fail

_SALT = b"saltysalt"
_IV = b" " * 16
_HOST_HASH_FROM = 24  # cookie database version that prefixes the plaintext with SHA-256(host)

# browser -> (Secret Service `application` attribute, the Keychain / keyring item's name)
_SECRET_NAMES = {
    "chromium": ("chromium", "Chromium Safe Storage"),
    "chrome": ("chrome", "Chrome Safe Storage"),
    "brave": ("brave", "Brave Safe Storage"),
    "edge": ("microsoft-edge", "Microsoft Edge Safe Storage"),
}


def _key(password: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha1", password, _SALT, 1003 if sys.platform == "darwin" else 1, 16)


def _decrypt(key: bytes, encrypted: bytes) -> bytes | None:
    """The plaintext, or None when the key is wrong (bad padding): the caller may try another."""
    try:
        from cryptography.hazmat.primitives import padding
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    except ImportError:
        raise fail("browser-extra-missing") from None
    decryptor = Cipher(algorithms.AES(key), modes.CBC(_IV)).decryptor()
    unpadder = padding.PKCS7(128).unpadder()
    try:
        padded = decryptor.update(encrypted) + decryptor.finalize()
        return unpadder.update(padded) + unpadder.finalize()
    except ValueError:
        return None


def _keychain_password(browser: str) -> bytes:
    """macOS: the login Keychain's "<Browser> Safe Storage" item (macOS may ask the user to allow it)."""
    name = _SECRET_NAMES[browser][1]
    try:
        found = subprocess.run(
            ["security", "find-generic-password", "-w", "-s", name], capture_output=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise fail("browser-store-undecryptable", browser=browser, keyring=f"the login Keychain ({name})", detail=error) from None
    if found.returncode != 0:
        raise fail("browser-store-undecryptable", browser=browser, keyring=f"the login Keychain ({name})", detail="no access to the item")
    return found.stdout.strip()


def _secret_service_password(browser: str) -> bytes:
    """Linux: the Secret Service item Chromium stored (attribute `application`). A locked collection
    is never unlocked from here (that could pop up a prompt under Claude Code's helper): it is
    named in the failure instead."""
    application, name = _SECRET_NAMES[browser]
    keyring = f"the Secret Service keyring holding '{name}'"
    try:
        import secretstorage
    except ImportError:
        raise fail("browser-extra-missing") from None
    try:
        connection = secretstorage.dbus_init()
    except (secretstorage.exceptions.SecretServiceNotAvailableException, KeyError, OSError) as error:
        detail = f"no Secret Service ({type(error).__name__}: {error}): is there a desktop (D-Bus) session?"
        raise fail("browser-store-undecryptable", browser=browser, keyring=keyring, detail=detail) from None
    try:
        for item in secretstorage.search_items(connection, {"application": application}):
            if item.is_locked():
                label = secretstorage.Collection(connection, item.item_path.rsplit("/", 1)[0]).get_label()
                raise fail("browser-store-undecryptable", browser=browser, keyring=f"the keyring '{label}'", detail="it is locked")
            return bytes(item.get_secret())
    except secretstorage.exceptions.SecretStorageException as error:
        raise fail("browser-store-undecryptable", browser=browser, keyring=keyring, detail=error) from None
    finally:
        connection.close()
    raise fail("browser-store-undecryptable", browser=browser, keyring=keyring, detail="the Secret Service has no such item")


def _candidate_keys(browser: str, prefix: bytes) -> list[Callable[[], bytes]]:
    if sys.platform == "darwin":
        return [lambda: _key(_keychain_password(browser))]
    if prefix == b"v10":
        return [lambda: _key(b"peanuts")]
    # v11: the keyring's password; values written while an old Chromium bug left it empty use "".
    return [lambda: _key(_secret_service_password(browser)), lambda: _key(b"")]


def decrypt_value(browser: str, host: str, encrypted: bytes, version: int) -> str:
    """The cookie's value; `host` as stored (host_key), for the SHA-256 prefix check."""
    prefix, body = encrypted[:3], encrypted[3:]
    if prefix not in (b"v10", b"v11") or not body or len(body) % 16:
        raise fail("browser-store-undecryptable", browser=browser, keyring="—", detail=f"an unknown value format ({prefix!r})")
    for key in _candidate_keys(browser, prefix):
        plain = _decrypt(key(), body)
        if plain is None:
            continue
        if version >= _HOST_HASH_FROM:
            if plain[:32] != hashlib.sha256(host.encode()).digest():
                continue
            plain = plain[32:]
        try:
            return plain.decode("utf-8")
        except UnicodeDecodeError:
            continue
    keyring = "the login Keychain" if sys.platform == "darwin" else ("—" if prefix == b"v10" else "the Secret Service keyring")
    raise fail("browser-store-undecryptable", browser=browser, keyring=keyring, detail="no key we hold opens it")
