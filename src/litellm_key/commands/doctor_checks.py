"""The checks behind `litellm-key doctor`, from the settings to the model, each a plain function.

A check reads what earlier checks learned from the `Probe` and returns one `Finding`. The runner
(`doctor.py`) runs a check only when every check it `needs` passed (ok or warning), so one cause
gives one ✗, not a cascade. Nothing here writes a file: `doctor` only looks. Every network call
has a short timeout, so a run with everything down still ends in seconds.
"""

from __future__ import annotations

import os
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

from ..errors import LitellmKeyError, fail
from ..secret import ClientKey, scrub
from ..settings import Settings

OK, WARN, FAIL, SKIPPED = "ok", "warning", "failed", "skipped"
NETWORK_TIMEOUT = 2.0  # per request: doctor must answer in seconds when everything is down


@dataclass(frozen=True)
class Finding:
    status: str
    summary: str
    fix: str = ""
    reason: str = ""  # the catalogue reason, when the finding is a catalogued failure
    exit_code: int = 0


def ok(summary: str) -> Finding:
    return Finding(OK, summary)


def warn(summary: str, fix: str = "") -> Finding:
    return Finding(WARN, summary, fix)


def failed(error: LitellmKeyError) -> Finding:
    return Finding(FAIL, error.message, error.fix, error.reason, error.exit_code)


@dataclass
class Probe:
    """What the checks learn on the way down, for the checks below them."""

    settings: Settings
    live: bool = False
    key: ClientKey | None = None
    models: tuple[str, ...] = ()
    key_info: dict[str, Any] = field(default_factory=dict)

    @property
    def timeout(self) -> float:
        return min(self.settings.timeout, NETWORK_TIMEOUT)

    def gateway(self, key: ClientKey | None):
        from ..gateway import Gateway

        return Gateway(self.settings.base_url, key, timeout=self.timeout)


# ---- settings and .env ------------------------------------------------------------------------


def env_file(probe: Probe) -> Finding:
    """The stored key, wherever `key_store` keeps it (with `keyring`, .env holds no key on purpose)."""
    from . import key_location, load_key

    path = probe.settings.env_file
    try:
        probe.key = load_key(probe.settings)
    except LitellmKeyError as error:
        return failed(error)
    if probe.key is None:
        return failed(fail("key-missing", where=key_location(probe.settings)))
    if probe.settings.key_store != "env":
        return ok(f"key {probe.key.mask()} in the OS credential store ({probe.settings.key_store})")
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        return warn(f"{path} is readable by others (mode {mode:04o})", f"chmod 600 {path}")
    return ok(f"key {probe.key.mask()} in {path} (mode 0600)")


def env_git(probe: Probe) -> Finding:
    """Read-only: git neither tracks nor would add .env (or the file a link points to)."""
    from ..envfile import unignored

    try:
        exposure = unignored(probe.settings.env_file)
    except LitellmKeyError as error:
        return failed(error)
    if exposure is None:
        return ok(f"{probe.settings.env_file.parent} is not in a git repository: nothing can commit .env")
    if exposure[1]:
        missing = ", ".join(f"/{relpath}" for relpath in exposure[1])
        return warn(f"git does not ignore {missing}: a `git add .` would commit the key", f"add {missing} to {exposure[0]}/.gitignore")
    return ok(".env is git-ignored and not tracked")


# ---- names and the proxy ----------------------------------------------------------------------


def _resolves(host: str, timeout: float) -> bool | None:
    """Whether `host` has an address; None when the resolver did not answer within `timeout`.
    getaddrinfo has no timeout of its own (a dead DNS server takes 5 s per try), so it runs in a
    daemon thread that doctor stops waiting for."""
    answer: list[bool] = []

    def look_up() -> None:
        try:
            socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
            answer.append(True)
        except (socket.gaierror, UnicodeError):
            answer.append(False)

    thread = threading.Thread(target=look_up, daemon=True)
    thread.start()
    thread.join(timeout)
    return answer[0] if answer else None


def _unresolved(resolved: bool | None, timeout: float) -> str:
    return "no address for it" if resolved is False else f"the resolver did not answer within {timeout:g} s"


def resolve_localhost(probe: Probe) -> Finding:
    resolved = _resolves("localhost", probe.timeout)
    if resolved:
        return ok("localhost resolves")
    return failed(fail("gateway-name-unresolved", host="localhost", url=probe.settings.proxy_url,
                       detail=_unresolved(resolved, probe.timeout)))


def resolve_upstream(probe: Probe) -> Finding:
    host = urlsplit(probe.settings.upstream).hostname or ""
    resolved = _resolves(host, probe.timeout)
    if resolved:
        return ok(f"upstream host {host} resolves")
    if resolved is None:
        return failed(fail("gateway-name-unresolved", host=host, url=probe.settings.upstream,
                           detail=_unresolved(resolved, probe.timeout)))
    return failed(fail("upstream-unresolvable", host=host))


def nginx_installed(probe: Probe) -> Finding:
    from .. import proxy

    try:
        return ok(f"nginx installed: {proxy.nginx_binary(probe.settings)}")
    except LitellmKeyError as error:
        return failed(error)


def proxy_running(probe: Probe) -> Finding:
    from .. import proxy
    from .steps import first_proxy_problem

    report = proxy.status(probe.settings, check_upstream=False)
    problem = first_proxy_problem(report, probe.settings)
    if problem is not None:
        return failed(problem)
    if not report.config_current:
        stale = fail("proxy-config-stale")
        return Finding(WARN, stale.message, stale.fix, stale.reason)
    return ok(f"proxy running (pid {report.pid}) on {report.listen}, config current, health endpoint answers")


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


def litellm_database(probe: Probe) -> Finding:
    try:
        with probe.gateway(None) as gateway:
            readiness = gateway.request("GET", "/health/readiness")
    except LitellmKeyError as error:
        return warn(f"/health/readiness did not answer ({error.message})")
    if not isinstance(readiness, dict):
        return warn("/health/readiness answered something unexpected")
    version = readiness.get("litellm_version") or "unknown version"
    database = str(readiness.get("db") or "")
    if database.lower() != "connected":
        return failed(fail("gateway-no-db", detail=f"/health/readiness: db: {database or 'none'}"))
    return ok(f"LiteLLM {version}, database connected")


def key_accepted(probe: Probe) -> Finding:
    assert probe.key is not None
    try:
        with probe.gateway(probe.key) as gateway:
            probe.models = _model_ids(gateway.request("GET", "/v1/models"))
            try:
                body = gateway.request("GET", "/key/info")
                probe.key_info = body.get("info") or {} if isinstance(body, dict) else {}
            except LitellmKeyError:
                probe.key_info = {}
    except LitellmKeyError as error:
        return failed(error)
    return ok(f"key {probe.key.mask()} accepted; it can use {len(probe.models)} model(s)")


def _model_ids(body: Any) -> tuple[str, ...]:
    data = body.get("data") if isinstance(body, dict) else None
    return tuple(str(item["id"]) for item in data or () if isinstance(item, dict) and item.get("id"))


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
    from ..gateway import model_allowed

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
    """From /key/info, else the expiry stored with the key (a login credential's JWT `exp`);
    warns within `renew_before`, with the fix that fits how this key is renewed."""
    from datetime import timedelta

    from ..envfile import normalized_expiry, seconds_left, stored_expiry

    assert probe.key is not None
    raw = probe.key_info.get("expires") or stored_expiry(probe.settings.env_file)
    if not raw:
        return ok("the key never expires" if "expires" in probe.key_info else "expiry unknown (LiteLLM did not say)")
    left = seconds_left(raw)
    if left is None:
        return warn(f"LiteLLM reports an expiry it does not spell as a date: {raw}")
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
    from ..portal import Portal
    from .renewal import available_session

    session = available_session(probe.settings)
    if session is None:
        return warn("no portal session token: the key cannot be renewed automatically", "litellm-key portal login")
    try:
        with Portal(str(probe.settings.portal_url), session, timeout=probe.timeout) as portal:
            user = portal.whoami()
    except LitellmKeyError as error:
        return failed(error)
    return ok(f"portal session valid ({user})")


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


# ---- clients ----------------------------------------------------------------------------------


def client_check(name: str) -> Callable[[Probe], Finding]:
    def check(probe: Probe) -> Finding:
        from ..clients import CONFIGURED, DRIFTED, ClientContext, get_client
        from .steps import token_command

        ctx = ClientContext.current(probe.settings, probe.key, token_command(probe.settings))
        state = get_client(name).describe(ctx)
        if state.state == CONFIGURED:
            return ok(f"{name} configured")
        what = f"drifted: {state.detail}" if state.state == DRIFTED else f"not configured{f' ({state.detail})' if state.detail else ''}"
        return Finding(FAIL, f"{name} {what}", f"litellm-key apply --client {name}", exit_code=3)

    return check


def shell_block(probe: Probe) -> Finding:
    from .. import shell_profile

    home = Path.home()
    if shell_profile.installed(home):
        return ok("new terminals export the key (shell block present)")
    return Finding(FAIL, f"no litellm-key block in {home}/.bashrc or .zshrc: codex, gemini and opencode will not find the key", "litellm-key apply", exit_code=3)


def claude_overrides(probe: Probe) -> Finding:
    """Claude Code prefers an exported key to its apiKeyHelper, and asks for ANTHROPIC_MODEL."""
    exported = [name for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN") if os.environ.get(name)]
    if exported:
        return warn(
            f"{' and '.join(exported)} {'is' if len(exported) == 1 else 'are'} set in this shell and win over Claude Code's apiKeyHelper",
            f"unset {' '.join(exported)} (and remove the export from your shell profile)",
        )
    model = os.environ.get("ANTHROPIC_MODEL") or probe.settings.model_for("claude-code")
    if probe.models and model not in probe.models:
        return warn(f"Claude Code starts with {model}, which the key cannot use", "Set `client_models: {claude-code: <a model the key has>}` or `models`.")
    return ok(f"Claude Code uses the apiKeyHelper and starts with {model}")


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
            with probe.gateway(probe.key) as gateway:
                gateway.request("POST", path.format(model=model), json=payload, headers={"anthropic-version": "2023-06-01"})
        except LitellmKeyError as error:
            return failed(error)
        return ok(f"{client}: a 1-token request to {model} answered")

    return check
