"""The nginx proxy's config: one template, every value checked before nginx sees it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from litellm_key import gateway, proxy
from litellm_key.errors import LitellmKeyError
from proxy_helpers import needs_nginx, proxy_settings

pytestmark = needs_nginx


# ---- render --------------------------------------------------------------------------------------


def test_repo_root_template_is_the_packaged_one():
    root_template = Path(__file__).resolve().parent.parent / "nginx.conf"
    assert root_template.resolve() == proxy.TEMPLATE.resolve()


def test_render_fills_every_placeholder_with_streaming_settings(tmp_path):
    text = proxy.render(proxy_settings(tmp_path / "state", "https://traefik.example:8443", host_header="litellm.example"))

    assert "{{" not in text
    for directive in (
        "proxy_http_version 1.1;", 'proxy_set_header Connection "";', "keepalive 128;", "proxy_buffering off;",
        "proxy_request_buffering off;", "client_max_body_size 100m;", "proxy_read_timeout 30s;",
        "proxy_ssl_server_name on;", "proxy_ssl_name litellm.example;", "proxy_set_header Host litellm.example;",
        "server traefik.example:8443 max_fails=0;", "proxy_pass https://litellm_upstream;", "underscores_in_headers on;",
    ):
        assert directive in text
    listens = [line.split()[1] for line in text.splitlines() if line.strip().startswith("listen ")]
    assert listens and all(address.startswith(("127.0.0.1:", "[::1]:")) for address in listens)
    assert f'pid "{tmp_path}/state/nginx/nginx.pid";' in text
    assert f"\"type\":\"{gateway.PROXY_ERROR_TYPE}\"" in text


def test_render_keeps_an_upstream_path_and_the_raw_uri(tmp_path):
    text = proxy.render(proxy_settings(tmp_path / "state", "http://gateway:4000/litellm"))
    assert "proxy_pass http://litellm_upstream/litellm$request_uri;" in text


@pytest.mark.parametrize(
    "change",
    [
        {"upstream": "http://gateway:4000/a;b"},
        {"upstream": "http://gateway:4000/?q=1"},
        {"host_header": "litellm.localhost; evil"},
        {"listen_host": "0.0.0.0"},
    ],
)
def test_render_refuses_values_that_would_break_the_config(tmp_path, change):
    settings = proxy_settings(tmp_path / "state", "http://gateway:4000")._replace(**change)
    with pytest.raises(LitellmKeyError) as raised:
        proxy.render(settings)
    assert raised.value.exit_code == 3


@pytest.mark.skipif(os.geteuid() != 0, reason="the user directive is only rendered for root")
def test_as_root_workers_run_as_the_state_dir_owner(tmp_path):
    state_dir = tmp_path / "state"
    state_dir.mkdir()
    os.chown(state_dir, 65534, 65534)
    owner = f"user {__import__('pwd').getpwuid(65534).pw_name} {__import__('grp').getgrgid(65534).gr_name};"
    assert owner in proxy.render(proxy_settings(state_dir, "http://gateway:4000"))
