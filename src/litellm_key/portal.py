"""The key portal (Open WebUI's API): fetch the user's current LiteLLM key, or have a new one issued.

The portal answers to the user's own session token, obtained by logging in there (MFA included),
so nothing here bypasses an authentication: we only do what the user could do in the portal's
Settings → Account page. Where the token is kept is decided here too, so `portal login`, `renew`,
`apply` and `token` agree on it: beside the portal URL it was given for (`StoredSession`), because
a token is a password to that portal alone and a later `portal_url` (a checkout's settings file)
must not receive it. httpx (through `http_client`) is imported only when the portal is actually called.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any, Mapping, NamedTuple

from .answers import Endpoint
from .errors import fail
from .files import atomic_write, read_regular
from .secret import ClientKey, refuse_cleartext, remember, scrub

SESSION_TOKEN_VARIABLE = "LITELLM_SESSION_TOKEN"
KEYS_DISABLED = "API key creation is not allowed"
PORTAL_SETTING = "`portal_url` (LITELLM_PORTAL_URL)"  # what a redirect or a broken answer asks to check
WHERE_TO_COPY = "the portal's `token` cookie (browser dev tools → Application → Cookies) or Settings → Account"


class SessionToken:
    """The portal session (a JWT): like ClientKey, it shows as a mask and is revealed only on purpose."""

    __slots__ = ("_secret",)

    def __init__(self, secret: str) -> None:
        self._secret = secret
        remember(secret)  # a portal that echoes it in an error is masked like a key

    @classmethod
    def parse(cls, raw: str) -> "SessionToken":
        secret = raw.strip()
        if secret.lower().startswith("bearer "):  # copied together with the header name
            secret = secret[7:].strip()
        if ClientKey.problem(secret):  # it travels in a header, as a key does
            raise fail("portal-token-malformed")
        remember(secret)  # a portal error that repeats the token shows its mask
        return cls(secret)

    def reveal(self) -> str:
        return self._secret

    def __repr__(self) -> str:
        return "SessionToken('****')"

    __str__ = __repr__


def default_token_file(environ: Mapping[str, str]) -> Path:
    """Under $XDG_CONFIG_HOME, in the home directory: never in the workspace, which may be shared or committed."""
    home = Path(environ.get("HOME") or Path.home())
    return Path(environ.get("XDG_CONFIG_HOME") or home / ".config") / "litellm-key" / "session-token"


def token_file(configured: Path | None, environ: Mapping[str, str] | None = None) -> Path:
    return configured or default_token_file(os.environ if environ is None else environ)


class StoredSession(NamedTuple):
    """A session token, the portal it was given for, and where it was found. `portal_url` is None
    when nothing says (the environment variable, a token file written before the portal was kept
    with it): such a token is sent only where the caller's rule allows (commands/renewal.py)."""

    token: SessionToken
    portal_url: str | None
    source: str
    from_environment: bool = False


def session_token(path: Path, environ: Mapping[str, str] | None = None) -> StoredSession | None:
    """The session token, without asking anyone: the environment, then the file (a JSON document
    `{"portal_url", "session_token"}`; a plain token line is an older file, bound to no portal)."""
    environ = os.environ if environ is None else environ
    if environ.get(SESSION_TOKEN_VARIABLE, "").strip():
        token = SessionToken.parse(environ[SESSION_TOKEN_VARIABLE])
        return StoredSession(token, None, f"the {SESSION_TOKEN_VARIABLE} environment variable", from_environment=True)
    try:
        text = read_regular(path).decode("utf-8")  # a named pipe there must not hang `token`
    except (FileNotFoundError, NotADirectoryError):
        return None
    except UnicodeDecodeError:  # not text: what parse says of a token no header can carry
        raise fail("portal-token-malformed") from None
    except OSError as error:
        raise fail("portal-token-unreadable", path=path, detail=error.strerror or error) from None
    if not text.strip():
        return None
    if not text.lstrip().startswith("{"):
        return StoredSession(SessionToken.parse(text), None, str(path))
    try:
        stored = json.loads(text)
        secret, portal_url = stored["session_token"], stored["portal_url"]
    except (ValueError, KeyError, TypeError):
        raise fail("portal-token-malformed") from None
    if not isinstance(secret, str) or not isinstance(portal_url, str):
        raise fail("portal-token-malformed")
    return StoredSession(SessionToken.parse(secret), portal_url, str(path))


def save_session_token(path: Path, token: SessionToken, portal_url: str) -> bool:
    """Write the token with the portal it is for, 0600 from its first byte, in a folder only the
    user can enter. The one way a token is stored, however it was obtained (paste, stdin, variable)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    document = {"portal_url": portal_url, "session_token": token.reveal()}
    return atomic_write(path, (json.dumps(document) + "\n").encode(), mode=0o600)


def same_portal(first: str, second: str) -> bool:
    """One portal written two ways (`HTTPS://Portal.example/` and `https://portal.example`)."""
    from urllib.parse import urlsplit

    def normal(url: str) -> tuple[str, str, int | None, str]:
        parts = urlsplit(url.strip())
        default_port = {"http": 80, "https": 443}.get(parts.scheme.lower())
        try:
            port = parts.port or default_port
        except ValueError:
            port = None
        return parts.scheme.lower(), (parts.hostname or "").lower(), port, parts.path.rstrip("/")

    return normal(first) == normal(second)


def remove_session_token(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def _detail(text: str) -> str:
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    message = body.get("detail") if isinstance(body, dict) else None
    flat = " ".join(scrub(str(message or text)).split())
    return (flat[:159] + "…" if len(flat) > 160 else flat) or "empty body"


class Portal:
    """One portal, called with one user's session token."""

    def __init__(
        self, url: str, token: SessionToken, *, timeout: float, deadline: float | None = None, allow_http: bool = False
    ) -> None:
        """`deadline` (time.monotonic()) bounds every call together: `token` has 5 s for all of them.
        Plain http to another machine is refused before any connection (`allow_http` opts in)."""
        refuse_cleartext(url, "portal session token", allow_http=allow_http)
        from .http_client import Client, Service

        self.url = url.rstrip("/")
        self._timeout = timeout
        self._deadline = deadline
        self._client = Client(self.url, {"Authorization": f"Bearer {token.reveal()}"}, timeout=timeout,
                              service=Service("portal", PORTAL_SETTING))

    def __enter__(self) -> "Portal":
        return self

    def __exit__(self, *_exc: object) -> None:
        self._client.close()

    def _call(self, method: str, path: str, *, missing_ok: bool = False, **kwargs: Any) -> Any:
        """The decoded JSON answer (None for a 404 when `missing_ok`); every failure catalogued."""
        url = f"{self.url}{path}"
        timeout = self._timeout if self._deadline is None else min(self._timeout, self._deadline - time.monotonic())
        if timeout <= 0:
            raise fail("portal-timeout", url=url, timeout=round(self._timeout, 1))
        response = self._client.request(method, path, timeout=timeout, **kwargs)
        status, detail = response.status_code, _detail(response.text)
        if status == 403 and KEYS_DISABLED in response.text:
            raise fail("portal-keys-disabled", url=self.url)
        if status in (401, 403):
            raise fail("portal-session-expired", url=self.url, status=status, detail=detail)
        if status == 404 and missing_ok:
            return None
        if status >= 500:
            raise fail("portal-server-error", url=url, status=status, detail=detail)
        try:
            body = response.json() if status < 400 else None
        except ValueError:
            body = None
        if body is None:
            raise fail("portal-not-openwebui", url=url, status=status, detail=detail)
        return body

    def _endpoint(self, path: str) -> Endpoint:
        return Endpoint(f"{self.url}{path}", "the key portal", PORTAL_SETTING)

    def _key(self, body: Any, path: str) -> ClientKey:
        secret = self._endpoint(path).object(body).get("api_key")
        if not isinstance(secret, str) or not secret.strip():
            raise fail("portal-not-openwebui", url=f"{self.url}{path}", status=200, detail="no api_key in the answer")
        return ClientKey.parse(secret)

    def whoami(self) -> str:
        """Whose session this is (e-mail, else name): proves the session is valid before anything else."""
        endpoint = self._endpoint("/api/v1/auths/")
        body = endpoint.object(self._call("GET", "/api/v1/auths/"))
        who = [endpoint.text(body, name) for name in ("email", "name", "id")]
        return next((name for name in who if name), "an unnamed user")

    def current_key(self) -> ClientKey | None:
        """The key the portal holds for this user; None when it has none yet (404)."""
        body = self._call("GET", "/api/v1/auths/api_key", missing_ok=True)
        return None if body is None else self._key(body, "/api/v1/auths/api_key")

    def new_key(self) -> ClientKey:
        """Have the portal issue a new key; the old one stops being the portal's current key."""
        return self._key(self._call("POST", "/api/v1/auths/api_key", json={}), "/api/v1/auths/api_key")
