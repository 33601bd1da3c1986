"""Every way verification fails: the exit code, the line that names the cause, the fix, and a
.env that still holds the previous working key."""

from __future__ import annotations

import json
import time

import pytest
from werkzeug import Response

from conftest import GOOD_KEY
from proxy_helpers import free_port
from litellm_key.errors import CATALOGUE
from litellm_key.gateway import classify
from litellm_key.secret import ClientKey

NEW_KEY = "sk-new-candidate-key-00001111"
ENV_BEFORE = f"# team settings\nPROJECT=demo\nLITELLM_API_KEY={GOOD_KEY}\n"



def _slow(_request):
    time.sleep(3)  # the upstream being slow is the behaviour under test, not synchronisation
    return Response("{}", content_type="application/json")


def _arrange(case: str, standin) -> tuple[str, dict[str, str]]:
    """Put the stand-in into the failure `case`; return the key to offer and extra environment."""
    env: dict[str, str] = {}
    key = NEW_KEY
    if case == "unknown key":
        pass
    elif case == "expired":
        standin.add_key(NEW_KEY, expires="2020-01-01T00:00:00Z")
    elif case == "blocked":
        standin.add_key(NEW_KEY, blocked=True)
    elif case == "over budget":
        standin.add_key(NEW_KEY, spend=10.0, max_budget=5.0)
    elif case == "not a virtual key":
        key = "anthropic-api-key-0123456789"
    elif case == "key lacks a configured model":
        standin.add_key(NEW_KEY, models=["gpt-4o"])
    elif case == "no database":
        standin.database = False
    elif case == "connection refused":
        env["LITELLM_UPSTREAM"] = f"http://127.0.0.1:{free_port()}"
    elif case == "timeout":
        standin.add_key(NEW_KEY)
        standin.overrides["/v1/models"] = _slow
        env["LITELLM_TIMEOUT"] = "0.5"
    elif case == "traefik 404 (wrong Host)":
        standin.add_key(NEW_KEY)
        standin.traefik_host = "litellm.localhost"
    elif case == "server error":
        standin.overrides["/v1/models"] = lambda _r: Response(
            json.dumps({"error": {"message": "boom", "type": "internal_error", "param": None, "code": "500"}}), status=500
        )
    elif case == "malformed JSON":
        standin.overrides["/v1/models"] = lambda _r: Response("{not json", content_type="application/json")
    elif case == "key with a space inside":
        key = "sk-new candidate"
    return key, env


FAILURES = [
    # case, exit code, what the user reads
    ("unknown key", 4, "LiteLLM does not know the key sk-...1111"),
    ("expired", 4, "has expired on 2020-01-01"),
    ("blocked", 4, "is blocked"),
    ("over budget", 4, "over its budget"),
    ("not a virtual key", 4, "not a LiteLLM virtual key"),
    ("key with a space inside", 4, "whitespace or a line break"),
    ("key lacks a configured model", 5, "cannot use claude-sonnet-4-5-20250929, claude-3-opus-20240229; it can use: gpt-4o"),
    ("no database", 6, "no database connected"),
    ("connection refused", 6, "Cannot connect to http://127.0.0.1:"),
    ("timeout", 6, "did not answer within 0.5 s"),
    ("traefik 404 (wrong Host)", 6, "404 page not found"),
    ("server error", 6, "LiteLLM failed with 500: boom"),
    ("malformed JSON", 6, "not LiteLLM"),
]


@pytest.mark.parametrize(("case", "exit_code", "message"), FAILURES, ids=[case for case, *_ in FAILURES])
def test_failed_verification_explains_and_keeps_previous_key(cli, workspace, standin, case, exit_code, message):
    env_file = workspace / ".env"
    env_file.write_text(ENV_BEFORE)
    key, env = _arrange(case, standin)

    result = cli("setup", "--key-stdin", input=f"{key}\n", env=env)

    assert result.returncode == exit_code, result.output
    assert message in result.stderr
    assert "fix: " in result.stderr
    assert env_file.read_text() == ENV_BEFORE


def test_failure_in_json_mode_is_one_document_with_reason(cli, standin):
    result = cli("setup", "--key-stdin", "--json", input=f"{NEW_KEY}\n")
    document = json.loads(result.stdout)
    assert result.returncode == 4
    assert document["ok"] is False
    assert document["error"]["reason"] == "key-invalid"
    assert document["error"]["exit_code"] == 4


# LiteLLM's errors as each version words them: (status, error.type, message) -> reason. The type
# decides when present (statuses moved between versions); bodies without one fall back to the
# message, then the status.
_GENERIC_DENIAL = "The requested model 'claude-x' is not available for this API key. Available models: ['gpt-4o']"
LITELLM_ERRORS = [
    (401, "auth_error", "Authentication Error, No api key passed in.", "key-not-sent"),
    (401, "auth_error", "Authentication Error, Malformed API Key passed in. Ensure Key has `Bearer ` prefix.", "key-not-sent"),
    (401, "auth_error", "LiteLLM Virtual Key expected. Received=abcd, expected to start with 'sk-'.", "key-not-virtual"),
    (401, "token_not_found_in_db", "Authentication Error, Invalid proxy server token passed.", "key-invalid"),
    (401, "auth_error", "Authentication Error, Key is blocked.", "key-blocked"),
    # expired: 400 up to 1.84, 401 later; by type, and by message when the type is missing
    (400, "expired_key", "Authentication Error - Expired Key. Key Expiry time 2024-01-01 and current time x", "key-expired"),
    (401, "expired_key", "Authentication Error - Expired Key. Key Expiry time 2024-01-01 and current time x", "key-expired"),
    (400, None, "Authentication Error - Expired Key. Key Expiry time 2024-01-01 and current time x", "key-expired"),
    (401, "expired_key", "key expired", "key-expired"),
    # budget: 400, 429 or 422 depending on version and route
    (400, "budget_exceeded", "Budget has been exceeded! Current cost: 1, Max budget: 0.5", "key-budget"),
    (429, "budget_exceeded", "Budget has been exceeded! Current cost: 1, Max budget: 0.5", "key-budget"),
    (422, "budget_exceeded", "ExceededBudget: spend over the limit", "key-budget"),
    (400, None, "Budget has been exceeded! Current cost: 1, Max budget: 0.5", "key-budget"),
    # model denied: 401 up to 1.84, 403 from 1.87, a generic message only from 1.104
    (401, "key_model_access_denied", "key not allowed to access model. This key can only access models=['a']", "model-denied"),
    (403, "key_model_access_denied", "key not allowed to access model", "model-denied"),
    (403, "team_model_access_denied", "team not allowed to access model. This team can only access models=['a']", "model-denied"),
    # the same denial on the user, organisation or project (newer LiteLLM), whatever its wording
    (403, "user_model_access_denied", "This user has no access to claude-x", "model-denied"),
    (403, "org_model_access_denied", "This organization has no access to claude-x", "model-denied"),
    (403, "project_model_access_denied", "This project has no access to claude-x", "model-denied"),
    (401, None, "key not allowed to access model. This key can only access models=['a']", "model-denied"),
    (403, None, _GENERIC_DENIAL, "model-denied"),
    (401, "auth_error", _GENERIC_DENIAL, "model-denied"),
    (400, None, "{'error': '/chat/completions: Invalid model name passed in model=x'}", "model-unknown"),
    (401, "auth_error", "Authentication Error, Only proxy admin can be used to generate keys", "key-admin-only"),
    # no database: no_db_connection 400, or a 500 saying so in words
    (400, "no_db_connection", "No connected db.", "gateway-no-db"),
    (500, None, "DB not connected. See https://docs.litellm.ai/docs/proxy/virtual_keys", "gateway-no-db"),
    (500, None, "Database not connected. Connect a database to your proxy", "gateway-no-db"),
    (500, "internal_server_error", "Database not connected", "gateway-no-db"),
    (502, "litellm_key_proxy_error", "litellm-key proxy could not reach http://upstream", "gateway-upstream-down"),
    # our nginx in front, refusing an oversized Authorization header in LiteLLM's JSON shape
    (400, "litellm_key_proxy_error", "Request Header Or Cookie Too Large", "key-too-large"),
    (431, None, "Request Header Fields Too Large", "key-too-large"),
    (503, None, "overloaded", "gateway-server-error"),
    (500, "internal_server_error", "boom", "gateway-server-error"),
    (403, None, "forbidden for reasons", "key-rejected"),
    (401, "auth_error", "Authentication Error, something new", "key-rejected"),
]


@pytest.mark.parametrize(("status", "error_type", "message", "reason"), LITELLM_ERRORS)
def test_every_litellm_error_gets_its_own_diagnosis(status, error_type, message, reason):
    body = json.dumps({"error": {"message": message, "type": error_type, "param": None, "code": str(status)}})
    error = classify(status, body, url="http://x/v1/models", key=None)
    assert error.reason == reason
    assert error.exit_code == CATALOGUE[reason][0].exit_code


NGINX_HEADER_TOO_LARGE = (
    "<html>\r\n<head><title>400 Request Header Or Cookie Too Large</title></head>\r\n<body>\r\n<center><h1>400 Bad Request"
    "</h1></center>\r\n<center>Request Header Or Cookie Too Large</center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>"
)


@pytest.mark.parametrize("status", [400, 431, 494])
def test_nginx_header_too_large_page_blames_the_key_size_not_traefik(status):
    huge = ClientKey("sk-" + "x" * 100_000)
    error = classify(status, NGINX_HEADER_TOO_LARGE, url="http://x/v1/models", key=huge)
    assert error.reason == "key-too-large"
    assert error.exit_code == 4
    assert "100003 characters" in error.message
    assert "Traefik" not in error.message + error.fix


def test_a_huge_key_through_a_real_nginx_is_called_too_large(cli, standin, workspace):
    """The whole path: setup with a 1 MB paste and the real proxy running; refused before any request."""
    huge = "sk-" + "a" * 1_000_000
    env_file = workspace / ".env"
    env_file.write_text(ENV_BEFORE)
    port = free_port()
    result = cli("setup", "--key-stdin", input=f"{huge}\n", env={"LITELLM_PROXY": "true", "LITELLM_LISTEN": f"127.0.0.1:{port}"})
    try:
        assert result.returncode == 4, result.output[-2000:]
        assert "too large" in result.stderr
        assert "Traefik" not in result.stderr
        assert huge not in result.output
        assert env_file.read_text() == ENV_BEFORE
    finally:
        cli("proxy", "stop")


def test_fastapi_detail_body_is_understood():
    error = classify(400, json.dumps({"detail": {"error": "No connected db."}}), url="u", key=None)
    assert error.reason == "gateway-no-db"
