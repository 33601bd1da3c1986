"""A key portal stand-in on loopback: Open WebUI's /api/v1/auths/ routes, shapes and error strings
(as docs/renewal.md describes them), issuing keys that it registers with the LiteLLM stand-in, as the real
portal's keys exist in LiteLLM."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Any, Callable

import pytest
from litellm_standin import LiteLLMStandin
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

SESSION_TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJpZCI6ImFsaWNlIn0.standin-session-signature"
KEYS_DISABLED = "API key creation is not allowed in the environment."


def stored_session(portal_url: str, token: str = SESSION_TOKEN) -> str:
    """A session token file as `portal login` writes it: the token with the portal it is for."""
    return json.dumps({"portal_url": portal_url, "session_token": token}) + "\n"


def _json(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")


class PortalStandin:
    """`current` is the user's key at the portal (None: never made one); each POST issues
    `sk-portal-<n>...`, valid in `gateway` until `new_key_expires`, and is counted in `posts`."""

    def __init__(self, server: HTTPServer, gateway: LiteLLMStandin) -> None:
        self.server = server
        self.gateway = gateway
        self.sessions = {SESSION_TOKEN: "alice@example.com"}
        self.current: str | None = None
        self.keys_enabled = True
        self.new_key_expires: str | None = "2099-06-30T00:00:00Z"
        self.posts = 0
        self.requests: list[Request] = []
        # (method, path) -> handler answering instead (a 500, a timeout, ...)
        self.overrides: dict[tuple[str, str], Callable[[Request], Response]] = {}
        self.before_post: Callable[[], None] = lambda: None
        self._serial = itertools.count(1)
        server.expect_request(re.compile(".*")).respond_with_handler(self.handle)

    @property
    def url(self) -> str:
        return self.server.url_for("").rstrip("/")

    def handle(self, request: Request) -> Response:
        self.requests.append(request)
        override = self.overrides.get((request.method, request.path))
        if override is not None:
            return override(request)
        authorization = request.headers.get("Authorization", "")
        token = authorization[7:] if authorization.startswith("Bearer ") else request.cookies.get("token")
        if token is None:
            return _json({"detail": "Not authenticated"}, 403)
        user = self.sessions.get(token)
        if user is None:
            return _json({"detail": "Your session has expired or the token is invalid. Please sign in again."}, 401)
        if request.path == "/api/v1/auths/":
            return _json({"id": "u-1", "email": user, "name": "Alice", "role": "user", "expires_at": None})
        if request.path != "/api/v1/auths/api_key":
            return _json({"detail": "Not Found"}, 404)
        if not self.keys_enabled:
            return _json({"detail": KEYS_DISABLED}, 403)
        if request.method == "GET":
            return _json({"api_key": self.current}) if self.current else _json({"detail": "API key not found"}, 404)
        if request.method == "POST":
            self.before_post()
            self.posts += 1
            self.current = f"sk-portal-{next(self._serial)}-0123456789abcdefXYZ"
            self.gateway.add_key(self.current, alias="alice-portal", expires=self.new_key_expires)
            return _json({"api_key": self.current})
        return _json({"detail": "Method Not Allowed"}, 405)


# Fixtures (conftest.py makes them available everywhere): the portal on its own loopback port, the
# test HOME, and where the session token is kept there.


@pytest.fixture
def portal(standin):
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield PortalStandin(server, standin)
    server.clear()
    server.stop()


@pytest.fixture
def home(cli) -> Path:
    return cli.workspace.parent / "home"


@pytest.fixture
def token_file(home) -> Path:
    return home / ".config" / "litellm-key" / "session-token"


@pytest.fixture
def pcli(cli, portal, token_file):
    """The CLI with a portal configured, a stored session, Roo Code as the client that holds the key
    in its file, and no output ever showing the session token."""
    cli.env.update(LITELLM_PORTAL_URL=portal.url, LITELLM_CLIENTS="roo")
    token_file.parent.mkdir(parents=True)
    token_file.write_text(stored_session(portal.url))

    def run(*args, **kwargs):
        result = cli(*args, **kwargs)
        assert SESSION_TOKEN not in result.output
        return result

    return run
