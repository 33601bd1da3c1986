"""The `doctor` checks that talk to LiteLLM (and the key portal): is it there, has it a database,
does it take the key, does the key reach every configured model, when does it expire, how much
budget is left, and with `--live` one 1-token request per model on each client's endpoint.

Like every check they read the `Probe` and return one `Finding`; requests use doctor's short
per-request timeout, so a silent LiteLLM costs seconds, not minutes.
"""

from __future__ import annotations

from typing import Any, Callable
from urllib.parse import urlsplit

from ...errors import LitellmKeyError, fail
from ...secret import scrub
from ...settings import Settings
from .common import FAIL, Finding, Probe, failed, ok, resolves, unresolved, warn


# ---- LiteLLM ----------------------------------------------------------------------------------


def litellm_alive(probe: Probe) -> Finding:
    """GET /health/liveliness (no key): tells the proxy's "cannot connect", Traefik's 404 and
    something that is not LiteLLM apart, by the catalogued classification."""
    try:
        with probe.gateway(None) as gateway:
            gateway.request("GET", "/health/liveliness")
    except LitellmKeyError as error:
        return failed(error)
    return ok(f"LiteLLM answers /health/liveliness at {probe.settings.base_url}")


_READINESS_FIX = "Read LiteLLM's logs (`kubectl -n ai logs deploy/litellm`): its readiness check reports the database."


def litellm_database(probe: Probe) -> Finding:
    try:
        with probe.gateway(None) as gateway:
            readiness = gateway.request("GET", "/health/readiness")
    except LitellmKeyError as error:
        return warn(f"/health/readiness did not answer ({error.message}), so whether LiteLLM has its database is unknown", _READINESS_FIX)
    if not isinstance(readiness, dict):
        return warn("/health/readiness answered something unexpected, so whether LiteLLM has its database is unknown", _READINESS_FIX)
    version = readiness.get("litellm_version") or "unknown version"
    database = str(readiness.get("db") or "")
    if database.lower() != "connected":
        return failed(fail("gateway-no-db", detail=f"/health/readiness: db: {database or 'none'}"))
    return ok(f"LiteLLM {version}, database connected")


def key_accepted(probe: Probe) -> Finding:
    assert probe.key is not None
    try:
        with probe.gateway(probe.key) as gateway:
            probe.models = gateway.models()
            try:
                body = gateway.request("GET", "/key/info")
                info = body.get("info") if isinstance(body, dict) else None
                probe.key_info = info if isinstance(info, dict) else {}  # a list there must not crash the later checks
            except LitellmKeyError:
                probe.key_info = {}
    except LitellmKeyError as error:
        return failed(error)
    return ok(f"key {probe.key.mask()} accepted; it can use {len(probe.models)} model(s)")


def not_master_key(probe: Probe) -> Finding:
    """A key that may call admin routes is the master key: it must not live in a container."""
    with probe.gateway(probe.key) as gateway:
        role = gateway.role()
    if role == "admin":
        return failed(fail("master-key-stored", key=probe.key.mask() if probe.key else ""))
    if role == "no-db":
        return warn(
            "LiteLLM has no database, so only its master key (or a custom-auth key) works at all: the stored key is probably the master key",
            "Store a client key instead: `litellm-key keys generate` on the admin machine, once LiteLLM has its database.",
        )
    return ok("the stored key is a client key (admin routes refuse it)")


def models_reachable(probe: Probe) -> Finding:
    from ...gateway import model_allowed

    missing = [model for model in probe.settings.models if not model_allowed(model, probe.models)]
    if not missing:
        return ok(f"every configured model is available: {', '.join(probe.settings.models)}")
    key_models = tuple(probe.key_info.get("models") or ())
    lines, fixes = [], []
    for model in missing:
        near = _near_name(model, probe.models)
        if near:
            lines.append(f"{model} is missing but {near} is there")
            fixes.append(f"use the full name {near} (the `models` setting), or regenerate the key with full model names")
        elif model in key_models or not key_models:
            lines.append(f"the gateway does not serve {model}")
            fixes.append(f"the LiteLLM config lacks the model name {model}: ask the admin to add it, or drop it from `models`")
        else:
            lines.append(f"the key may not use {model}")
            fixes.append(f"regenerate the key with {model} in its models (`litellm-key keys generate --model {model}`)")
    return Finding(FAIL, "; ".join(lines) + f" (the key can use: {', '.join(probe.models) or 'nothing'})", "; ".join(fixes), "model-missing", 5)


def _near_name(model: str, available: tuple[str, ...]) -> str | None:
    """`claude-sonnet-4.5` vs `claude-sonnet-4-5-20250929`: the same model under its full name."""
    import difflib

    plain = model.replace(".", "-").lower()
    for name in available:
        if name.lower().startswith(plain) or plain.startswith(name.lower()):
            return name
    close = difflib.get_close_matches(model, available, n=1, cutoff=0.75)
    return close[0] if close else None


def expiry(probe: Probe) -> Finding:
    """From /key/info, else the expiry stored with the key, else a login credential's JWT `exp`
    (LiteLLM reports none for an SSO credential); warns within `renew_before`, with the fix that
    fits how this key is renewed."""
    from datetime import timedelta

    from ...envfile import normalized_expiry, seconds_left, stored_expiry
    from ...sso import jwt_expiry

    assert probe.key is not None
    raw = probe.key_info.get("expires") or stored_expiry(probe.settings.env_file) or jwt_expiry(probe.key)
    if not raw:
        return ok("the key never expires" if "expires" in probe.key_info else "expiry unknown (LiteLLM did not say)")
    left = seconds_left(raw)
    if left is None:
        return warn(f"LiteLLM reports an expiry it does not spell as a date: {raw}",
                    "Ask your LiteLLM admin to check the key's expires value (`litellm-key status` shows it).")
    when = normalized_expiry(raw)
    if left <= 0:
        return failed(fail("login-expired", key=probe.key.mask(), env_file=probe.settings.env_file, expires=when) if probe.key.is_jwt else fail("key-expired", key=probe.key.mask(), expiry=f" on {when}"))
    if left < probe.settings.renew_before:
        return warn(f"the key expires in {_duration(timedelta(seconds=left))} ({when})", _renewal_fix(probe))
    return ok(f"the key expires {when} (in {_duration(timedelta(seconds=left))})")


def _duration(left) -> str:
    hours = int(left.total_seconds() // 3600)
    return f"{hours // 24} days" if hours >= 48 else f"{hours} hours" if hours >= 1 else f"{int(left.total_seconds() // 60)} minutes"


def _renewal_fix(probe: Probe) -> str:
    if probe.key is not None and probe.key.is_jwt:
        return "litellm-key login"
    if probe.settings.portal_url:
        return "litellm-key renew (apply and Claude Code's helper renew it by themselves once it is due)"
    return "Ask your LiteLLM admin for a new key before then and store it with setup."


def portal_session(probe: Probe) -> Finding:
    """Renewal needs a valid portal session; an expired one is found now, not when the key runs out."""
    from ...portal import Portal
    from ...services.renewal import available_session

    session = available_session(probe.settings)
    if session is None and probe.settings.session_source == "browser":
        try:
            session = _browser_session(probe)
        except LitellmKeyError as error:
            return failed(error)
    if session is None:
        return warn("no portal session token: the key cannot be renewed automatically", "litellm-key portal login")
    url = str(probe.settings.portal_url)
    resolved = resolves(urlsplit(url).hostname or "", probe.timeout)  # a dead DNS server takes 10 s and more
    if not resolved:
        return failed(fail("portal-unreachable", url=url, detail=unresolved(resolved, probe.timeout)))
    try:
        with Portal(url, session, timeout=probe.timeout, allow_http=probe.settings.allow_http) as portal:
            user = portal.whoami()
    except LitellmKeyError as error:
        return failed(error)
    return ok(f"portal session valid ({user})")


def _browser_session(probe: Probe):
    """What renewal would read from the browser (`session_source: browser`), read but not stored."""
    from ...browser import read_session_cookie
    from ...portal import SessionToken
    from ...services.browser_session import browser_portal_host

    settings = probe.settings
    host = browser_portal_host(settings)
    return SessionToken.parse(read_session_cookie(settings.browser, host, settings.session_cookie, profile=settings.browser_profile).value)


def budget(probe: Probe) -> Finding:
    spend, limit = probe.key_info.get("spend"), probe.key_info.get("max_budget")
    if limit is None:
        return ok(f"no budget limit (spent {spend or 0})")
    try:
        spend, limit = (None if spend is None else float(spend)), float(limit)
    except (TypeError, ValueError):  # the server's words, not numbers: say so, do not crash the run
        shown = scrub(f"spent {spend} of {limit}")[:80]
        return warn(f"/key/info reports a budget that is no number ({shown})", "Ask your LiteLLM admin to check the key's max_budget.")
    if spend is not None and spend >= limit:
        return failed(fail("key-budget", key=probe.key.mask() if probe.key else "", detail=f"spent {spend} of {limit}"))
    if spend is not None and spend >= 0.9 * limit:
        return warn(f"{spend:.2f} of the budget {limit} is spent", "Ask your LiteLLM admin to raise max_budget.")
    return ok(f"budget: spent {spend or 0} of {limit}")


# ---- --live -----------------------------------------------------------------------------------

# client -> (method path template, JSON body template); `{model}` is filled in.
_LIVE_REQUESTS: dict[str, tuple[str, dict[str, Any]]] = {
    "claude-code": ("/v1/messages", {"max_tokens": 1, "messages": [{"role": "user", "content": "ping"}]}),
    "codex": ("/v1/responses", {"max_output_tokens": 16, "input": "ping"}),
    "gemini": ("/v1beta/models/{model}:generateContent", {"contents": [{"parts": [{"text": "ping"}]}], "generationConfig": {"maxOutputTokens": 1}}),
    "opencode": ("/v1/chat/completions", {"max_tokens": 1, "messages": [{"role": "user", "content": "ping"}]}),
    "roo": ("/v1/chat/completions", {"max_tokens": 1, "messages": [{"role": "user", "content": "ping"}]}),
}


def live_requests(settings: Settings) -> list[tuple[str, str]]:
    """(client, model) pairs: each configured client with the models it starts with (Claude Code
    switches between every configured model, so it tries them all)."""
    pairs: dict[tuple[str, str], None] = {}
    for client in settings.clients:
        for model in settings.models if client == "claude-code" else (settings.model_for(client),):
            pairs[(client, model)] = None
    return list(pairs)


def live_check(client: str, model: str) -> Callable[[Probe], Finding]:
    def check(probe: Probe) -> Finding:
        path, body = _LIVE_REQUESTS[client]
        payload = body if "{model}" in path else {**body, "model": model}
        try:
            # a real model may take seconds for its first token: it gets the full `timeout`; these
            # run only once LiteLLM and the key answered, so a dead gateway never waits for them
            with probe.gateway(probe.key, timeout=probe.settings.timeout) as gateway:
                gateway.request("POST", path.format(model=model), json=payload, headers={"anthropic-version": "2023-06-01"})
        except LitellmKeyError as error:
            return failed(error)
        return ok(f"{client}: a 1-token request to {model} answered")

    return check
