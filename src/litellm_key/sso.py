"""LiteLLM's CLI SSO flow (>= 1.84): a credential for a container that has no browser.

The container starts a login, a person finishes it in the host's browser, and the container polls
until LiteLLM hands the credential over (once). The poll secret proves we started the login; it
lives only in memory (and in the 0600 state file of `login --no-wait`), never in output or argv.
httpx (through `http_client`) is imported only when a login actually runs.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from .answers import Endpoint
from .errors import LitellmKeyError, fail
from .secret import ClientKey, remember, scrub

POLL_SECRET_HEADER = "x-litellm-cli-poll-secret"
POLL_INTERVAL = 2.0  # seconds between polls, as LiteLLM's own CLI does
MAX_INTERVAL = 30.0  # a 429 doubles the interval up to this
DEFAULT_LIFETIME = 300.0  # seconds a login lasts when LiteLLM does not say (its default)
MAX_LIFETIME = 1800.0  # the longest we wait for a sign-in, whatever `expires_in` says (1e9, "inf")
# what a redirect or a broken answer asks to check: the login is started and polled through the upstream
SSO_SETTING = "`upstream` (LITELLM_UPSTREAM; `login_url` is only the page the browser opens)"


@dataclass(frozen=True)
class Login:
    """A started login. `expires_at` is wall-clock (time.time()), so a saved login can be resumed."""

    login_id: str
    user_code: str
    expires_at: float
    poll_secret: str = field(repr=False)
    capped: str = field(default="", compare=False)  # the `expires_in` LiteLLM gave, when we wait less

    def __post_init__(self) -> None:
        """A LiteLLM error that repeats the poll secret shows its mask, whether this login was
        started now or resumed from `login --no-wait`'s state file in a later process."""
        remember(self.poll_secret)

    @property
    def quoted_id(self) -> str:
        """The login id as one URL path segment or query value: it is LiteLLM's text, not ours."""
        from urllib.parse import quote

        return quote(self.login_id, safe="")

    def as_dict(self) -> dict[str, Any]:
        return {"login_id": self.login_id, "user_code": self.user_code, "expires_at": self.expires_at,
                "poll_secret": self.poll_secret}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Login":
        return cls(str(data["login_id"]), str(data["user_code"]), float(data["expires_at"]), str(data["poll_secret"]))


@dataclass(frozen=True)
class Team:
    team_id: str
    alias: str | None

    def __str__(self) -> str:
        return f"{self.alias} ({self.team_id})" if self.alias else self.team_id


@dataclass(frozen=True)
class TeamChoice:
    """LiteLLM wants to know which team the credential is for; poll again with `team_id`."""

    teams: tuple[Team, ...]


@dataclass(frozen=True)
class Credential:
    key: ClientKey
    user_id: str | None
    team_id: str | None


@dataclass(frozen=True)
class Unanswered:
    """A poll with no answer in time, no connection, or a 5xx (LiteLLM restarting, Traefik or our
    proxy without an upstream): the person may be signing in right now, so the login goes on."""

    problem: LitellmKeyError


PENDING = "pending"
SLOW_DOWN = "slow-down"
# told the seconds left before each wait, and why the last poll got no answer (None if it did)
Tick = Callable[[float, LitellmKeyError | None], None]


def _is_json(response: Any) -> bool:
    try:
        response.json()
    except ValueError:
        return False
    return True


def _detail(response: Any) -> str:
    """LiteLLM's words, masked (they may repeat the poll secret or a credential) and cut short."""
    try:
        body = response.json()
    except ValueError:
        return " ".join(scrub(response.text).split())[:160] or "empty body"
    detail = body.get("detail", body.get("error")) if isinstance(body, dict) else body
    if isinstance(detail, dict):
        detail = detail.get("message") or detail.get("error") or detail
    return " ".join(scrub(str(detail)).split())[:160]


def _text(value: Any) -> str | None:
    """An optional name from LiteLLM's answer, as text (a number or a list there is shown, not trusted)."""
    return None if value is None else str(value)


class SsoClient:
    """One LiteLLM base URL (normally our proxy, so Traefik sees the right Host header). The HTTP
    side is `gateway.Gateway.send` without a key: the same deadline and connection errors as every
    other LiteLLM call; the statuses mean SSO things here, so they are read below."""

    def __init__(self, base_url: str, *, timeout: float) -> None:
        from .gateway import Gateway

        self._gateway = Gateway(base_url, None, timeout=timeout, setting=SSO_SETTING)
        self.base_url = self._gateway.base_url
        self._send = self._gateway.send

    def __enter__(self) -> "SsoClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self._gateway.__exit__(*exc)

    def start(self) -> Login:
        """POST /sso/cli/start; LiteLLM's (JSON) 404 means it has no CLI SSO (older than 1.84, or no
        SSO). A 5xx or a 404 that is not LiteLLM's (Traefik's for a wrong Host header) is read like
        every other LiteLLM call, so its message names the real cause and fix."""
        from .gateway import classify

        url = f"{self.base_url}/sso/cli/start"
        response = self._send("POST", "/sso/cli/start")
        if response.status_code >= 500 or (response.status_code == 404 and not _is_json(response)):
            raise classify(response.status_code, response.text, url=url, key=None)
        if response.status_code == 404:
            raise fail("login-unsupported", url=url)
        if response.status_code == 429:
            raise fail("login-rate-limited", url=url)
        if response.status_code >= 400:
            raise fail("login-failed", status=response.status_code, detail=_detail(response))
        try:
            answer = response.json()
        except ValueError:
            raise fail("gateway-not-litellm", url=url, status=response.status_code, detail="no login_id/poll_secret") from None
        endpoint = self._gateway.endpoint("/sso/cli/start")
        body = endpoint.object(answer)
        lifetime, capped = _lifetime(body.get("expires_in"))
        login = Login(
            login_id=endpoint.required_text(body, "login_id"),
            user_code=endpoint.required_text(body, "user_code"),
            expires_at=time.time() + lifetime,
            poll_secret=endpoint.required_text(body, "poll_secret"),
            capped=capped,
        )
        if ClientKey.problem(login.poll_secret):  # it travels in a header, as a key does
            raise fail("gateway-not-litellm", url=url, status=response.status_code,
                       detail="a poll secret no HTTP header can carry")
        return login

    def poll(self, login: Login, team_id: str | None = None) -> str | TeamChoice | Credential | Unanswered:
        """One poll: PENDING, SLOW_DOWN (429), Unanswered, a TeamChoice, or the Credential
        (collectable once). Other 4xx are final, as for LiteLLM's own CLI."""
        from .gateway import classify

        params = {"team_id": team_id} if team_id else None
        path = f"/sso/cli/poll/{login.quoted_id}"
        try:
            response = self._send("GET", path, params=params, headers={POLL_SECRET_HEADER: login.poll_secret})
        except LitellmKeyError as error:  # no answer within the timeout, or no connection at all
            return Unanswered(error)
        status = response.status_code
        if status == 429:
            return SLOW_DOWN
        if status >= 500:
            return Unanswered(classify(status, response.text, url=f"{self.base_url}{path}", key=None,
                                       secrets=(login.poll_secret,)))
        if status == 403:
            raise fail("login-forbidden", detail=_detail(response))
        if status in (400, 404, 410):
            raise fail("login-request-expired", detail=_detail(response))
        if status >= 400:
            raise fail("login-failed", status=status, detail=_detail(response))
        try:
            answer = response.json()
        except ValueError:
            raise fail("login-failed", status=status, detail=f"unexpected answer: {_detail(response)}") from None
        endpoint = self._gateway.endpoint(path)
        body = endpoint.object(answer)
        if endpoint.text(body, "status") not in ("pending", "ready"):
            raise fail("login-failed", status=status, detail=f"unexpected answer: {_detail(response)}")
        if body["status"] == "pending":
            return PENDING
        if endpoint.flag(body, "requires_team_selection"):
            details = endpoint.field_objects(body, "team_details") or [{"team_id": team} for team in endpoint.texts(body, "teams")]
            teams = tuple(_team(item, endpoint) for item in details if item.get("team_id") or item.get("id"))
            if not teams:  # nothing to choose from, on a terminal or with --team
                raise fail("login-no-team")
            return TeamChoice(teams)
        credential = body.get("key")
        problem = ClientKey.problem(credential.strip()) if isinstance(credential, str) else "no credential (text) in it"
        if problem:  # what LiteLLM handed over is checked before anything stores or shows it
            raise fail("login-failed", status=status, detail=f"ready, but the answer's key is unusable: {problem}")
        return Credential(ClientKey(credential.strip()), _text(body.get("user_id")), _text(body.get("team_id")))

    def wait(
        self, login: Login, *, team_id: str | None = None, interval: float = POLL_INTERVAL, tick: Tick | None = None
    ) -> TeamChoice | Credential:
        """Poll until LiteLLM answers something other than pending, or the login expires: then
        the last poll's problem if it got no answer (it says more than "nobody signed in")."""
        problem: LitellmKeyError | None = None
        while True:
            left = login.expires_at - time.time()
            if left <= 0:
                raise problem or fail("login-timeout", user_code=login.user_code)
            if tick:
                tick(left, problem)
            answer = self.poll(login, team_id)
            problem = answer.problem if isinstance(answer, Unanswered) else None
            if answer == SLOW_DOWN:
                interval = min(interval * 2, MAX_INTERVAL)
            elif answer != PENDING and problem is None:
                return answer  # type: ignore[return-value]
            time.sleep(min(interval, max(login.expires_at - time.time(), 0)))


def _team(item: dict[str, Any], endpoint: Endpoint) -> Team:
    """A team from `team_details` (`team_id`, or `id` in some versions) or from the bare `teams` list."""
    team_id = endpoint.required_text(item, "team_id" if item.get("team_id") is not None else "id")
    return Team(team_id, endpoint.text(item, "team_alias"))


def _lifetime(raw: Any) -> tuple[float, str]:
    """Seconds the login lasts, and LiteLLM's own figure when it is not one we wait for: absent is
    LiteLLM's default; a figure past MAX_LIFETIME or not a finite number (1e9, "inf", "nan") waits
    MAX_LIFETIME, so that neither the wait nor the countdown runs away; 0 or less has expired."""
    if raw is None:
        return DEFAULT_LIFETIME, ""
    try:
        seconds = float(raw) if not isinstance(raw, bool) else math.nan
    except (TypeError, ValueError):
        seconds = math.nan
    if math.isfinite(seconds) and seconds <= MAX_LIFETIME:
        return seconds, ""
    return MAX_LIFETIME, " ".join(scrub(str(raw)).split())[:40]


def jwt_expiry(key: ClientKey) -> str | None:
    """The `exp` claim of a JWT credential as ISO 8601 UTC, or None. Read, not trusted: no
    signature check, because it only tells us when to ask for a new one; LiteLLM decides."""
    if not key.is_jwt:
        return None
    import base64
    import json
    from datetime import datetime, timezone

    payload = key.reveal().split(".")[1]
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return datetime.fromtimestamp(float(claims["exp"]), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (ValueError, KeyError, TypeError, OverflowError, OSError):
        return None

