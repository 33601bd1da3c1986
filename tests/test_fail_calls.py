"""Every `fail("reason", ...)` in src/ passes exactly the placeholders its catalogue message and fix
name: a missing one would be a KeyError (an "unexpected error") at the very moment a user needs
the explanation, and an extra one is text someone meant to show and nobody sees. The calls
whose reason is computed (the gateway's error classifier, nginx's diagnosis, the HTTP client's
reason families) pass what every reason they can take needs."""

from __future__ import annotations

import ast
import string

import pytest

from conftest import REPO
import typing

from litellm_key import gateway, http_client
from litellm_key.errors import CATALOGUE

SOURCES = sorted((REPO / "src" / "litellm_key").rglob("*.py"))
FAMILIES = typing.get_args(typing.get_type_hints(http_client.Service)["family"])  # the transport's reason families
# (file, the reason as written) -> the reasons that call can take
VARIABLE_REASONS = {
    # the classifier's tables; an expired key has its own call (its expiry, not a detail)
    ("src/litellm_key/gateway.py", "reason"): {*gateway._TYPES.values(), *(reason for _, reason in gateway._AUTH_MESSAGES)} - {"key-expired"},
    ("src/litellm_key/proxy/nginx.py", "reason"): {"proxy-start-failed", "nginx-config-invalid"},  # proxy/__init__'s _diagnose calls
    ("src/litellm_key/http_client.py", "f'{family}-timeout'"): {f"{family}-timeout" for family in FAMILIES},
    ("src/litellm_key/http_client.py", "f'{family}-unreachable'"): {f"{family}-unreachable" for family in FAMILIES},
    ("src/litellm_key/http_client.py", "_UNRESOLVED[family]"): set(http_client._UNRESOLVED.values()),
}


def _placeholders(reason: str) -> set[str]:
    _, message, fix = CATALOGUE[reason]
    return {name for text in (message, fix) for _, name, _, _ in string.Formatter().parse(text) if name}


def _fail_calls() -> list[tuple[str, ast.Call]]:
    calls = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "fail":
                calls.append((f"{path.relative_to(REPO)}:{node.lineno}", node))
    return calls


CALLS = _fail_calls()


def test_the_walk_finds_the_calls():
    assert len(CALLS) > 100


@pytest.mark.parametrize("where, call", CALLS, ids=[where for where, _ in CALLS])
def test_each_fail_call_passes_exactly_the_placeholders_its_message_names(where, call):
    assert len(call.args) == 1 and all(keyword.arg for keyword in call.keywords), f"{where}: placeholders go by name"
    given = {keyword.arg for keyword in call.keywords}
    reason = call.args[0]
    if not isinstance(reason, ast.Constant):
        possible = VARIABLE_REASONS[where.rsplit(":", 1)[0], ast.unparse(reason)]
        assert possible <= set(CATALOGUE)
        assert not {name: sorted(_placeholders(name) - given) for name in possible if _placeholders(name) - given}, where
        return
    assert isinstance(reason, ast.Constant) and reason.value in CATALOGUE, f"{where}: the reason must be a catalogued literal"
    assert given == _placeholders(reason.value), f"{where}: fail({reason.value!r}) passes {sorted(given)}"
