"""The key type: what a paste turns into, and that the secret never shows by accident."""

from __future__ import annotations

import pytest

from litellm_key.errors import KeyRejected
from litellm_key.secret import ClientKey, mask, scrub

SECRET = "sk-1234567890abcdefWXYZ"


@pytest.mark.parametrize("pasted", [SECRET, f"  {SECRET}\n", f"{SECRET}\r\n", f"\t{SECRET}  \n\n"])
def test_pasted_key_loses_surrounding_whitespace(pasted):
    assert ClientKey.parse(pasted).reveal() == SECRET


@pytest.mark.parametrize(
    ("pasted", "problem"),
    [
        ("sk-1234 5678abcd", "whitespace"),
        ("sk-1234\n5678abcd", "line break"),
        ("sk-1234\x075678abcd", "control"),
        ('sk-1234"5678abcd', "quote"),
        ("   \n", "empty"),
        ("sk-1234\x7f5678abcd", "control"),  # DEL
        ("sk-1234\u200b5678abcd", "control"),  # zero-width space from a rich-text paste
        ("sk-1234é5678abcd", "outside ASCII"),
        ("sk-1234\u20ac5678abcd", "outside ASCII"),  # not even latin-1
        ("sk-1234\udc855678abcd", "control"),  # an undecodable .env byte (surrogateescape)
    ],
)
def test_key_with_inner_whitespace_or_control_characters_is_rejected(pasted, problem):
    with pytest.raises(KeyRejected) as raised:
        ClientKey.parse(pasted)
    assert problem in raised.value.message
    assert "5678" not in raised.value.message


def test_key_never_shows_itself_in_str_repr_or_format():
    key = ClientKey.parse(SECRET)
    for shown in (str(key), repr(key), f"{key}", f"{key!r}", str([key]), str({"k": key})):
        assert SECRET not in shown
        assert "WXYZ" in shown


@pytest.mark.parametrize(
    ("secret", "masked"),
    [(SECRET, "sk-...WXYZ"), ("abcdefghijklmnop", "...mnop"), ("sk-short", "****")],
)
def test_mask_shows_prefix_and_last_four_only(secret, masked):
    assert mask(secret) == masked


def test_scrub_masks_every_key_in_server_text():
    text = f"Received API Key = {SECRET}, and sk-otherkey9999"
    assert scrub(text) == "Received API Key = sk-...WXYZ, and sk-...9999"


def test_non_sk_key_is_flagged_as_not_virtual():
    assert ClientKey.parse(SECRET).looks_virtual
    assert not ClientKey.parse("sk_ant-notlitellm-123456").looks_virtual
