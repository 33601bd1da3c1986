"""LiteLLM's admin routes on top of the stand-in: /key/generate|list|info|delete|update|block|unblock,
/key/{key}/regenerate, spend. Shapes and error strings as LiteLLM 1.7x-1.10x answers them.

Admin routes are answered here before the base class sees the request, so this file wins over any
simpler version of the same route in litellm_standin.py.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from litellm_standin import LiteLLMStandin, VirtualKey, json_response, litellm_error
from werkzeug import Request, Response

PAGE = 10  # the stand-in pages /key/list by at most 10, to prove the client walks every page
ADMIN_ONLY = (
    "Authentication Error, Only proxy admin can be used to generate, delete, update info for new keys/users/teams. "
    "Route={route}. Your role=None. Your user_id=None"
)
NO_DB = "Database not connected. Connect a database to your proxy - https://docs.litellm.ai/docs/simple_proxy#managing-auth---virtual-keys"
ENTERPRISE = "Regenerating Virtual Keys is an Enterprise feature, Please upgrade to Enterprise to use this feature."


@dataclass
class AdminKey(VirtualKey):
    created_at: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat())
    last_active: str | None = None
    budget_duration: str | None = None
    user_id: str | None = None
    team_id: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    def full(self) -> dict[str, Any]:
        return {
            **self.info(),
            "token": self.token,
            "key_name": f"sk-...{self.secret[-4:]}",
            "created_at": self.created_at,
            "last_active": self.last_active,
            "budget_duration": self.budget_duration,
            "user_id": self.user_id,
            "team_id": self.team_id,
            "metadata": self.metadata,
        }


def _duration(text: str | None) -> str | None:
    if text is None:
        return None
    units = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
    number, unit = (text[:-2], "mo") if text.endswith("mo") else (text[:-1], text[-1])
    delta = timedelta(days=30 * int(number)) if unit == "mo" else timedelta(**{units[unit]: int(number)})
    return (datetime.now(timezone.utc) + delta).isoformat().replace("+00:00", "Z")


class LiteLLMAdminStandin(LiteLLMStandin):
    def __init__(self, server, *, regenerate: bool = False, **kwargs: Any) -> None:  # type: ignore[no-untyped-def]
        super().__init__(server, **kwargs)
        self.regenerate_allowed = regenerate
        self.fail_generate: set[str] = set()  # aliases whose next /key/generate answers 500 (once)
        self.fail_delete = False
        self.spend_tags: list[dict[str, Any]] = []

    def add_admin_key(self, secret: str | None = None, **attributes: Any) -> AdminKey:
        key = AdminKey(secret or f"sk-{secrets.token_urlsafe(16)}", **attributes)
        self.keys[key.secret] = key
        return key

    def by_alias(self, alias: str) -> AdminKey | None:
        return next((key for key in self.keys.values() if key.alias == alias), None)  # type: ignore[return-value]

    def _lookup(self, key: str | None) -> AdminKey | None:
        """LiteLLM takes a key or its hash (token) wherever a key is named."""
        found = self.keys.get(key or "") or next((k for k in self.keys.values() if k.token == key), None)
        return found  # type: ignore[return-value]

    def handle(self, request: Request) -> Response:
        admin_route = request.path.startswith(("/key/", "/global/spend", "/spend/", "/user/daily")) and not (
            request.path == "/key/info" and "key" not in request.args
        )
        if not admin_route or request.path in self.overrides:
            return super().handle(request)
        self.requests.append(request)
        caller = self._authenticate(request)
        if isinstance(caller, Response):
            return caller
        if caller != "master":
            return litellm_error(401, ADMIN_ONLY.format(route=request.path), "auth_error")
        if not self.database:
            return litellm_error(500, NO_DB, "no_db_connection")
        body = request.get_json(silent=True) or {}
        return self._route(request, body)

    def _route(self, request: Request, body: dict[str, Any]) -> Response:
        path = request.path
        if path == "/key/generate":
            return self._generate(body)
        if path == "/key/list":
            return self._list(request)
        if path == "/key/info":
            key = self._lookup(request.args.get("key"))
            return json_response({"key": key.token, "info": key.full()}) if key else litellm_error(404, "Key not found in database", "not_found_error")
        if path == "/key/delete":
            return self._delete(body)
        if path in ("/key/update", "/key/block", "/key/unblock"):
            return self._update(path, body)
        if path.endswith("/regenerate"):
            return self._regenerate(path.split("/")[2], body)
        if path == "/global/spend/keys":
            rows = [{"api_key": k.token, "key_alias": k.alias, "key_name": f"sk-...{k.secret[-4:]}", "total_spend": k.spend} for k in self.keys.values()]
            return json_response(sorted(rows, key=lambda row: -row["total_spend"]))
        if path == "/spend/tags":
            return json_response(self.spend_tags)
        if path == "/user/daily/activity":
            return self._daily(request)
        return json_response({"detail": "Not Found"}, status=404)

    def _daily(self, request: Request) -> Response:
        """One row a day from start_date to end_date, paged as LiteLLM pages it (page_size default 50)."""
        start = datetime.strptime(request.args["start_date"], "%Y-%m-%d")
        days = (datetime.strptime(request.args["end_date"], "%Y-%m-%d") - start).days + 1
        rows = [
            {"date": (start + timedelta(days=n)).strftime("%Y-%m-%d"), "metrics": {"spend": 1.5, "api_requests": 12}, "breakdown": {}}
            for n in range(days)
        ]
        size, page = int(request.args.get("page_size", 50)), int(request.args.get("page", 1))
        pages = max(1, -(-len(rows) // size))
        metadata = {"total_spend": 1.5 * days, "page": page, "total_pages": pages, "has_more": page < pages}
        return json_response({"results": rows[(page - 1) * size : page * size], "metadata": metadata})

    def _generate(self, body: dict[str, Any]) -> Response:
        alias = body.get("key_alias")
        if alias in self.fail_generate:
            self.fail_generate.discard(alias)
            return litellm_error(500, "Internal Server Error: connection pool exhausted", "internal_server_error")
        if alias and self.by_alias(alias):
            return litellm_error(400, f"Key with alias '{alias}' already exists. Unique key aliases across all keys are required.", "bad_request_error")
        key = self.add_admin_key(
            alias=alias,
            models=list(body.get("models") or []),
            expires=_duration(body.get("duration")),
            max_budget=body.get("max_budget"),
            budget_duration=body.get("budget_duration"),
            user_id=body.get("user_id"),
            team_id=body.get("team_id"),
            metadata=dict(body.get("metadata") or {}),
        )
        # As LiteLLM's GenerateKeyResponse: `token` repeats the plaintext key, `token_id` is its hash.
        return json_response({**key.full(), "key": key.secret, "token": key.secret, "token_id": key.token})

    def _list(self, request: Request) -> Response:
        size = min(int(request.args.get("size", 10)), PAGE)
        page = int(request.args.get("page", 1))
        keys = [k for k in self.keys.values() if request.args.get("key_alias") in (None, k.alias)]
        chunk = keys[(page - 1) * size : page * size]
        full = request.args.get("return_full_object") == "true"
        return json_response(
            {
                "keys": [k.full() if full else k.token for k in chunk],  # type: ignore[attr-defined]
                "total_count": len(keys),
                "current_page": page,
                "total_pages": max(1, -(-len(keys) // size)),
            }
        )

    def _delete(self, body: dict[str, Any]) -> Response:
        if self.fail_delete:
            return litellm_error(500, "Internal Server Error: delete failed", "internal_server_error")
        targets = [self._lookup(k) for k in body.get("keys", [])] + [self.by_alias(a) for a in body.get("key_aliases", [])]
        if not targets or None in targets:
            return litellm_error(404, f"No keys found. Passed keys={body.get('keys')}", "not_found_error")
        for key in targets:
            del self.keys[key.secret]  # type: ignore[union-attr]
        return json_response({"deleted_keys": [k.token for k in targets]})  # type: ignore[union-attr]

    def _update(self, path: str, body: dict[str, Any]) -> Response:
        key = self._lookup(body.get("key"))
        if key is None:
            return litellm_error(404, "Key not found in database", "not_found_error")
        if path == "/key/update":
            if "key_alias" in body and self.by_alias(body["key_alias"]) not in (None, key):
                return litellm_error(400, f"Key with alias '{body['key_alias']}' already exists.", "bad_request_error")
            key.alias = body.get("key_alias", key.alias)
        else:
            key.blocked = path == "/key/block"
        return json_response(key.full())

    def _regenerate(self, which: str, body: dict[str, Any]) -> Response:
        if not self.regenerate_allowed:
            return litellm_error(500, ENTERPRISE, "internal_server_error")
        old = self._lookup(which)
        if old is None:
            return litellm_error(404, "Key not found in database", "not_found_error")
        del self.keys[old.secret]
        old.expires = _duration(body.get("duration")) or old.expires  # LiteLLM: a new lifetime from now
        old.secret = f"sk-{secrets.token_urlsafe(16)}"
        self.keys[old.secret] = old
        answer = {**old.full(), "key": old.secret, "token_id": old.token, "grace_period": body.get("grace_period")}
        del answer["token"]  # LiteLLM moves the new hash to `token_id`
        return json_response(answer)
