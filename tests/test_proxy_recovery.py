"""The proxy recovers from what a user or a container runtime does to it: a `kill -9` of the nginx
master (its workers go on holding the port), an oversized header, and a warm `apply` that must
leave a correct running proxy alone. Real nginx throughout."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from conftest import GOOD_KEY
from litellm_key import proxy
from litellm_key.proxy import nginx
from litellm_key.settings import Settings
from proxy_helpers import alive, children, masters, needs_nginx, proxy_settings, send, wait_for

pytestmark = needs_nginx


def _kill_master(settings: Settings) -> list[int]:
    """`kill -9` the master; its workers, now orphans, keep serving."""
    [master] = masters(settings)
    workers = children(master)
    os.kill(master, signal.SIGKILL)
    assert wait_for(lambda: not alive(master))
    assert workers and all(alive(pid) for pid in workers)
    assert send(settings, "GET", proxy.HEALTH_PATH)[0] == 200  # the orphans still answer
    return workers


def test_kill_9_of_the_master_then_start_recovers_and_status_is_green(cli, proxy_env):
    assert cli("proxy", "start", env=proxy_env).returncode == 0
    settings = proxy_settings(Path(cli.env["XDG_STATE_HOME"]) / "litellm-key", cli.standin.url,
                              listen_port=int(proxy_env["LITELLM_LISTEN"].rsplit(":", 1)[1]))
    orphans = _kill_master(settings)
    before = cli("proxy", "status", "--json", env=proxy_env)
    assert before.returncode == 7
    assert json.loads(before.stdout)["error"]["reason"] == "proxy-orphaned"
    assert sorted(json.loads(before.stdout)["proxy"]["orphans"]) == sorted(orphans)

    started = cli("proxy", "start", env=proxy_env)

    assert started.returncode == 0, started.output
    assert "✓ proxy started" in started.stdout
    assert not any(alive(pid) for pid in orphans)
    assert len(masters(settings)) == 1
    status = cli("proxy", "status", env=proxy_env)
    assert status.returncode == 0, status.output
    assert "✓ running config matches the current settings" in status.stdout


def test_stop_after_kill_9_stops_the_orphaned_workers(start_proxy, upstream):
    settings = start_proxy(upstream.url)
    orphans = _kill_master(settings)

    assert proxy.stop(settings) is True

    assert wait_for(lambda: not any(alive(pid) for pid in orphans))
    with pytest.raises(OSError):
        send(settings, "GET", proxy.HEALTH_PATH, timeout=2)


def test_recovery_never_touches_another_state_dirs_nginx(tmp_path, upstream):
    ours = proxy_settings(tmp_path / "ours", upstream.url)
    theirs = proxy_settings(tmp_path / "theirs", upstream.url)
    try:
        for settings in (ours, theirs):
            proxy.ensure_running(settings)
        _kill_master(ours)
        their_orphans = _kill_master(theirs)

        assert proxy.ensure_running(ours) == "started"

        assert all(alive(pid) for pid in their_orphans)
        assert send(theirs, "GET", proxy.HEALTH_PATH)[0] == 200
    finally:
        proxy.stop(ours)
        proxy.stop(theirs)


def test_an_oversized_header_gets_the_proxys_own_error_in_litellms_shape(start_proxy, upstream):
    settings = start_proxy(upstream.url)

    status, headers, body = send(settings, "GET", "/v1/models", headers={"Authorization": "Bearer sk-" + "a" * 1024 * 1024})

    assert status == 431
    assert headers["Content-Type"] == "application/json"
    error = json.loads(body)["error"]
    assert error["type"] == "litellm_key_header_too_large" and error["code"] == "431"
    assert "header is too large" in error["message"] and "Traefik" not in error["message"]
    assert not upstream.received


# ---- a warm start changes nothing -----------------------------------------------------------------


@pytest.fixture
def logging_nginx(tmp_path):
    """An nginx wrapper (for LITELLM_KEY_NGINX) and the file where it logs each argv."""
    real = next(c for c in (shutil.which("nginx"), *proxy.NGINX_PLACES) if c and os.access(c, os.X_OK))
    log = tmp_path / "nginx-runs.log"
    wrapper = tmp_path / "nginx"
    wrapper.write_text(f'#!/bin/sh\necho "$*" >> "{log}"\nexec "{real}" "$@"\n')
    wrapper.chmod(0o755)
    return wrapper, log


def test_a_warm_start_writes_tests_and_runs_nothing(cli, proxy_env, logging_nginx):
    wrapper, log = logging_nginx
    env = {**proxy_env, proxy.NGINX_VARIABLE: str(wrapper)}
    assert cli("proxy", "start", env=env).returncode == 0
    config = Path(cli.env["XDG_STATE_HOME"]) / "litellm-key" / "nginx" / "nginx.conf"
    before = config.stat()
    runs = log.read_text().splitlines()
    assert any(" -t" in run for run in runs) and sum(run == "-v" for run in runs) == 1

    again = cli("proxy", "start", env=env)

    assert "✓ proxy already running, config unchanged" in again.stdout
    after = config.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert log.read_text().splitlines() == runs  # no `nginx -t`, no `nginx -v`
    assert not config.with_name("nginx.conf.new").exists()


def test_a_warm_apply_writes_nothing_and_runs_no_nginx(cli, proxy_env, logging_nginx):
    """Every container start after the first: the proxy runs the current settings, the key and
    the clients are in place. `apply` verifies, and changes not one file anywhere."""
    wrapper, log = logging_nginx
    env = {**proxy_env, proxy.NGINX_VARIABLE: str(wrapper)}
    assert cli("setup", "--key-stdin", input=GOOD_KEY, env=env).returncode == 0
    assert cli("apply", env=env).returncode == 0  # anything a first apply settles
    roots = (Path(cli.env["HOME"]), cli.workspace)

    def files() -> dict[str, tuple[int, int]]:
        return {str(path): (path.stat().st_ino, path.stat().st_mtime_ns) for root in roots
                for path in root.rglob("*") if ".git" not in path.parts and not path.is_dir()}

    before, runs = files(), log.read_text().splitlines()

    warm = cli("apply", env=env)

    assert warm.returncode == 0, warm.output
    assert "✓ proxy already running, config unchanged" in warm.stdout and "accepted by LiteLLM" in warm.stdout
    assert files() == before
    assert log.read_text().splitlines() == runs  # no `nginx -t`, no `nginx -v`, no reload


def test_nginx_v_runs_once_per_binary_not_once_per_process(cli, proxy_env, logging_nginx):
    wrapper, log = logging_nginx
    env = {**proxy_env, proxy.NGINX_VARIABLE: str(wrapper)}
    assert cli("proxy", "start", env=env).returncode == 0

    reloaded = cli("proxy", "start", env={**env, "LITELLM_HOST_HEADER": "other.localhost"})

    assert reloaded.returncode == 0 and "reloaded" in reloaded.stdout, reloaded.output
    runs = log.read_text().splitlines()
    assert sum(run == "-v" for run in runs) == 1 and sum(" -t" in run for run in runs) == 2


def test_a_stopped_process_counts_as_exited_only_once_it_has_let_go_of_everything():
    """What `stop` and recovery wait for before the port is bound again: an exiting nginx loses its
    cmdline and descriptor table before the kernel releases its listening socket, so "no longer
    looks like ours" is too early (CI saw "port already in use" right after recovery); a zombie
    or a vanished pid is not."""
    child = subprocess.Popen(["sleep", "60"])
    try:
        assert nginx.running_since(child.pid) is not None
        child.kill()  # and not reaped: it stays a zombie, as under a PID 1 that never reaps
        assert wait_for(lambda: Path(f"/proc/{child.pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z")
        assert nginx.running_since(child.pid) is None
        assert nginx.wait_exited([child.pid]) is True
    finally:
        child.kill()
        child.wait()


def test_start_right_after_stop_finds_the_port_free_every_time(start_proxy, upstream):
    settings = start_proxy(upstream.url)
    for _ in range(5):
        assert proxy.stop(settings) is True
        assert proxy.ensure_running(settings) == "started"
    assert send(settings, "GET", proxy.HEALTH_PATH)[0] == 200
