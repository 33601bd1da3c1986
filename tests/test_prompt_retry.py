"""At the hidden prompt a stray Enter or a broken paste asks again, saying why, instead of ending setup."""

from __future__ import annotations

import pexpect

from conftest import GOOD_KEY
from pty_helpers import ENTER


def _paste_and_finish(child: pexpect.spawn, workspace, key: str) -> None:
    """A good paste at the prompt after the bad ones: setup ends well and stores it beside KEEP=1."""
    child.expect("LiteLLM client key")
    child.send(key + ENTER)
    child.expect("accepted by LiteLLM")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert (workspace / ".env").read_text().startswith(f"KEEP=1\nLITELLM_API_KEY={key}\n")


def test_an_empty_then_a_malformed_paste_ask_again_and_the_third_try_counts(spawn, workspace):  # noqa: F811
    (workspace / ".env").write_text("KEEP=1\n")
    child = spawn("setup")
    child.expect("LiteLLM client key")
    child.send(ENTER)  # an Enter right after "Replace it?"
    child.expect(r"The key contains nothing \(it is empty\).*Paste it again \(2 tries left\)")
    child.expect("LiteLLM client key")
    child.send("sk-half one" + ENTER)
    child.expect(r"whitespace or a line break inside it.*Paste it again \(1 try left\)")
    _paste_and_finish(child, workspace, GOOD_KEY)


def test_three_bad_pastes_end_with_exit_4_and_change_nothing(spawn, workspace):  # noqa: F811
    (workspace / ".env").write_text("KEEP=1\n")
    child = spawn("setup")
    for tries_left in ("2 tries", "1 try"):
        child.expect("LiteLLM client key")
        child.send(ENTER)
        child.expect(f"Paste it again \\({tries_left} left\\)")
    child.expect("LiteLLM client key")
    child.send(ENTER)
    child.expect("✗ The key contains nothing")
    child.expect(pexpect.EOF)
    assert "Paste it again" not in child.before
    child.close()
    assert child.exitstatus == 4
    assert (workspace / ".env").read_text() == "KEEP=1\n"


def test_the_enter_after_yes_to_replace_it_is_asked_again_not_a_failure(spawn, workspace, standin):  # noqa: F811
    """The issue's case: questionary takes "Replace it?" on `y` alone, so the Enter typed after it
    lands in the hidden prompt as an empty paste."""
    new_key = standin.add_key("sk-new-client-key-0123456789abcdef").secret
    (workspace / ".env").write_text(f"KEEP=1\nLITELLM_API_KEY={GOOD_KEY}\n")
    child = spawn("setup")
    child.expect("Replace it?")
    child.send("y" + ENTER)
    child.expect(r"The key contains nothing \(it is empty\).*Paste it again \(2 tries left\)")
    _paste_and_finish(child, workspace, new_key)
