"""The feature's config file is read without PyYAML (every warm `apply` reads it), and the reader
gives PyYAML's answer whenever it answers: anything outside the feature's flat subset goes to PyYAML."""

from __future__ import annotations

import pytest
import yaml

from litellm_key.plain_yaml import plain_mapping
from litellm_key.settings_files import MAX_NODES, read_yaml

# What the feature's install.sh writes (yaml_text, yaml_list, yaml_bool), hostile values included.
FEATURE_FILES = [
    "# Written by the litellm-key Dev Container feature from its options: change them in\n"
    "# devcontainer.json and rebuild. Per-workspace overrides: .devcontainer/litellm-key.yaml\n"
    "upstream: 'http://host.docker.internal:80'\nhost_header: 'litellm.localhost'\nlisten: '127.0.0.1:8080'\n"
    "proxy: true\nmodels: ['claude-sonnet-4-5-20250929', 'claude-3-opus-20240229']\nclients: ['claude-code']\n",
    "proxy: false\nmodels: []\nclients: ['claude-code', 'codex', 'gemini']\nportal_url: 'https://portal.example'\n",
    "host_header: 'it''s # not a comment: , [x]'\nmodels: ['a, b', '''', '', ' spaced ']\n",
    "upstream: 'first'\nupstream: 'second'\n",  # the last one wins, on its own line
    "",
    "# only a comment\n\n",
    "proxy: 'maybe'\nlisten: '127.0.0.1:8080 '\n",
]

# Not the subset: PyYAML reads (or refuses) these, and must be the one asked.
OTHER_FILES = [
    "upstream: http://plain.example\n",  # a plain scalar
    "proxy: True\n",
    "proxy: yes\n",
    "timeout: 30\n",
    'upstream: "double-quoted"\n',
    "upstream: 'x'  # a comment after the value\n",
    "upstream: 'x' \n",
    "upstream:  'x'\n",
    "upstream : 'x'\n",
    "  upstream: 'x'\n",
    "upstream: 'unclosed\n  continued'\n",
    "models: ['a','b']\n",
    "models: [ 'a' ]\n",
    "models: ['a', b]\n",
    "models:\n- a\n",
    "client_models: {codex: gpt-4o}\n",
    "yes: 'x'\n",
    "null: 'x'\n",
    "Upstream: 'x'\n",
    "---\nupstream: 'x'\n",
    "upstream: 'x'\r\n",
    "upstream: 'caf\u00e9'\n",
    "\ufeffupstream: 'x'\n",
    "upstream: 'tab\there'\n",
    "upstream: &a 'x'\nhost_header: *a\n",
    "- a\n- b\n",
]


@pytest.mark.parametrize("text", FEATURE_FILES)
def test_the_features_files_read_as_pyyaml_reads_them(text):
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    lines = {key.value: key.start_mark.line + 1 for key, _ in node.value} if node else {}
    expected = {name: (value, lines[name]) for name, value in (yaml.safe_load(text) or {}).items()}
    assert plain_mapping(text, MAX_NODES) == expected


@pytest.mark.parametrize("text", OTHER_FILES)
def test_anything_else_is_left_to_pyyaml(text):
    assert plain_mapping(text, MAX_NODES) is None


def test_a_flat_file_over_the_node_limit_still_gets_pyyamls_refusal(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("models: [" + ", ".join(["'m'"] * MAX_NODES) + "]\n")
    assert plain_mapping(path.read_text(), MAX_NODES) is None
    with pytest.raises(Exception, match="more than 10000 values"):
        read_yaml(path)
