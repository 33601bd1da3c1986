"""Where the client key lives: the workspace's `.env` (the default, and the only store in a
container) or the OS credential store (`--store keyring`, for host use), behind one interface.

Every command that reads, writes or forgets the key asks `key_store(settings)` instead of testing
the `key_store` setting itself, so a third store would be one class here. The `.env` keeps the
proxy URL and the key's expiry in both cases: `token` decides on the stored expiry alone.
Nothing here prints; the results say what happened and the command reports it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple, Protocol

from ..envfile import BASE_URL_VARIABLE, EXPIRES_VARIABLE, KEY_VARIABLE, OWNED_VARIABLES, normalized_expiry, stored_expiry, stored_key, update_env
from ..errors import LitellmKeyError, fail
from ..secret import ClientKey
from ..settings import Settings

CREDENTIAL_STORE = "the OS credential store"


class Stored(NamedTuple):
    """What saving a key did: whether anything changed, and where it went (in the user's words)."""

    changed: bool
    where: str

    @property
    def summary(self) -> str:
        return f"stored in {self.where}{'' if self.changed else ', unchanged'}"


class Forgotten(NamedTuple):
    """What `logout` removed: the credential store's entry, and our lines in .env."""

    credential_store: bool
    env_file: bool


class Replaceable(NamedTuple):
    """The stored key for a command that is about to replace it, and the problem that made a
    stored value unusable (reported as a warning, not a failure: it is what gets replaced)."""

    key: ClientKey | None
    ignored: LitellmKeyError | None


class KeyStore(Protocol):
    """What every command may ask of the key's home, wherever it is."""

    @property
    def where(self) -> str: ...

    @property
    def described(self) -> str: ...

    @property
    def flag(self) -> str: ...

    def load(self) -> ClientKey | None: ...

    def require(self) -> ClientKey: ...

    def replaceable(self) -> Replaceable: ...

    def expires(self) -> str | None: ...

    def save(self, key: ClientKey, *, expires: str | None = None) -> Stored: ...

    def record_expiry(self, expires: str | None) -> bool: ...

    def record_base_url(self) -> bool: ...

    def forget(self) -> Forgotten: ...


@dataclass(frozen=True)
class EnvKeyStore:
    """The key as LITELLM_API_KEY in the workspace's .env, beside the proxy URL and its expiry."""

    settings: Settings

    @property
    def where(self) -> str:
        """Where the key lives, in the user's words ("no key is stored in …")."""
        return str(self.settings.env_file)

    @property
    def described(self) -> str:
        """Where a saved key went, for the line that says so."""
        return f"{self.settings.env_file} (mode 0600)"

    @property
    def flag(self) -> str:
        """What `token` and `env` need on their command line to find the key (nothing: .env is the default)."""
        return ""

    def load(self) -> ClientKey | None:
        return stored_key(self.settings.env_file)

    def require(self) -> ClientKey:
        """The stored key, else the catalogued key-missing naming where it was looked for."""
        key = self.load()
        if key is None:
            raise fail("key-missing", where=self.where)
        return key

    def replaceable(self) -> Replaceable:
        """The stored key for `setup` and `renew`, which are here to replace it: a stored value that
        is no usable key is reported and set aside. A store that cannot be read at all (the keyring
        library missing or failing, .env unreadable) is still an error: storing the new key would fail too."""
        try:
            return Replaceable(self.load(), None)
        except LitellmKeyError as error:
            if error.reason not in ("env-key-malformed", "key-malformed"):
                raise
            return Replaceable(None, error)

    def expires(self) -> str | None:
        """The expiry stored beside the key (LITELLM_KEY_EXPIRES), whatever the store."""
        return stored_expiry(self.settings.env_file)

    def save(self, key: ClientKey, *, expires: str | None = None) -> Stored:
        """Write a verified key with the proxy URL and its expiry (None removes a stale one)."""
        changed = update_env(self.settings.env_file, self._env_lines(key.reveal(), expires))
        return Stored(changed, self.described)

    def record_expiry(self, expires: str | None) -> bool:
        """Store the expiry LiteLLM just reported beside the key; True when it changed."""
        return update_env(self.settings.env_file, {EXPIRES_VARIABLE: normalized_expiry(expires)})

    def record_base_url(self) -> bool:
        """Point LITELLM_BASE_URL at the current proxy URL (a changed `listen` or `--no-proxy`)."""
        return update_env(self.settings.env_file, {BASE_URL_VARIABLE: self.settings.base_url})

    def forget(self) -> Forgotten:
        """Take our lines out of .env (never creating one that is not there)."""
        env_file = self.settings.env_file
        changed = env_file.exists() and update_env(env_file, {name: None for name in OWNED_VARIABLES})
        return Forgotten(False, changed)

    def _env_lines(self, secret: str | None, expires: str | None) -> dict[str, str | None]:
        return {KEY_VARIABLE: secret, BASE_URL_VARIABLE: self.settings.base_url, EXPIRES_VARIABLE: normalized_expiry(expires)}


@dataclass(frozen=True)
class KeyringKeyStore(EnvKeyStore):
    """The key in the OS credential store; .env keeps only the proxy URL and the expiry. The
    keyring library is imported only here, so `token` on a container pays nothing for it."""

    @property
    def where(self) -> str:
        return CREDENTIAL_STORE

    @property
    def described(self) -> str:
        from ..keyring_store import SERVICE

        return f"{CREDENTIAL_STORE} (service {SERVICE})"

    @property
    def flag(self) -> str:
        """`--store keyring`: it is recorded nowhere a client's `token` or a new terminal's `env` would look."""
        return " --store keyring"

    def load(self) -> ClientKey | None:
        from ..keyring_store import load_key

        return load_key()

    def save(self, key: ClientKey, *, expires: str | None = None) -> Stored:
        from ..keyring_store import save_key

        changed = save_key(key)
        changed = update_env(self.settings.env_file, self._env_lines(None, expires)) or changed
        return Stored(changed, self.described)

    def forget(self) -> Forgotten:
        from ..keyring_store import delete_key

        return Forgotten(delete_key(), super().forget().env_file)


def key_store(settings: Settings) -> KeyStore:
    """The store the `key_store` setting names: the one place that setting is read."""
    return KeyringKeyStore(settings) if settings.key_store == "keyring" else EnvKeyStore(settings)
