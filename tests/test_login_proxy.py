"""`litellm-key login` through the real nginx proxy: LiteLLM (behind Traefik) must see our Host header."""

from __future__ import annotations

from conftest import env_text
from proxy_helpers import free_port, needs_nginx
from sso_standin import FAST

pytestmark = needs_nginx


def test_login_goes_through_the_proxy_so_litellm_sees_the_host_header(cli, workspace, sso, proxy_env):
    sso.sign_in_after = 1
    result = cli("login", env={**proxy_env, **FAST})
    assert result.returncode == 0, result.output
    assert "✓ proxy started" in result.stdout
    assert sso.starts == 1 and sso.polls
    assert {request.headers["Host"] for request in sso.litellm.requests} == {"litellm.localhost"}
    port = proxy_env["LITELLM_LISTEN"].rsplit(":", 1)[1]
    assert f"LITELLM_BASE_URL=http://localhost:{port}\n" in env_text(workspace)


def test_login_through_a_proxy_that_cannot_reach_litellm_says_so(cli, workspace, sso, proxy_env):
    result = cli("login", env={**proxy_env, **FAST, "LITELLM_UPSTREAM": f"http://127.0.0.1:{free_port()}"})
    assert result.returncode == 6, result.output
    assert "The proxy is up but could not reach LiteLLM" in result.stderr
    assert "Check Traefik/LiteLLM on the host and the `upstream` setting" in result.stderr
    assert not env_text(workspace)
