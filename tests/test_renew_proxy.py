"""Renewal through the real nginx proxy, as in a fresh Dev Container: nothing runs yet, and the
portal's key is checked against LiteLLM through the proxy before it is stored."""

from __future__ import annotations

from proxy_helpers import needs_nginx
from conftest import env_value

pytestmark = needs_nginx


def test_setup_from_portal_starts_the_proxy_before_checking_the_portals_key(pcli, workspace, portal, proxy_env):
    result = pcli("setup", "--from-portal", env=proxy_env)
    assert result.returncode == 0, result.output
    assert result.stdout.index("✓ proxy started") < result.stdout.index("the portal issued a new key")
    assert env_value(workspace, "LITELLM_API_KEY") == portal.current
