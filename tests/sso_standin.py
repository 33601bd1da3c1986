"""LiteLLM's CLI SSO flow (>= 1.84) on top of the LiteLLM stand-in: start, poll, team choice.

The test plays the browser: `sign_in()` flips the login from pending to ready, as a person
entering the code on the host would. Shapes and statuses follow LiteLLM: 403 for a wrong poll
secret, 400 for an expired or already collected login, 429 when polled too fast.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from datetime import datetime, timezone
from typing import Any

import pytest
from litellm_standin import LiteLLMStandin, json_response
from werkzeug import Request, Response

POLL_SECRET_HEADER = "x-litellm-cli-poll-secret"


def make_jwt(expires_at: float, **claims: Any) -> str:
    """A JWT-shaped credential (the signature is random: nobody here checks it)."""

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    signature = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part({'exp': int(expires_at), **claims})}.{signature}"


class SsoStandin:
    """One login at a time. `queued` holds answers given before the normal ones (429s, errors)."""

    def __init__(self, litellm: LiteLLMStandin, *, teams: list[tuple[str, str]] | None = None, expires_in: int = 300,
                 credential_hours: float = 24, login_id: str | None = None) -> None:
        self.litellm = litellm
        self.login_id = login_id or f"login-{secrets.token_hex(8)}"
        self.poll_secret = f"pollsecret-{secrets.token_urlsafe(16)}"
        self.user_code = "WXYZ-4821"
        self.expires_in = expires_in
        self.teams = teams
        expires_at = time.time() + credential_hours * 3600
        self.credential = make_jwt(expires_at, sub="alice@example.com")
        self.signed_in = False
        self.sign_in_after: int | None = None  # sign in by itself after this many pending polls
        self.collected = False
        self.expired = False
        self.unsupported = False
        self.queued: list[Response] = []
        self.polls: list[Request] = []
        self.starts = 0
        litellm.add_key(self.credential, alias="sso-alice",
                        expires=datetime.fromtimestamp(expires_at, timezone.utc).isoformat())
        litellm.overrides["/sso/cli/start"] = self._start
        litellm.overrides[f"/sso/cli/poll/{self.login_id}"] = self._poll

    def sign_in(self) -> None:
        """The browser on the host: the person signed in and entered the code."""
        self.signed_in = True

    def _start(self, request: Request) -> Response:
        if self.unsupported or request.method != "POST":
            return json_response({"detail": "Not Found"}, status=404)
        self.starts += 1
        return json_response({"login_id": self.login_id, "poll_secret": self.poll_secret, "user_code": self.user_code,
                      "expires_in": self.expires_in})

    def _poll(self, request: Request) -> Response:
        self.polls.append(request)
        if request.headers.get(POLL_SECRET_HEADER) != self.poll_secret:
            return json_response({"detail": "Invalid CLI polling secret"}, status=403)
        if self.queued:
            return self.queued.pop(0)
        if self.expired or self.collected:
            return json_response({"detail": "CLI login expired or not found"}, status=400)
        pending = sum(1 for poll in self.polls if poll.headers.get(POLL_SECRET_HEADER) == self.poll_secret)
        if self.sign_in_after is not None and pending > self.sign_in_after:
            self.signed_in = True
        if not self.signed_in:
            return json_response({"status": "pending"})
        team_id = request.args.get("team_id")
        if self.teams and team_id not in {team for team, _ in self.teams}:
            return json_response({"status": "ready", "requires_team_selection": True, "teams": [team for team, _ in self.teams],
                          "team_details": [{"team_id": team, "team_alias": alias} for team, alias in self.teams]})
        self.collected = True
        return json_response({"status": "ready", "key": self.credential, "user_id": "alice@example.com", "team_id": team_id})


FAST = {"LITELLM_KEY_POLL_INTERVAL": "0.05"}  # `login` polls this often against the stand-in


@pytest.fixture
def sso(standin: LiteLLMStandin) -> SsoStandin:
    """LiteLLM's CLI SSO routes on the test's LiteLLM stand-in (conftest.py makes it available everywhere)."""
    return SsoStandin(standin)
