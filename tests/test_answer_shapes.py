"""Answers of the wrong shape: well-formed HTTP and JSON, but not what the endpoint sends (`["a", 1]`
where an object is, a string where a number is). Each is `answer-unexpected` (exit 6) naming the
URL and the field, through the real CLI, never a traceback; paged listings end; a delete that
LiteLLM does not confirm is not reported as done."""

from __future__ import annotations

import json
from typing import Any

import pytest
from werkzeug import Request, Response

from conftest import GOOD_KEY
from keys_helpers import admin, admin_standin  # noqa: F401 (fixtures)
from litellm_standin import json_response
from portal_standin import SESSION_TOKEN
from sso_standin import SsoStandin

FAST = {"LITELLM_KEY_POLL_INTERVAL": "0.05"}


def _answer(body: Any):
    return lambda request: Response(body if isinstance(body, str) else json.dumps(body), content_type="application/json")


def _info(**fields: Any):
    info = {"key_alias": "dev-alice", "expires": "2099-12-31T00:00:00Z", "spend": 0.0, "max_budget": None, **fields}
    return _answer({"key": "hash", "info": info})


def _no_traceback(output: str) -> None:
    assert "Traceback" not in output and "unexpected error" not in output, output


@pytest.mark.parametrize(
    "path, answer, field",
    [
        ("/v1/models", _answer(["a", 1]), "the answer is a list, not an object"),
        ("/v1/models", _answer({"data": [{"id": 5}]}), "`id` is a number, not a non-empty string"),
        ("/v1/models", _answer({"data": "claude"}), "`data` is a string, not a list"),
        ("/key/info", _answer({"key": "hash", "info": ["a", 1]}), "`info` is a list, not an object"),
        ("/key/info", _info(expires=1767225600), "`expires` is a number, not a string"),
        ("/key/info", _info(spend="lots"), "`spend` is a string, not a finite number"),
        ("/key/info", _info(max_budget="1e999"), "`max_budget` is a string, not a finite number"),
        ("/key/info", _answer('{"key": "hash", "info": {"spend": 1e999}}'), "`spend` is a number, not a finite number"),
        ("/health/readiness", _answer(["a", 1]), "the answer is a list, not an object"),
        ("/health/readiness", _answer({"status": "healthy", "db": ["connected"]}), "`db` is a list, not a string"),
    ],
)
def test_setup_refuses_a_litellm_answer_of_the_wrong_shape_naming_the_endpoint(cli, workspace, standin, path, answer, field):
    standin.overrides[path] = answer

    result = cli("setup", "--key-stdin", input=GOOD_KEY + "\n")

    assert result.returncode == 6, result.output
    assert f"{standin.url}{path} answered JSON of a shape LiteLLM does not send: {field}" in result.stderr
    assert "upstream" in result.stderr  # the fix names the setting that points there
    assert not (workspace / ".env").exists()
    _no_traceback(result.output)


@pytest.mark.parametrize(
    "command, path, answer, field",
    [
        (("keys", "list"), "/key/list", _answer(["a", 1]), "the answer is a list, not an object"),
        (("keys", "list"), "/key/list", _answer({"keys": [{"token": "t", "spend": "x"}], "total_pages": 1}),
         "`spend` is a string, not a finite number"),
        (("keys", "list"), "/key/list", _answer({"keys": [{"token": "t", "models": "all"}], "total_pages": 1}),
         "`models` is a string, not a list of strings"),
        (("keys", "list"), "/key/list", _answer({"keys": [{"token": "t", "spend": 3, "max_budget": "25"}], "total_pages": 1}),
         "`max_budget` is a string, not a finite number"),
        (("keys", "list"), "/key/list", _answer({"keys": [], "total_pages": "many"}), "`total_pages` is a string, not a finite number"),
        (("keys", "audit"), "/key/list", _answer({"keys": [{"token": "t", "expires": {"at": 1}}], "total_pages": 1}),
         "`expires` is an object, not a string"),
        (("keys", "info", "0123abcd"), "/key/info", _answer(["a", 1]), "the answer is a list, not an object"),
        (("keys", "spend"), "/global/spend/keys", _answer({"a": 1}), "the answer is an object, not a list"),
        (("keys", "spend"), "/global/spend/keys", _answer([{"key_alias": "x", "total_spend": "12"}]),
         "`total_spend` is a string, not a finite number"),
        (("keys", "spend"), "/spend/tags", _answer([{"individual_request_tag": "t", "log_count": -3, "total_spend": 1}]),
         "`log_count` is -3, not a whole number >= 0"),
        (("keys", "spend", "--start", "2026-11-01", "--end", "2026-11-02"), "/user/daily/activity",
         _answer('{"results": [{"date": "2026-11-01", "metrics": {"api_requests": 1e999}}], "metadata": {"total_pages": 1}}'),
         "`api_requests` is a number, not a finite number"),
        (("keys", "spend", "--start", "2026-11-01", "--end", "2026-11-02"), "/user/daily/activity",
         _answer({"results": [["2026-11-01", 3]], "metadata": {"total_pages": 1}}), "`results`[0] is a list, not an object"),
    ],
)
def test_admin_commands_refuse_answers_of_the_wrong_shape_naming_the_endpoint(admin, admin_standin, command, path, answer, field):
    admin_standin.add_admin_key(alias="claude-code-alice")
    admin_standin.overrides[path] = answer

    result = admin(*command)

    assert result.returncode == 6, result.output
    assert f"{admin_standin.url}{path} answered JSON of a shape LiteLLM does not send: {field}" in result.stderr
    assert "admin_url" in result.stderr
    _no_traceback(result.output)


def test_a_portal_answer_of_the_wrong_shape_names_the_portal_endpoint(cli, portal):
    portal.overrides[("GET", "/api/v1/auths/")] = _answer({"id": "u-1", "email": ["alice@example.com"]})
    cli.env.update(LITELLM_PORTAL_URL=portal.url)

    result = cli("portal", "login", "--token-stdin", input=SESSION_TOKEN + "\n")

    assert result.returncode == 6, result.output
    assert f"{portal.url}/api/v1/auths/ answered JSON of a shape the key portal does not send: `email` is a list" in result.stderr
    assert "portal_url" in result.stderr
    _no_traceback(result.output)


@pytest.mark.parametrize(
    "start, poll, field",
    [
        ({"login_id": ["x"], "user_code": "WXYZ-4821", "poll_secret": "s"}, None, "`login_id` is a list, not a non-empty string"),
        (None, {"status": "ready", "requires_team_selection": True, "team_details": [{"team_id": ["t-1"]}]},
         "`team_id` is a list, not a non-empty string"),
        (None, {"status": "ready", "requires_team_selection": True, "team_details": "t-1"}, "`team_details` is a string, not a list"),
        (None, ["ready"], "the answer is a list, not an object"),
    ],
)
def test_an_sso_answer_of_the_wrong_shape_ends_the_login_naming_the_endpoint(cli, workspace, standin, start, poll, field):
    sso = SsoStandin(standin)
    if start is not None:
        standin.overrides["/sso/cli/start"] = _answer(start)
    if poll is not None:
        sso.queued.append(json_response(poll))

    result = cli("login", env=FAST)

    assert result.returncode == 6, result.output
    assert "answered JSON of a shape LiteLLM does not send: " + field in result.stderr
    assert not (workspace / ".env").exists()
    _no_traceback(result.output)


def _pages(body_for_page):
    def answer(request: Request) -> Response:
        return json_response(body_for_page(int(request.args.get("page", 1))))

    return answer


def _key_row(page: int) -> dict[str, Any]:
    return {"token": f"token-{page}", "key_alias": f"claude-code-dev{page}", "key_name": "sk-...abcd"}


@pytest.mark.parametrize(
    "body_for_page, listed, said",
    [
        # a server that ignores `page` and claims a billion pages: the second page repeats the first
        (lambda page: {"keys": [_key_row(1)], "total_pages": 1_000_000_000}, 1, "answered page 2 with page 1's entries"),
        # a page with nothing on it ends the listing, whatever total_pages claims
        (lambda page: {"keys": [_key_row(page)] if page <= 3 else [], "total_pages": 1_000_000_000}, 3, ""),
        # new entries on every page, forever: capped, and said so
        (lambda page: {"keys": [_key_row(page)], "total_pages": 1_000_000_000}, 1000, "claims more than 1000 pages"),
    ],
    ids=["repeating", "empty", "endless"],
)
def test_key_listing_ends_on_a_repeated_or_empty_page_or_at_the_page_cap(admin, admin_standin, body_for_page, listed, said):
    admin_standin.overrides["/key/list"] = _pages(body_for_page)

    result = admin("keys", "list", "--json")

    assert result.returncode == 0, result.output
    assert len(json.loads(result.stdout)["keys"]) == listed
    assert said in result.stderr
    assert sum(1 for request in admin_standin.requests if request.path == "/key/list") <= 1000


def test_daily_activity_stops_on_a_page_that_repeats(admin, admin_standin):
    row = {"date": "2026-11-01", "metrics": {"spend": 1.5, "api_requests": 12}}
    admin_standin.overrides["/user/daily/activity"] = _pages(lambda page: {"results": [row], "metadata": {"total_pages": 10**9}})

    result = admin("keys", "spend", "--start", "2026-11-01", "--end", "2026-11-30", "--json")

    assert result.returncode == 0, result.output
    assert json.loads(result.stdout)["daily"] == [row]
    assert "answered page 2 with page 1's entries" in result.stderr


@pytest.mark.parametrize("confirmed", [[], "first"], ids=["empty", "partial"])
def test_a_delete_that_litellm_does_not_confirm_names_the_keys_left_and_fails(admin, admin_standin, confirmed):
    alice = admin_standin.add_admin_key(alias="claude-code-alice")
    bob = admin_standin.add_admin_key(alias="claude-code-bob")
    deleted = [alice.token] if confirmed == "first" else []
    admin_standin.overrides["/key/delete"] = _answer({"deleted_keys": deleted})

    result = admin("keys", "delete", "--yes", "claude-code-alice", "claude-code-bob")

    assert result.returncode == 6, result.output
    assert f"claude-code-bob (sk-...{bob.secret[-4:]})" in result.stderr.split("they may still work")[0]
    assert "✓ deleted" not in result.output
    _no_traceback(result.output)


def test_rotate_whose_delete_is_not_confirmed_does_not_claim_the_old_key_is_gone(admin, admin_standin, workspace):
    old = admin_standin.add_admin_key(alias="claude-code-alice")
    admin_standin.overrides["/key/delete"] = _answer({"deleted_keys": []})

    result = admin("keys", "rotate", "claude-code-alice", "--output", "alice.env")

    assert result.returncode == 6, result.output
    assert "deleted the old key" not in result.output
    assert f"without confirming the old key sk-...{old.secret[-4:]}" in result.stderr
    assert "litellm-key keys delete --yes claude-code-alice && litellm-key keys rename" in result.stderr
    twin = next(key for key in admin_standin.keys.values() if key is not old)
    assert f"LITELLM_API_KEY={twin.secret}" in (workspace / "alice.env").read_text()
