"""A real Secret Service for the `keyring` library: gnome-keyring-daemon on a private D-Bus session
bus made by `dbus-run-session`, with a login keyring unlocked by a password on stdin, as a desktop
login does. Used by tests/test_keyring_service.py and benchmarks/keyring_startup.py.

The bus lives as long as the shell `dbus-run-session` runs: it prints the bus address, then waits
for its stdin to close; closing it ends the daemon (by its pid) and the bus.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

BACKEND = "keyring.backends.SecretService.Keyring"  # the library's own backend, never a fallback
_SESSION = """
printf %s "$KEYRING_PASSWORD" | gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>&1 &
daemon=$!
echo "$DBUS_SESSION_BUS_ADDRESS"
read -r _ || true
kill "$daemon" 2>/dev/null
wait "$daemon" 2>/dev/null
"""
_LOCK = """
import secretstorage
connection = secretstorage.dbus_init()
secretstorage.get_default_collection(connection).lock()
"""


def missing_tools() -> list[str]:
    return [tool for tool in ("dbus-run-session", "gnome-keyring-daemon") if not shutil.which(tool)]


@contextmanager
def secret_service(home: Path, timeout: float = 20) -> Iterator[dict[str, str]]:
    """Yield the environment a command needs to use the service (HOME, the bus, the backend)."""
    runtime = home / "run"
    runtime.mkdir(mode=0o700, parents=True)
    (home / ".cache").mkdir(exist_ok=True)  # gnome-keyring's control socket folder
    environ = {"HOME": str(home), "XDG_RUNTIME_DIR": str(runtime), "PYTHON_KEYRING_BACKEND": BACKEND}
    session = subprocess.Popen(
        ["dbus-run-session", "--", "sh", "-c", _SESSION],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, **environ, "KEYRING_PASSWORD": "login-password"}, start_new_session=True,
    )  # fmt: skip
    try:
        assert session.stdout is not None
        environ["DBUS_SESSION_BUS_ADDRESS"] = session.stdout.readline().strip()
        _wait_until_it_answers({**os.environ, **environ}, timeout)
        yield environ
    finally:
        if session.stdin:
            session.stdin.close()
        try:
            session.wait(timeout=10)
        except subprocess.TimeoutExpired:
            session.kill()
            session.wait(timeout=10)


def _wait_until_it_answers(environ: dict[str, str], timeout: float) -> None:
    """Poll (never sleep a guess) until the daemon owns its bus name and the login keyring is open."""
    deadline = time.monotonic() + timeout
    probe = [sys.executable, "-c", "import keyring; keyring.get_password('litellm-key-test', 'probe')"]
    while True:
        answered = subprocess.run(probe, env=environ, capture_output=True, text=True, timeout=timeout)
        if answered.returncode == 0:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"the Secret Service did not answer within {timeout:.0f} s:\n{answered.stderr[-2000:]}")
        time.sleep(0.1)


def lock(environ: dict[str, str]) -> None:
    """Lock the login keyring, as a screen lock or a timeout does."""
    subprocess.run([sys.executable, "-c", _LOCK], env={**os.environ, **environ}, check=True, capture_output=True, timeout=20)


def stored(environ: dict[str, str], service: str, user: str) -> str | None:
    """What the service holds, read through the library as another program would."""
    shown = subprocess.run(
        [sys.executable, "-c", f"import keyring; print(keyring.get_password({service!r}, {user!r}) or '')"],
        env={**os.environ, **environ}, capture_output=True, text=True, check=True, timeout=20,
    )  # fmt: skip
    return shown.stdout.strip() or None
