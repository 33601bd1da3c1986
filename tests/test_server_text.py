"""Server text cannot drive the terminal: escape sequences in what LiteLLM, the SSO login, the portal
or the admin API answer (model ids, aliases, error messages, a user code, an e-mail, metadata)
reach stdout and stderr written out (`\\x1b`), never as the bytes a terminal obeys."""

from __future__ import annotations

import json

import pytest
from pytest_httpserver import HTTPServer

from conftest import GOOD_KEY
from keys_helpers import admin, admin_standin  # noqa: F401 (fixtures)
from litellm_key.console import neutralised
from litellm_standin import litellm_error
from portal_standin import SESSION_TOKEN, PortalStandin
from sso_standin import SsoStandin

# OSC (retitle the window) ended by BEL, CSI "clear the screen", a carriage return that would let
# the next text overwrite the line, and the one-character C1 CSI.
HOSTILE = "\x1b]0;pwned\x07\x1b[2J\rX\x9b31m"
OBEYED = ("\x1b", "\x07", "\x9b")  # (\r is folded into \n by the text-mode pipe: see the unit test)


def assert_inert(result) -> None:
    for control in OBEYED:
        assert control not in result.stdout and control not in result.stderr, repr(result.output)
    assert "\\x1b" in result.output, "the hostile text was not shown at all: the test proves nothing"


def test_every_terminal_control_character_is_written_out_and_plain_text_is_kept():
    assert neutralised(HOSTILE) == "\\x1b]0;pwned\\x07\\x1b[2J\\x0dX\\x9b31m"
    assert neutralised("ünïcode ✓ tab\tand\nlines") == "ünïcode ✓ tab\tand\nlines"
    assert neutralised("\x00\x7f\x85") == "\\x00\\x7f\\x85"


@pytest.fixture
def hostile_key(standin):
    """The stored key's alias and one of its model ids carry escape sequences."""
    key = standin.keys[GOOD_KEY]
    key.alias = f"dev-alice{HOSTILE}"
    key.models = [*key.models, f"evil-model{HOSTILE}"]
    return key


@pytest.mark.parametrize(
    "command, env",
    [(("setup", "--key-stdin"), {}), (("status",), {}), (("doctor",), {"LITELLM_MODELS": "gpt-5"})],
    ids=["setup", "status", "doctor"],  # doctor names the key's models when one it needs is missing
)
def test_aliases_and_model_ids_from_litellm_reach_the_terminal_inert(cli, hostile_key, command, env):
    if command[0] != "setup":
        assert cli("setup", "--key-stdin", input=f"{GOOD_KEY}\n").returncode == 0
    result = cli(*command, input=f"{GOOD_KEY}\n", env=env)
    assert_inert(result)


@pytest.mark.parametrize("command", [("setup", "--key-stdin"), ("status",), ("doctor",)], ids=lambda c: c[0])
def test_a_litellm_error_message_reaches_the_terminal_inert(cli, workspace, standin, command):
    (workspace / ".env").write_text(f"LITELLM_API_KEY={GOOD_KEY}\n")
    standin.overrides["/v1/models"] = lambda request: litellm_error(500, f"database on fire{HOSTILE}", "internal_error")
    result = cli(*command, input=f"{GOOD_KEY}\n")
    assert result.returncode != 0
    assert_inert(result)


def test_json_output_stays_one_valid_document_with_the_text_escaped(cli, hostile_key):
    result = cli("setup", "--key-stdin", "--json", input=f"{GOOD_KEY}\n")
    assert result.returncode == 0, result.output
    assert json.loads(result.stdout)["key_info"]["alias"] == f"dev-alice{HOSTILE}"  # the data itself, intact
    assert not any(control in result.stdout for control in OBEYED)


def test_the_sso_user_code_reaches_the_terminal_inert(cli, standin):
    sso = SsoStandin(standin)
    sso.user_code = f"WXYZ{HOSTILE}"
    sso.sign_in()
    result = cli("login", env={"LITELLM_KEY_POLL_INTERVAL": "0.05"})
    assert result.returncode == 0, result.output
    assert_inert(result)


def test_the_portal_users_e_mail_reaches_the_terminal_inert(cli, standin):
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    try:
        portal = PortalStandin(server, standin)
        portal.sessions[SESSION_TOKEN] = f"alice{HOSTILE}@example.com"
        result = cli("portal", "login", "--token-stdin", input=f"{SESSION_TOKEN}\n", env={"LITELLM_PORTAL_URL": portal.url})
    finally:
        server.stop()
    assert result.returncode == 0, result.output
    assert_inert(result)


@pytest.mark.parametrize(
    "command",
    [("list",), ("list", "--json"), ("info", "claude-code-alice"), ("spend",), ("audit",)],
    ids=["list", "list-json", "info", "spend", "audit"],
)
def test_admin_listings_reach_the_terminal_inert(admin, admin_standin, command):
    admin_standin.add_admin_key(alias="claude-code-alice", models=[f"claude{HOSTILE}"], metadata={"note": HOSTILE})
    admin_standin.add_admin_key(alias=f"claude-code-mallory{HOSTILE}", spend=3.0)
    result = admin("keys", *command)
    if "--json" in command:
        document = json.loads(result.stdout)
        assert any(record["metadata"].get("note") == HOSTILE for record in document["keys"])
        assert not any(control in result.stdout for control in OBEYED)
    else:
        assert_inert(result)


# Files that write to a stream past Console, each for a reason that keeps server text out of it.
WRITES_PAST_CONSOLE = {
    "console.py": "the one filter itself",
    "cli.py": "the crash report, neutralised in place, and the blank line after ^C",
    "keyhelper.py": "`token`/`env` fast path: the stored key, checked printable ASCII",
    "commands/token.py": "the key alone, for Claude Code",
    "commands/env.py": "export lines of checked values",
    "commands/proxy.py": "`proxy render`: our template with validated settings",
    "commands/login.py": "the spinner line: our own text and a countdown",
    "commands/keys/onboard.py": "the progress counter: our own text and numbers",
    "files.py": "file contents, not a terminal",
    "http_client.py": "a socket, not a terminal",
}


def test_no_module_prints_past_the_console():
    """The rule that makes the filter the ONE place: a new `print` or `.write` on a stream must go
    through Console (`line` for tables and the like), or be listed above with its reason."""
    import ast

    from conftest import REPO

    package = REPO / "src" / "litellm_key"
    writers = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and (
                (isinstance(node.func, ast.Name) and node.func.id == "print")
                or (isinstance(node.func, ast.Attribute) and node.func.attr == "write")
            ):
                writers.add(str(path.relative_to(package)))
    assert writers <= set(WRITES_PAST_CONSOLE), sorted(writers - set(WRITES_PAST_CONSOLE))
