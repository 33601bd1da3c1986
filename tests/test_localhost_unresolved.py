"""A failure as a user met it: a root without `localhost` in /etc/hosts, the proxy running,
and setup blaming the proxy ("Cannot connect … start the proxy"). The real CLI and nginx run in a
mount namespace whose /etc/hosts is empty, so `localhost` does not resolve; nothing is mocked."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import GOOD_KEY
from litellm_key import proxy
from litellm_key.settings import Settings
from proxy_helpers import free_port, needs_nginx

pytestmark = needs_nginx


def _namespaces_work(empty_hosts: Path) -> bool:
    if not shutil.which("unshare"):
        return False
    probe = subprocess.run(
        ["unshare", "-m", "sh", "-c", f"mount --bind {empty_hosts} /etc/hosts && ! getent hosts localhost"],
        capture_output=True,
    )
    return probe.returncode == 0


@pytest.fixture
def without_localhost(tmp_path):
    """argv prefix that runs a command where /etc/hosts is empty (skips where namespaces are not allowed)."""
    empty = tmp_path / "hosts"
    empty.write_text("")
    if not _namespaces_work(empty):
        pytest.skip("needs `unshare -m` and a localhost that only /etc/hosts resolves")
    return ["unshare", "-m", "sh", "-c", f'mount --bind {empty} /etc/hosts && exec "$0" "$@"']


def test_setup_names_the_resolution_failure_not_the_running_proxy(cli, standin, without_localhost):
    port, upstream = free_port(), standin.url.replace("//localhost:", "//127.0.0.1:")  # the gateway by address
    env = {**cli.env, "LITELLM_PROXY": "true", "LITELLM_LISTEN": f"127.0.0.1:{port}", "LITELLM_UPSTREAM": upstream}
    state_dir = Path(cli.env["XDG_STATE_HOME"]) / "litellm-key"
    try:
        result = subprocess.run(
            [*without_localhost, sys.executable, "-m", "litellm_key", "setup", "--key-stdin", "--json"],
            cwd=cli.workspace, env=env, input=f"{GOOD_KEY}\n", capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        running = proxy.status(Settings(workspace=cli.workspace, env_file=cli.workspace / ".env", state_dir=state_dir,
                                        listen_port=port, upstream=upstream), check_upstream=False)  # fmt: skip
    finally:
        proxy.stop(Settings(workspace=cli.workspace, env_file=cli.workspace / ".env", state_dir=state_dir, listen_port=port))
    error = json.loads(result.stdout)["error"]
    assert result.returncode == 6, result.stderr
    assert running.running and running.health_ok, "the proxy was up while setup failed"
    assert error["reason"] == "gateway-name-unresolved"
    assert "Cannot resolve the host name localhost" in error["message"]
    assert "127.0.0.1 localhost" in error["fix"] and "/etc/hosts" in error["fix"]
    assert "Start the proxy" not in result.stderr and "Cannot connect" not in result.stderr
    assert not (cli.workspace / ".env").exists()  # nothing stored from a check that could not run
