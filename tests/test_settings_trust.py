"""A checkout's files cannot steer a secret of yours: an admin running `keys --from-k8s` inside
someone else's repository keeps the master key, the secret it is read from and the port-forward
command their own; your own config file, the environment and flags still decide them."""

from __future__ import annotations

import json
import socket
import sys
from pathlib import Path

import pytest
from conftest import GOOD_KEY
from keys_helpers import admin, admin_standin, kubectl  # noqa: F401 (fixtures)

from litellm_key.settings import SETTINGS

HOSTILE_FILES = {"workspace file": ".devcontainer/litellm-key.yaml", "recorded choices": ".devcontainer/litellm-key.local.yaml"}


@pytest.fixture
def thief():
    """Where a hostile checkout would send the master key: a listener nobody may connect to."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        listener.setblocking(False)
        yield listener


def _connections(listener: socket.socket) -> list[bytes]:
    received = []
    while True:
        try:
            connection, _ = listener.accept()
        except BlockingIOError:
            return received
        connection.settimeout(1)
        with connection:
            try:
                received.append(connection.recv(65536))
            except OSError:
                received.append(b"(connected)")


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _user_config(cli) -> Path:
    return Path(cli.env["XDG_CONFIG_HOME"]) / "litellm-key" / "config.yaml"


@pytest.mark.parametrize("hostile", HOSTILE_FILES)
@pytest.mark.parametrize("admin_says", ["user file", "environment", "flag"])
def test_keys_from_k8s_in_a_hostile_checkout_sends_the_master_key_only_where_the_admin_said(
    admin, admin_standin, kubectl, thief, tmp_path, hostile, admin_says
):
    marker = tmp_path / "hostile-command-ran"
    checkout_file = _write(admin.workspace / HOSTILE_FILES[hostile], (
        f"admin_url: http://127.0.0.1:{thief.getsockname()[1]}\n"
        "master_key_secret: thieves/stolen/KEY\n"
        f"port_forward: {sys.executable} -c \"open('{marker}', 'w')\" 4999:4000\n"
    ))
    admin_standin.add_admin_key(alias="claude-code-alice")
    env = {"LITELLM_MASTER_KEY": "", "LITELLM_ADMIN_URL": ""}
    flags: tuple[str, ...] = ()
    if admin_says == "user file":
        _write(_user_config(admin), f"admin_url: {admin_standin.url}\n")
    elif admin_says == "environment":
        env["LITELLM_ADMIN_URL"] = admin_standin.url
    else:
        flags = ("--url", admin_standin.url)

    result = admin("keys", "list", "--from-k8s", "--timeout", "2", *flags, env=env)

    assert result.returncode == 0, result.output
    assert "claude-code-alice" in result.stdout
    assert _connections(thief) == []
    assert "get secret urbalurba-secrets -n ai" in kubectl.read_text()
    assert "thieves" not in kubectl.read_text()
    for name in ("admin_url", "master_key_secret", "port_forward"):
        assert f"{checkout_file}:" in result.stderr and f"sets {name}, which only your own settings may choose: ignored" in result.stderr
    assert str(_user_config(admin)) in result.stderr  # where it belongs
    assert not marker.exists()


@pytest.mark.parametrize("hostile", HOSTILE_FILES)
def test_keys_port_forward_runs_the_admins_command_not_the_checkouts(admin, admin_standin, kubectl, tmp_path, hostile):
    marker = tmp_path / "hostile-command-ran"
    _write(admin.workspace / HOSTILE_FILES[hostile], f"port_forward: {sys.executable} -c \"open('{marker}', 'w')\" 4999:4000\n")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    _write(_user_config(admin), f"port_forward: kubectl port-forward -n ai svc/litellm {port}:4000\n")
    admin_standin.add_admin_key(alias="claude-code-alice")

    result = admin("keys", "list", "--port-forward", env={"FAKE_KUBECTL_TARGET": str(admin_standin.server.port)})

    assert result.returncode == 0, result.output
    assert "claude-code-alice" in result.stdout
    assert not marker.exists()
    assert f"port-forward -n ai svc/litellm {port}:4000" in kubectl.read_text()


@pytest.mark.parametrize("hostile", HOSTILE_FILES)
def test_a_checkout_cannot_opt_you_into_sending_the_master_key_in_the_clear(admin, hostile):
    _write(admin.workspace / HOSTILE_FILES[hostile], "allow_http: true\n")

    result = admin("keys", "list", env={"LITELLM_ADMIN_URL": "http://litellm.example.com:4000"})

    assert result.returncode == 8, result.output
    assert "sets allow_http, which only your own settings may choose: ignored" in result.stderr


# A valid value for each setting only you may choose, as a checkout would write it.
HOSTILE_VALUES = {
    "admin_url": "http://attacker.example:4000",
    "master_key_secret": "thieves/stolen/KEY",
    "key_alias_pattern": "'{name}'",
    "port_forward": "touch pwned 4000:4000",
    "session_token_file": "session-token-in-the-repo",
    "state_dir": "state-in-the-repo",
    "key_store": "keyring",
    "allow_http": "true",
    "session_source": "browser",
    "session_cookie": "another-cookie",
    "browser": "chromium",
    "browser_profile": "profile-in-the-repo",
}


def test_every_setting_only_you_may_choose_is_tried_here():
    assert set(HOSTILE_VALUES) == {name for name, setting in SETTINGS.items() if setting.yours_only}


@pytest.mark.parametrize("hostile", HOSTILE_FILES)
@pytest.mark.parametrize("name", HOSTILE_VALUES)
def test_a_checkout_cannot_set_what_only_you_may_but_the_rest_of_its_file_still_applies(cli, hostile, name):
    checkout_file = _write(cli.workspace / HOSTILE_FILES[hostile], f"{name}: {HOSTILE_VALUES[name]}\nhost_header: team.localhost\n")

    result = cli("config", "--json")

    assert result.returncode == 0, result.output
    listing = json.loads(result.stdout)["settings"]
    assert listing[name]["kind"] == "default"
    assert [where.endswith(f"{checkout_file}:1") for where in listing[name]["ignored"]] == [True]
    assert listing["host_header"] == {"value": "team.localhost", "kind": hostile.split()[0].replace("choices", "recorded"),
                                      "source": listing["host_header"]["source"]}  # fmt: skip
    assert f"{checkout_file}:1 sets {name}, which only your own settings may choose: ignored" in result.stderr


@pytest.mark.parametrize("name", HOSTILE_VALUES)
def test_your_own_config_file_sets_what_only_you_may(cli, name):
    user_file = _write(_user_config(cli), f"{name}: {HOSTILE_VALUES[name]}\n")

    result = cli("config", "--json")

    assert result.returncode == 0, result.output
    entry = json.loads(result.stdout)["settings"][name]
    assert (entry["kind"], entry["source"]) == ("user", f"{user_file}:1")
    assert "ignored" not in result.stderr


def test_the_layers_stack_system_user_workspace_recorded_environment_flag(cli, tmp_path):
    system = _write(tmp_path / "system.yaml", "host_header: system.localhost\ntimeout: 1\nproxy_timeout: 1\nrenew_before: 1\nlisten: 9001\n")
    _write(_user_config(cli), "timeout: 2\nproxy_timeout: 2\nrenew_before: 2\nlisten: 9002\n")
    _write(cli.workspace / HOSTILE_FILES["workspace file"], "proxy_timeout: 3\nrenew_before: 3\nlisten: 9003\n")
    _write(cli.workspace / HOSTILE_FILES["recorded choices"], "renew_before: 4\nlisten: 9004\n")

    result = cli("config", "--listen", "9006", "--json", env={"LITELLM_KEY_SYSTEM_CONFIG": str(system), "LITELLM_LISTEN": "9005"})

    listing = json.loads(result.stdout)["settings"]
    kinds = {name: (listing[name]["value"], listing[name]["kind"]) for name in ("host_header", "timeout", "proxy_timeout", "renew_before", "listen")}
    assert kinds == {
        "host_header": ("system.localhost", "system"),
        "timeout": (2.0, "user"),
        "proxy_timeout": (3.0, "workspace"),
        "renew_before": (4.0, "recorded"),
        "listen": ("127.0.0.1:9006", "flag"),
    }


def test_a_user_file_that_moves_the_env_file_sends_token_to_the_full_command(cli, workspace):
    """keyhelper's fast path reads the same files as the settings: your file may move .env."""
    _write(workspace / "private" / "keys.env", "LITELLM_API_KEY=sk-moved-by-the-user-file-0123456789\n")
    _write(workspace / ".env", "LITELLM_API_KEY=sk-the-default-place-0123456789abc\n")
    _write(_user_config(cli), f"env_file: {workspace / 'private' / 'keys.env'}\n")

    assert cli("token").stdout == "sk-moved-by-the-user-file-0123456789\n"


@pytest.mark.parametrize("flags", [("--client", "claude-code,codex"), ("--client", "claude-code", "--client", "codex")])
def test_list_flags_take_commas_as_the_feature_options_do(cli, flags):
    result = cli("config", *flags, "--model", "model-a,model-b", "--model", "model-c", "--json")

    assert result.returncode == 0, result.output
    listing = json.loads(result.stdout)["settings"]
    assert listing["clients"]["value"] == ["claude-code", "codex"]
    assert listing["models"]["value"] == ["model-a", "model-b", "model-c"]


def test_setup_configures_every_client_a_comma_list_names(cli):
    """What `config-claude-code.sh --client claude-code,codex` runs: it adds its own --client claude-code."""
    result = cli("setup", "--key-stdin", "--client", "claude-code", "--client", "claude-code,codex", "--json", input=GOOD_KEY)

    assert result.returncode == 0, result.output
    assert sorted(json.loads(result.stdout)["clients"]) == ["claude-code", "codex"]
    assert (Path(cli.env["HOME"]) / ".codex" / "config.toml").is_file()


def test_keys_generate_takes_a_comma_list_of_models(admin, admin_standin):
    result = admin("keys", "generate", "--developer", "dora", "--model", "claude-sonnet-4-5-20250929,claude-3-opus-20240229", new_keys_shown=1)

    assert result.returncode == 0, result.output
    assert admin_standin.by_alias("claude-code-dora").models == ["claude-sonnet-4-5-20250929", "claude-3-opus-20240229"]
