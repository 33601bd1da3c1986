"""The client key as a type that cannot leak by accident.

A key reaches logs through `print(obj)`, f-strings, tracebacks and reprs. `ClientKey` renders as its
mask everywhere; the only way to the secret is the explicit `reveal()`, which a reviewer can grep.
"""

from __future__ import annotations

import re

from .errors import fail

VIRTUAL_KEY_PREFIX = "sk-"
_KEY_IN_TEXT = re.compile(r"sk-[A-Za-z0-9_\-]{4,}")
_BASE64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def mask(secret: str) -> str:
    """`sk-...abcd`: enough to tell two keys apart, never enough to use one.

    Short secrets show nothing: four characters of an eight-character key are half of it.
    """
    if len(secret) < 12:
        return "****"
    prefix = VIRTUAL_KEY_PREFIX if secret.startswith(VIRTUAL_KEY_PREFIX) else ""
    return f"{prefix}...{secret[-4:]}"


def scrub(text: str) -> str:
    """Mask every sk- key in text we did not write ourselves (server messages, crash reports)."""
    return _KEY_IN_TEXT.sub(lambda match: mask(match.group(0)), text)


class _MaskedSecret:
    """A secret that shows its mask in str/repr/f-strings and refuses pickling; `reveal()` is the way in."""

    __slots__ = ("_secret",)

    def __init__(self, secret: str) -> None:
        self._secret = secret

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

    @classmethod
    def parse(cls, raw: str) -> "ClientKey":
        """Accept what users paste: surrounding whitespace and newlines go, anything inside is an error.

        Pasting from a chat or a terminal adds trailing newlines and spaces (the seed's most common
        failure); a space or control character *inside* means two things were pasted.
        """
        secret = raw.strip()
        if not secret:
            raise fail("key-malformed", problem="nothing (it is empty)")
        for char in secret:
            if char.isspace():
                raise fail("key-malformed", problem="whitespace or a line break inside it")
            if not char.isprintable() or char in "\"'\\`$":
                raise fail("key-malformed", problem="a control or quote character")
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
