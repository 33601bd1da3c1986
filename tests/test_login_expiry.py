"""A login credential (a JWT) lives 24 h: `token`, `apply` and `status` say so before it bites."""

from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest

from conftest import GOOD_KEY
from litellm_key.secret import ClientKey
from litellm_key.sso import jwt_expiry
from sso_standin import make_jwt

FIX = "run `litellm-key login`"


def _iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def logged_in(standin, workspace):
    """Store a login credential expiring in `seconds`; returns the credential."""

    def store(seconds: float) -> str:
        expires_at = time.time() + seconds
        credential = make_jwt(expires_at)
        standin.add_key(credential)
        (workspace / ".env").write_text(f"LITELLM_API_KEY={credential}\nLITELLM_KEY_EXPIRES={_iso(expires_at)}\n")
        return credential

    return store


def test_token_prints_a_credential_in_its_last_hour_and_warns_once_on_stderr(cli, logged_in):
    credential = logged_in(30 * 60)
    result = cli("token")
    assert result.returncode == 0
    assert result.stdout == credential + "\n"
    assert result.stderr.count(FIX) == 1
    assert "expires at" in result.stderr


def test_apply_warns_once_when_the_credential_expires_within_the_hour(cli, logged_in):
    logged_in(10 * 60)
    result = cli("apply")
    assert result.returncode == 0, result.output
    assert result.stderr.count(FIX) == 1


def test_no_warning_while_more_than_an_hour_is_left(cli, logged_in):
    logged_in(23 * 3600)
    assert FIX not in cli("token").stderr
    assert FIX not in cli("apply").stderr


def test_no_login_warning_for_a_pasted_sk_key_near_its_expiry(cli, workspace):
    (workspace / ".env").write_text(f"LITELLM_API_KEY={GOOD_KEY}\nLITELLM_KEY_EXPIRES={_iso(time.time() + 60)}\n")
    assert FIX not in cli("token").stderr


def test_status_shows_when_the_login_credential_expires(cli, logged_in):
    logged_in(5 * 3600)
    result = cli("status")
    assert result.returncode == 0, result.output
    assert "login credential, expires 20" in result.stdout


def test_status_after_expiry_exits_4_naming_login(cli, logged_in):
    logged_in(-60)
    result = cli("status")
    assert result.returncode == 4, result.output
    assert "expired at" in result.stderr
    assert FIX in result.stderr


def test_setup_accepts_a_pasted_jwt_without_the_sk_warning(cli, workspace, standin):
    credential = make_jwt(time.time() + 3600)
    standin.add_key(credential)
    result = cli("setup", "--key-stdin", input=credential + "\n")
    assert result.returncode == 0, result.output
    assert "does not start with sk-" not in result.stderr
    assert f"LITELLM_API_KEY={credential}" in (workspace / ".env").read_text()


def test_a_jwt_is_masked_to_its_last_four_characters_and_its_exp_is_read():
    credential = make_jwt(2000000000)
    key = ClientKey.parse(credential + "\n")
    assert key.is_jwt and key.looks_virtual
    assert key.mask() == f"...{credential[-4:]}"
    assert credential not in f"{key} {key!r}"
    assert jwt_expiry(key) == "2033-05-18T03:33:20Z"


@pytest.mark.parametrize("raw", ["eyJhbGciOi.e30 .sig", "eyJhbGciOi.e30\x07.sig"])
def test_a_jwt_with_whitespace_or_control_characters_inside_is_refused(raw):
    from litellm_key.errors import LitellmKeyError

    with pytest.raises(LitellmKeyError) as error:
        ClientKey.parse(raw)
    assert error.value.reason == "key-malformed"


@pytest.mark.parametrize("secret", ["sk-abcdefghijklmnop", "abc.def.ghi", "eyJ.e30", "eyJhbGciOi.e30.a+b"])
def test_only_three_base64url_parts_make_a_jwt(secret):
    assert not ClientKey(secret).is_jwt
    assert jwt_expiry(ClientKey(secret)) is None
