"""`litellm-key config`: every setting with its source; `config check` refuses what the proxy would."""

from __future__ import annotations

import json

import pytest

from conftest import GOOD_KEY

ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{name}: &{name} [*{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}]\n"
    for previous, name in zip("abcdefgh", "bcdefghi")
) + "models: *i\n"


def _write(path, text: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode())


def test_config_lists_every_setting_with_its_source(cli, workspace, tmp_path):
    system = tmp_path / "system.yaml"
    _write(system, "# feature options\nhost_header: from.system\n")
    assert cli("setup", "--key-stdin", "--client", "codex", input=GOOD_KEY).returncode == 0
    _write(workspace / ".devcontainer" / "litellm-key.yaml", "models: [a, b]\n")
    env = {"LITELLM_KEY_SYSTEM_CONFIG": str(system), "LITELLM_TIMEOUT": "7"}

    text = cli("config", "--listen", "8099", env=env)
    listing = json.loads(cli("config", "--json", "--listen", "8099", env=env).stdout)

    assert text.returncode == 0, text.output
    lines = {line.split()[0]: line for line in text.stdout.splitlines()}
    assert lines["host_header"].endswith(f"from.system  ({system}:2)")
    assert lines["models"].endswith(f"a, b  ({workspace}/.devcontainer/litellm-key.yaml:1)")
    assert f"codex  (setup choice recorded in {workspace}/.devcontainer/litellm-key.local.yaml:" in lines["clients"]
    assert lines["timeout"].endswith("7.0  (environment variable LITELLM_TIMEOUT)")
    assert lines["listen"].endswith("127.0.0.1:8099  (--listen)")
    assert lines["admin_url"].endswith("http://localhost:4000  (default)")
    assert listing["version"] == 1
    assert {name: entry["kind"] for name, entry in listing["settings"].items() if entry["kind"] != "default"} == {
        "host_header": "system", "models": "workspace", "clients": "recorded", "timeout": "environment",
        "listen": "flag", "upstream": "environment", "proxy": "environment",
    }  # fmt: skip


# (environment variable, value, what the message says): each one `proxy render` refuses too.
REFUSED = [
    ("LITELLM_UPSTREAM", "http://gateway:4000/a;b", "is not a plain http(s)://host:port[/path] URL"),
    ("LITELLM_UPSTREAM", "http://gateway:4000/?q=1", "is not a plain http(s)://host:port[/path] URL"),
    ("LITELLM_UPSTREAM", "http://user@gateway:4000", "is not a plain http(s)://host:port[/path] URL"),
    ("LITELLM_UPSTREAM", "http://127.0.0.1:0", "has an invalid port"),
    ("LITELLM_HOST_HEADER", "litellm.localhost; evil", "is not a host name"),
    ("LITELLM_LISTEN", "0.0.0.0:8080", "0.0.0.0 is not a loopback address"),
    ("LITELLM_LISTEN", "127.0.0.1:80", "port 80 is below 1024"),
    ("LITELLM_STATE_DIR", '/tmp/state"; evil', "holds a quote, backslash, $ or control character"),
    ("LITELLM_TIMEOUT", "nan", "nan is not between 0.001 and"),
    ("LITELLM_PROXY_TIMEOUT", "inf", "inf is not between 0.001 and"),
    ("LITELLM_PROXY_TIMEOUT", "0.0001", "0.0001 is not between 0.001 and"),  # nginx would read 0ms
]


@pytest.mark.parametrize(("variable", "value", "says"), REFUSED)
def test_config_check_refuses_what_the_proxy_would_and_names_the_source(cli, variable, value, says):
    env = {"LITELLM_PROXY": "true", variable: value}
    checked = cli("config", "check", env=env)
    rendered = cli("proxy", "render", env=env)
    for result in (checked, rendered):
        assert result.returncode == 3, result.output
        assert f"environment variable {variable}: " in result.stderr and says in result.stderr
        assert "Traceback" not in result.stderr


def test_config_check_accepts_what_apply_accepts(cli):
    result = cli("config", "check", "--json", env={"LITELLM_PROXY": "true", "LITELLM_LISTEN": "[::1]:8081"})
    assert result.returncode == 0, result.output
    assert json.loads(result.stdout) == {"version": 1, "ok": True, "checked": str(cli.workspace)}
    assert cli("proxy", "render", env={"LITELLM_PROXY": "true", "LITELLM_LISTEN": "[::1]:8081"}).returncode == 0


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("upstream: http://h:1\nlisten: 127.0.0.1:80\n", "file.yaml:2: listen: port 80 is below 1024"),
        ("timeout: .nan\n", "file.yaml:1: timeout: nan is not between 0.001 and"),
        ("timeout: .inf\n", "file.yaml:1: timeout: inf is not between 0.001 and"),
        (b"# caf\xe9\nupstream: http://h:1\n", "file.yaml: line 1: not valid YAML (byte 0xe9 is not UTF-8 text)"),
        (ALIAS_BOMB, "file.yaml: the settings expand to more than 10000 values"),
        ("[" * 5000, "file.yaml: the settings expand to more than 10000 values"),
    ],
)
def test_config_check_file_refuses_a_bad_settings_file_without_a_traceback(cli, tmp_path, content, says):
    path = tmp_path / "file.yaml"
    _write(path, content)
    result = cli("config", "check", "--file", str(path))
    assert result.returncode == 3, result.output
    assert says in result.stderr
    assert "Traceback" not in result.stderr


def test_config_check_file_ignores_every_other_layer(cli, tmp_path):
    path = tmp_path / "file.yaml"
    _write(path, "upstream: http://host.docker.internal:80\nclients: [claude-code, codex]\n")
    result = cli("config", "check", "--file", str(path), env={"LITELLM_LISTEN": "0.0.0.0:1"})
    assert result.returncode == 0, result.output
    assert f"settings valid ({path})" in result.stdout


def test_a_non_utf8_system_config_is_a_config_error_for_every_command_but_token(cli, workspace, tmp_path):
    system = tmp_path / "system.yaml"
    _write(system, b"upstream: http://h\xff:1\n")
    (workspace / ".env").write_text(f"LITELLM_API_KEY={GOOD_KEY}\n")
    env = {"LITELLM_KEY_SYSTEM_CONFIG": str(system)}
    for command in ("apply", "status", "config"):
        result = cli(command, env=env)
        assert result.returncode == 3, (command, result.output)
        assert f"{system}: line 1: not valid YAML (byte 0xff is not UTF-8 text)" in result.stderr
    assert cli("token", env=env).stdout == f"{GOOD_KEY}\n"  # it never needed that file


@pytest.mark.parametrize(
    "command",
    [("setup", "--key-stdin"), ("apply",), ("status",), ("logout",), ("proxy", "render"), ("config",), ("renew", "--check"),
     ("portal", "logout"), ("doctor",)],
)  # fmt: skip
def test_every_json_document_carries_schema_version_1(cli, workspace, command):
    if command[0] != "setup":
        (workspace / ".env").write_text(f"LITELLM_API_KEY={GOOD_KEY}\n")
    result = cli(*command, "--json", input=GOOD_KEY)
    assert json.loads(result.stdout)["version"] == 1, result.output
    assert result.returncode == 0 or command[0] == "doctor", result.output  # doctor reports failed hops in the document


def test_config_check_refuses_a_state_folder_apply_would_refuse(cli, workspace, tmp_path):
    """`apply` checks the state folder before anything else (exit 3): `config check` says so too,
    instead of "settings valid" for a container whose next start will fail."""
    (workspace / ".env").write_text(f"LITELLM_API_KEY={GOOD_KEY}\n")
    in_the_way = tmp_path / "state-is-a-file"
    in_the_way.write_text("")
    env = {"LITELLM_STATE_DIR": str(in_the_way)}

    checked = cli("config", "check", env=env)

    assert cli("apply", env=env).returncode == 3
    assert checked.returncode == 3, checked.output
    assert f"{in_the_way} is not a folder" in checked.stderr
    assert cli("config", env=env).returncode == 0  # the listing still shows where state_dir came from


def test_config_check_takes_every_flag_apply_takes(cli):
    """Whatever `apply --X V` would load, `config check --X V` checks: the same flags, the same verdict."""
    from litellm_key.cli import build_parser

    def flags(command: str) -> set[str]:
        sub = next(action for action in build_parser(command)._actions if action.dest == "command").choices[command]
        return {option for action in sub._actions for option in action.option_strings}

    assert flags("apply") - flags("config") == set()
    bad = cli("config", "check", "--portal-url", "not-a-url")
    assert bad.returncode == 3, bad.output
    assert "--portal-url: portal_url: 'not-a-url' is not an http(s) URL" in bad.stderr


@pytest.mark.parametrize("missing", ["no-such.yaml", "."], ids=["no file", "a folder"])
def test_config_check_file_refuses_a_file_that_is_not_there(cli, tmp_path, missing):
    """A layer that does not exist is skipped, but a file named on purpose must be read: a typo in
    the path passed as "settings valid"."""
    path = tmp_path / missing
    result = cli("config", "check", "--file", str(path))
    assert result.returncode == 3, result.output
    assert f"{path}: no such settings file" in result.stderr
    assert "settings valid" not in result.stdout
