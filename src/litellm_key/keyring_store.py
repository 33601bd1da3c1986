"""The key in the OS credential store (macOS Keychain, Linux Secret Service, Windows Credential
Locker) through the `keyring` library, for use on a host, where a plaintext `.env` is a worse home.

Optional (`pip install 'litellm-key[keyring]'`) and imported only when the `key_store` setting says
`keyring`: containers keep the key in `.env`, and `token` must not pay for a D-Bus connection.
The service name is the manual guide's, `LITELLM_API_KEY`, so a key stored by its scripts is found.
"""

from __future__ import annotations

import getpass
from typing import Any

from .errors import fail
from .secret import ClientKey, scrub

SERVICE = "LITELLM_API_KEY"


def _keyring() -> Any:
    try:
        import keyring
    except ImportError:
        raise fail("keyring-missing") from None
    return keyring


def _call(action: str, *args: str) -> Any:
    """One call into the credential store; what went wrong becomes what to install or unlock.

    The library says "no store" two ways: NoKeyringError when it found no backend, RuntimeError when
    the backend it was told to use cannot start (SecretService without a D-Bus session)."""
    keyring = _keyring()
    try:
        return getattr(keyring, action)(SERVICE, getpass.getuser(), *args)
    except keyring.errors.PasswordDeleteError:
        return None
    except keyring.errors.KeyringLocked as error:
        raise fail("keyring-locked", detail=_detail(error)) from None
    except (keyring.errors.NoKeyringError, keyring.errors.InitError, RuntimeError) as error:
        raise fail("keyring-absent", detail=_detail(error)) from None
    except keyring.errors.KeyringError as error:
        raise fail("keyring-failed", detail=_detail(error)) from None


def _detail(error: Exception) -> str:
    return scrub(str(error).split(". ")[0] or type(error).__name__)


def load_key() -> ClientKey | None:
    secret = _call("get_password")
    return ClientKey.parse(secret) if secret and secret.strip() else None


def save_key(key: ClientKey) -> bool:
    """Store the key; False when the credential store already holds exactly this one."""
    if load_key() == key:
        return False
    _call("set_password", key.reveal())
    return True


def delete_key() -> bool:
    if load_key() is None:
        return False
    _call("delete_password")
    return True
