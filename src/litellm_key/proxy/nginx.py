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
from typing import Callable
from urllib.parse import urlsplit

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
