"""A LiteLLM stand-in on loopback: LiteLLM's routes, JSON shapes and error strings.

Shared by the tests (wrapping pytest-httpserver's `httpserver` fixture) and by `scripts/demo`
(run standalone: `python tests/litellm_standin.py`). With `traefik_host` set it also behaves like
Traefik in front of LiteLLM: a request with another Host header gets Traefik's plain-text 404.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

ALL_MODELS = ("claude-sonnet-4-5-20250929", "claude-3-opus-20240229", "claude-haiku-4-5-20251001", "gpt-4o")
MASTER_KEY = "sk-master-standin-0000"


@dataclass
class VirtualKey:
    secret: str
    models: list[str] = field(default_factory=lambda: list(ALL_MODELS[:2]))
    alias: str | None = None
    expires: str | None = None
    blocked: bool = False
    spend: float = 0.0
    max_budget: float | None = None

    @property
    def token(self) -> str:
        return hashlib.sha256(self.secret.encode()).hexdigest()

    @property
    def expired(self) -> bool:
        return bool(self.expires) and datetime.fromisoformat(self.expires.replace("Z", "+00:00")) < datetime.now(
            timezone.utc
        )

    def info(self) -> dict[str, Any]:
        return {
            "key_alias": self.alias,
            "models": self.models,
            "expires": self.expires,
            "spend": self.spend,
            "max_budget": self.max_budget,
            "blocked": self.blocked,
        }


def litellm_error(status: int, message: str, error_type: str | None = None, param: str | None = None) -> Response:
    body = {"error": {"message": message, "type": error_type, "param": param, "code": str(status)}}
    return Response(json.dumps(body), status=status, content_type="application/json")


def json_response(body: Any, status: int = 200) -> Response:
    """A JSON answer as LiteLLM gives it (the stand-ins of its admin and SSO routes share it)."""
    return Response(json.dumps(body), status=status, content_type="application/json")


class LiteLLMStandin:
    """Register keys, then point the tool at `url`. Every request is kept in `requests`."""

    def __init__(self, server: HTTPServer, *, traefik_host: str | None = None, database: bool = True) -> None:
        self.server = server
        self.traefik_host = traefik_host
        self.database = database
        self.models: list[str] = list(ALL_MODELS)
        self.keys: dict[str, VirtualKey] = {}
        self.requests: list[Request] = []
        # path -> handler answering instead of LiteLLM (a 500, a slow reply, malformed JSON ...)
        self.overrides: dict[str, Callable[[Request], Response]] = {}
        self.expired_status = 401  # LiteLLM up to 1.84 answers an expired key with 400
        server.expect_request(re.compile(".*")).respond_with_handler(self.handle)

    @property
    def url(self) -> str:
        return self.server.url_for("").rstrip("/")

    def add_key(self, secret: str, **attributes: Any) -> VirtualKey:
        key = VirtualKey(secret, **attributes)
        self.keys[secret] = key
        return key

    # ---- auth, as LiteLLM's user_api_key_auth does it ----------------------------------------
    def _presented_key(self, request: Request) -> str | Response:
        for header in ("x-litellm-api-key", "Authorization", "API-Key", "x-api-key", "x-goog-api-key"):
            value = request.headers.get(header)
            if value is None:
                continue
            if header == "Authorization":
                if not value.startswith("Bearer "):
                    return litellm_error(
                        401, "Authentication Error, Malformed API Key passed in. Ensure Key has `Bearer ` prefix.", "auth_error"
                    )
                value = value[len("Bearer ") :]
            return value.strip()
        return litellm_error(401, "Authentication Error, No api key passed in.", "auth_error", "None")

    def _authenticate(self, request: Request) -> VirtualKey | str | Response:
        """The caller's VirtualKey, "master", or the error LiteLLM would answer."""
        presented = self._presented_key(request)
        if isinstance(presented, Response):
            return presented
        if presented == MASTER_KEY:
            return "master"
        if not presented.startswith("sk-") and presented not in self.keys:  # a registered JWT (SSO login) passes
            return litellm_error(
                401, f"Authentication Error, LiteLLM Virtual Key expected. Received={presented[:4]}..., expected to start with 'sk-'.", "auth_error"
            )
        if not self.database:
            return litellm_error(400, "No connected db.", "no_db_connection")
        key = self.keys.get(presented)
        if key is None:
            return litellm_error(
                401,
                f"Authentication Error, Invalid proxy server token passed. Received API Key = sk-...{presented[-4:]}, "
                f"Key Hash (Token) ={hashlib.sha256(presented.encode()).hexdigest()}. Unable to find token in cache or "
                "`LiteLLM_VerificationTokenTable`",
                "token_not_found_in_db",
            )
        if key.expired:
            return litellm_error(
                self.expired_status,
                f"Authentication Error - Expired Key. Key Expiry time {key.expires} and current time "
                f"{datetime.now(timezone.utc).isoformat()}",
                "expired_key",
            )
        if key.blocked:
            return litellm_error(401, "Authentication Error, Key is blocked. Update via `/key/unblock` if you're admin.", "auth_error")
        if key.max_budget is not None and key.spend >= key.max_budget:
            return litellm_error(
                400, f"Budget has been exceeded! Current cost: {key.spend}, Max budget: {key.max_budget}", "budget_exceeded"
            )
        return key

    # ---- routes --------------------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        self.requests.append(request)
        if request.path in self.overrides:
            return self.overrides[request.path](request)
        if self.traefik_host and request.host.split(":")[0] != self.traefik_host:
            return Response("404 page not found\n", status=404, content_type="text/plain; charset=utf-8")
        if request.path == "/health/liveliness":
            return json_response("I'm alive!")
        if request.path == "/health/readiness":
            db = "connected" if self.database else "Not connected"
            return json_response({"status": "healthy", "db": db, "litellm_version": "1.80.0"})
        caller = self._authenticate(request)
        if isinstance(caller, Response):
            return caller
        allowed = list(self.models) if caller == "master" or not caller.models else caller.models
        if request.path in ("/v1/models", "/models"):
            data = [{"id": name, "object": "model", "created": 1677610602, "owned_by": "openai"} for name in allowed]
            return json_response({"data": data, "object": "list"})
        if request.path == "/key/info":
            return self._key_info(request, caller)
        if request.path == "/key/list":
            return self._key_list(request, caller)
        if request.method == "POST" and request.path in (
            "/v1/chat/completions", "/chat/completions", "/v1/messages", "/v1/responses"
        ):
            return self._completion(request, allowed)
        gemini = re.fullmatch(r"/v1beta/models/(.+):(?:stream)?[gG]enerateContent", request.path)
        if request.method == "POST" and gemini:  # Gemini CLI's endpoint: the model is in the path
            return self._completion(request, allowed, gemini.group(1))
        return json_response({"detail": "Not Found"}, status=404)

    def _key_info(self, request: Request, caller: VirtualKey | str) -> Response:
        asked = request.args.get("key")
        if asked is None and isinstance(caller, VirtualKey):
            target: VirtualKey | None = caller
        elif caller == "master" or (isinstance(caller, VirtualKey) and asked == caller.secret):
            target = self.keys.get(asked or "")
        else:
            return litellm_error(403, "You are not allowed to access this key's info.", "auth_error")
        if target is None:
            return litellm_error(404, "Key not found in database", "not_found_error")
        return json_response({"key": target.token, "info": target.info()})

    def _key_list(self, request: Request, caller: VirtualKey | str) -> Response:
        if caller != "master":
            return litellm_error(
                401,
                "Authentication Error, Only proxy admin can be used to generate, delete, update info for new "
                f"keys/users/teams. Route={request.path}. Your role=unknown. Your user_id=None",
                "auth_error",
            )
        tokens = [key.token for key in self.keys.values()]
        return json_response({"keys": tokens, "total_count": len(tokens), "current_page": 1, "total_pages": 1})

    def _completion(self, request: Request, allowed: list[str], model: str | None = None) -> Response:
        model = model or (request.get_json(silent=True) or {}).get("model", "")
        if model not in self.models:
            return litellm_error(400, f"{{'error': '/chat/completions: Invalid model name passed in model={model}'}}")
        if model not in allowed:
            return litellm_error(
                403,
                f"The requested model '{model}' is not available for this API key. Available models: {allowed}",
                "key_model_access_denied",
                "model",
            )
        return json_response({"id": "chatcmpl-standin", "object": "chat.completion", "model": model, "choices": []})


def main() -> None:
    """Serve until stdin closes. Prints the URL, then a freshly made client key, one per line
    (scripts/demo reads both; the key never appears on a command line)."""
    import argparse
    import logging
    import secrets
    import sys

    parser = argparse.ArgumentParser(description="LiteLLM stand-in on loopback")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--traefik-host", help="answer Traefik's 404 to requests with another Host header")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # keep the demo's output about the product
    server = HTTPServer(host="127.0.0.1", port=args.port)
    standin = LiteLLMStandin(server, traefik_host=args.traefik_host)
    demo_key = standin.add_key(f"sk-demo-{secrets.token_urlsafe(18)}", alias="demo-developer", expires="2099-01-01T00:00:00Z")
    server.start()
    print(standin.url, demo_key.secret, sep="\n", flush=True)
    sys.stdin.read()
    server.stop()


if __name__ == "__main__":
    main()
