"""The client key as a type that cannot leak by accident.

A key reaches logs through `print(obj)`, f-strings, tracebacks and reprs. `ClientKey` renders as its
mask everywhere; the only way to the secret is the explicit `reveal()`, which a reviewer can grep.
"""

from __future__ import annotations

import re

from .errors import fail
from .keyhelper import MAX_KEY_LENGTH

VIRTUAL_KEY_PREFIX = "sk-"
# An sk- key as text: the characters keys are made of, plus the `.+/=` of base64 and other key
# generators (ClientKey.problem allows them), ending on a letter, digit, `_`, `-` or `=` so a full
# stop after a key stays text. `sk-...abcd` is a mask already and stays as it is.
_KEY_IN_TEXT = re.compile(r"sk-(?!\.\.\.)[A-Za-z0-9_\-.+/=]{3,}[A-Za-z0-9_\-=]")
_BASE64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def mask(secret: str) -> str:
    """`sk-...abcd`: enough to tell two keys apart, never enough to use one.

    Short secrets show nothing: four characters of an eight-character key are half of it.
    """
    if len(secret) < 12:
        return "****"
    prefix = VIRTUAL_KEY_PREFIX if secret.startswith(VIRTUAL_KEY_PREFIX) else ""
    return f"{prefix}...{secret[-4:]}"


# Every secret this process holds (each ClientKey registers itself): `scrub` masks them by value.
_KNOWN: set[str] = set()
_MIN_MASKED_LENGTH = 8  # masking a shorter value by its text would garble unrelated words


def remember(secret: str) -> None:
    """Have `scrub` mask `secret` from now on, wherever it appears (the master key, a JWT ...)."""
    if len(secret) >= _MIN_MASKED_LENGTH:
        _KNOWN.add(secret)


def _spellings(secret: str) -> set[str]:
    """The ways a server may repeat a secret: as is, JSON-escaped (`/` as `\\/`), percent-encoded."""
    import json
    from urllib.parse import quote

    return {secret, json.dumps(secret)[1:-1], json.dumps(secret)[1:-1].replace("/", "\\/"), quote(secret, safe="")}


def scrub(text: str, secrets: tuple[str, ...] | list[str] = ()) -> str:
    """Mask, in text we did not write ourselves (server messages, crash reports), every secret we
    know by its actual value whatever its characters (`secrets`, plus every key this process has
    seen), then anything else shaped like an sk- key."""
    known = {secret for secret in (*secrets, *_KNOWN) if len(secret) >= _MIN_MASKED_LENGTH}
    for secret in sorted(known, key=len, reverse=True):  # longest first: one key may contain another
        for spelling in _spellings(secret):
            if spelling in text:
                text = text.replace(spelling, mask(secret))
    return _KEY_IN_TEXT.sub(lambda match: mask(match.group(0)), text)


def refuse_cleartext(url: str, secret: str, *, allow_http: bool) -> None:
    """Refuse (before any connection) to send `secret` — the master key or the portal session token,
    each of which opens more than one key — over plain http to another machine, where anyone on the
    way reads it. Loopback (a port-forward, our own proxy) never leaves this machine; `allow_http`
    is the user's explicit opt-in for a network that is theirs alone."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme.lower() != "http" or allow_http or is_loopback(host):
        return
    raise fail("cleartext-refused", secret=secret, url=url, host=host)


def is_loopback(host: str) -> bool:
    """`localhost` or an address in 127.0.0.0/8 or ::1: traffic that never leaves this machine (the
    proxy's `listen` must be one; a secret may travel there over plain http)."""
    import ipaddress

    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _MaskedSecret:
    """A secret that shows its mask in str/repr/f-strings and refuses pickling; `reveal()` is the way in."""

    __slots__ = ("_secret",)

    def __init__(self, secret: str) -> None:
        self._secret = secret
        remember(secret)  # so any server text or crash report repeating it gets masked

    def reveal(self) -> str:
        return self._secret

    def mask(self) -> str:
        return mask(self._secret)

    def __str__(self) -> str:
        return self.mask()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.mask()!r})"

    def __reduce__(self):  # pragma: no cover - guard, not a feature
        raise TypeError(f"{type(self).__name__} cannot be pickled (it would write the secret)")


class ClientKey(_MaskedSecret):
    """A LiteLLM client key. Equality compares secrets; display shows the mask."""

    __slots__ = ()

    @staticmethod
    def problem(secret: str) -> str | None:
        """What makes `secret` (already stripped) unusable as a key, or None.

        A key travels in an HTTP header (`Authorization: Bearer ...`), in `.env` and in shell
        exports, so it must be printable ASCII without quotes, and of a length a header can carry:
        a non-ASCII character, DEL, a control character or 100 KB would break every request (and
        `apply` at every start) after setup.
        """
        if not secret:
            return "nothing (it is empty)"
        if len(secret) > MAX_KEY_LENGTH:
            return f"{len(secret)} characters: too large for an HTTP header (a key has at most {MAX_KEY_LENGTH})"
        for char in secret:
            if char.isspace():
                return "whitespace or a line break inside it"
            if not char.isprintable():
                return "a control character (it cannot travel in an HTTP header)"
            if not char.isascii():
                return "a character outside ASCII (it cannot travel in an HTTP header)"
            if char in "\"'\\`$":
                return "a quote, backslash, backtick or dollar sign"
        return None

    @classmethod
    def parse(cls, raw: str) -> "ClientKey":
        """Accept what users paste: surrounding whitespace and newlines go, anything inside is an error.

        Pasting from a chat or a terminal adds trailing newlines and spaces (the manual guide's most
        common failure); a space or control character *inside* means two things were pasted.
        """
        secret = raw.strip()
        problem = cls.problem(secret)
        if problem:
            raise fail("key-malformed", problem=problem)
        return cls(secret)

    @property
    def looks_virtual(self) -> bool:
        """LiteLLM virtual keys start with sk- and SSO logins give a JWT; anything else is probably
        a provider key pasted by mistake."""
        return self._secret.startswith(VIRTUAL_KEY_PREFIX) or self.is_jwt

    @property
    def is_jwt(self) -> bool:
        """A JWT (`header.payload.signature`, each base64url): the credential `litellm-key login`
        gets from LiteLLM's CLI SSO flow. It is a client credential like an sk- key, not a
        provider key pasted by mistake, so it gets no "does not start with sk-" warning."""
        parts = self._secret.split(".")
        return (
            len(parts) == 3
            and self._secret.startswith("eyJ")
            and all(part and set(part) <= _BASE64URL for part in parts)
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ClientKey) and other._secret == self._secret

    def __hash__(self) -> int:
        return hash(self._secret)


class MasterKey(_MaskedSecret):
    """The LiteLLM master (admin) key: a type of its own so it can never be stored as a client key.

    It comes from the environment, Kubernetes or a hidden prompt for one admin run and goes only into
    the Authorization header (`reveal()`); everything else sees the mask. Not a `ClientKey` on
    purpose: no code path that stores client keys accepts it.
    """

    __slots__ = ()

    def __init__(self, secret: str) -> None:
        super().__init__(secret.strip())
        if not self._secret or any(char.isspace() or not char.isprintable() for char in self._secret):
            raise fail("master-key-malformed")
