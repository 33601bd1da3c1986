"""The nginx proxy in the container: render the one template, `nginx -t`, start / reload / stop, status.

Claude Code cannot set `Host: litellm.localhost` itself, so nginx on loopback adds it. This runs at
every container start, so it stays import-light (httpx only once the proxy is asked). `config` renders the
template, `nginx` runs the program; this module keeps the running proxy in step with the settings.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import socket
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

from .. import files
from ..errors import fail
from ..settings import Settings
from .config import HEALTH_PATH, TEMPLATE, ProxyPaths, config_id, listen_hosts, paths, render
from .nginx import (
    NGINX_PLACES,
    NGINX_VARIABLE,
    _diagnose,
    _nginx,
    _wait_until,
    nginx_binary,
    our_processes,
    port_holder,
    running_pid,
    wait_exited,
)

__all__ = [
    "HEALTH_PATH", "NGINX_PLACES", "NGINX_VARIABLE", "TEMPLATE", "ProxyPaths", "ProxyStatus", "config_id",
    "ensure_running", "listen_hosts", "nginx_binary", "paths", "port_holder", "render", "running_pid", "status", "stop",
]


@dataclass(frozen=True)
class ProxyStatus:
    running: bool
    pid: int | None
    orphans: tuple[int, ...]  # workers of ours serving without a master (it was killed); empty while running
    config_current: bool
    health_ok: bool
    upstream_ok: bool | None  # GET /health/liveliness through the proxy; None when not checked
    upstream_status: int | None  # its HTTP status; None when not checked or no answer
    upstream_body: str
    listen: str
    upstream: str
    paths: ProxyPaths

    def as_dict(self) -> dict[str, object]:
        result = asdict(self)
        result["paths"] = {name: str(path) for name, path in result["paths"].items()}
        return result


# ---- HTTP through the proxy (the one HTTP client, imported only when the proxy is asked) ---------


def _get(settings: Settings, path: str, timeout: float) -> tuple[int, str] | None:
    from ..errors import LitellmKeyError
    from ..http_client import Client, Service

    host = listen_hosts(settings)[0]
    url = f"http://{f'[{host}]' if ':' in host else host}:{settings.listen_port}"
    try:
        with Client(url, {}, timeout=timeout, service=Service("gateway", "`listen` (LITELLM_LISTEN)")) as client:
            response = client.request("GET", path)
    except LitellmKeyError:
        return None
    return response.status_code, response.text[:4096]


def _served_config_id(settings: Settings) -> str | None:
    import json

    answer = _get(settings, HEALTH_PATH, timeout=min(settings.timeout, 2.0))
    if answer is None or answer[0] != 200:
        return None
    try:
        return str(json.loads(answer[1]).get("config_id"))
    except (ValueError, AttributeError):
        return None


def _check_upstream_resolves(settings: Settings) -> None:
    """nginx refuses to start on an unknown proxy_pass host; host.docker.internal only exists on
    Linux Docker with --add-host, so say that instead of nginx's "host not found"."""
    upstream = urlsplit(settings.upstream)
    try:
        socket.getaddrinfo(upstream.hostname, upstream.port or 80, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise fail("upstream-unresolvable", host=upstream.hostname) from None


def _check_port_free(settings: Settings) -> None:
    """nginx retries a busy port for 2.5 s and then prints only the address; we can name the holder."""
    for host in listen_hosts(settings):
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as nginx does
            try:
                probe.bind((host, settings.listen_port))
            except OSError as error:
                if error.errno == errno.EADDRINUSE:
                    raise _diagnose("Address already in use", settings, "proxy-start-failed") from None
                if error.errno == errno.EACCES:
                    raise fail("proxy-permission", detail=f"binding {host}:{settings.listen_port}", state_dir=settings.state_dir) from None


def _log_size(where: ProxyPaths) -> int:
    return where.error_log.stat().st_size if where.error_log.exists() else 0


def _log_since(where: ProxyPaths, offset: int) -> str:
    """What nginx logged after `offset`: how a reload or a daemonised start failed."""
    with contextlib.suppress(OSError), where.error_log.open("rb") as log:
        log.seek(offset)
        return log.read(65536).decode(errors="replace")
    return ""


def _stop_orphans(where: ProxyPaths) -> bool:
    """Stop nginx processes of ours that no master we know leads (see `our_processes`): after a
    `kill -9` of the master its workers keep the port, and nothing could start until they go.
    True when there were any."""
    orphans = our_processes(where)
    for signal_number in (signal.SIGTERM, signal.SIGKILL):  # a worker exits at once on TERM
        for pid in set(orphans) & set(our_processes(where)):  # checked again right before signalling
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal_number)
        if wait_exited(orphans):  # not "no longer ours": see `running_since`
            break
    return bool(orphans)


def _start(binary: str, settings: Settings, where: ProxyPaths, wanted_id: str) -> None:
    _stop_orphans(where)
    _check_port_free(settings)
    offset = _log_size(where)
    started = _nginx(binary, where, where.config)
    if started.returncode != 0:
        raise _diagnose(started.stderr, settings, "proxy-start-failed")
    if not _wait_until(lambda: running_pid(where) is not None and _served_config_id(settings) == wanted_id):
        raise _diagnose(_log_since(where, offset) or "no answer on the health endpoint", settings, "proxy-start-failed")


def _old_workers(master: int) -> set[int]:
    """Workers still accepting connections. After a reload the old ones keep accepting until they
    process the master's QUIT (visible as "worker process is shutting down")."""
    workers = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == master:
                if b"shutting down" not in (stat.parent / "cmdline").read_bytes():
                    workers.add(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return workers


def _reload(pid: int, settings: Settings, where: ProxyPaths, wanted_id: str, previous: bytes | None) -> None:
    """SIGHUP, then wait until the new config answers and the old workers stopped accepting. nginx
    keeps the old config when the new one fails to load (a busy new port, say): the old file is put
    back then, so the live file always says what runs."""
    offset, old = _log_size(where), _old_workers(pid)

    def settled() -> bool:
        return "[emerg]" in _log_since(where, offset) or (
            not old & _old_workers(pid) and _served_config_id(settings) == wanted_id
        )

    os.kill(pid, signal.SIGHUP)
    settled_in_time = _wait_until(settled)
    problems = _log_since(where, offset)
    if settled_in_time and "[emerg]" not in problems:
        return
    if previous is not None:
        files.atomic_write(where.config, previous)
    if "Address already in use" in problems:
        holder = port_holder(settings.listen_port, ignore=our_processes(where))
        raise fail("proxy-reload-port-busy", port=settings.listen_port, holder=holder, listen=f"{settings.listen_host}:{settings.listen_port}", pid=pid)
    raise _diagnose(problems or "the new config was not loaded in time", settings, "proxy-start-failed")


@contextlib.contextmanager
def _locked(settings: Settings, where: ProxyPaths) -> Iterator[None]:
    """One of us at a time per state dir (postStartCommand and a user's `setup` may race); an
    unwritable state dir or another user's nginx is a permission problem, not a crash."""
    try:
        with files.locked_dir(where.prefix):
            yield
    except PermissionError as error:
        raise fail("proxy-permission", detail=str(error), state_dir=settings.state_dir) from None


def ensure_running(settings: Settings) -> str:
    """Make nginx serve the current settings: "started", "reloaded" or "unchanged".

    An invalid config never replaces a working one: the candidate passes `nginx -t` first. When the
    running nginx already serves this exact text (every container start, mostly), nothing is
    written, tested or run: the installed file and the served config id are compared first.
    """
    text = render(settings)
    wanted_id = config_id(text)
    where = paths(settings)
    with _locked(settings, where):
        pid = running_pid(where)
        previous = where.config.read_bytes() if where.config.exists() else None
        if pid is not None and previous == text.encode() and _served_config_id(settings) == wanted_id:
            return "unchanged"
        binary = nginx_binary(settings)
        _check_upstream_resolves(settings)
        where.temp_dir.mkdir(exist_ok=True)
        files.atomic_write(where.candidate, text.encode())
        tested = _nginx(binary, where, where.candidate, "-t", "-q")
        if tested.returncode != 0:
            where.candidate.unlink()
            raise _diagnose(tested.stderr, settings, "nginx-config-invalid")
        os.replace(where.candidate, where.config)
        if pid is None:
            _start(binary, settings, where, wanted_id)
            return "started"
        _reload(pid, settings, where, wanted_id, previous)
        return "reloaded"


def stop(settings: Settings) -> bool:
    """Stop the nginx our pid file names (fast shutdown: an SSE stream must not hold it for minutes),
    or the workers a killed master left behind. False when none of ours was running."""
    where = paths(settings)
    if not where.prefix.is_dir():
        return False
    with _locked(settings, where):
        pid = running_pid(where)
        if pid is None:
            return _stop_orphans(where)
        everyone = our_processes(where)  # all hold the port, until they have exited (see `running_since`)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
            if not wait_exited(everyone):
                os.killpg(pid, signal.SIGKILL)  # the master leads its workers' process group
                wait_exited(everyone)
        running_pid(where)  # removes the pid file if nginx left it behind
        return True


def status(settings: Settings, *, check_upstream: bool = True) -> ProxyStatus:
    """Every question `proxy status` and `doctor` ask, each answered on its own."""
    where = paths(settings)
    wanted_id = config_id(render(settings))
    pid = running_pid(where)
    orphans = () if pid is not None else tuple(sorted(our_processes(where)))
    served_id = _served_config_id(settings) if pid is not None else None
    health_ok = served_id is not None
    if health_ok:
        config_current = served_id == wanted_id
    else:
        with contextlib.suppress(OSError):
            served_id = config_id(where.config.read_text())
        config_current = served_id == wanted_id
    upstream_ok, upstream_status, upstream_body = None, None, ""
    if check_upstream and health_ok:
        answer = _get(settings, "/health/liveliness", timeout=settings.timeout)
        upstream_ok = answer is not None and answer[0] == 200
        upstream_status, upstream_body = answer if answer is not None else (None, "")
    return ProxyStatus(
        running=pid is not None,
        pid=pid,
        orphans=orphans,
        config_current=config_current,
        health_ok=health_ok,
        upstream_ok=upstream_ok,
        upstream_status=upstream_status,
        upstream_body=upstream_body,
        listen=f"{settings.listen_host}:{settings.listen_port}",
        upstream=settings.upstream,
        paths=where,
    )
