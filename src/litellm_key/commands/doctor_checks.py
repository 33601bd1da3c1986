"""The checks behind `litellm-key doctor` inside the container (the .env file, name resolution,
nginx and the proxy, the clients), and what every check shares; the checks that talk to LiteLLM
live in doctor_litellm.py. Each is a plain function.

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
from ..secret import ClientKey
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


def warn(summary: str, fix: str) -> Finding:
    """A ! line always carries its fix: the user must know what to do about it."""
    return Finding(WARN, summary, fix)


def failed(error: LitellmKeyError) -> Finding:
    return Finding(FAIL, error.message, error.fix, error.reason, error.exit_code)


def within_deadline(finding: Finding) -> Finding:
    """A timeout's fix says "raise LITELLM_TIMEOUT", which the real commands follow but doctor's
    own per-request deadline does not: say so, or the user raises it and sees the same ✗."""
    if finding.reason not in ("gateway-timeout", "portal-timeout"):
        return finding
    note = f" (doctor waits at most {NETWORK_TIMEOUT:g} s per request, to end in seconds; the other commands wait LITELLM_TIMEOUT)"
    return Finding(finding.status, finding.summary, finding.fix + note, finding.reason, finding.exit_code)


@dataclass
class Probe:
    """What the checks learn on the way down, for the checks below them."""

    settings: Settings
    key: ClientKey | None = None
    models: tuple[str, ...] = ()
    key_info: dict[str, Any] = field(default_factory=dict)

    @property
    def timeout(self) -> float:
        return min(self.settings.timeout, NETWORK_TIMEOUT)

    def gateway(self, key: ClientKey | None, *, timeout: float | None = None):
        """`timeout`: a request that must be given longer than the probes' deadline (a model's answer)."""
        from ..gateway import Gateway

        return Gateway(self.settings.base_url, key, timeout=timeout or self.timeout)


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
    return ok(f"key {probe.key.mask()} in {path} (mode {mode:04o})")


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
        gitignore = exposure[0] / ".gitignore"
        if gitignore.is_symlink() or _lists(gitignore, exposure[1]):  # adding the line would change nothing
            return failed(fail("env-not-ignored", env_file=probe.settings.env_file, relpath=exposure[1][0], gitignore=gitignore))
        missing = ", ".join(f"/{relpath}" for relpath in exposure[1])
        return warn(f"git does not ignore {missing}: a `git add .` would commit the key", f"add {missing} to {exposure[0]}/.gitignore")
    return ok(".env is git-ignored and not tracked")


def _lists(gitignore: Path, relpaths: list[str]) -> bool:
    """Whether .gitignore already has the line setup would add (so something else defeats it)."""
    from ..files import read_regular

    try:  # a named pipe in its place must not hold doctor: read_regular refuses it
        lines = {line.strip() for line in read_regular(gitignore).decode(errors="replace").splitlines()}
    except OSError:
        return False
    return any(f"/{relpath}" in lines or relpath in lines for relpath in relpaths)


def state_dir(probe: Probe) -> Finding:
    """The undo records and the proxy's files: a root-owned leftover breaks setup, apply and logout."""
    from . import state_dir_problem

    problem = state_dir_problem(probe.settings)
    return failed(problem) if problem else ok(f"state folder {probe.settings.state_dir} is usable")


# ---- names and the proxy ----------------------------------------------------------------------


def resolves(host: str, timeout: float) -> bool | None:
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


def unresolved(resolved: bool | None, timeout: float) -> str:
    return "no address for it" if resolved is False else f"the resolver did not answer within {timeout:g} s"


def resolve_localhost(probe: Probe) -> Finding:
    resolved = resolves("localhost", probe.timeout)
    if resolved:
        return ok("localhost resolves")
    return failed(fail("gateway-name-unresolved", host="localhost", url=probe.settings.proxy_url,
                       detail=unresolved(resolved, probe.timeout)))


def resolve_upstream(probe: Probe) -> Finding:
    host = urlsplit(probe.settings.upstream).hostname or ""
    resolved = resolves(host, probe.timeout)
    if resolved:
        return ok(f"upstream host {host} resolves")
    if resolved is None or not probe.settings.proxy:  # without the proxy no nginx is involved
        return failed(fail("gateway-name-unresolved", host=host, url=probe.settings.upstream,
                           detail=unresolved(resolved, probe.timeout)))
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
    if problem is not None and problem.reason == "proxy-not-running":
        problem = _port_taken(probe) or problem
    if problem is not None:
        return failed(problem)
    if not report.config_current:
        stale = fail("proxy-config-stale")
        return Finding(WARN, stale.message, stale.fix, stale.reason)
    return ok(f"proxy running (pid {report.pid}) on {report.listen}, config current, health endpoint answers")


def _port_taken(probe: Probe) -> LitellmKeyError | None:
    """Our nginx is not running, yet something answers on its port (often the older set-up scripts'
    nginx on 8080): `proxy start` would fail there, so that program is the cause to name."""
    from .. import proxy

    settings = probe.settings
    try:
        with socket.create_connection((settings.listen_host, settings.listen_port), timeout=probe.timeout):
            pass
    except OSError:
        return None
    return fail("proxy-port-busy", port=settings.listen_port, holder=proxy.port_holder(settings.listen_port),
                listen=settings.listen)


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
    for rc in (home / name for name in shell_profile.RC_FILES):
        if os.path.lexists(rc) and not rc.is_file():  # a folder, a named pipe, a link loop: apply cannot write it
            return failed(fail("shell-rc-not-a-file", path=rc, detail="it is not a regular file"))
    return Finding(FAIL, f"no litellm-key block in {home}/.bashrc or .zshrc: codex, gemini and opencode will not find the key", "litellm-key apply", exit_code=3)


def claude_overrides(probe: Probe) -> Finding:
    """Claude Code prefers an exported key to its apiKeyHelper, and asks for ANTHROPIC_MODEL."""
    assert probe.key is not None
    exported = [name for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN") if os.environ.get(name)]
    stale = [name for name in exported if os.environ[name].strip() != probe.key.reveal()]
    names = stale or exported
    fix = f"unset {' '.join(names)} (and remove the export from your shell profile)"
    verb = "is" if len(names) == 1 else "are"
    if stale:  # Claude Code sends that instead of the stored key: every request fails
        return Finding(FAIL, f"{' and '.join(stale)} {verb} set in this shell to another key, not the stored key {probe.key.mask()}, "
                             "and Claude Code sends it instead of asking its apiKeyHelper", fix, exit_code=3)
    if exported:  # the stored key today; the helper would follow a renewal, the export will not
        return warn(f"{' and '.join(exported)} {verb} set in this shell and win over Claude Code's apiKeyHelper", fix)
    model = os.environ.get("ANTHROPIC_MODEL") or probe.settings.model_for("claude-code")
    if probe.models and model not in probe.models:
        return warn(f"Claude Code starts with {model}, which the key cannot use", "Set `client_models: {claude-code: <a model the key has>}` or `models`.")
    return ok(f"Claude Code uses the apiKeyHelper and starts with {model}")
