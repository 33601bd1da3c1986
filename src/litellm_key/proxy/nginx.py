"""nginx the program: finding it, running it with our prefix, reading its pid file and its complaints.

Nothing here trusts state it did not write: a pid file counts only while it names an nginx master
running *our* config file, so a stale or reused pid is never signalled.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import Callable, Collection
from urllib.parse import urlsplit

from .. import files
from ..errors import LitellmKeyError, fail
from ..settings import Settings
from .config import ProxyPaths, paths

NGINX_VARIABLE = "LITELLM_KEY_NGINX"  # path to the nginx binary, when it is not where we look
NGINX_PLACES = ("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx")  # not on a user's PATH
_WAIT_SECONDS = 5.0


def nginx_binary(settings: Settings) -> str:
    explicit = os.environ.get(NGINX_VARIABLE)
    for candidate in [explicit] if explicit else [shutil.which("nginx"), *NGINX_PLACES]:
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    raise fail("nginx-missing", listen=f"{settings.listen_host}:{settings.listen_port}")


@functools.lru_cache(maxsize=None)
def _knows_error_log_flag(binary: str, cache: Path) -> bool:
    """`-e` arrived in nginx 1.19.5; Debian 11 and Ubuntu 20.04 ship 1.18.

    The answer of `nginx -v` is kept in `cache` (the state dir), keyed by the binary's path, mtime
    and size: a process that starts nginx should not pay for a second nginx run to learn it.
    """
    try:
        found = os.stat(binary)
        key = f"{binary}\0{found.st_mtime_ns}\0{found.st_size}\0"
    except OSError:
        key = ""
    with contextlib.suppress(OSError, UnicodeDecodeError):
        kept = cache.read_text()
        if key and kept.startswith(key) and kept[len(key):] in ("0", "1"):
            return kept[len(key):] == "1"
    version = subprocess.run([binary, "-v"], capture_output=True, text=True, check=False).stderr
    parsed = re.search(r"nginx/(\d+)\.(\d+)\.(\d+)", version)
    knows = parsed is None or tuple(map(int, parsed.groups())) >= (1, 19, 5)
    if key:
        with contextlib.suppress(OSError):
            files.atomic_write(cache, f"{key}{int(knows)}".encode())
    return knows


def _nginx(binary: str, where: ProxyPaths, config: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """`-p` and `-e` keep nginx away from /usr/share/nginx and /var/log/nginx before it has read
    our config (nginx-light would otherwise try to open /var/log/nginx/error.log as the user)."""
    error_log = ["-e", str(where.error_log)] if _knows_error_log_flag(binary, where.version_cache) else []
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


def port_holder(port: int, ignore: Collection[int] = ()) -> str:
    """' by <name> (pid N)' for whoever listens on `port`, from /proc; '' when it cannot be told
    (another user's process, no /proc). `ignore`: our own nginx, which during a failing reload
    briefly holds the new port's other address (it binds [::1] while 127.0.0.1 is taken)."""
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
        if int(process.name) in ignore:
            continue
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


def our_processes(where: ProxyPaths) -> list[int]:
    """Every live nginx process of ours, whoever its parent: the master, its workers, and workers
    whose master died (`kill -9`), which go on serving the port with nobody to stop them.

    The criterion: nginx retitles all its processes "nginx: master process …" / "nginx: worker
    process", and every one of them holds the error log the master opened — ours lives in our state
    dir, so an open descriptor on that path ties a process to our prefix and no other program's
    process can match. /proc only shows descriptors of our own user's processes (or all, as root).
    """
    logs = {str(where.error_log), os.path.realpath(where.error_log)}
    logs |= {f"{log} (deleted)" for log in logs}  # a log removed under a running nginx
    found = []
    for process in Path("/proc").glob("[0-9]*"):
        try:
            if not (process / "cmdline").read_bytes().startswith(b"nginx: "):
                continue
            if any(os.readlink(fd) in logs for fd in (process / "fd").iterdir()):
                found.append(int(process.name))
        except (OSError, ValueError):
            continue
    return found


def running_since(pid: int) -> str | None:
    """The process's start time (its identity beside the pid, which can be reused) while it runs;
    None once it is gone or a zombie.

    Why not "is it still our nginx": an exiting process loses its cmdline and its descriptor table
    before the kernel releases its files, so for a moment it no longer looks like nginx while its
    listening socket still holds the port. Only a zombie is sure to have let go of everything.
    """
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return None if fields[0] in ("Z", "X") else fields[19]


def wait_exited(pids: Collection[int]) -> bool:
    """Wait until each of `pids`, as it was when this was called, has exited: True when all did in time."""
    started = {pid: running_since(pid) for pid in pids}
    return _wait_until(lambda: all(since is None or running_since(pid) != since for pid, since in started.items()))


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
