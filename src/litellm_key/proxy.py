"""The nginx proxy in the container: render the one template, `nginx -t`, start / reload / stop, status.

Claude Code cannot set `Host: litellm.localhost` itself, so nginx on loopback adds it. This runs at
every container start, so it stays import-light (stdlib only, no httpx) and never trusts state it
did not write: a pid file counts only while it names the nginx master running *our* config file,
and a candidate config must pass `nginx -t` before it replaces the live one.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import ipaddress
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import urlsplit

from . import files
from .errors import LitellmKeyError, fail
from .settings import Settings

TEMPLATE = Path(__file__).with_name("nginx.conf")
HEALTH_PATH = "/litellm-key/health"
NGINX_VARIABLE = "LITELLM_KEY_NGINX"  # path to the nginx binary, when it is not where we look
_NGINX_PLACES = ("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx")  # not on a user's PATH
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
_CONFIG_ID = re.compile(r"Rendered config id: (\w+)")
_URL_TEXT = re.compile(r"^https?://[A-Za-z0-9._~:/%\[\]-]+$")  # nothing that could end an nginx string
_WAIT_SECONDS = 5.0


@dataclass(frozen=True)
class ProxyPaths:
    prefix: Path
    config: Path
    candidate: Path
    pid_file: Path
    error_log: Path
    temp_dir: Path


@dataclass(frozen=True)
class ProxyStatus:
    running: bool
    pid: int | None
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


def paths(settings: Settings) -> ProxyPaths:
    prefix = settings.state_dir / "nginx"
    return ProxyPaths(
        prefix, prefix / "nginx.conf", prefix / "nginx.conf.new", prefix / "nginx.pid", prefix / "error.log", prefix / "temp"
    )


# ---- render ----------------------------------------------------------------------------------------


def _bad_value(field: str, problem: str, hint: str) -> LitellmKeyError:
    return fail("config-value", source="proxy settings", field=field, problem=problem, hint=hint)


def _bracket(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _ipv6_loopback_available() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
        return True
    except OSError:
        return False


def listen_hosts(settings: Settings) -> list[str]:
    """Loopback only. 127.0.0.1 also gets ::1 when it exists: clients dial `localhost`, which Node
    may resolve to ::1 first and then not fall back (ECONNREFUSED ::1:8080)."""
    host = "127.0.0.1" if settings.listen_host == "localhost" else settings.listen_host
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise _bad_value("listen", f"{host} is not a loopback address", "The proxy listens on loopback only, e.g. 127.0.0.1:8080")
    return [host, "::1"] if host == "127.0.0.1" and _ipv6_loopback_available() else [host]


def _quotable(field: str, path: Path) -> str:
    """A path the template puts inside "...": nothing in it may end or interpolate the string."""
    text = str(path)
    if any(char in text for char in '"\\$') or not text.isprintable():
        raise _bad_value(field, f"'{text}' holds a quote, backslash, $ or control character", "Choose a plain path")
    return text


def _user_directive(prefix: Path) -> str:
    """As root, nginx would switch its workers to `nobody`, who cannot write our temp dirs: run them
    as the owner of the state dir instead. Unprivileged, the directive would only warn."""
    if os.geteuid() != 0:
        return "# user: not set (nginx was started unprivileged and runs as that user)"
    import grp
    import pwd

    existing = next(folder for folder in (prefix, *prefix.parents) if folder.exists())
    owner = existing.stat()
    try:
        return f"user {pwd.getpwuid(owner.st_uid).pw_name} {grp.getgrgid(owner.st_gid).gr_name};"
    except KeyError:
        return "user root root;"


def _timeout(seconds: float) -> str:
    return f"{int(seconds)}s" if float(seconds).is_integer() else f"{round(seconds * 1000)}ms"


def _template_values(settings: Settings) -> dict[str, str]:
    upstream = urlsplit(settings.upstream)
    if not _URL_TEXT.match(settings.upstream) or upstream.query or upstream.fragment or not upstream.hostname:
        raise _bad_value("upstream", f"'{settings.upstream}' is not a plain http(s)://host:port[/path] URL", "e.g. http://host.docker.internal:80")
    if not re.fullmatch(r"[A-Za-z0-9.-]+", settings.host_header):
        raise _bad_value("host_header", f"'{settings.host_header}' is not a host name", "Use a plain name such as litellm.localhost")
    port = upstream.port or (443 if upstream.scheme == "https" else 80)
    path = upstream.path.rstrip("/")
    where = paths(settings)
    return {
        "upstream": settings.upstream,
        "host_header": settings.host_header,
        "upstream_address": f"{_bracket(upstream.hostname)}:{port}",
        # With a path, $request_uri keeps the client's URI byte for byte (no re-encoding).
        "proxy_pass": f"{upstream.scheme}://litellm_upstream" + (f"{path}$request_uri" if path else ""),
        "listen": "\n".join(f"        listen {_bracket(host)}:{settings.listen_port};" for host in listen_hosts(settings)),
        "user": _user_directive(where.prefix),
        "prefix": _quotable("state_dir", where.prefix) + "/",
        "timeout": _timeout(settings.proxy_timeout),
    }


def render(settings: Settings) -> str:
    """The config text. Its id is a hash of everything else, so the health endpoint can say which
    config the running nginx has loaded."""
    values = _template_values(settings)
    text = _PLACEHOLDER.sub(lambda m: m.group(0) if m.group(1) == "config_id" else values[m.group(1)], TEMPLATE.read_text())
    return text.replace("{{config_id}}", hashlib.sha256(text.encode()).hexdigest()[:16])


# ---- nginx the program ---------------------------------------------------------------------------


def nginx_binary(settings: Settings) -> str:
    explicit = os.environ.get(NGINX_VARIABLE)
    for candidate in [explicit] if explicit else [shutil.which("nginx"), *_NGINX_PLACES]:
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    raise fail("nginx-missing", listen=f"{settings.listen_host}:{settings.listen_port}")


@functools.lru_cache(maxsize=None)
def _knows_error_log_flag(binary: str) -> bool:
    """`-e` arrived in nginx 1.19.5; Debian 11 and Ubuntu 20.04 ship 1.18."""
    version = subprocess.run([binary, "-v"], capture_output=True, text=True, check=False).stderr
    found = re.search(r"nginx/(\d+)\.(\d+)\.(\d+)", version)
    return found is None or tuple(map(int, found.groups())) >= (1, 19, 5)


def _nginx(binary: str, where: ProxyPaths, config: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """`-p` and `-e` keep nginx away from /usr/share/nginx and /var/log/nginx before it has read
    our config (nginx-light would otherwise try to open /var/log/nginx/error.log as the user)."""
    error_log = ["-e", str(where.error_log)] if _knows_error_log_flag(binary) else []
    command = [binary, "-p", f"{where.prefix}/", *error_log, "-c", str(config), *extra]
    return subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)


def _first_problem(output: str) -> str:
    lines = [line.split("] ", 1)[-1].strip() for line in output.splitlines() if "[emerg]" in line or "[alert]" in line]
    return (lines[0] if lines else " ".join(output.split()))[:300] or "no output"


def _diagnose(output: str, settings: Settings, reason: str) -> LitellmKeyError:
    """The catalogued error for what nginx printed; `reason` when it is none of the known causes."""
    listen = f"{settings.listen_host}:{settings.listen_port}"
    # nginx before 1.19.5 (no -e) complains about its default log first; that is not the failure
    output = "\n".join(line for line in output.splitlines() if "could not open error log file" not in line)
    if "host not found in upstream" in output:
        return fail("upstream-unresolvable", host=urlsplit(settings.upstream).hostname)
    if "Address already in use" in output:
        return fail("proxy-port-busy", port=settings.listen_port, holder=port_holder(settings.listen_port), listen=listen)
    if "Permission denied" in output:
        return fail("proxy-permission", detail=_first_problem(output), state_dir=settings.state_dir)
    return fail(reason, detail=_first_problem(output), log=paths(settings).error_log)


def port_holder(port: int) -> str:
    """' by <name> (pid N)' for whoever listens on `port`, from /proc; '' when it cannot be told
    (another user's process, no /proc)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            columns = row.split()
            if len(columns) > 9 and columns[3] == "0A" and int(columns[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(f"socket:[{columns[9]}]")
    for process in Path("/proc").glob("[0-9]*") if inodes else ():
        try:
            if any(os.readlink(fd) in inodes for fd in (process / "fd").iterdir()):
                return f" by {(process / 'comm').read_text().strip()} (pid {process.name})"
        except OSError:
            continue
    return ""


def _is_our_master(pid: int, where: ProxyPaths) -> bool:
    """Alive (zombies count as gone: PID 1 in a container may never reap them) and running our config."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X") and "nginx" in command and command.rstrip().endswith(f"-c {where.config}")


def running_pid(where: ProxyPaths) -> int | None:
    """The pid from our pid file, but only while it is our nginx; a stale file is removed."""
    try:
        pid = int(where.pid_file.read_text().strip())
    except (OSError, ValueError):
        pid = None
    if pid is not None and _is_our_master(pid, where):
        return pid
    with contextlib.suppress(OSError):  # absent, or another user's: nginx overwrites it on start
        where.pid_file.unlink()
    return None


def _wait_until(condition: Callable[[], bool], seconds: float = _WAIT_SECONDS) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


# ---- HTTP through the proxy (http.client: no environment proxies, no httpx import) -----------------


def _get(settings: Settings, path: str, timeout: float) -> tuple[int, str] | None:
    import http.client

    connection = http.client.HTTPConnection(listen_hosts(settings)[0], settings.listen_port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read(4096).decode("utf-8", errors="replace")
    except (OSError, http.client.HTTPException):
        return None
    finally:
        connection.close()


def _served_config_id(settings: Settings) -> str | None:
    import json

    answer = _get(settings, HEALTH_PATH, timeout=min(settings.timeout, 2.0))
    if answer is None or answer[0] != 200:
        return None
    try:
        return str(json.loads(answer[1]).get("config_id"))
    except (ValueError, AttributeError):
        return None


def config_id(text: str) -> str:
    match = _CONFIG_ID.search(text)
    return match.group(1) if match else ""


# ---- lifecycle -----------------------------------------------------------------------------------


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


def _start(binary: str, settings: Settings, where: ProxyPaths, wanted_id: str) -> None:
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

    An invalid config never replaces a working one: the candidate passes `nginx -t` first.
    """
    binary = nginx_binary(settings)
    text = render(settings)
    _check_upstream_resolves(settings)
    where = paths(settings)
    with _locked(settings, where):
        where.temp_dir.mkdir(exist_ok=True)
        files.atomic_write(where.candidate, text.encode())
        tested = _nginx(binary, where, where.candidate, "-t", "-q")
        if tested.returncode != 0:
            where.candidate.unlink()
            raise _diagnose(tested.stderr, settings, "nginx-config-invalid")
        pid = running_pid(where)
        previous = where.config.read_bytes() if where.config.exists() else None
        os.replace(where.candidate, where.config)
        if pid is None:
            _start(binary, settings, where, config_id(text))
            return "started"
        if previous == text.encode() and _served_config_id(settings) == config_id(text):
            return "unchanged"
        _reload(pid, settings, where, config_id(text), previous)
        return "reloaded"


def stop(settings: Settings) -> bool:
    """Stop the nginx our pid file names (fast shutdown: an SSE stream must not hold it for minutes).
    False when none of ours was running."""
    where = paths(settings)
    if not where.prefix.is_dir():
        return False
    with _locked(settings, where):
        pid = running_pid(where)
        if pid is None:
            return False
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
            if not _wait_until(lambda: not _is_our_master(pid, where)):
                os.killpg(pid, signal.SIGKILL)  # the master leads its workers' process group
        running_pid(where)  # removes the pid file if nginx left it behind
        return True


def status(settings: Settings, *, check_upstream: bool = True) -> ProxyStatus:
    """Every question `proxy status` and `doctor` ask, each answered on its own."""
    where = paths(settings)
    wanted_id = config_id(render(settings))
    pid = running_pid(where)
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
        config_current=config_current,
        health_ok=health_ok,
        upstream_ok=upstream_ok,
        upstream_status=upstream_status,
        upstream_body=upstream_body,
        listen=f"{settings.listen_host}:{settings.listen_port}",
        upstream=settings.upstream,
        paths=where,
    )
