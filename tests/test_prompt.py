"""The interactive path, driven through a real pseudo-terminal like a person at a keyboard."""

from __future__ import annotations


import pexpect
import pytest

from conftest import GOOD_KEY

from pty_helpers import ENTER


def test_prompt_hides_the_key_and_stores_it(spawn, workspace):
    child = spawn("setup")
    child.expect("LiteLLM client key")
    child.send(GOOD_KEY)
    child.expect(r"\*{10}")  # questionary echoes stars, never the key
    assert GOOD_KEY not in child.before + child.after
    child.send(ENTER)
    child.expect("accepted by LiteLLM")
    child.expect(pexpect.EOF)
    output = child.before
    assert GOOD_KEY not in output
    child.close()
    assert child.exitstatus == 0
    assert f"LITELLM_API_KEY={GOOD_KEY}" in (workspace / ".env").read_text()


def test_stored_key_is_kept_when_user_declines_to_replace(spawn, workspace):
    (workspace / ".env").write_text(f"LITELLM_API_KEY={GOOD_KEY}\n")
    child = spawn("setup")
    child.expect(r"A key is stored \(sk-\.\.\.cdef\)\. Replace it\?")
    child.send("n")
    child.expect("from the stored key")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_non_sk_key_asks_before_use_and_can_be_declined(spawn, workspace):
    child = spawn("setup")
    child.expect("LiteLLM client key")
    child.send("anthropic-key-0123456789" + ENTER)
    child.expect("does not start with sk-")
    child.expect("Use it anyway")
    child.send("n")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert not (workspace / ".env").exists()


def test_ctrl_c_at_the_prompt_changes_nothing(spawn, workspace):
    (workspace / ".env").write_text("KEEP=1\n")
    child = spawn("setup")
    child.expect("LiteLLM client key")
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert (workspace / ".env").read_text() == "KEEP=1\n"


@pytest.mark.parametrize(("no_color", "coloured"), [(None, True), ("1", False)])
def test_colour_only_on_a_terminal_without_no_color(spawn, cli, workspace, no_color, coloured):
    (workspace / ".env").write_text(f"LITELLM_API_KEY={GOOD_KEY}\n")
    env = {name: value for name, value in cli.env.items() if name != "NO_COLOR"}
    if no_color:
        env["NO_COLOR"] = no_color
    child = spawn("status", env=env)
    child.expect(pexpect.EOF)
    assert ("\x1b[32m✓" in child.before) is coloured
    piped = cli("status", env={"NO_COLOR": ""})
    assert "\x1b[" not in piped.output
