"""Kubernetes, seen from the admin's laptop: the master key secret and a supervised port-forward.

Both shell out to `kubectl` (the admin has it and its context already; a client library would add a
dependency and a second idea of "the cluster"). The master key travels kubectl's stdout -> base64
decode in Python -> `MasterKey`, never a command line. The port-forward is our child: we start it,
wait for the port with a deadline, restart it when it dies mid-command (the manual guide's "port-forward
keeps dying" loop), and stop exactly that pid on exit or Ctrl-C — never `pkill -f`.
"""

from __future__ import annotations

import re
import shlex
import socket
import subprocess
import threading
import time
from typing import TYPE_CHECKING

from .errors import fail
from .secret import MasterKey

if TYPE_CHECKING:
    from collections.abc import Sequence


def _kubectl(args: Sequence[str], purpose: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["kubectl", *args], capture_output=True, text=True, timeout=30, check=False)
    except FileNotFoundError:
        raise fail("kubectl-missing", purpose=purpose) from None
    except subprocess.TimeoutExpired:
        raise fail("kube-no-context", detail="kubectl did not answer within 30 s") from None


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:200] if lines else "no message"


def read_master_key(spec: str) -> MasterKey:
    """The master key from `namespace/secret/field` (the `master_key_secret` setting)."""
    import base64
    import binascii

    parts = spec.split("/")
    if len(parts) != 3 or not all(parts):
        raise fail("kube-secret-missing", what=f"secret named by '{spec}'", detail="not namespace/secret/field", spec=spec)
    namespace, name, field = parts
    jsonpath = "{.data." + field.replace(".", "\\.") + "}"
    result = _kubectl(["get", "secret", name, "-n", namespace, "-o", f"jsonpath={jsonpath}"], "--from-k8s")
    if result.returncode != 0:
        detail = _last_line(result.stderr)
        if "NotFound" in result.stderr or "not found" in result.stderr:
            raise fail("kube-secret-missing", what=f"secret {namespace}/{name}", detail=detail, spec=spec)
        raise fail("kube-no-context", detail=detail)  # no context, cluster down, RBAC: kubectl says which
    encoded = result.stdout.strip()
    if not encoded:
        raise fail("kube-secret-missing", what=f"field {field} in secret {namespace}/{name}", detail="empty", spec=spec)
    try:
        return MasterKey(base64.b64decode(encoded, validate=True).decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError):
        raise fail("kube-secret-missing", what=f"base64 text in {namespace}/{name}.{field}", detail="undecodable", spec=spec) from None


def local_port(command: Sequence[str]) -> int:
    """The local side of the last `LOCAL:REMOTE` (or bare `PORT`) argument of a port-forward command."""
    for arg in reversed(command):
        match = re.fullmatch(r"(\d+)(?::\d+)?", arg)
        if match:
            return int(match.group(1))
    return 4000


def port_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class PortForward:
    """`kubectl port-forward` as a supervised child. Use as a context manager; `alive()` before each call."""

    def __init__(self, command: str, *, ready_timeout: float = 15.0, stop_timeout: float = 5.0) -> None:
        self.argv = shlex.split(command)
        self.command = command
        self.port = local_port(self.argv)
        self.ready_timeout = ready_timeout
        self.stop_timeout = stop_timeout
        self.restarts = 0
        self._child: subprocess.Popen[bytes] | None = None
        # `keys onboard` calls from several threads: one of them restarts a dead child, the others
        # then see the new one (two restarts would orphan the first new child, still listening).
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._child.pid if self._child else None

    def __enter__(self) -> "PortForward":
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def start(self) -> None:
        if port_answers(self.port):  # ours would fail to bind, and the master key would go to whatever listens
            raise fail("port-forward-port-taken", command=self.command, port=self.port)
        try:
            # Own session: a Ctrl-C in the terminal reaches us, and we stop the child in order.
            self._child = subprocess.Popen(
                self.argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                start_new_session=True,
            )
        except FileNotFoundError:
            raise fail("kubectl-missing", purpose="--port-forward") from None
        try:
            self._wait_ready(self._child)
        except BaseException:  # a timeout, and Ctrl-C or SIGTERM while waiting: the child must not outlive us
            self.stop()
            raise

    def _wait_ready(self, child: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + self.ready_timeout
        while not port_answers(self.port):
            if child.poll() is not None:
                stderr = child.stderr.read().decode(errors="replace") if child.stderr else ""
                raise fail("port-forward-failed", command=self.command, detail=_last_line(stderr))
            if time.monotonic() > deadline:
                raise fail("port-forward-timeout", command=self.command, port=self.port, timeout=self.ready_timeout)
            time.sleep(0.05)

    def alive(self) -> None:
        """Restart the child if it died since the last call (kubectl drops idle port-forwards)."""
        with self._lock:
            if self._child is not None and self._child.poll() is not None:
                self._restart()

    def recover(self) -> None:
        """After a refused or cut connection: restart the child if it is dying or dead.

        A dying kubectl may still run when its connection fails (so `alive()` alone races), and may
        even accept one more connection; a second past its exit decides.
        """
        with self._lock:
            deadline = time.monotonic() + 1.0
            while self._child is not None and self._child.poll() is None:
                if time.monotonic() > deadline:
                    return  # still running (or just restarted by another call): not the port-forward's failure
                time.sleep(0.05)
            self._restart()

    def _restart(self) -> None:
        self._child = None
        self.restarts += 1
        self.start()

    def stop(self) -> None:
        """SIGTERM exactly our child; SIGKILL it if it ignores that past the deadline."""
        child, self._child = self._child, None
        if child is None or child.poll() is not None:
            return
        child.terminate()
        try:
            child.wait(timeout=self.stop_timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        if child.stderr:
            child.stderr.close()
