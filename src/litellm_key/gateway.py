"""LiteLLM's HTTP API, with every failure turned into a catalogued error that names cause and fix.

LiteLLM's error bodies changed shape across versions, so `classify` reads the error `type` first,
the HTTP status second and the message last. Requests go through `http_client` (imported when a
Gateway is made: it brings httpx), which reports what happened on the wire.
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from .answers import Endpoint
from .errors import LitellmKeyError, fail
from .secret import ClientKey, scrub

if TYPE_CHECKING:
    from .http_client import Answer

PROXY_ERROR_TYPE = "litellm_key_proxy_error"  # set by our nginx.conf when the upstream is down


@dataclass(frozen=True)
class KeyInfo:
    alias: str | None
    expires: str | None
    spend: float | None
    max_budget: float | None


# What a key may do beyond /v1/models: "admin" may call admin-only routes (the master key), "client"
# may not, "no-db" means LiteLLM runs without a database (only the master key or a custom-auth key
# works there at all), "unknown" means the server would not say.
KeyRole = Literal["admin", "client", "no-db", "unknown", "unchecked"]


@dataclass(frozen=True)
class Verification:
    base_url: str
    models: tuple[str, ...]
    info: KeyInfo | None
    role: KeyRole = "unchecked"


def _detail(text: str, limit: int = 160, secrets: tuple[str, ...] = ()) -> str:
    flat = " ".join(scrub(text, secrets).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


UPSTREAM_SETTING = "`upstream` (LITELLM_UPSTREAM)"  # what a client call's redirect or broken answer asks to check


def _error_fields(body: Any) -> tuple[str, str]:
    """(type, message) from LiteLLM's `{"error": {...}}` or FastAPI's `{"detail": ...}` bodies."""
    if not isinstance(body, dict):
        return "", ""
    error = body.get("error", body.get("detail"))
    if isinstance(error, dict):
        return str(error.get("type") or ""), str(error.get("message") or error.get("error") or "")
    return "", str(error or "")


_AUTH_MESSAGES = (  # auth_error is LiteLLM's catch-all type: the message tells the cases apart
    ("No api key passed in", "key-not-sent"),
    ("Malformed API Key", "key-not-sent"),
    ("Virtual Key expected", "key-not-virtual"),
    ("Invalid proxy server token", "key-invalid"),
    ("Expired Key", "key-expired"),
    ("Key is blocked", "key-blocked"),
    ("Only proxy admin", "key-admin-only"),
    ("Budget has been exceeded", "key-budget"),
    ("not allowed to access model", "model-denied"),
    ("is not available for this API key", "model-denied"),
    ("Invalid model name", "model-unknown"),
    ("No connected db", "gateway-no-db"),
    ("DB not connected", "gateway-no-db"),
    ("Database not connected", "gateway-no-db"),
)
_TYPES = {
    "token_not_found_in_db": "key-invalid",
    "expired_key": "key-expired",
    "budget_exceeded": "key-budget",
    "key_model_access_denied": "model-denied",
    "team_model_access_denied": "model-denied",
    "user_model_access_denied": "model-denied",  # the same denial, set on the user, organisation or project
    "org_model_access_denied": "model-denied",
    "project_model_access_denied": "model-denied",
    "no_db_connection": "gateway-no-db",
    PROXY_ERROR_TYPE: "gateway-upstream-down",
}
# 431 is the standard "Request Header Fields Too Large", 494 nginx's internal code for it; nginx
# itself answers 400 "Request Header Or Cookie Too Large" (HTML, or JSON from our nginx.conf).
_HEADER_TOO_LARGE_STATUSES = (400, 431, 494)


def _header_too_large(status: int, text: str) -> bool:
    lowered = text.lower()
    return status in (431, 494) or (status in _HEADER_TOO_LARGE_STATUSES and "header" in lowered and "too large" in lowered)


def classify(status: int, text: str, *, url: str, key: ClientKey | None, secrets: tuple[str, ...] = ()) -> LitellmKeyError:
    """The catalogued error for a failed response: by LiteLLM's `error.type` first (stable across
    versions), then the message, then the status (both changed between LiteLLM releases).

    Server text is repeated with `key` and every one of `secrets` masked, whatever its characters.
    """
    masked = key.mask() if key else "(none)"
    secrets = (*secrets, key.reveal()) if key else secrets
    if _header_too_large(status, text):
        return fail("key-too-large", key=masked, status=status, length=len(key.reveal()) if key else 0)
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    if body is None:
        return fail("gateway-not-litellm", url=url, status=status, detail=_detail(text, secrets=secrets) or "empty body")
    error_type, message = _error_fields(body)
    detail = _detail(message or text, secrets=secrets)
    reason = _TYPES.get(error_type) or next((r for needle, r in _AUTH_MESSAGES if needle in message), None)
    if reason == "key-expired":
        expiry = message.split("Key Expiry time", 1)[1].split(" and ", 1)[0].strip() if "Key Expiry time" in message else ""
        return fail("key-expired", key=masked, expiry=f" on {_detail(expiry, secrets=secrets)}" if expiry else "")
    if reason:
        return fail(reason, key=masked, detail=detail)
    if status in (401, 403):
        return fail("key-rejected", key=masked, status=status, detail=detail)
    if status == 404:
        return fail("gateway-not-litellm", url=url, status=status, detail=detail)
    return fail("gateway-server-error", status=status, detail=detail)


def model_allowed(model: str, available: tuple[str, ...]) -> bool:
    """Exact names, plus wildcard routes such as `anthropic/*` that a key may list."""
    return any(model == name or ("*" in name and fnmatch.fnmatchcase(model, name)) for name in available)


class Gateway:
    """One LiteLLM endpoint used with one key (a client key, or the master key for admin calls).

    Every request ends within `timeout` seconds in total (not per socket read), and any server
    text repeated in an error has `key` and every one of `secrets` masked.
    """

    def __init__(
        self, base_url: str, key: ClientKey | None, *, timeout: float, secrets: tuple[str, ...] = (),
        setting: str = UPSTREAM_SETTING,
    ) -> None:
        """`setting` is what a redirect or a broken answer tells the user to check (admin: `admin_url`)."""
        from .http_client import Client, Service

        self.base_url = base_url.rstrip("/")
        self.key = key
        self._secrets = (*secrets, key.reveal()) if key else tuple(secrets)
        headers = {"Authorization": f"Bearer {key.reveal()}"} if key else {}
        self._client = Client(self.base_url, headers, timeout=timeout, service=Service("gateway", setting),
                              secrets=self._secrets)
        self._setting = setting

    def endpoint(self, path: str) -> Endpoint:
        """`path` here, for reading its answer by shape (answers.py); the fix names this gateway's setting."""
        return Endpoint(f"{self.base_url}{path}", "LiteLLM", self._setting)

    def __enter__(self) -> "Gateway":
        return self

    def __exit__(self, *_exc: object) -> None:
        self._client.close()

    def send(self, method: str, path: str, **kwargs: Any) -> Answer:
        """The answer whatever its status (other than a redirect); a request that gets no usable
        answer (timeout, refused, unresolvable name, broken HTTP, too large) is a catalogued error.
        For callers with their own status semantics (the SSO poll); `request` is the usual way.
        `kwargs`: `params=`, `json=`, `headers=`; the answer has `.status_code`, `.text`, `.json()`."""
        return self._client.request(method, path, **kwargs)

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """Send, and return the decoded JSON body; every failure becomes a catalogued error."""
        url = f"{self.base_url}{path}"
        response = self.send(method, path, **kwargs)
        if response.status_code >= 400:
            raise classify(response.status_code, response.text, url=url, key=self.key, secrets=self._secrets)
        try:
            return response.json()
        except ValueError:
            raise fail(
                "gateway-not-litellm",
                url=url,
                status=response.status_code,
                detail=_detail(response.text, secrets=self._secrets) or "empty body",
            ) from None

    def role(self) -> KeyRole:
        """Whether this key is the master key, asked the way an admin tool would.

        `GET /key/list` answers 200 only to proxy admins; a client key gets 401/403 "Only proxy
        admin". Without a database (`/health/readiness` db other than connected) admin routes fail
        for every key, and a key that works at all there is probably the master key: "no-db".
        """
        try:
            readiness = self.request("GET", "/health/readiness")
        except LitellmKeyError:
            readiness = {}
        endpoint = self.endpoint("/health/readiness")
        if (endpoint.text(endpoint.object(readiness), "db") or "connected").lower() != "connected":
            return "no-db"
        try:
            self.request("GET", "/key/list", params={"size": 1})
        except LitellmKeyError as error:
            if error.reason == "gateway-no-db":
                return "no-db"
            return "client" if error.reason in ("key-admin-only", "key-rejected") else "unknown"
        return "admin"

    def _shown(self, value: Any) -> Any:
        """A string from a successful answer, masked like error text (a server may echo the key)."""
        return scrub(str(value), self._secrets) if isinstance(value, str) else value

    def models(self) -> tuple[str, ...]:
        endpoint = self.endpoint("/v1/models")
        body = endpoint.object(self.request("GET", "/v1/models"))
        if "data" not in body:
            raise endpoint.wrong("no model list (`data`)")
        # Model names are server text we display like an error body: masked by every secret we hold.
        return tuple(self._shown(endpoint.required_text(item, "id")) for item in endpoint.field_objects(body, "data"))

    def key_info(self) -> KeyInfo | None:
        """The calling key's alias, expiry and budget; None when this server will not say.

        Best effort by design: older LiteLLM versions refuse /key/info to client keys, and a
        verification must not fail over a detail it only displays.
        """
        try:
            body = self.request("GET", "/key/info")
        except LitellmKeyError:
            return None
        endpoint = self.endpoint("/key/info")  # an answer of the wrong shape is no "will not say"
        info = endpoint.object(endpoint.object(body).get("info"), "`info`")
        return KeyInfo(
            alias=self._shown(endpoint.text(info, "key_alias")),
            expires=self._shown(endpoint.text(info, "expires")),  # a text that is no date is "unknown" (doctor says so)
            spend=endpoint.number(info, "spend"),
            max_budget=endpoint.number(info, "max_budget"),
        )


def verify(
    base_url: str, key: ClientKey, *, required_models: tuple[str, ...], timeout: float, check_role: bool = False
) -> Verification:
    """Prove the key works where clients will use it, and reaches every configured model; with
    `check_role`, also ask whether it is the master key (setup refuses to store that one)."""
    with Gateway(base_url, key, timeout=timeout) as gateway:
        available = gateway.models()
        missing = [model for model in required_models if not model_allowed(model, available)]
        if missing:
            raise fail(
                "model-missing",
                key=key.mask(),
                missing=", ".join(missing),
                first_missing=missing[0],
                available=", ".join(available) or "no models at all",
            )
        role: KeyRole = gateway.role() if check_role else "unchecked"
        return Verification(base_url=gateway.base_url, models=available, info=gateway.key_info(), role=role)
