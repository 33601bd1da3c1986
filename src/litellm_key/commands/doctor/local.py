"""The `litellm-key doctor` checks inside the container: the .env file, the state folder, name
resolution, nginx and the proxy, the clients. Nothing here writes a file: `doctor` only looks.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

from ...errors import LitellmKeyError, fail
from ...known_clients import ENVIRONMENT_CLIENTS_TEXT
from .common import FAIL, WARN, Finding, Probe, failed, ok, resolves, unresolved, warn

# ---- settings and .env ------------------------------------------------------------------------


def env_file(probe: Probe) -> Finding:
    """The stored key, wherever `key_store` keeps it (with `keyring`, .env holds no key on purpose)."""
    from ...services.key_store import key_store

    path = probe.settings.env_file
    store = key_store(probe.settings)
    try:
        probe.key = store.require()
    except LitellmKeyError as error:
        return failed(error)
    if store.where != str(path):
        return ok(f"key {probe.key.mask()} in {store.where} ({probe.settings.key_store})")
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        return warn(f"{path} is readable by others (mode {mode:04o})", f"chmod 600 {path}")
    return ok(f"key {probe.key.mask()} in {path} (mode {mode:04o})")


def env_git(probe: Probe) -> Finding:
    """Read-only: git neither tracks nor would add .env (or the file a link points to)."""
    from ...envfile import unignored

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
    from ...files import read_regular

    try:  # a named pipe in its place must not hold doctor: read_regular refuses it
        lines = {line.strip() for line in read_regular(gitignore).decode(errors="replace").splitlines()}
    except OSError:
        return False
    return any(f"/{relpath}" in lines or relpath in lines for relpath in relpaths)


def state_dir(probe: Probe) -> Finding:
    """The undo records and the proxy's files: a root-owned leftover breaks setup, apply and logout."""
    from ...services.state_dir import state_dir_problem

    problem = state_dir_problem(probe.settings)
    return failed(problem) if problem else ok(f"state folder {probe.settings.state_dir} is usable")


# ---- names and the proxy ----------------------------------------------------------------------


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
    from ... import proxy

    try:
        return ok(f"nginx installed: {proxy.nginx_binary(probe.settings)}")
    except LitellmKeyError as error:
        return failed(error)


def proxy_running(probe: Probe) -> Finding:
    from ... import proxy
    from ...services.verification import first_proxy_problem

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
    from ... import proxy

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
        from ...clients import CONFIGURED, DRIFTED, ClientContext, get_client
        from ...services.client_setup import token_command

        ctx = ClientContext.current(probe.settings, probe.key, token_command(probe.settings))
        state = get_client(name).describe(ctx)
        if state.state == CONFIGURED:
            return ok(f"{name} configured")
        what = f"drifted: {state.detail}" if state.state == DRIFTED else f"not configured{f' ({state.detail})' if state.detail else ''}"
        return Finding(FAIL, f"{name} {what}", f"litellm-key apply --client {name}", exit_code=3)

    return check


def shell_block(probe: Probe) -> Finding:
    from ... import shell_profile

    home = Path.home()
    if shell_profile.installed(home):
        return ok("new terminals export the key (shell block present)")
    for rc in (home / name for name in shell_profile.RC_FILES):
        if os.path.lexists(rc) and not rc.is_file():  # a folder, a named pipe, a link loop: apply cannot write it
            return failed(fail("shell-rc-not-a-file", path=rc, detail="it is not a regular file"))
    return Finding(FAIL, f"no litellm-key block in {home}/.bashrc or .zshrc: {ENVIRONMENT_CLIENTS_TEXT} will not find the key", "litellm-key apply", exit_code=3)


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
