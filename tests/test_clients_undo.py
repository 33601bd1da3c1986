"""The undo record behind `logout` never holds a key: not ours, not an old one, not one the user had.

A record outlives the key it was written with; a key in it comes back on `logout` (the first key
resurrected after a renewal) and sits in the state folder long after the user thought it gone.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from clients_helpers import RICH, STALE_KEY, make_context, write_files
from conftest import GOOD_KEY
from litellm_key.clients import get_client
from litellm_key.settings_values import KNOWN_CLIENTS
FIRST = "sk-first.key+with/odd=chars-0123456789"
SECOND = "sk-second-key-abcdefghijklmnop-9876"
STALE = ("sk-ant-stale-api-key-111111", "stale-auth-token-without-prefix-2222", "sk-proj-other-provider-3333")

# Per client, files a user might have that already hold keys (at our secret paths, or elsewhere).
HOLDING_KEYS: dict[str, dict[str, str]] = {
    "claude-code": {
        ".claude/settings.json": json.dumps(
            {"env": {"ANTHROPIC_API_KEY": STALE[0], "ANTHROPIC_AUTH_TOKEN": STALE[1], "OTHER": STALE[2]}}, indent=2
        ),
    },
    "codex": {
        ".codex/config.toml": f'model = "gpt-5"\n\n[model_providers.openai]\nexperimental_bearer_token = "{STALE[2]}"\n',
    },
    "gemini": {".gemini/settings.json": json.dumps({"tools": {"token": STALE[2]}}, indent=2)},
    "opencode": {
        ".config/opencode/opencode.json": json.dumps(
            {"provider": {"litellm": {"options": {"apiKey": STALE[1]}}, "openai": {"options": {"apiKey": STALE[2]}}}}
        ),
    },
    "roo": {
        ".config/litellm-key/roo-code-settings.json": json.dumps(
            {"providerProfiles": {"apiConfigs": {"litellm": {"litellmApiKey": STALE[1]}, "openai": {"openAiApiKey": STALE[2]}}}}
        ),
    },
}
SECRETS = (FIRST, SECOND, STALE_KEY, *STALE)


def _keys_in_state(state_dir: Path) -> list[str]:
    return [
        f"{path}: {secret}"
        for path in state_dir.rglob("*")
        if path.is_file()
        for secret in SECRETS
        if secret.encode() in path.read_bytes() or json.dumps(secret).encode()[1:-1] in path.read_bytes()
    ]


@pytest.mark.parametrize("client", KNOWN_CLIENTS)
@pytest.mark.parametrize("start", ["fresh", "rich", "holding-keys"])
def test_no_undo_record_ever_holds_a_key(tmp_path, client, start):
    first, second = make_context(tmp_path, key=FIRST), make_context(tmp_path, key=SECOND)
    write_files(first.home, {"fresh": {}, "rich": RICH[client], "holding-keys": HOLDING_KEYS[client]}[start])
    state = first.settings.state_dir
    steps = [
        ("configure", first),
        ("configure", first),
        ("lose records", first),
        ("configure", first),
        ("configure", second),
        ("remove", second),
        ("configure", second),
        ("lose records", second),
        ("configure", first),
        ("remove", make_context(tmp_path, key=None)),
    ]
    for step, ctx in steps:
        if step == "lose records":
            shutil.rmtree(ctx.ledger_dir)
        else:
            getattr(get_client(client), step)(ctx)
        assert _keys_in_state(state) == [], f"after {step}"
    assert not [path for path in first.home.rglob("*") if path.is_file() and FIRST.encode() in path.read_bytes()]


def test_logout_after_lost_records_does_not_resurrect_the_first_key(tmp_path):
    """The repro: records lost, configure Roo again, a new key, logout: the first key came back."""
    first, second = make_context(tmp_path, key=FIRST), make_context(tmp_path, key=SECOND)
    get_client("roo").configure(first)
    shutil.rmtree(first.ledger_dir)
    get_client("roo").configure(first)
    get_client("roo").configure(second)

    get_client("roo").remove(make_context(tmp_path, key=None))

    leftovers = {path: path.read_bytes() for path in first.home.rglob("*") if path.is_file()}
    assert not [path for path, data in leftovers.items() if FIRST.encode() in data or SECOND.encode() in data]
    assert not (first.home / ".config/litellm-key/roo-code-settings.json").exists()  # it was all ours


def test_a_stale_key_is_removed_not_restored_and_the_rest_comes_back(tmp_path):
    ctx = make_context(tmp_path, key=FIRST)
    write_files(ctx.home, HOLDING_KEYS["claude-code"])
    get_client("claude-code").configure(ctx)
    settings = ctx.home / ".claude/settings.json"
    assert STALE[0] not in settings.read_text() and STALE[1] not in settings.read_text()

    get_client("claude-code").remove(make_context(tmp_path, key=None))

    assert json.loads(settings.read_text()) == {"env": {"OTHER": STALE[2]}}


def test_cli_repro_lost_records_then_a_new_key_then_logout(cli, standin):
    home = Path(cli.env["HOME"])
    standin.add_key(SECOND, alias="dev-bob", expires="2099-12-31T00:00:00Z")
    roo = home / ".config/litellm-key/roo-code-settings.json"
    assert cli("setup", "--key-stdin", "--client", "roo", input=GOOD_KEY).returncode == 0
    shutil.rmtree(home / ".local/state/litellm-key/client-changes")
    assert cli("apply", "--client", "roo").returncode == 0
    assert cli("setup", "--key-stdin", "--client", "roo", input=SECOND).returncode == 0
    assert SECOND in roo.read_text()

    result = cli("logout")

    assert result.returncode == 0, result.output
    assert not roo.exists() or GOOD_KEY not in roo.read_text()
    state = [path for path in (home / ".local/state").rglob("*") if path.is_file()]
    assert not [path for path in state if GOOD_KEY.encode() in path.read_bytes() or SECOND.encode() in path.read_bytes()]
