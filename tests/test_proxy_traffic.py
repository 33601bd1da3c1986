"""What a client notices through the proxy: headers, bodies, streaming, timeouts, a down upstream."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import shutil
import ssl
import subprocess
import time

import pytest

from litellm_key import gateway, proxy
from proxy_helpers import Upstream, children, free_port, masters, needs_nginx, send, wait_for

pytestmark = needs_nginx

AUTH_HEADERS = {
    "Authorization": "Bearer sk-test-0123456789abcdef",
    "x-api-key": "sk-test-0123456789abcdef",
    "x-goog-api-key": "sk-test-0123456789abcdef",
    "x-litellm-api-key": "sk-test-0123456789abcdef",
    "anthropic-version": "2023-06-01",
    "anthropic-beta": ",".join(f"feature-{n}-2025-01-01" for n in range(400)),  # ~10 KB, as Claude Code's
    "X_Underscored_Header": "kept",
}


@pytest.mark.parametrize("method", ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"])
def test_host_is_rewritten_and_everything_else_arrives_untouched(start_proxy, upstream, method):
    settings = start_proxy(upstream.url)
    target = "/v1/messages?beta=true&path=%2Fa%20b&x=%7E"
    body = None if method in ("GET", "HEAD") else json.dumps({"model": "claude", "stream": True}).encode()

    status, _, _ = send(settings, method, target, body=body, headers={**AUTH_HEADERS, "Host": "localhost:8080"})

    assert status == 200
    [received] = upstream.received
    assert received.header("Host") == "litellm.localhost"
    assert (received.method, received.target) == (method, target)
    for name, value in AUTH_HEADERS.items():
        assert received.header(name) == value, name
    assert received.body == (body or b"")


def test_sse_events_arrive_as_they_are_sent(start_proxy, upstream):
    settings = start_proxy(upstream.url)
    connection = http.client.HTTPConnection("127.0.0.1", settings.listen_port, timeout=10)
    connection.request("GET", "/sse?count=5&interval=0.2")
    response = connection.getresponse()
    arrived = []
    while line := response.readline():
        if line.startswith(b"data:"):
            arrived.append(time.monotonic())
    connection.close()

    sent = upstream.sse_sent
    assert len(arrived) == len(sent) == 5
    assert arrived[0] < sent[-1] - 0.6  # the first event long before the upstream finished
    delays = [a - s for a, s in zip(arrived, sent)]
    assert max(delays) < 0.1, delays  # none held back for the next one (200 ms apart)


def test_a_20_mb_body_passes(start_proxy, upstream):
    settings = start_proxy(upstream.url)
    body = bytes(range(256)) * (20 * 1024 * 1024 // 256)

    status, _, answer = send(settings, "POST", "/v1/messages", body=body, timeout=30)

    assert status == 200
    assert json.loads(answer) == {"length": len(body), "sha256": hashlib.sha256(body).hexdigest()}


def _assert_litellm_error(status: int, body: bytes, code: int, upstream_url: str) -> dict:
    assert status == code
    error = json.loads(body)["error"]
    assert error["type"] == gateway.PROXY_ERROR_TYPE
    assert (error["code"], error["param"]) == (str(code), None)
    assert f"could not reach {upstream_url}" in error["message"]
    return error


def test_slow_upstream_gets_a_json_504_after_the_configured_timeout(start_proxy, upstream):
    settings = start_proxy(upstream.url, proxy_timeout=1.0)
    began = time.monotonic()

    status, headers, body = send(settings, "POST", "/slow?seconds=10", body=b"{}")

    assert 0.9 < time.monotonic() - began < 5
    assert headers["Content-Type"] == "application/json"
    assert "timed out" in _assert_litellm_error(status, body, 504, upstream.url)["message"]


def test_upstream_down_gets_a_json_502_while_health_answers(start_proxy):
    down = f"http://127.0.0.1:{free_port()}"
    settings = start_proxy(down)

    status, _, body = send(settings, "POST", "/v1/messages", body=b'{"model":"claude"}', headers=AUTH_HEADERS)
    error = _assert_litellm_error(status, body, 502, down)
    assert "host.docker.internal" in error["message"]
    health_status, _, health = send(settings, "GET", proxy.HEALTH_PATH)
    assert health_status == 200 and json.loads(health)["upstream"] == down
    # and the CLI's classifier turns it into "proxy up, LiteLLM not reachable"
    assert gateway.classify(status, body.decode(), url="x", key=None).reason == "gateway-upstream-down"


def test_upstream_errors_pass_through_unchanged(start_proxy, upstream):
    settings = start_proxy(upstream.url)
    status, _, body = send(settings, "GET", "/health/liveliness")
    assert (status, body) == (200, b'"I\'m alive!"')


@pytest.fixture
def tls_upstream(tmp_path):
    if not shutil.which("openssl"):
        pytest.skip("no openssl to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=litellm.localhost",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    server = Upstream()
    server.server_names: list[str | None] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda sock, name, ctx: server.server_names.append(name)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.scheme = "https"
    yield server.start()
    server.stop()


def test_https_upstream_gets_sni_with_the_host_header(start_proxy, tls_upstream):
    settings = start_proxy(tls_upstream.url)

    status, _, _ = send(settings, "GET", "/v1/models", headers=AUTH_HEADERS)

    assert status == 200
    assert tls_upstream.server_names[0] == "litellm.localhost"
    assert tls_upstream.received[0].header("Host") == "litellm.localhost"


def test_nginx_runs_a_worker_per_cpu(start_proxy, upstream):
    """`worker_processes auto`: one worker caps the proxy near 55 k requests/s (docs/performance.md)."""
    settings = start_proxy(upstream.url)
    [master] = masters(settings)
    cpus = len(os.sched_getaffinity(master))
    assert wait_for(lambda: len(children(master)) == cpus), (children(master), cpus)
