"""The master key from Kubernetes and the supervised `kubectl port-forward`, with a fake kubectl on PATH."""

from __future__ import annotations

import os
import signal
import socket
import sys
import threading
import time
from pathlib import Path

import pytest
from keys_helpers import admin, admin_standin, interrupted, kubectl  # noqa: F401 (fixtures)
from litellm_standin import MASTER_KEY
from werkzeug import Response


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (exited, not reaped by its parent: us, gone) counts as stopped
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def _forward_pids(log: Path) -> list[int]:
    return [int(line.split()[0]) for line in log.read_text().splitlines() if " port-forward " in f" {line} "]


def _wait_gone(pids: list[int]) -> list[int]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_pid_alive(pid) for pid in pids):
        time.sleep(0.05)
    return [pid for pid in pids if _pid_alive(pid)]


@pytest.fixture
def forwarding(admin, admin_standin, kubectl):
    port = _free_port()
    admin.env.update(
        LITELLM_PORT_FORWARD=f"kubectl port-forward -n ai svc/litellm {port}:4000",
        FAKE_KUBECTL_TARGET=str(admin_standin.server.port),
        LITELLM_ADMIN_URL="http://127.0.0.1:9",  # proves the forward's URL is used, not admin_url
    )
    return admin


def test_from_k8s_reads_and_decodes_the_secret_without_putting_it_in_argv(admin, admin_standin, kubectl):
    admin_standin.add_admin_key(alias="claude-code-alice")

    result = admin("keys", "list", "--from-k8s", env={"LITELLM_MASTER_KEY": ""})

    assert result.returncode == 0, result.output
    assert "claude-code-alice" in result.stdout
    call = kubectl.read_text()
    assert "get secret urbalurba-secrets -n ai -o jsonpath={.data.LITELLM_PROXY_MASTER_KEY}" in call


@pytest.mark.parametrize(
    ("mode", "says"),
    [("no-context", "kubectl config use-context"), ("no-secret", "secret ai/urbalurba-secrets"), ("no-field", "field LITELLM_PROXY_MASTER_KEY")],
)
def test_from_k8s_failures_exit_3_with_the_fix(admin, kubectl, mode, says):
    result = admin("keys", "list", "--from-k8s", env={"FAKE_KUBECTL_MODE": mode})

    assert result.returncode == 3, result.output
    assert says in result.stderr


def test_from_k8s_without_kubectl_exits_3(admin):
    result = admin("keys", "list", "--from-k8s", env={"PATH": "/nonexistent"})

    assert result.returncode == 3 and "kubectl is not installed" in result.stderr


def test_port_forward_serves_the_command_and_is_stopped_after(forwarding, admin_standin, kubectl):
    admin_standin.add_admin_key(alias="claude-code-alice")

    result = forwarding("keys", "list", "--port-forward")

    assert result.returncode == 0, result.output
    assert "claude-code-alice" in result.stdout
    pids = _forward_pids(kubectl)
    assert len(pids) == 1 and _wait_gone(pids) == []


def test_a_port_forward_that_dies_mid_command_is_restarted(forwarding, admin_standin, kubectl, tmp_path):
    for n in range(30):
        admin_standin.add_admin_key(alias=f"claude-code-dev{n:02}")

    result = forwarding("keys", "list", "--port-forward", env={"FAKE_KUBECTL_DIE_ONCE": str(tmp_path / "died")})

    assert result.returncode == 0, result.output
    assert "30 key(s)" in result.stdout
    assert "restarted 1 time(s)" in result.stderr
    pids = _forward_pids(kubectl)
    assert len(pids) == 2 and _wait_gone(pids) == []


def test_a_port_forward_that_never_opens_the_port_fails_at_the_deadline(forwarding, kubectl):
    result = forwarding("keys", "list", "--port-forward", "--forward-timeout", "1", env={"FAKE_KUBECTL_MODE": "never-ready"})

    assert result.returncode == 6, result.output
    assert "did not open" in result.stderr
    assert _wait_gone(_forward_pids(kubectl)) == []


def test_a_port_forward_that_ignores_sigterm_is_killed(forwarding, admin_standin, kubectl):
    result = forwarding("keys", "list", "--port-forward", env={"FAKE_KUBECTL_MODE": "ignore-term"})

    assert result.returncode == 0, result.output
    assert _wait_gone(_forward_pids(kubectl)) == []


@pytest.mark.parametrize("signal_number", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])  # SIGHUP: terminal closed
def test_ctrl_c_or_sigterm_mid_command_stops_the_port_forward_child(forwarding, admin_standin, kubectl, signal_number):
    release = threading.Event()
    admin_standin.overrides["/key/list"] = lambda request: (release.wait(20), Response("{}", content_type="application/json"))[1]
    try:
        result = interrupted(
            forwarding, ["keys", "list", "--port-forward"], signal_number=signal_number,
            when=lambda: any(r.path == "/key/list" for r in admin_standin.requests),
        )
    finally:
        release.set()
    assert result.returncode == 130, result.output
    assert "Cancelled" in result.stderr and MASTER_KEY not in result.output
    pids = _forward_pids(kubectl)
    assert len(pids) == 1 and _wait_gone(pids) == []


def test_the_master_key_prompt_is_hidden(admin, admin_standin):
    import pexpect

    admin_standin.add_admin_key(alias="claude-code-alice")
    env = {**admin.env, "LITELLM_MASTER_KEY": ""}
    child = pexpect.spawn(
        sys.executable, ["-m", "litellm_key", "keys", "list"], cwd=str(admin.workspace), env=env,
        encoding="utf-8", timeout=20, dimensions=(24, 160),
    )
    try:
        child.expect("LiteLLM master key")
        child.send(MASTER_KEY)
        child.expect(r"\*{10}")
        child.send("\r")
        child.expect("claude-code-alice")
        child.expect(pexpect.EOF)
        output = child.before
    finally:
        child.close(force=True)
    assert MASTER_KEY not in output
    assert child.exitstatus == 0


@pytest.mark.parametrize("signal_number", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_while_waiting_for_the_port_forward_stops_the_child(forwarding, kubectl, signal_number):
    result = interrupted(
        forwarding, ["keys", "list", "--port-forward", "--forward-timeout", "30"], signal_number=signal_number,
        env={"FAKE_KUBECTL_MODE": "never-ready"}, when=lambda: kubectl.exists() and bool(_forward_pids(kubectl)),
    )
    assert result.returncode == 130, result.output
    pids = _forward_pids(kubectl)
    assert len(pids) == 1 and _wait_gone(pids) == []


def test_a_port_already_taken_is_refused_before_the_master_key_goes_anywhere(forwarding, kubectl, admin_standin):
    port = int(forwarding.env["LITELLM_PORT_FORWARD"].rsplit(" ", 1)[1].split(":")[0])
    with socket.socket() as squatter:  # an old `kubectl port-forward &`, or anything else on that port
        squatter.bind(("127.0.0.1", port))
        squatter.listen(8)

        result = forwarding("keys", "list", "--port-forward")

    assert result.returncode == 6, result.output
    assert f"127.0.0.1:{port} is already taken" in result.stderr
    assert not kubectl.exists() or _forward_pids(kubectl) == []


def test_onboard_through_a_port_forward_that_dies_restarts_it_once_and_leaves_none(forwarding, admin_standin, kubectl, tmp_path):
    lines = ["developers:"] + [f"  - name: dev{n:02}" for n in range(25)]
    (forwarding.workspace / "team.yaml").write_text("\n".join(lines) + "\n")

    result = forwarding(
        "keys", "onboard", "team.yaml", "--output-dir", "keys", "--jobs", "8", "--port-forward",
        env={"FAKE_KUBECTL_DIE_ONCE": str(tmp_path / "died")},
    )

    pids = _forward_pids(kubectl)
    assert _wait_gone(pids) == []  # every child we started is stopped, however many threads saw one die
    assert len(pids) == 2, result.output  # one restart, not one per thread
    rerun = forwarding("keys", "onboard", "team.yaml", "--output-dir", "keys", "--port-forward", "--json")
    assert rerun.returncode == 0, rerun.output
    assert len(admin_standin.keys) == 25


def test_from_k8s_reads_the_secret_the_setting_names(admin, admin_standin, kubectl):
    result = admin("keys", "list", "--from-k8s", env={"LITELLM_MASTER_KEY": "", "LITELLM_MASTER_KEY_SECRET": "llm/admin-secrets/MASTER"})

    assert result.returncode == 0, result.output
    assert "get secret admin-secrets -n llm -o jsonpath={.data.MASTER}" in kubectl.read_text()
