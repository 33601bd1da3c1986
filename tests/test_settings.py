"""Settings layers and the errors a user gets for a bad value: file, line, field, fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from litellm_key.settings import load_settings
from litellm_key.settings_values import KNOWN_CLIENTS
def _load(tmp_path: Path, system: str = "", workspace_yaml: str = "", environ=None, flags=None):
    system_file = tmp_path / "system.yaml"
    system_file.write_text(system)
    workspace = tmp_path / "ws"
    (workspace / ".devcontainer").mkdir(parents=True, exist_ok=True)
    (workspace / ".devcontainer" / "litellm-key.yaml").write_text(workspace_yaml)
    env = {"LITELLM_KEY_SYSTEM_CONFIG": str(system_file), "HOME": str(tmp_path), **(environ or {})}
    return load_settings(flags={"workspace": workspace, **(flags or {})}, environ=env)


def test_defaults_match_the_documented_table(tmp_path):
    settings = _load(tmp_path)
    assert settings.upstream == "http://host.docker.internal:80"
    assert settings.host_header == "litellm.localhost"
    assert (settings.listen_host, settings.listen_port) == ("127.0.0.1", 8080)
    assert settings.base_url == "http://localhost:8080"
    assert settings.models == ("claude-sonnet-4-5-20250929", "claude-3-opus-20240229")
    assert settings.clients == ("claude-code",)
    assert settings.env_file == tmp_path / "ws" / ".env"
    assert settings.state_dir == tmp_path / ".local" / "state" / "litellm-key"


def test_each_layer_overrides_the_one_below(tmp_path):
    settings = _load(
        tmp_path,
        system="upstream: http://system:1\nhost_header: from.system\nlisten: 8081\nmodels: [a]\n",
        workspace_yaml="host_header: from.workspace\nlisten: 127.0.0.1:8082\nmodels: [b, c]\n",
        environ={"LITELLM_LISTEN": "8083", "LITELLM_MODELS": "d,e"},
        flags={"models": ["f"]},
    )
    assert settings.upstream == "http://system:1"
    assert settings.host_header == "from.workspace"
    assert settings.listen_port == 8083
    assert settings.models == ("f",)


def test_clients_all_expands_and_per_client_model_wins(tmp_path):
    settings = _load(tmp_path, workspace_yaml="clients: all\nclient_models: {codex: gpt-4o}\n")
    assert settings.clients == KNOWN_CLIENTS
    assert settings.model_for("codex") == "gpt-4o"
    assert settings.model_for("gemini") == "claude-sonnet-4-5-20250929"


def test_no_proxy_talks_to_upstream_directly(tmp_path):
    settings = _load(tmp_path, environ={"LITELLM_PROXY": "false", "LITELLM_UPSTREAM": "https://llm.example.com/"})
    assert settings.base_url == "https://llm.example.com"


BAD_CONFIG = [
    # where, content/value, what the message must say
    ("workspace", "upstream: [unclosed\n", "litellm-key.yaml: line 2: not valid YAML"),
    ("workspace", "- a list\n", "must hold a mapping"),
    ("workspace", "models: [a]\nupstreem: http://x\n", "litellm-key.yaml:2: unknown setting 'upstreem'"),
    ("user", "admin_url: localhost:4000\n", "litellm-key/config.yaml:1: admin_url: 'localhost:4000' is not an http(s) URL"),
    ("system", "listen: 127.0.0.1:70000\n", "listen: port 70000 is out of range"),
    ("workspace", "models: [null]\n", "litellm-key.yaml:1: models: None is not a name"),
    ("workspace", "models: [1.5]\n", "litellm-key.yaml:1: models: 1.5 is not a name"),
    ("workspace", "client_models: {codex: 2024}\n", "client_models: 2024 is not a name"),
    ("env", ("LITELLM_UPSTREAM", "http://bad host"), "environment variable LITELLM_UPSTREAM: upstream"),
    ("env", ("LITELLM_CLIENTS", "claude-code,vim"), "unknown client vim"),
    ("env", ("LITELLM_TIMEOUT", "soon"), "'soon' is not a number of seconds"),
]


@pytest.mark.parametrize(("where", "content", "message"), BAD_CONFIG)
def test_bad_config_exits_3_naming_source_and_field(cli, workspace, tmp_path, where, content, message):
    env = {}
    if where == "workspace":
        (workspace / ".devcontainer").mkdir()
        (workspace / ".devcontainer" / "litellm-key.yaml").write_text(content)
    elif where == "system":
        (tmp_path / "system.yaml").write_text(content)
        env["LITELLM_KEY_SYSTEM_CONFIG"] = str(tmp_path / "system.yaml")
    elif where == "user":
        (tmp_path / "home" / ".config" / "litellm-key").mkdir(parents=True)
        (tmp_path / "home" / ".config" / "litellm-key" / "config.yaml").write_text(content)
    else:
        env[content[0]] = content[1]
    result = cli("status", env=env)
    assert result.returncode == 3, result.output
    assert message in result.stderr


def test_bad_flag_value_names_the_flag(cli):
    result = cli("status", "--listen", "99999")
    assert result.returncode == 3
    assert "--listen: listen: port 99999 is out of range" in result.stderr


def test_token_reads_env_file_from_config_without_parsing_unrelated_files(cli, workspace, tmp_path):
    (workspace / ".devcontainer").mkdir()
    (workspace / ".devcontainer" / "litellm-key.yaml").write_text("env_file: secrets/.env\n")
    (workspace / "secrets").mkdir()
    (workspace / "secrets" / ".env").write_text("LITELLM_API_KEY=sk-from-configured-env-file\n")
    system = tmp_path / "system.yaml"
    system.write_text("upstream: http://host.docker.internal:80\n")
    result = cli("token", env={"LITELLM_KEY_SYSTEM_CONFIG": str(system)})
    assert result.stdout == "sk-from-configured-env-file\n"
