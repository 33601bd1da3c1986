"""The proxy's life: start (also twice at once), reload, stop, stale pid files, refused configs,
and the failures a user can run into, each with its catalogued error. Real nginx throughout."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading

import pytest

from litellm_key import proxy
from litellm_key.errors import LitellmKeyError
from proxy_helpers import alive, children, masters, needs_nginx, proxy_settings, send, wait_for

pytestmark = needs_nginx


def test_start_twice_at_once_runs_one_nginx(tmp_path, upstream):
    settings = proxy_settings(tmp_path / "state", upstream.url)
    outcomes: list[str] = []
    starters = [threading.Thread(target=lambda: outcomes.append(proxy.ensure_running(settings))) for _ in range(2)]
    try:
        for starter in starters:
            starter.start()
        for starter in starters:
            starter.join()

        assert sorted(outcomes) == ["started", "unchanged"]
        assert len(masters(settings)) == 1
        assert send(settings, "GET", proxy.HEALTH_PATH)[0] == 200
    finally:
        proxy.stop(settings)


def test_changed_settings_reload_the_same_nginx(start_proxy, upstream, tmp_path):
    settings = start_proxy(upstream.url)
    pid = proxy.running_pid(proxy.paths(settings))
    changed = settings._replace(host_header="other.localhost")

    assert proxy.ensure_running(changed) == "reloaded"
    assert proxy.running_pid(proxy.paths(changed)) == pid
    assert proxy.status(changed).config_current
    send(changed, "GET", "/v1/models")
    assert upstream.received[-1].header("Host") == "other.localhost"


def test_stop_leaves_no_process(start_proxy, upstream):
    settings = start_proxy(upstream.url)
    [master] = masters(settings)
    workers = children(master)
    assert workers

    assert proxy.stop(settings) is True

    assert wait_for(lambda: not any(alive(pid) for pid in [master, *workers]))
    assert not proxy.paths(settings).pid_file.exists()
    with pytest.raises(OSError):
        send(settings, "GET", proxy.HEALTH_PATH, timeout=2)
    assert proxy.stop(settings) is False


@pytest.mark.parametrize("stale_pid", ["dead", "unrelated", "garbage"])
def test_stale_pid_file_is_replaced_and_never_killed(tmp_path, upstream, stale_pid):
    settings = proxy_settings(tmp_path / "state", upstream.url)
    where = proxy.paths(settings)
    where.prefix.mkdir(parents=True)
    dead = subprocess.Popen(["true"])
    dead.wait()
    where.pid_file.write_text({"dead": str(dead.pid), "unrelated": str(os.getpid()), "garbage": "not a pid"}[stale_pid])

    assert proxy.stop(settings) is False  # and pytest (the "unrelated" pid) is still here
    where.pid_file.write_text(str(os.getpid()))
    try:
        assert proxy.ensure_running(settings) == "started"
        assert int(where.pid_file.read_text()) == masters(settings)[0]
    finally:
        proxy.stop(settings)


def test_config_nginx_rejects_leaves_the_live_one_running(start_proxy, upstream):
    settings = start_proxy(upstream.url)
    where = proxy.paths(settings)
    live, pid = where.config.read_bytes(), proxy.running_pid(where)

    with pytest.raises(LitellmKeyError) as raised:
        proxy.ensure_running(settings._replace(proxy_timeout=1e17))  # nginx: "invalid value"

    assert raised.value.reason == "nginx-config-invalid" and raised.value.exit_code == 7
    assert "proxy_read_timeout" in raised.value.message
    assert where.config.read_bytes() == live and proxy.running_pid(where) == pid
    assert proxy.status(settings).config_current


def test_reload_onto_a_busy_port_names_the_holder_and_keeps_the_running_config(start_proxy, upstream):
    settings = start_proxy(upstream.url)
    where = proxy.paths(settings)
    live, pid = where.config.read_bytes(), proxy.running_pid(where)
    # Started after nginx, so its pid is higher: during the failing reload our own nginx briefly
    # holds the new port's [::1] address and must not be named instead.
    holder = subprocess.Popen(
        [sys.executable, "-c", "import socket, sys; s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen();"
         " print(s.getsockname()[1], flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        busy = settings._replace(listen_port=int(holder.stdout.readline()))
        with pytest.raises(LitellmKeyError) as raised:
            proxy.ensure_running(busy)
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)

    assert raised.value.reason == "proxy-reload-port-busy" and raised.value.exit_code == 7
    assert f"(pid {holder.pid})" in raised.value.message
    assert f"nginx (pid {pid}) kept its previous config" in raised.value.message
    assert where.config.read_bytes() == live and proxy.running_pid(where) == pid
    assert send(settings, "GET", proxy.HEALTH_PATH)[0] == 200


def test_busy_port_names_the_process_holding_it(tmp_path, upstream):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        settings = proxy_settings(tmp_path / "state", upstream.url, listen_port=holder.getsockname()[1])
        with pytest.raises(LitellmKeyError) as raised:
            proxy.ensure_running(settings)

    assert raised.value.exit_code == 7
    assert f"(pid {os.getpid()})" in raised.value.message
    assert not masters(settings)


def test_unresolvable_upstream_says_how_to_add_the_host(tmp_path):
    settings = proxy_settings(tmp_path / "state", "http://litellm-key-test.invalid:80")
    with pytest.raises(LitellmKeyError) as raised:
        proxy.ensure_running(settings)
    assert raised.value.reason == "upstream-unresolvable"
    assert "--add-host=host.docker.internal:host-gateway" in raised.value.fix


def test_missing_nginx_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setenv(proxy.NGINX_VARIABLE, str(tmp_path / "no-nginx-here"))
    with pytest.raises(LitellmKeyError) as raised:
        proxy.ensure_running(proxy_settings(tmp_path / "state", "http://127.0.0.1:9"))
    assert raised.value.reason == "nginx-missing" and "apt-get install" in raised.value.fix
