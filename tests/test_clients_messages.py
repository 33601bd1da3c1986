"""Errors and status lines about client files never repeat a key found in them.

A value in the way of one of our settings is quoted in `client-config-malformed`; when it sits at
a path that holds a key (`{"env": "sk-…"}` in Claude Code's settings) it is not shown at all, and
anywhere else our key and anything key-like are masked. The `cli` fixture fails on a full key.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clients_helpers import write_files
from conftest import GOOD_KEY

ODD_KEYS = ("sk-odd.key+with/slash=0123456789abcdef", "plain~key.without_prefix+=/0123456789")


@pytest.fixture
def home(cli) -> Path:
    return Path(cli.env["HOME"])


@pytest.mark.parametrize("secret", [GOOD_KEY, *ODD_KEYS])
@pytest.mark.parametrize(
    "client, name, content",
    [
        ("claude-code", ".claude/settings.json", lambda key: {"env": key}),
        ("claude-code", ".claude/settings.json", lambda key: {"env": [key, "x"]}),
        ("roo", ".config/litellm-key/roo-code-settings.json", lambda key: {"providerProfiles": {"apiConfigs": {"litellm": key}}}),
        ("opencode", ".config/opencode/opencode.json", lambda key: {"provider": {"litellm": {"options": key}}}),
    ],
    ids=["claude-env", "claude-env-list", "roo-profile", "opencode-options"],
)
def test_a_key_in_the_way_at_a_secret_path_is_never_shown(cli, standin, home, secret, client, name, content):
    standin.add_key(secret, alias="odd")
    text = json.dumps(content(secret))
    write_files(home, {name: text})

    result = cli("setup", "--key-stdin", "--client", client, input=GOOD_KEY)

    assert result.returncode == 3, result.output
    assert "client-config-malformed" in result.output or "left untouched" in result.stderr
    assert (home / name).read_text() == text
    assert secret[-12:] not in result.output  # not even a long tail of it


@pytest.mark.parametrize("secret", [GOOD_KEY, *ODD_KEYS])
def test_our_key_in_the_way_elsewhere_is_masked(cli, standin, home, secret):
    standin.add_key(secret, alias="odd", expires="2099-12-31T00:00:00Z")
    text = json.dumps({"model": secret})  # where Gemini's model.name must go
    write_files(home, {".gemini/settings.json": text})

    result = cli("setup", "--key-stdin", "--no-verify", "--client", "gemini", input=secret)

    assert result.returncode == 3, result.output
    assert "`model` is a string (" in result.stderr and "needs to set `model.name`" in result.stderr
    assert (home / ".gemini/settings.json").read_text() == text


def test_a_key_like_value_in_the_way_is_masked_and_so_is_drift_in_status(cli, home):
    write_files(home, {".gemini/settings.json": json.dumps({"model": "sk-someone-elses-key-0123456789"})})
    result = cli("setup", "--key-stdin", "--client", "gemini", input=GOOD_KEY)
    assert result.returncode == 3, result.output
    assert "sk-someone-elses-key-0123456789" not in result.output and "sk-...6789" in result.stderr

    write_files(home, {".gemini/settings.json": "{}"})
    assert cli("setup", "--key-stdin", "--client", "gemini", input=GOOD_KEY).returncode == 0
    settings = home / ".gemini/settings.json"
    settings.write_text(json.dumps({**json.loads(settings.read_text()), "model": {"name": f"x-{GOOD_KEY}"}}))
    status = cli("status")
    assert "drifted" in status.output and "sk-...cdef" in status.output
