"""JSON client configs keep every value we do not own exactly as written, or are left alone.

Python's json would turn `1e400` into `Infinity` (which Node's JSON.parse rejects), round
`12345678901234567890.123` and silently drop a duplicate key: each is a rewrite of the user's file.
"""

from __future__ import annotations

import json
import shutil

import pytest

from clients_helpers import make_context
from litellm_key.clients import get_client
from litellm_key.errors import LitellmKeyError

NUMBERS = '{\n  "big": 1e400,\n  "precise": 12345678901234567890.123,\n  "huge": ' + "9" * 5000 + ',\n  "small": -0.0,\n  "exp": 1E+2\n}\n'


def _opencode_with(tmp_path, content):
    """A context whose OpenCode config already holds `content`, and that file's path."""
    ctx = make_context(tmp_path)
    path = ctx.config_home / "opencode" / "opencode.json"
    path.parent.mkdir(parents=True)
    path.write_text(content)
    return ctx, path


def test_numbers_keep_their_exact_text_through_configure_and_logout(tmp_path):
    ctx, path = _opencode_with(tmp_path, NUMBERS)

    get_client("opencode").configure(ctx)

    text = path.read_text()
    for literal in ('"big": 1e400', '"precise": 12345678901234567890.123', "9" * 5000, '"small": -0.0', '"exp": 1E+2'):
        assert literal in text
    assert "Infinity" not in text and "provider" in json.loads(text, parse_int=str)
    get_client("opencode").remove(ctx)
    assert path.read_text() == NUMBERS


def test_numbers_survive_a_setting_level_revert(tmp_path):
    ctx, path = _opencode_with(tmp_path, NUMBERS)
    get_client("opencode").configure(ctx)
    path.write_text(path.read_text().replace('"small": -0.0', '"small": 0.5'))  # the user edits: no snapshot

    get_client("opencode").remove(ctx)

    assert path.read_text() == NUMBERS.replace('"small": -0.0', '"small": 0.5')


@pytest.mark.parametrize(
    "content, line",
    [
        ('{\n  "model": "a",\n  "model": "b"\n}\n', 3),
        ('{\n  "x": {"k": 1,\n "k": 2}\n}\n', 3),
        ('{\n  "limit": NaN\n}\n', 2),
        ('{\n  "limit": -Infinity\n}\n', 2),
    ],
    ids=["duplicate-key", "nested-duplicate", "nan", "infinity"],
)
def test_a_file_node_would_read_differently_is_malformed_and_untouched(tmp_path, content, line):
    ctx, path = _opencode_with(tmp_path, content)

    with pytest.raises(LitellmKeyError) as caught:
        get_client("opencode").configure(ctx)

    assert caught.value.reason == "client-config-malformed"
    assert f"{path}, line {line}" in str(caught.value)
    assert path.read_text() == content


@pytest.mark.parametrize(
    "content",
    [
        json.dumps({"$schema": "https://x", "n": [1, 2.5, {"a": None, "b": True}], "e": {}, "l": [], "u": 'caf\u00e9 "q"'}, indent=2, ensure_ascii=False).replace("2.5", "2.50") + "\n",
        '{"$schema":"x","n":[1,2.5e-3],"o":{"a":false}}',
        '{"$schema": "x", "n": [1, 2.5e-3], "o": {"a": false}}\n',
        '{\n\t"n": 10,\n\t"o": {\n\t\t"a": [\n\t\t\t1\n\t\t]\n\t}\n}',
    ],
    ids=["two-spaces", "compact", "spaced", "tabs"],
)
def test_a_normal_file_round_trips_byte_identically(tmp_path, content):
    ctx, path = _opencode_with(tmp_path, content)
    get_client("opencode").configure(ctx)
    shutil.rmtree(ctx.ledger_dir)  # no undo record: logout reverts setting by setting, re-rendering

    get_client("opencode").remove(ctx)

    assert path.read_text() == content
