"""Redirects are reported, never followed with a credential. A 3xx names its `Location` and the
setting that points at the server: `upstream` for client calls (through the proxy or direct) and
the SSO login, `admin_url` for `keys`, `portal_url` for the portal. The address it names never
sees a request, so no key, master key or session token goes there."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from conftest import GOOD_KEY, Cli
from litellm_key import proxy
from litellm_key.errors import LitellmKeyError
from litellm_key.settings import Settings
from litellm_standin import MASTER_KEY
from proxy_helpers import free_port, needs_nginx
from hostile_server import HostileServer, respond


class Redirecting:
    """A server answering every request with `status` to `location` (an address on `elsewhere`,
    a second server that records whatever reaches it), and that second server."""

    def __init__(self, status: int, location: str) -> None:
        self.reached_elsewhere: list[str] = []
        self.elsewhere = HostileServer(self._record)
        self.location = location.replace("ELSEWHERE", self.elsewhere.url)
        head = f"HTTP/1.1 {status} Moved\r\nLocation: {self.location}\r\nContent-Length: 0\r\n\r\n".encode()
        self.server = HostileServer(lambda conn, _request: conn.sendall(head))
        self.url = self.server.url

    def _record(self, conn: socket.socket, request: str) -> None:
        self.reached_elsewhere.append(request)
        conn.sendall(respond("200 OK", '{"data": [{"id": "claude-sonnet-4-5-20250929"}]}'))

    def close(self) -> None:
        self.server.close()
        self.elsewhere.close()


@pytest.fixture
def redirecting():
    started: list[Redirecting] = []

    def start(status: int = 308, location: str = "ELSEWHERE/v1/models") -> Redirecting:
        started.append(Redirecting(status, location))
        return started[-1]

    yield start
    for server in started:
        server.close()


def _error(result) -> dict:
    assert result.returncode == 6, result.output
    assert "Traceback" not in result.output
    return json.loads(result.stdout)["error"]


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_status_names_the_redirect_and_the_upstream_setting(redirecting, workspace, tmp_path, status):
    server = redirecting(status)
    cli = Cli(workspace, tmp_path, None)
    cli.env.update(LITELLM_PROXY="false", LITELLM_UPSTREAM=server.url)
    (workspace / ".env").write_text(f"LITELLM_API_KEY={GOOD_KEY}\n")

    error = _error(cli("status", "--json"))

    assert error["reason"] == "server-redirect"
    assert f"answered {status}, a redirect to {server.location}" in error["message"]
    assert "`upstream` (LITELLM_UPSTREAM)" in error["fix"] and "Traefik" not in error["fix"]
    assert server.reached_elsewhere == []


def test_a_relative_location_is_shown_as_the_address_it_names(redirecting, workspace, tmp_path):
    server = redirecting(location="/api/v1/models")
    cli = Cli(workspace, tmp_path, None)
    cli.env.update(LITELLM_PROXY="false", LITELLM_UPSTREAM=server.url)

    error = _error(cli("setup", "--key-stdin", "--json", input=f"{GOOD_KEY}\n"))

    assert f"a redirect to {server.url}/api/v1/models;" in error["message"]
    assert not (workspace / ".env").exists()


@needs_nginx[0]
@needs_nginx[1]
def test_a_redirect_from_behind_the_proxy_names_the_upstream_setting(redirecting, workspace, tmp_path):
    """Traefik redirecting http to https answers through our nginx, which passes Location untouched."""
    server = redirecting(location="https://litellm.localhost/v1/models")
    cli = Cli(workspace, tmp_path, None)
    cli.env.update(LITELLM_PROXY="true", LITELLM_LISTEN=f"127.0.0.1:{free_port()}", LITELLM_UPSTREAM=server.url)
    try:
        error = _error(cli("setup", "--key-stdin", "--json", input=f"{GOOD_KEY}\n"))
    finally:
        proxy.stop(Settings(workspace=workspace, env_file=workspace / ".env",
                            state_dir=Path(cli.env["XDG_STATE_HOME"]) / "litellm-key"))
    assert error["reason"] == "server-redirect"
    assert "a redirect to https://litellm.localhost/v1/models" in error["message"]
    assert "`upstream` (LITELLM_UPSTREAM)" in error["fix"] and "https://" in error["fix"]


def test_keys_name_the_admin_url_and_send_the_master_key_nowhere_else(redirecting, workspace, tmp_path):
    server = redirecting(location="ELSEWHERE/key/list")
    cli = Cli(workspace, tmp_path, None)
    cli.env.update(LITELLM_MASTER_KEY=MASTER_KEY, LITELLM_ADMIN_URL=server.url)

    error = _error(cli("keys", "list", "--json"))

    assert error["reason"] == "server-redirect"
    assert server.location in error["message"]
    assert "`admin_url` (LITELLM_ADMIN_URL, or --url)" in error["fix"]
    assert server.reached_elsewhere == []


def test_the_portal_names_portal_url(redirecting):
    from litellm_key.portal import Portal, SessionToken

    server = redirecting(302, "ELSEWHERE/auth?redirect=/api/v1/auths/")
    with Portal(server.url, SessionToken("portal-session-token-0123"), timeout=5) as portal:
        with pytest.raises(LitellmKeyError) as raised:
            portal.whoami()
    assert raised.value.reason == "server-redirect"
    assert server.location in raised.value.message
    assert "`portal_url` (LITELLM_PORTAL_URL)" in raised.value.fix
    assert server.reached_elsewhere == []


def test_the_sso_login_names_upstream_and_login_url(redirecting):
    from litellm_key.sso import SsoClient

    server = redirecting(307, "ELSEWHERE/sso/cli/start")
    with SsoClient(server.url, timeout=5) as client:
        with pytest.raises(LitellmKeyError) as raised:
            client.start()
    assert raised.value.reason == "server-redirect"
    assert "`upstream` (LITELLM_UPSTREAM" in raised.value.fix and "`login_url`" in raised.value.fix
    assert server.reached_elsewhere == []
