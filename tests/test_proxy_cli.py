"""`litellm-key proxy …` and `setup` through the proxy, as a user runs them (subprocesses)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import litellm_key

from conftest import GOOD_KEY
from litellm_key import proxy
from litellm_key.settings import Settings
from proxy_helpers import free_port, masters, needs_nginx, send

pytestmark = needs_nginx
PACKAGE = Path(litellm_key.__file__).parent


def test_setup_starts_the_proxy_and_verifies_through_it(cli, proxy_env, workspace, standin):
    port = proxy_env["LITELLM_LISTEN"].rsplit(":", 1)[1]

    result = cli("setup", "--key-stdin", input=f"{GOOD_KEY}\n", env=proxy_env)

    assert result.returncode == 0, result.output
    assert f"✓ proxy started: http://localhost:{port} → {standin.url}" in result.stdout
    assert f"accepted by LiteLLM at http://localhost:{port}" in result.stdout
    assert standin.requests and all(r.headers["Host"] == "litellm.localhost" for r in standin.requests)
    assert f"LITELLM_BASE_URL=http://localhost:{port}\n" in (workspace / ".env").read_text()

    again = cli("setup", "--key-stdin", input=f"{GOOD_KEY}\n", env=proxy_env)
    assert "✓ proxy already running, config unchanged" in again.stdout
    assert json.loads(cli("setup", "--key-stdin", "--json", input=f"{GOOD_KEY}\n", env=proxy_env).stdout)["proxy"] == "unchanged"


def test_proxy_status_json_reports_every_hop(cli, proxy_env):
    assert cli("proxy", "start", env=proxy_env).returncode == 0

    result = cli("proxy", "status", "--json", env=proxy_env)

    assert result.returncode == 0, result.output
    document = json.loads(result.stdout)
    assert document["ok"] is True
    status = document["proxy"]
    assert status["running"] and status["health_ok"] and status["config_current"] and status["upstream_ok"]
    assert status["upstream_status"] == 200 and isinstance(status["pid"], int)
    assert status["paths"]["pid_file"].endswith("litellm-key/nginx/nginx.pid")


def test_proxy_status_json_when_stopped_exits_7(cli, proxy_env):
    result = cli("proxy", "status", "--json", env=proxy_env)

    assert result.returncode == 7
    document = json.loads(result.stdout)
    assert document["ok"] is False and document["error"]["reason"] == "proxy-not-running"
    assert document["proxy"]["running"] is False and document["proxy"]["upstream_ok"] is None


def test_proxy_status_tells_an_unreachable_upstream_from_a_dead_proxy(cli, proxy_env):
    env = {**proxy_env, "LITELLM_UPSTREAM": f"http://127.0.0.1:{free_port()}"}
    assert cli("proxy", "start", env=env).returncode == 0

    result = cli("proxy", "status", env=env)

    assert result.returncode == 6
    assert "✓ health endpoint answers" in result.stdout
    assert "The proxy is up but could not reach LiteLLM" in result.stderr


def test_proxy_render_prints_the_config_and_writes_nothing(cli, proxy_env):
    result = cli("proxy", "render", "--host-header", "litellm.example", env=proxy_env)

    assert result.returncode == 0
    assert "proxy_set_header Host litellm.example;" in result.stdout
    assert not (Path(cli.env["XDG_STATE_HOME"]) / "litellm-key").exists()


@pytest.mark.parametrize(
    ("change", "code", "says"),
    [
        ({"LITELLM_UPSTREAM": "http://gateway:4000/a;b"}, 3, "upstream"),
        ({"LITELLM_LISTEN": "0.0.0.0:8080"}, 3, "loopback"),
        ({"LITELLM_UPSTREAM": "http://litellm-key-test.invalid"}, 7, "--add-host=host.docker.internal:host-gateway"),
        ({"LITELLM_KEY_NGINX": "/nonexistent/nginx"}, 7, "apt-get install"),
    ],
)
def test_proxy_start_failures_exit_with_their_code_and_fix(cli, proxy_env, change, code, says):
    result = cli("proxy", "start", env={**proxy_env, **change})
    assert result.returncode == code, result.output
    assert says in result.stderr


def test_proxy_stop_then_stop_again(cli, proxy_env):
    cli("proxy", "start", env=proxy_env)
    first, second = cli("proxy", "stop", env=proxy_env), cli("proxy", "stop", env=proxy_env)
    assert (first.returncode, second.returncode) == (0, 0)
    assert "✓ proxy stopped" in first.stdout and "was not running" in second.stdout


# ---- as an unprivileged user (what a Dev Container does) -------------------------------------------

_AS_NOBODY = ("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups")  # nobody / nogroup, by number


def _python_for_nobody() -> str | None:
    """An interpreter nobody may run (this venv may live under /root)."""
    for candidate in (sys.executable, shutil.which("python3", path="/usr/local/bin:/usr/bin")):
        if candidate and subprocess.run(
            [*_AS_NOBODY, candidate, "-c",
             "import sys; assert sys.version_info >= (3, 10)"], capture_output=True,
        ).returncode == 0:
            return candidate
    return None


@pytest.fixture
def unprivileged(upstream):
    """Run the CLI as `nobody` from a copy of the package in a world-readable temp dir."""
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root and setpriv to switch to an unprivileged user")
    python = _python_for_nobody()
    if python is None:
        pytest.skip("no Python interpreter that nobody may run")
    root = Path(tempfile.mkdtemp(prefix="litellm-key-unprivileged-"))
    root.chmod(0o755)
    shutil.copytree(PACKAGE, root / "lib" / "litellm_key", ignore=shutil.ignore_patterns("__pycache__"))
    home = root / "home"
    home.mkdir()
    os.chown(home, 65534, 65534)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "PYTHONPATH": str(root / "lib"), "NO_COLOR": "1",
           "LITELLM_KEY_SYSTEM_CONFIG": str(root / "none.yaml"), "LITELLM_UPSTREAM": upstream.url,
           "LITELLM_LISTEN": f"127.0.0.1:{free_port()}", "LITELLM_STATE_DIR": str(home / "state")}

    def run(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        command = [*_AS_NOBODY, python, "-m", "litellm_key", *args]
        return subprocess.run(command, cwd=home, env={**env, **extra}, capture_output=True, text=True, timeout=60)

    run.settings = Settings(workspace=home, env_file=home / ".env", state_dir=home / "state",
                            listen_port=int(env["LITELLM_LISTEN"].rsplit(":", 1)[1]))
    yield run
    proxy.stop(run.settings)
    shutil.rmtree(root)


def test_unprivileged_user_runs_the_proxy(unprivileged, upstream):
    started = unprivileged("proxy", "start")

    assert started.returncode == 0, started.stdout + started.stderr
    [master] = masters(unprivileged.settings)
    assert "Uid:\t65534" in Path(f"/proc/{master}/status").read_text()
    assert send(unprivileged.settings, "POST", "/v1/messages", body=b"{}")[0] == 200
    assert upstream.received[-1].header("Host") == "litellm.localhost"
    stopped = unprivileged("proxy", "stop")
    assert stopped.returncode == 0 and not masters(unprivileged.settings)


def test_unprivileged_user_without_a_writable_state_dir_gets_permission_denied(unprivileged):
    result = unprivileged("proxy", "start", LITELLM_STATE_DIR="/root/litellm-key-not-yours")

    assert result.returncode == 7, result.stdout + result.stderr
    assert "permission denied" in result.stderr


def test_status_names_a_stopped_proxy_instead_of_a_connection_error(cli, proxy_env):
    assert cli("setup", "--key-stdin", input=f"{GOOD_KEY}\n", env=proxy_env).returncode == 0
    assert "✓ proxy running (pid " in cli("status", env=proxy_env).stdout
    cli("proxy", "stop", env=proxy_env)

    result = cli("status", env=proxy_env)

    assert result.returncode == 7
    assert "The proxy is not running" in result.stderr
    assert "litellm-key proxy start" in result.stderr
