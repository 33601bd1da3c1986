"""LiteLLM's admin (master key) API: virtual keys and spend, beside the client verification calls.

This leaf imports `gateway.Gateway` — the one allowed leaf-to-leaf use (docs/development.md): one
HTTP client and one error classification for every LiteLLM call. Here the admin-only meanings are
added on top: no database, an alias already taken, a key that is not there. Keys are addressed by
their token (LiteLLM's hash), so the secret itself is sent only by `generate`'s answer.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .answers import Endpoint
from .errors import LitellmKeyError, fail
from .gateway import Gateway
from .secret import ClientKey, MasterKey, refuse_cleartext, scrub

PAGE_SIZE = 100  # LiteLLM's maximum for /key/list
# the request may have been carried out, its answer lost or cut
_ANSWER_LOST = ("gateway-timeout", "gateway-unreachable", "answer-broken", "answer-too-large")
ADMIN_SETTING = "`admin_url` (LITELLM_ADMIN_URL, or --url)"  # what a redirect or a broken answer asks to check
DAILY_PAGE_SIZE = 1000  # and for /user/daily/activity
# A listing stops here even when the server claims more pages (`total_pages: 1000000000` would
# page forever): 100,000 keys at LiteLLM's page size, far more than any team has.
MAX_PAGES = 1000


@dataclass(frozen=True)
class KeyRecord:
    """One virtual key as /key/list (full objects) or /key/info describes it; no secret inside."""

    token: str
    alias: str | None
    key_name: str | None
    models: tuple[str, ...]
    expires: str | None
    spend: float
    max_budget: float | None
    budget_duration: str | None
    blocked: bool
    created_at: str | None
    last_active: str | None
    user_id: str | None
    team_id: str | None
    metadata: dict[str, Any]

    @classmethod
    def from_json(cls, body: dict[str, Any], endpoint: Endpoint) -> "KeyRecord":
        """Every field checked for its type: a table, an audit or a rotation must not run on a guess."""
        text = endpoint.text
        return cls(
            token=text(body, "token") or text(body, "key") or "",
            alias=text(body, "key_alias"),
            key_name=text(body, "key_name"),
            models=endpoint.texts(body, "models"),
            expires=endpoint.date(body, "expires"),
            spend=endpoint.number(body, "spend") or 0.0,
            max_budget=endpoint.number(body, "max_budget"),
            budget_duration=text(body, "budget_duration"),
            blocked=endpoint.flag(body, "blocked"),
            created_at=endpoint.date(body, "created_at"),
            last_active=endpoint.date(body, "last_active"),
            user_id=text(body, "user_id"),
            team_id=text(body, "team_id"),
            metadata=endpoint.field_object(body, "metadata"),
        )

    @property
    def shown(self) -> str:
        """What a table shows for the key: LiteLLM's abbreviated key_name (`sk-...abcd`)."""
        return self.key_name or "(unnamed)"

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__} | {"models": list(self.models)}


@dataclass(frozen=True)
class NewKey:
    """A key just generated: the secret, present this once, as a ClientKey (masked everywhere)."""

    key: ClientKey
    record: KeyRecord


def _masked(answer: Any) -> Any:
    """Every string in a JSON answer, keys of objects included, passed through `scrub`."""
    if isinstance(answer, str):
        return scrub(answer)
    if isinstance(answer, list):
        return [_masked(item) for item in answer]
    if isinstance(answer, dict):
        return {_masked(name): _masked(value) for name, value in answer.items()}
    return answer


def _admin_error(error: LitellmKeyError) -> LitellmKeyError:
    """Admin meanings of errors the gateway classified for client calls."""
    if error.reason == "gateway-no-db" or "Database not connected" in error.message or "No connected db" in error.message:
        return fail("admin-no-db", detail=error.message.rstrip("."))
    if error.reason in ("key-rejected", "key-not-virtual", "key-invalid"):  # the client-key fixes would mislead
        return fail("master-key-rejected", detail=error.message)
    return error


def _new_key(answer: Any, master: MasterKey, endpoint: Endpoint) -> NewKey:
    """A generate or regenerate answer as the secret and a record without it, checked before anyone
    stores, writes or shows it: a usable key (not missing, `null`, a number or text no header can
    carry — else `LITELLM_API_KEY=None` would be written), and never the master key itself.

    LiteLLM's answer repeats the plaintext key in `token` (its hash is `token_id`), so the record's
    token is computed here — LiteLLM's token is the key's SHA-256 — and the plaintext stays in `key`.
    """
    secret = answer.get("key") if isinstance(answer, dict) else None
    problem = ClientKey.problem(secret.strip()) if isinstance(secret, str) else "no key (text) in it"
    if problem:
        raise fail("admin-answer-no-key", url=endpoint.url, problem=problem)
    if secret.strip() == master.reveal():
        raise fail("master-key-handed-over", source=f"LiteLLM's answer at {endpoint.url}", key=master.mask())
    key = ClientKey(secret.strip())
    token = hashlib.sha256(key.reveal().encode()).hexdigest()
    fields = {name: value for name, value in answer.items() if name not in ("key", "token", "token_id")}
    return NewKey(key=key, record=KeyRecord.from_json({**fields, "token": token}, endpoint))


class Admin:
    """The admin calls, with the master key.

    With a port-forward, `keepalive` runs before each call (restart a dead child) and `recover` after
    a connection failure (restart a dying one), and the call is sent once more.
    """

    def __init__(
        self,
        base_url: str,
        master: MasterKey,
        *,
        timeout: float,
        keepalive: Callable[[], None] | None = None,
        recover: Callable[[], None] | None = None,
        allow_http: bool = False,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        """`warn`: told what the admin should know although the call succeeded (a listing cut short)."""
        refuse_cleartext(base_url, "master key", allow_http=allow_http)  # before any connection
        self.base_url = base_url
        self.timeout = timeout
        self._master = master
        self._gateway = Gateway(base_url, master, timeout=timeout, setting=ADMIN_SETTING)  # type: ignore[arg-type]  # same interface
        self._keepalive = keepalive or (lambda: None)
        self._recover = recover
        self._warn = warn or (lambda _message: None)

    def endpoint(self, path: str) -> Endpoint:
        return Endpoint(f"{self.base_url}{path}", "LiteLLM", ADMIN_SETTING)

    def __enter__(self) -> "Admin":
        return self

    def __exit__(self, *exc: object) -> None:
        self._gateway.__exit__(*exc)

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        """The answer with every secret we hold masked in its text (a listing whose token, alias or
        metadata is the master key shows its mask), except the one answer that carries a new key."""
        # A generate that was cut off may have happened: sending it again would make a second key.
        issues_key = path.endswith("generate")
        answer = self._send(lambda: self._gateway.request(method, path, **kwargs), resend=method == "GET" or not issues_key)
        return answer if issues_key else _masked(answer)

    def _send(self, send: Callable[[], Any], *, resend: bool) -> Any:
        """One call with the admin meanings of errors; through a port-forward, once more after a restart."""
        self._keepalive()
        try:
            return send()
        except LitellmKeyError as error:
            refused = "refused" in error.message.lower()  # nothing reached LiteLLM
            if error.reason != "gateway-unreachable" or self._recover is None or not (resend or refused):
                raise _admin_error(error) from None
        self._recover()
        try:
            return send()
        except LitellmKeyError as error:
            raise _admin_error(error) from None

    # ---- models ----------------------------------------------------------------------------------
    def served_models(self) -> tuple[str, ...]:
        return self._send(self._gateway.models, resend=True)

    def key_models(self, key: ClientKey) -> tuple[str, ...]:
        """What a (new) client key can reach: the proof that it works before anything relies on it."""
        self._keepalive()
        with Gateway(self.base_url, key, timeout=self.timeout, setting=ADMIN_SETTING) as gateway:
            return gateway.models()

    # ---- keys --------------------------------------------------------------------------------------
    def _pages(self, path: str, params: dict[str, Any], rows: str, *, in_metadata: bool = False) -> list[dict[str, Any]]:
        """The `rows` of every page, until the last page (`total_pages`, in the body or in its
        `metadata`), an empty page, a page that repeats the one before (a server that ignores
        `page`), or MAX_PAGES (said through `warn`)."""
        endpoint = self.endpoint(path)
        found: list[dict[str, Any]] = []
        previous: list[dict[str, Any]] = []
        for page in range(1, MAX_PAGES + 1):
            body = endpoint.object(self.call("GET", path, params={**params, "page": page}))
            paging = endpoint.field_object(body, "metadata") if in_metadata else body
            chunk, last = endpoint.field_objects(body, rows), endpoint.whole_number(paging, "total_pages") or 1
            if chunk and chunk == previous:
                self._warn(f"{endpoint.url} answered page {page} with page {page - 1}'s entries: stopped reading there")
                return found
            found += chunk
            if not chunk or page >= last:
                return found
            previous = chunk
        self._warn(f"{endpoint.url} claims more than {MAX_PAGES} pages: read the first {MAX_PAGES} ({len(found)} entries) and stopped")
        return found

    def list_keys(self, *, alias: str | None = None) -> list[KeyRecord]:
        """Every key, all pages (LiteLLM pages by at most 100)."""
        params: dict[str, Any] = {"size": PAGE_SIZE, "return_full_object": "true"}
        if alias:
            params["key_alias"] = alias
        rows = self._pages("/key/list", params, "keys")
        return [KeyRecord.from_json(row, self.endpoint("/key/list")) for row in rows]

    def find(self, name: str | ClientKey) -> KeyRecord:
        """A key by alias, by token hash, or by the key itself.

        A key is looked up by its hash (LiteLLM's token is its SHA-256), so the secret never goes
        into a URL that proxies and access logs keep.
        """
        if isinstance(name, ClientKey):
            token, shown = hashlib.sha256(name.reveal().encode()).hexdigest(), name.mask()
        else:
            matches = [record for record in self.list_keys(alias=name) if record.alias == name]
            if matches:
                return matches[0]
            token = shown = name
        try:
            body = self.call("GET", "/key/info", params={"key": token})
        except LitellmKeyError as error:
            if "not found" in error.message.lower():  # 404 "Key not found in database", any version
                raise fail("admin-key-not-found", key=shown) from None
            raise
        endpoint = self.endpoint("/key/info")
        body = endpoint.object(body)
        info = dict(endpoint.field_object(body, "info"))
        info.setdefault("token", endpoint.text(body, "key") or token)
        return KeyRecord.from_json(info, endpoint)

    def generate(self, body: dict[str, Any]) -> NewKey:
        try:
            answer = self.call("POST", "/key/generate", json=body)
        except LitellmKeyError as error:
            if "already exists" in error.message and body.get("key_alias"):
                raise fail("admin-alias-taken", alias=body["key_alias"]) from None
            if error.reason in _ANSWER_LOST and body.get("key_alias"):
                self._discard_unreceived(body["key_alias"])
            raise
        return _new_key(answer, self._master, self.endpoint("/key/generate"))

    def _discard_unreceived(self, alias: str) -> None:
        """A generate whose answer was lost (timeout, cut connection) may still have made the key:
        nobody has its secret, yet it would hold the alias ("taken", or "existing" to onboard's
        re-run). Callers checked the alias was free, so a key under it now is that one. Best effort:
        the original error is what the user sees."""
        try:
            tokens = [record.token for record in self.list_keys(alias=alias) if record.alias == alias]
            if tokens:
                self.delete(tokens)
        except LitellmKeyError:
            pass

    def regenerate(self, token: str, *, grace_period: str | None, duration: str | None = None) -> NewKey | None:
        """A new secret for the same key record; None where LiteLLM refuses (Enterprise-only).

        `duration` starts a new lifetime from now (LiteLLM keeps the old `expires` without it).
        """
        options = {"grace_period": grace_period, "duration": duration}
        body = {name: value for name, value in options.items() if value}
        try:
            answer = self.call("POST", f"/key/{token}/regenerate", json=body)
        except LitellmKeyError as error:
            if "Enterprise" in error.message or "enterprise" in error.message or error.reason == "gateway-not-litellm":
                return None
            raise
        return _new_key(answer, self._master, self.endpoint(f"/key/{token}/regenerate"))

    def delete(self, tokens: list[str], *, shown: Mapping[str, str] | None = None) -> None:
        """Delete the keys, or fail naming those LiteLLM did not confirm as deleted: a 200 with an
        empty or partial `deleted_keys` leaves keys that may still work. `shown`: token -> name."""
        endpoint = self.endpoint("/key/delete")
        body = endpoint.object(self.call("POST", "/key/delete", json={"keys": tokens}))
        confirmed = set(endpoint.texts(body, "deleted_keys"))
        remaining = [token for token in tokens if token not in confirmed]
        if remaining:
            def names(chosen: list[str]) -> str:
                return ", ".join((shown or {}).get(token) or f"{token[:12]}…" for token in chosen) or "none"

            raise fail("admin-delete-unconfirmed", remaining=names(remaining), deleted=names([t for t in tokens if t in confirmed]))

    def update(self, token: str, **changes: Any) -> None:
        self.call("POST", "/key/update", json={"key": token, **changes})

    def set_blocked(self, token: str, blocked: bool) -> None:
        self.call("POST", "/key/block" if blocked else "/key/unblock", json={"key": token})

    # ---- spend -------------------------------------------------------------------------------------
    def spend_per_key(self, limit: int = 100) -> list[dict[str, Any]]:
        body = self.call("GET", "/global/spend/keys", params={"limit": limit})
        return self.endpoint("/global/spend/keys").rows(body, texts=("key_alias", "key_name"), numbers=("total_spend",))

    def spend_per_tag(self) -> list[dict[str, Any]]:
        body = self.call("GET", "/spend/tags")
        return self.endpoint("/spend/tags").rows(body, texts=("individual_request_tag",), numbers=("total_spend",), counts=("log_count",))

    def daily_activity(self, start: str, end: str) -> list[dict[str, Any]]:
        """Every page: LiteLLM pages the rows behind the days (50 by default, 1000 at most), so one
        page of a month with a few keys and models shows only its first days."""
        params = {"start_date": start, "end_date": end, "page_size": DAILY_PAGE_SIZE}
        rows = self._pages("/user/daily/activity", params, "results", in_metadata=True)
        endpoint = self.endpoint("/user/daily/activity")
        for row in rows:
            endpoint.required_text(row, "date")
            endpoint.rows([endpoint.field_object(row, "metrics")], numbers=("spend",), counts=("api_requests",))
        return rows
