"""LiteLLM's HTTP API, with every failure turned into a catalogued error that names cause and fix.

LiteLLM's error bodies changed shape across versions, so `classify` reads the error `type` first,
the HTTP status second and the message last (DESIGN.md's table). httpx is imported here only, and
only by commands that talk to the network.
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass
from typing import Any

from .errors import LitellmKeyError, fail
from .secret import ClientKey, scrub

PROXY_ERROR_TYPE = "litellm_key_proxy_error"  # set by our nginx.conf when the upstream is down


@dataclass(frozen=True)
class KeyInfo:
    alias: str | None
    expires: str | None
    spend: float | None
    max_budget: float | None


@dataclass(frozen=True)
class Verification:
    base_url: str
    models: tuple[str, ...]
    info: KeyInfo | None


def _detail(text: str, limit: int = 160) -> str:
    flat = " ".join(scrub(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


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
)
_TYPES = {
    "token_not_found_in_db": "key-invalid",
    "expired_key": "key-expired",
    "budget_exceeded": "key-budget",
    "key_model_access_denied": "model-denied",
    "no_db_connection": "gateway-no-db",
    PROXY_ERROR_TYPE: "gateway-upstream-down",
}


def classify(status: int, text: str, *, url: str, key: ClientKey | None) -> LitellmKeyError:
    """The catalogued error for a failed response."""
    masked = key.mask() if key else "(none)"
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    if body is None:
        return fail("gateway-not-litellm", url=url, status=status, detail=_detail(text) or "empty body")
    error_type, message = _error_fields(body)
    detail = _detail(message or text)
    reason = _TYPES.get(error_type) or next((r for needle, r in _AUTH_MESSAGES if needle in message), None)
    if reason == "key-expired":
        expiry = message.split("Key Expiry time", 1)[1].split(" and ", 1)[0].strip() if "Key Expiry time" in message else ""
        return fail(reason, key=masked, expiry=f" on {expiry}" if expiry else "")
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
    """One LiteLLM endpoint used with one key (a client key, or the master key for admin calls)."""

    def __init__(self, base_url: str, key: ClientKey | None, *, timeout: float) -> None:
        import httpx

        self.base_url = base_url.rstrip("/")
        self.key = key
        headers = {"Authorization": f"Bearer {key.reveal()}"} if key else {}
        self._client = httpx.Client(base_url=self.base_url, headers=headers, timeout=timeout)
        self._timeout = timeout

    def __enter__(self) -> "Gateway":
        return self

    def __exit__(self, *_exc: object) -> None:
        self._client.close()

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """Send, and return the decoded JSON body; every failure becomes a catalogued error."""
        import httpx

        url = f"{self.base_url}{path}"
        try:
            response = self._client.request(method, path, **kwargs)
        except httpx.TimeoutException:
            raise fail("gateway-timeout", url=url, timeout=self._timeout) from None
        except httpx.HTTPError as error:
            raise fail("gateway-unreachable", url=url, detail=_detail(str(error) or type(error).__name__)) from None
        if response.status_code >= 400:
            raise classify(response.status_code, response.text, url=url, key=self.key)
        try:
            return response.json()
        except ValueError:
            raise fail(
                "gateway-not-litellm", url=url, status=response.status_code, detail=_detail(response.text) or "empty body"
            ) from None

    def models(self) -> tuple[str, ...]:
        body = self.request("GET", "/v1/models")
        if not isinstance(body, dict) or not isinstance(body.get("data"), list):
            raise fail("gateway-not-litellm", url=f"{self.base_url}/v1/models", status=200, detail="no model list")
        return tuple(str(item.get("id")) for item in body["data"] if isinstance(item, dict) and item.get("id"))

    def key_info(self) -> KeyInfo | None:
        """The calling key's alias, expiry and budget; None when this server will not say.

        Best effort by design: older LiteLLM versions refuse /key/info to client keys, and a
        verification must not fail over a detail it only displays.
        """
        try:
            body = self.request("GET", "/key/info")
        except LitellmKeyError:
            return None
        info = body.get("info") if isinstance(body, dict) else None
        if not isinstance(info, dict):
            return None
        return KeyInfo(
            alias=info.get("key_alias"),
            expires=info.get("expires"),
            spend=info.get("spend"),
            max_budget=info.get("max_budget"),
        )


def verify(base_url: str, key: ClientKey, *, required_models: tuple[str, ...], timeout: float) -> Verification:
    """Prove the key works where clients will use it, and reaches every configured model."""
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
        return Verification(base_url=gateway.base_url, models=available, info=gateway.key_info())
