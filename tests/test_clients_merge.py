"""Each client module against a real home folder: fresh, rich, twice, broken, and undone again."""

from __future__ import annotations

import copy
import json
import stat

import pytest
import tomlkit

from clients_helpers import (
    AFTER_LOGOUT,
    FRESH,
    KEY,
    MALFORMED,
    RICH,
    SONNET,
    expected_fresh,
    home_files,
    make_context,
    parse,
    restored,
    write_files,
)
from litellm_key.clients import CONFIGURED, DRIFTED, NOT_CONFIGURED, get_client
from litellm_key.errors import LitellmKeyError
from litellm_key.settings_values import KNOWN_CLIENTS
CLIENTS = pytest.mark.parametrize("client", KNOWN_CLIENTS)


def _merged(existing, ours):
    result = copy.deepcopy(existing)
    for name, value in ours.items():
        if isinstance(value, dict) and isinstance(result.get(name), dict):
            result[name] = _merged(result[name], value)
        else:
            result[name] = value
    return result


def parse_text(name: str, text: str):
    return tomlkit.parse(text).unwrap() if name.endswith(".toml") else json.loads(text)


def _modes(home):
    return {name: stat.S_IMODE((home / name).stat().st_mode) for name in home_files(home)}


@CLIENTS
def test_fresh_home_gets_exactly_the_expected_config(tmp_path, client):
    ctx = make_context(tmp_path)

    change = get_client(client).configure(ctx)

    expected = expected_fresh(client, ctx)
    assert set(home_files(ctx.home)) == set(expected)
    assert {name: parse(ctx.home / name) for name in expected} == expected
    assert sorted(change.changed) == sorted(ctx.home / name for name in expected)
    secret_mode = {name: 0o600 for name in expected if client == "roo"}
    assert _modes(ctx.home) == {name: 0o644 for name in expected} | secret_mode


@CLIENTS
def test_second_run_changes_no_byte(tmp_path, client):
    ctx = make_context(tmp_path)
    write_files(ctx.home, RICH[client])
    get_client(client).configure(ctx)
    first = {name: ((ctx.home / name).read_bytes(), (ctx.home / name).stat().st_mtime_ns) for name in home_files(ctx.home)}

    change = get_client(client).configure(ctx)

    assert change.changed == ()
    assert {name: ((ctx.home / name).read_bytes(), (ctx.home / name).stat().st_mtime_ns) for name in first} == first


@CLIENTS
def test_existing_config_keeps_everything_but_our_keys(tmp_path, client):
    ctx = make_context(tmp_path)
    write_files(ctx.home, RICH[client])

    get_client(client).configure(ctx)

    for name, ours in expected_fresh(client, ctx).items():
        expected = _merged(parse_text(name, RICH[client][name]), ours)
        if client == "claude-code" and name == ".claude/settings.json":
            del expected["env"]["ANTHROPIC_API_KEY"]  # stale: it would win over apiKeyHelper
        assert parse(ctx.home / name) == expected, name


def test_codex_keeps_comments_and_layout(tmp_path):
    ctx = make_context(tmp_path)
    write_files(ctx.home, RICH["codex"])

    get_client("codex").configure(ctx)

    text = (ctx.home / ".codex/config.toml").read_text()
    assert text.startswith("# Codex settings, kept by hand\nmodel = \"claude-sonnet-4-5-20250929\"  # my usual model\n")
    for line in RICH["codex"][".codex/config.toml"].splitlines():
        if line.startswith(("#", "[", "name", "base_url = \"http://localhost:11434")) or "quick answers" in line:
            assert line in text.splitlines(), line


@CLIENTS
def test_malformed_config_is_left_untouched_and_named_with_its_line(tmp_path, client):
    ctx = make_context(tmp_path)
    name, text, kind = MALFORMED[client]
    write_files(ctx.home, {name: text})

    with pytest.raises(LitellmKeyError) as caught:
        get_client(client).configure(ctx)

    error = caught.value
    assert (error.reason, error.exit_code) == ("client-config-malformed", 3)
    assert f"{ctx.home / name}, line 3: not valid {kind}" in error.message
    assert "left untouched" in error.message
    assert home_files(ctx.home) == {name: text.encode()}  # no other file of that client written either
    assert get_client(client).describe(ctx).state == NOT_CONFIGURED


def test_a_value_in_the_way_is_reported_not_overwritten(tmp_path):
    ctx = make_context(tmp_path)
    write_files(ctx.home, {".gemini/settings.json": '{\n  "model": "gemini-2.5-pro"\n}\n'})

    with pytest.raises(LitellmKeyError) as caught:
        get_client("gemini").configure(ctx)

    assert "`model` is a string (\"gemini-2.5-pro\"), but litellm-key needs to set `model.name`" in caught.value.message
    assert (ctx.home / ".gemini/settings.json").read_text() == '{\n  "model": "gemini-2.5-pro"\n}\n'


@CLIENTS
def test_logout_restores_the_original_bytes_and_modes(tmp_path, client):
    ctx = make_context(tmp_path)
    write_files(ctx.home, RICH[client])
    original, modes = home_files(ctx.home), _modes(ctx.home)
    get_client(client).configure(ctx)

    get_client(client).remove(ctx)

    assert home_files(ctx.home) == restored(original)
    assert _modes(ctx.home) == modes


@CLIENTS
def test_logout_in_a_fresh_home_leaves_no_file_or_folder(tmp_path, client):
    ctx = make_context(tmp_path)
    get_client(client).configure(ctx)

    get_client(client).remove(ctx)

    assert sorted(path.name for path in ctx.home.iterdir()) == [".local"]


@CLIENTS
def test_logout_after_the_client_rewrote_its_file_keeps_the_new_content(tmp_path, client):
    """Claude Code rewrites ~/.claude.json on every start: exact bytes are gone, our keys still go."""
    ctx = make_context(tmp_path)
    write_files(ctx.home, RICH[client])
    get_client(client).configure(ctx)
    for name in RICH[client]:
        path = ctx.home / name
        if name.endswith(".toml"):
            path.write_text(path.read_text() + "\n[user_edit]\nx = 1\n")
        else:
            path.write_text(json.dumps({**json.loads(path.read_text()), "userEdit": 1}, indent=2) + "\n")

    get_client(client).remove(ctx)

    for name, text in AFTER_LOGOUT[client].items():
        expected = parse_text(name, text)
        expected["user_edit" if name.endswith(".toml") else "userEdit"] = {"x": 1} if name.endswith(".toml") else 1
        assert parse(ctx.home / name) == expected, name


def test_logout_leaves_a_value_the_user_changed_since(tmp_path):
    ctx = make_context(tmp_path)
    get_client("opencode").configure(ctx)
    path = ctx.home / ".config/opencode/opencode.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), "model": "litellm/gpt-4o"}))

    get_client("opencode").remove(ctx)

    assert json.loads(path.read_text()) == {"model": "litellm/gpt-4o"}


DRIFT = {
    "claude-code": (".claude/settings.json", ("env", "ANTHROPIC_BASE_URL"), "http://elsewhere:9000"),
    "codex": (".codex/config.toml", ("model_providers", "litellm", "base_url"), "http://elsewhere/v1"),
    "gemini": (".gemini/settings.json", ("security", "auth", "selectedType"), "oauth-personal"),
    "opencode": (".config/opencode/opencode.json", ("provider", "litellm", "options", "baseURL"), "http://elsewhere/v1"),
    "roo": (
        ".config/litellm-key/roo-code-settings.json",
        ("providerProfiles", "apiConfigs", "litellm", "litellmApiKey"),
        "sk-someone-elses-key-999",
    ),
}


@CLIENTS
def test_status_tells_configured_not_configured_and_drifted(tmp_path, client):
    ctx = make_context(tmp_path)
    module = get_client(client)
    write_files(ctx.home, RICH[client])
    assert module.describe(ctx).state == NOT_CONFIGURED  # the user's own settings are not "drift"
    module.configure(ctx)
    assert module.describe(ctx).state == CONFIGURED

    name, keys, value = DRIFT[client]
    path = ctx.home / name
    document = tomlkit.parse(path.read_text()) if name.endswith(".toml") else json.loads(path.read_text())
    node = document
    for part in keys[:-1]:
        node = node[part]
    node[keys[-1]] = value
    path.write_text(tomlkit.dumps(document) if name.endswith(".toml") else json.dumps(document))

    state = module.describe(ctx)
    assert state.state == DRIFTED
    assert ".".join(keys) in state.detail
    if client == "roo":
        assert state.detail.endswith("holds a different key") and value not in state.detail and KEY not in state.detail
    else:
        assert value in state.detail


@pytest.mark.parametrize(
    ("client", "variable", "relative"),
    [
        ("codex", "CODEX_HOME", "config.toml"),
        ("opencode", "XDG_CONFIG_HOME", "opencode/opencode.json"),
        ("claude-code", "CLAUDE_CONFIG_DIR", "settings.json"),
        ("gemini", "GEMINI_CLI_HOME", ".gemini/settings.json"),
    ],
)
def test_client_homes_follow_their_environment_variables(tmp_path, client, variable, relative):
    elsewhere = tmp_path / "elsewhere"
    ctx = make_context(tmp_path, environ={variable: str(elsewhere)})

    change = get_client(client).configure(ctx)

    assert elsewhere / relative in change.changed
    assert not any(str(path).startswith(str(ctx.home)) for path in change.changed if path.name != ".claude.json")


def test_per_client_models_and_claude_families_come_from_settings(tmp_path):
    from dataclasses import replace

    ctx = make_context(tmp_path)
    haiku = "claude-haiku-4-5-20251001"
    client_models = {"claude-code": SONNET, "codex": "gpt-4o"}
    ctx = replace(ctx, settings=ctx.settings._replace(models=(haiku, SONNET), client_models=client_models))

    for client in ("claude-code", "codex"):
        get_client(client).configure(ctx)

    env = parse(ctx.home / ".claude/settings.json")["env"]
    assert env["ANTHROPIC_MODEL"] == SONNET
    assert (env["ANTHROPIC_DEFAULT_HAIKU_MODEL"], env["ANTHROPIC_DEFAULT_SONNET_MODEL"]) == (haiku, SONNET)
    assert "ANTHROPIC_DEFAULT_OPUS_MODEL" not in env
    assert parse(ctx.home / ".codex/config.toml")["model"] == "gpt-4o"


def test_fresh_structures_cover_every_client():
    assert set(FRESH) == set(RICH) == set(MALFORMED) == set(DRIFT) == set(KNOWN_CLIENTS)
