"""Every `fail("reason", ...)` in src/ passes exactly the placeholders its catalogue message and fix
name: a missing one would be a KeyError (an "unexpected error") at the very moment a user needs
the explanation, and an extra one is text someone meant to show and nobody sees. The two calls
whose reason is a variable (the gateway's error classifier, nginx's diagnosis) pass what every
reason they can take needs."""

from __future__ import annotations

import ast
import string

import pytest

from conftest import REPO
from litellm_key import gateway
from litellm_key.errors import CATALOGUE

SOURCES = sorted((REPO / "src" / "litellm_key").rglob("*.py"))
# file -> the reasons its one `fail(reason, ...)` call can take
VARIABLE_REASONS = {
    # the classifier's tables; an expired key has its own call (its expiry, not a detail)
    "src/litellm_key/gateway.py": {*gateway._TYPES.values(), *(reason for _, reason in gateway._AUTH_MESSAGES)} - {"key-expired"},
    "src/litellm_key/proxy/nginx.py": {"proxy-start-failed", "nginx-config-invalid"},  # proxy/__init__'s _diagnose calls
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
    if isinstance(reason, ast.Name):
        possible = VARIABLE_REASONS[where.rsplit(":", 1)[0]]
        assert possible <= set(CATALOGUE)
        assert not {name: sorted(_placeholders(name) - given) for name in possible if _placeholders(name) - given}, where
        return
    assert isinstance(reason, ast.Constant) and reason.value in CATALOGUE, f"{where}: the reason must be a catalogued literal"
    assert given == _placeholders(reason.value), f"{where}: fail({reason.value!r}) passes {sorted(given)}"
