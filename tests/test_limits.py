"""Numbers and dates at their limits, from servers and from the admin: the first and last moments
datetime can hold once converted to UTC, an SSO login that claims to last a billion seconds or
forever, an alias pattern with a placeholder that does not exist, spans of millions of years."""

from __future__ import annotations

import json

import pytest
from werkzeug import Response

from conftest import GOOD_KEY
from keys_helpers import admin, admin_standin  # noqa: F401 (fixtures)
from sso_standin import SsoStandin

LAST = "9999-12-31T23:59:59-01:00"  # 10000-01-01T00:59:59 in UTC: past datetime's last day
FIRST = "0001-01-01T00:30:00+01:00"  # 0000-12-31T23:30:00 in UTC: before datetime's first day


def _key_info(expires: str):
    body = {"key": "hash", "info": {"key_alias": "dev-alice", "expires": expires, "spend": 0.0, "max_budget": None}}
    return lambda request: Response(json.dumps(body), content_type="application/json")


def _stored_expiry(workspace) -> str:
    lines = (workspace / ".env").read_text().splitlines()
    return next(line.split("=", 1)[1] for line in lines if line.startswith("LITELLM_KEY_EXPIRES="))


@pytest.mark.parametrize(
    "expires, stored", [(LAST, "9999-12-31T23:59:59Z"), (FIRST, "0001-01-01T00:00:00Z")], ids=["last", "first"]
)
@pytest.mark.parametrize("command", ["setup", "apply"])
def test_an_expiry_at_the_edge_of_the_calendar_is_stored_clamped_not_a_crash(cli, workspace, standin, command, expires, stored):
    standin.overrides["/key/info"] = _key_info(expires)
    if command == "apply":
        (workspace / ".env").write_text(f"LITELLM_API_KEY={GOOD_KEY}\n")

    result = cli(command, *(["--key-stdin"] if command == "setup" else []), input=GOOD_KEY + "\n")

    assert result.returncode == 0, result.output
    assert _stored_expiry(workspace) == stored
    assert "Traceback" not in result.output


def test_status_and_token_read_a_clamped_expiry(cli, workspace, standin):
    standin.overrides["/key/info"] = _key_info(LAST)
    assert cli("setup", "--key-stdin", input=GOOD_KEY + "\n").returncode == 0

    token = cli("token")
    status = cli("status")

    assert token.returncode == 0 and token.stdout == GOOD_KEY + "\n", token.output
    assert status.returncode == 0 and "Traceback" not in status.output, status.output


@pytest.mark.parametrize("expires_in", [1e9, "inf", "nan", "Infinity"])
def test_an_sso_login_that_claims_to_last_forever_waits_a_stated_capped_time(cli, workspace, standin, expires_in):
    sso = SsoStandin(standin)
    sso.expires_in = expires_in
    sso.sign_in_after = 2

    result = cli("login", env={"LITELLM_KEY_POLL_INTERVAL": "0.05"})

    assert result.returncode == 0, result.output
    assert "waiting at most 30 min" in result.stderr
    assert "(30:00 left)" in result.stdout or "(29:59 left)" in result.stdout
    assert "Traceback" not in result.output


@pytest.mark.parametrize("pattern", ["claude-{team}-{name}", "{0}-{name}", "claude-code-{name}-{}", "x{{y}}-{name}"])
def test_an_alias_pattern_with_another_placeholder_is_a_configuration_error(admin, pattern):
    check = admin("config", "check", env={"LITELLM_KEY_ALIAS_PATTERN": pattern})
    generate = admin("keys", "generate", "--developer", "alice", env={"LITELLM_KEY_ALIAS_PATTERN": pattern})

    for result in (check, generate):
        assert result.returncode == 3, result.output
        assert "placeholder other than {name}" in result.stderr
        assert "Traceback" not in result.output and "KeyError" not in result.output


def test_audit_with_dates_at_the_calendar_edges_and_a_span_of_millions_of_years_reports(admin, admin_standin):
    admin_standin.add_admin_key(alias="claude-code-alice", expires=LAST, created_at=FIRST, last_active=LAST)

    result = admin("keys", "audit", "--within", "99999999999d", "--unused-days", "999999999999", "--json")

    assert result.returncode == 8, result.output
    assert json.loads(result.stdout)["findings"][0]["findings"] == ["expiring"]
    assert "Traceback" not in result.output


def test_a_key_date_that_is_no_date_is_named_not_a_crash(admin, admin_standin):
    admin_standin.add_admin_key(alias="claude-code-alice", expires="soon")

    result = admin("keys", "rotate", "claude-code-alice")

    assert result.returncode == 6, result.output
    assert "`expires` is 'soon', not an ISO 8601 time" in result.stderr
    assert len(admin_standin.keys) == 1


def test_normalized_expiry_keeps_four_digit_years():
    from litellm_key.envfile import normalized_expiry

    assert normalized_expiry("0999-01-01T00:00:00Z") == "0999-01-01T00:00:00Z"
    assert normalized_expiry(FIRST) == "0001-01-01T00:00:00Z"


@pytest.mark.parametrize("budget", ["inf", "nan", "-1", "1e999"])
def test_a_budget_that_is_no_finite_amount_is_refused_before_any_request(admin, admin_standin, workspace, budget):
    (workspace / "team.csv").write_text(f"name,budget\nalice,{budget}\n")

    flag = admin("keys", "generate", "--developer", "alice", "--max-budget", budget)
    roster = admin("keys", "onboard", "team.csv", "--output-dir", "keys")

    assert flag.returncode == 2 and "--max-budget" in flag.stderr, flag.output
    assert roster.returncode == 3 and "budget" in roster.stderr, roster.output
    assert not admin_standin.keys and not any(request.path == "/key/generate" for request in admin_standin.requests)
