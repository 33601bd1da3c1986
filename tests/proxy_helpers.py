"""What the proxy tests share: a threaded upstream that records what it receives, the `upstream`
and `start_proxy` fixtures (ephemeral ports, every nginx stopped afterwards; conftest.py makes them
available everywhere) and /proc helpers. Waiting is polling with a deadline, never a fixed sleep.
Tests that need nginx use `needs_nginx`: without an nginx binary they skip, except in CI (CI=…),
where a missing nginx must fail.
"""

from __future__ import annotations

import dataclasses
import hashlib
import http.client
import json
import os
import shutil
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from litellm_key import proxy
from litellm_key.errors import LitellmKeyError
from litellm_key.settings import Settings

NGINX = proxy.NGINX_VARIABLE in os.environ or any(
    candidate and os.access(candidate, os.X_OK) for candidate in (shutil.which("nginx"), *proxy.NGINX_PLACES)
)
# In CI a missing nginx must fail, not skip.
needs_nginx = [pytest.mark.nginx, pytest.mark.skipif(not NGINX and not os.environ.get("CI"), reason="no nginx binary")]


# ---- a small upstream that records every request -------------------------------------------------


@dataclasses.dataclass
class Received:
    method: str
    target: str  # path and query exactly as they arrived
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key.lower() == name.lower()), None)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # nginx keeps its upstream connections alive
    server: "Upstream"

    def log_message(self, *args: object) -> None:
        pass

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while size := int(self.rfile.readline().split(b";")[0], 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            self.rfile.readline()
            return b"".join(chunks)
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _reply(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _sse(self, count: int, interval: float) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for index in range(count):
            if index:
                self.server.stopping.wait(interval)
            event = f"data: {index}\n\n".encode()
            self.server.sse_sent.append(time.monotonic())
            self.wfile.write(b"%x\r\n%s\r\n" % (len(event), event))
        self.wfile.write(b"0\r\n\r\n")

    def handle_one(self) -> None:
        body = self._body()
        self.server.received.append(Received(self.command, self.path, list(self.headers.items()), body))
        path, query = urlsplit(self.path).path, parse_qs(urlsplit(self.path).query)
        if path == "/health/liveliness":
            self._reply(200, b'"I\'m alive!"')
        elif path == "/sse":
            self._sse(int(query["count"][0]), float(query["interval"][0]))
        elif path == "/slow":
            self.server.stopping.wait(float(query["seconds"][0]))
            self._reply(200, b"{}")
        else:
            summary = {"length": len(body), "sha256": hashlib.sha256(body).hexdigest()}
            self._reply(200, json.dumps(summary).encode())

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = handle_one


class Upstream(ThreadingHTTPServer):
    """LiteLLM/Traefik stand-in on an ephemeral loopback port, in a background thread."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received: list[Received] = []
        self.sse_sent: list[float] = []
        self.stopping = threading.Event()
        self.scheme = "http"
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.server_address[1]}"

    def start(self) -> "Upstream":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    server = Upstream().start()
    yield server
    server.stop()


# ---- the proxy under test ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def proxy_settings(state_dir: Path, upstream_url: str, **overrides: object) -> Settings:
    values: dict = {"upstream": upstream_url, "listen_port": free_port(), "proxy_timeout": 30.0, **overrides}
    return Settings(workspace=state_dir.parent, env_file=state_dir.parent / ".env", state_dir=state_dir, **values)


@pytest.fixture
def start_proxy(tmp_path: Path) -> Iterator[Callable[..., Settings]]:
    """Start nginx for an upstream URL (retrying on the rare port clash); stop it afterwards."""
    started: list[Settings] = []

    def start(upstream_url: str, **overrides: object) -> Settings:
        for attempt in range(3):
            settings = proxy_settings(tmp_path / "state", upstream_url, **overrides)
            started.append(settings)
            try:
                proxy.ensure_running(settings)
                return settings
            except LitellmKeyError as error:
                if error.reason != "proxy-port-busy" or attempt == 2:
                    raise
        raise AssertionError("unreachable")

    yield start
    for settings in started:
        proxy.stop(settings)


def send(settings: Settings, method: str, target: str, *, body: bytes | None = None, headers: dict | None = None, timeout: float = 10):
    connection = http.client.HTTPConnection("127.0.0.1", settings.listen_port, timeout=timeout)
    try:
        connection.request(method, target, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def masters(settings: Settings) -> list[int]:
    """Live nginx masters running this settings' config file. A worker carries the master's title
    from its fork until it renames itself "nginx: worker process": its parent tells it apart."""
    config = proxy.paths(settings).config
    titled = {pid for pid in _pids() if _cmdline(pid).endswith(f"-c {config}") and _state(pid) not in ("Z", "X", "")}
    return sorted(pid for pid in titled if int(_field(pid, 1) or 0) not in titled)


def children(pid: int) -> list[int]:
    return [child for child in _pids() if _field(child, 1) == str(pid)]


def alive(pid: int) -> bool:
    return _state(pid) not in ("Z", "X", "")


def _pids() -> list[int]:
    return [int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit()]


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().rstrip()
    except OSError:
        return ""


def _field(pid: int, index: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[index]
    except (OSError, IndexError):
        return ""


def _state(pid: int) -> str:
    return _field(pid, 0)


def wait_for(condition: Callable[[], bool], seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


@pytest.fixture
def proxy_env(cli):
    """Environment that turns the proxy on for `cli`, on a fresh port; its nginx is stopped afterwards."""
    state_dir = Path(cli.env["XDG_STATE_HOME"]) / "litellm-key"
    env = {"LITELLM_PROXY": "true", "LITELLM_LISTEN": f"127.0.0.1:{free_port()}", "LITELLM_UPSTREAM": cli.standin.url}
    yield env
    proxy.stop(Settings(workspace=cli.workspace, env_file=cli.workspace / ".env", state_dir=state_dir))
