"""/etc/litellm-key/config.yaml as the Dev Container feature's install.sh writes it (its default
options), for the tests and benchmarks of what every container runs with: a system config present."""

from __future__ import annotations

TEMPLATE = """# Written by the litellm-key Dev Container feature from its options: change them in
# devcontainer.json and rebuild. Per-workspace overrides: .devcontainer/litellm-key.yaml
upstream: '{upstream}'
host_header: 'litellm.localhost'
listen: '127.0.0.1:{port}'
proxy: true
models: ['claude-sonnet-4-5-20250929', 'claude-3-opus-20240229']
clients: ['claude-code']
"""


def feature_config(upstream: str, port: int) -> str:
    return TEMPLATE.format(upstream=upstream, port=port)
