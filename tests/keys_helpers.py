"""Fixtures for `litellm-key keys`: the admin stand-in, a CLI holding the master key, a fake kubectl."""

from __future__ import annotations

import base64
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from conftest import Cli, Result
from litellm_admin_standin import LiteLLMAdminStandin
from litellm_standin import MASTER_KEY

# A fake kubectl: `get secret` prints the base64 field (or fails as kubectl does), `port-forward`
# serves a TCP proxy to the stand-in, behaving as FAKE_KUBECTL_MODE says.
FAKE_KUBECTL = r'''#!PYTHON
import os, signal, socket, sys, threading, time
args = sys.argv[1:]
log = os.environ.get("FAKE_KUBECTL_LOG")
if log:
    with open(log, "a") as handle:
        handle.write(f"{os.getpid()} {' '.join(args)}\n")
mode = os.environ.get("FAKE_KUBECTL_MODE", "ok")
if args[:2] == ["get", "secret"]:
    if mode == "no-context":
        sys.stderr.write('error: current-context is not set\n'); sys.exit(1)
    if mode == "no-secret":
        sys.stderr.write(f'Error from server (NotFound): secrets "{args[2]}" not found\n'); sys.exit(1)
    if mode == "no-field":
        sys.exit(0)
    sys.stdout.write(os.environ["FAKE_KUBECTL_SECRET"]); sys.exit(0)
if args[:1] == ["port-forward"]:
    local = int(args[-1].split(":")[0])
    target = int(os.environ["FAKE_KUBECTL_TARGET"])
    if mode == "ignore-term":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if mode == "never-ready":
        while True:
            time.sleep(1)
    flag = os.environ.get("FAKE_KUBECTL_DIE_ONCE")
    die_after = None
    if flag and not os.path.exists(flag):
        open(flag, "w").close(); die_after = 3  # connections served before this child "dies"
    server = socket.socket(); server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", local)); server.listen(16)
    def pipe(a, b):
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try: s.shutdown(socket.SHUT_RDWR)
                except OSError: pass
    served = 0
    while True:
        conn, _ = server.accept()
        served += 1
        if die_after is not None and served > die_after:
            conn.close(); server.close(); sys.exit(1)
        upstream = socket.create_connection(("127.0.0.1", target))
        threading.Thread(target=pipe, args=(conn, upstream), daemon=True).start()
        threading.Thread(target=pipe, args=(upstream, conn), daemon=True).start()
sys.stderr.write("fake kubectl: unexpected " + " ".join(args) + "\n"); sys.exit(1)
'''


def install_fake_kubectl(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "kubectl"
    path.write_text(FAKE_KUBECTL.replace("PYTHON", sys.executable, 1))
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


@pytest.fixture
def admin_standin(httpserver) -> LiteLLMAdminStandin:
    return LiteLLMAdminStandin(httpserver)


@pytest.fixture
def admin(workspace: Path, tmp_path: Path, admin_standin: LiteLLMAdminStandin) -> Cli:
    """The CLI with the master key in LITELLM_MASTER_KEY and the stand-in as `admin_url`."""
    home = tmp_path / "home"
    home.mkdir()
    cli = Cli(workspace, home, admin_standin)
    cli.env.update(LITELLM_MASTER_KEY=MASTER_KEY, LITELLM_ADMIN_URL=admin_standin.url)
    return cli


@pytest.fixture
def kubectl(tmp_path: Path, admin: Cli) -> Path:
    """A fake kubectl first on PATH; its log lists every call with its pid."""
    folder = tmp_path / "bin"
    install_fake_kubectl(folder)
    log = tmp_path / "kubectl.log"
    admin.env.update(
        PATH=f"{folder}{os.pathsep}{admin.env['PATH']}",
        FAKE_KUBECTL_LOG=str(log),
        FAKE_KUBECTL_SECRET=base64.b64encode(MASTER_KEY.encode()).decode(),
    )
    return log


def interrupted(
    cli: Cli,
    args: Sequence[str],
    *,
    when: Callable[[], bool],
    signal_number: int = signal.SIGINT,
    env: dict[str, str] | None = None,
    release: threading.Event | None = None,
) -> Result:
    """Run the CLI and send it `signal_number` (Ctrl-C) as soon as `when()` holds (polled with a
    deadline); `release` is set once the signal was delivered, for a stand-in handler holding a
    request open."""
    process = subprocess.Popen(
        [sys.executable, "-m", "litellm_key", *args], cwd=cli.workspace, env={**cli.env, **(env or {})},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while not when() and time.monotonic() < deadline:
            time.sleep(0.02)
        process.send_signal(signal_number)
        if release is not None:
            while not _signal_delivered(process.pid) and time.monotonic() < deadline:
                time.sleep(0.01)  # else the released answer may reach the CLI before the signal does
            release.set()
        stdout, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    return Result(process.returncode, stdout, stderr)


def _signal_delivered(pid: int) -> bool:
    """No signal pending for the process any more (Linux /proc): its handler has run."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True
    return all(int(line.split()[1], 16) == 0 for line in status.splitlines() if line.startswith(("SigPnd:", "ShdPnd:")))
