"""`litellm-key keys generate|list|info|delete|block|rotate`: the admin's key management, against
a stand-in answering LiteLLM's admin routes (pages of 10, unique aliases, Enterprise-only regenerate)."""

from __future__ import annotations

import json
import stat
from datetime import datetime, timedelta, timezone

import pytest

from conftest import GOOD_KEY
from keys_helpers import admin, admin_standin, interrupted  # noqa: F401 (fixtures)
from litellm_standin import MASTER_KEY, litellm_error
from werkzeug import Response


def test_generate_shows_the_new_key_once_with_the_alias_pattern_and_options(admin, admin_standin):
    result = admin(
        "keys", "generate", "--developer", "alice", "--duration", "30d", "--max-budget", "25", "--model",
        "claude-sonnet-4-5-20250929", new_keys_shown=1,
    )

    assert result.returncode == 0, result.output
    key = admin_standin.by_alias("claude-code-alice")
    assert key is not None and key.models == ["claude-sonnet-4-5-20250929"] and key.max_budget == 25
    assert key.expires is not None
    assert result.stdout.count(key.secret) == 1
    assert MASTER_KEY not in result.output


def test_generate_json_carries_the_key_once_and_the_settings_models(admin, admin_standin):
    result = admin("keys", "generate", "--developer", "carol", "--json", new_keys_shown=1)

    assert result.returncode == 0, result.output
    document = json.loads(result.stdout)
    key = admin_standin.by_alias("claude-code-carol")
    assert document["version"] == 1 and document["key"] == key.secret
    assert result.stdout.count(key.secret) == 1 and document["key_info"]["token"] == key.token  # the hash, not the key
    assert document["key_info"]["models"] == ["claude-sonnet-4-5-20250929", "claude-3-opus-20240229"]


def test_generate_refuses_a_short_model_name_and_names_the_full_one(admin, admin_standin):
    result = admin("keys", "generate", "--developer", "bob", "--model", "claude-3-opus")

    assert result.returncode == 5, result.output
    assert "claude-3-opus-20240229" in result.stderr
    assert admin_standin.by_alias("claude-code-bob") is None


def test_generate_with_a_taken_alias_suggests_rotate_and_changes_nothing(admin, admin_standin):
    old = admin_standin.add_admin_key(alias="claude-code-alice")

    result = admin("keys", "generate", "--developer", "alice")

    assert result.returncode == 8, result.output
    assert "litellm-key keys rotate claude-code-alice" in result.stderr
    assert list(admin_standin.keys) == [old.secret]


def test_generate_to_an_env_file_writes_it_0600_and_ignored_and_never_shows_it(admin, admin_standin, workspace):
    (workspace / "alice.env").write_text("# keep me\nOTHER=1\n")

    result = admin("keys", "generate", "--developer", "alice", "--output", "alice.env", "--json")

    assert result.returncode == 0, result.output
    secret = admin_standin.by_alias("claude-code-alice").secret
    text = (workspace / "alice.env").read_text()
    assert "# keep me\nOTHER=1\n" in text and f"LITELLM_API_KEY={secret}" in text
    assert stat.S_IMODE((workspace / "alice.env").stat().st_mode) == 0o600
    assert "/alice.env" in (workspace / ".gitignore").read_text()
    document = json.loads(result.stdout)
    assert document["version"] == 1 and "key" not in document and document["key_info"]["alias"] == "claude-code-alice"


def test_list_walks_every_page_and_masks_every_key(admin, admin_standin):
    made = [admin_standin.add_admin_key(alias=f"claude-code-dev{n:02}") for n in range(23)]

    result = admin("keys", "list", "--json")

    assert result.returncode == 0, result.output
    aliases = [key["alias"] for key in json.loads(result.stdout)["keys"]]
    assert aliases == [key.alias for key in made]
    pages = [r.args.get("page") for r in admin_standin.requests if r.path == "/key/list"]
    assert pages == ["1", "2", "3"]
    text = admin("keys", "list")
    assert f"sk-...{made[22].secret[-4:]}" in text.stdout and "23 key(s)" in text.stdout
    assert text.stdout.split()[:7] == ["ALIAS", "KEY", "MODELS", "EXPIRES", "SPEND/BUDGET", "LAST", "ACTIVE"]


def test_info_by_alias_and_a_missing_one(admin, admin_standin):
    admin_standin.add_admin_key(alias="claude-code-alice", models=[], max_budget=10.0, spend=2.5)

    shown = admin("keys", "info", "claude-code-alice")
    missing = admin("keys", "info", "claude-code-nobody")

    assert shown.returncode == 0, shown.output
    assert "ALL" in shown.stdout and "2.50/10.00" in shown.stdout
    assert missing.returncode == 4 and "no key 'claude-code-nobody'" in missing.stderr


def test_delete_asks_without_yes_and_refuses_without_a_terminal(admin, admin_standin):
    key = admin_standin.add_admin_key(alias="claude-code-alice")

    refused = admin("keys", "delete", "claude-code-alice")
    assert refused.returncode == 2 and "--yes" in refused.stderr
    assert key.secret in admin_standin.keys

    done = admin("keys", "delete", "claude-code-alice", "--yes")
    assert done.returncode == 0, done.output
    assert admin_standin.keys == {}


def test_block_then_unblock_changes_what_the_key_can_do(admin, admin_standin):
    key = admin_standin.add_admin_key(alias="claude-code-alice")

    assert admin("keys", "block", "claude-code-alice").returncode == 0
    assert key.blocked
    assert admin("keys", "unblock", "claude-code-alice").returncode == 0
    assert not key.blocked


def test_a_client_key_on_admin_routes_says_it_needs_the_master_key(admin, admin_standin):
    admin_standin.add_admin_key(GOOD_KEY, alias="dev-alice")

    result = admin("keys", "list", env={"LITELLM_MASTER_KEY": GOOD_KEY})

    assert result.returncode == 4
    assert "master (admin) key" in result.stderr


def test_an_unknown_master_key_is_reported_as_the_master_key(admin):
    result = admin("keys", "list", env={"LITELLM_MASTER_KEY": "sk-not-the-master-key-9999"})

    assert result.returncode == 4
    assert "rejected the master key" in result.stderr and "--from-k8s" in result.stderr


def test_without_a_database_it_says_virtual_keys_need_one(admin, admin_standin):
    admin_standin.database = False

    result = admin("keys", "list")

    assert result.returncode == 6
    assert "no database" in result.stderr and "DATABASE_URL" in result.stderr


def test_no_master_key_and_no_terminal_is_a_usage_error(admin):
    result = admin("keys", "list", env={"LITELLM_MASTER_KEY": ""})

    assert result.returncode == 2 and "LITELLM_MASTER_KEY" in result.stderr


def test_rotate_without_enterprise_replaces_the_key_keeping_alias_models_and_budget(admin, admin_standin, workspace):
    old = admin_standin.add_admin_key(
        alias="claude-code-alice", models=["claude-3-opus-20240229"], max_budget=40.0,
        expires="2099-01-01T00:00:00Z", metadata={"duration": "30d", "developer": "alice"},
    )

    result = admin("keys", "rotate", "claude-code-alice", "--output", "alice.env")

    assert result.returncode == 0, result.output
    new = admin_standin.by_alias("claude-code-alice")
    assert new is not None and new.secret != old.secret and old.secret not in admin_standin.keys
    assert new.models == ["claude-3-opus-20240229"] and new.max_budget == 40.0 and new.metadata["developer"] == "alice"
    assert f"LITELLM_API_KEY={new.secret}" in (workspace / "alice.env").read_text()
    assert len(admin_standin.keys) == 1
    assert any(r.path.endswith("/regenerate") for r in admin_standin.requests)


def test_rotate_gives_the_new_key_the_old_ones_lifetime(admin, admin_standin):
    now = datetime.now(timezone.utc)
    admin_standin.add_admin_key(
        alias="claude-code-alice", created_at=(now - timedelta(days=10)).isoformat(), expires=(now + timedelta(days=20)).isoformat()
    )

    result = admin("keys", "rotate", "claude-code-alice", "--output", "alice.env")

    assert result.returncode == 0, result.output
    expires = datetime.fromisoformat(admin_standin.by_alias("claude-code-alice").expires.replace("Z", "+00:00"))
    assert timedelta(days=29) < expires - now < timedelta(days=31)


def test_rotate_uses_regenerate_where_the_server_allows_it(admin, admin_standin):
    admin_standin.regenerate_allowed = True
    old = admin_standin.add_admin_key(alias="claude-code-alice")
    old_secret = old.secret

    result = admin("keys", "rotate", "claude-code-alice", "--grace-period", "24h", new_keys_shown=1)

    assert result.returncode == 0, result.output
    assert old.secret != old_secret and old.secret in result.stdout
    body = next(r for r in admin_standin.requests if r.path.endswith("/regenerate")).get_json()
    assert body == {"grace_period": "24h"}


def test_rotate_that_fails_before_the_delete_leaves_the_old_key_working(admin, admin_standin):
    old = admin_standin.add_admin_key(alias="claude-code-alice", models=["claude-3-opus-20240229"])
    admin_standin.overrides["/v1/models"] = lambda request: litellm_error(503, "no healthy deployments", "service_unavailable")

    result = admin("keys", "rotate", "claude-code-alice")

    assert result.returncode == 5, result.output
    assert list(admin_standin.keys) == [old.secret] and old.alias == "claude-code-alice"
    assert "claude-code-alice keeps working" in result.stderr


def test_rotate_whose_delete_fails_prints_the_exact_cleanup(admin, admin_standin, workspace):
    old = admin_standin.add_admin_key(alias="claude-code-alice")
    admin_standin.fail_delete = True

    result = admin("keys", "rotate", "claude-code-alice", "--output", "alice.env")

    assert result.returncode == 6, result.output
    twin = next(key for key in admin_standin.keys.values() if key is not old)
    assert f"litellm-key keys delete --yes claude-code-alice && litellm-key keys rename {twin.alias} claude-code-alice" in result.stderr
    assert old.secret in admin_standin.keys
    assert f"LITELLM_API_KEY={twin.secret}" in (workspace / "alice.env").read_text()


def test_the_master_key_type_shows_only_its_mask():
    from litellm_key.errors import LitellmKeyError
    from litellm_key.secret import ClientKey, MasterKey

    master = MasterKey(f"  {MASTER_KEY}\n")
    assert master.reveal() == MASTER_KEY
    assert MASTER_KEY not in f"{master} {master!r} {[master]}"
    assert not isinstance(master, ClientKey)
    with pytest.raises(LitellmKeyError):
        MasterKey("sk-with space-inside-0000")


def test_a_key_is_named_on_stdin_and_looked_up_by_its_hash_never_in_a_url(admin, admin_standin):
    key = admin_standin.add_admin_key(alias="claude-code-alice", max_budget=5.0)

    result = admin("keys", "info", "-", "--json", input=key.secret + "\n")

    assert result.returncode == 0, result.output
    assert json.loads(result.stdout)["key_info"]["alias"] == "claude-code-alice"
    assert all(key.secret not in request.url for request in admin_standin.requests)


def test_delete_by_token_hash_and_a_key_in_argv_is_warned_about(admin, admin_standin):
    first = admin_standin.add_admin_key(alias="one")
    second = admin_standin.add_admin_key(alias="two")

    by_hash = admin("keys", "delete", first.token, "--yes")
    assert by_hash.returncode == 0, by_hash.output
    assert list(admin_standin.keys) == [second.secret]

    in_argv = admin("keys", "block", second.secret)
    assert in_argv.returncode == 0 and "visible to every user in `ps`" in in_argv.stderr
    assert second.secret not in in_argv.output and second.blocked


def test_the_admin_page_maps_each_manual_guide_step_to_a_keys_command_that_exists():
    import re

    from conftest import REPO
    from litellm_key.commands.keys import _ACTIONS
    from markdown_tables import rows_by_first_cell, section

    rows = rows_by_first_cell(section((REPO / "docs" / "admin.md").read_text(), "The manual guide's steps, one command each"))
    steps = ("Step 1", "Step 2", "Step 3", "Step 4", "Step 5", "Key Management", "Rotate", "Usage Monitoring", "Security")
    for step in steps:
        row = next((cells[-1] for name, cells in rows.items() if name.startswith(step)), None)
        assert row is not None, f"docs/admin.md maps no command to the guide's {step}"
        named = set(re.findall(r"keys ([a-z]+)", row))
        assert named <= set(_ACTIONS), named - set(_ACTIONS)
        assert named or "--from-k8s" in row or "--port-forward" in row, step


def test_generate_whose_output_cannot_be_written_deletes_the_key_so_a_rerun_works(admin, admin_standin, workspace):
    (workspace / "alice.env").mkdir()  # a folder where the file must go

    failed = admin("keys", "generate", "--developer", "alice", "--output", "alice.env")

    assert failed.returncode == 3, failed.output
    assert admin_standin.by_alias("claude-code-alice") is None  # no key that nobody received
    (workspace / "alice.env").rmdir()
    again = admin("keys", "generate", "--developer", "alice", "--output", "alice.env")
    assert again.returncode == 0, again.output
    assert admin_standin.by_alias("claude-code-alice").secret in (workspace / "alice.env").read_text()


def test_rotate_whose_delete_fails_prints_one_json_document_with_the_new_key(admin, admin_standin):
    old = admin_standin.add_admin_key(alias="claude-code-alice")
    admin_standin.fail_delete = True

    result = admin("keys", "rotate", "claude-code-alice", "--json", new_keys_shown=1)

    assert result.returncode == 6, result.output
    document = json.loads(result.stdout)  # one document: the new key and the error together
    twin = next(key for key in admin_standin.keys.values() if key is not old)
    assert document["ok"] is False and document["error"]["reason"] == "rotate-delete-failed"
    assert document["key"] == twin.secret and twin.alias in document["cleanup"]


def test_rotate_whose_alias_takeover_fails_still_hands_over_the_new_key(admin, admin_standin):
    old = admin_standin.add_admin_key(alias="claude-code-alice")
    admin_standin.overrides["/key/update"] = lambda request: litellm_error(500, "Internal Server Error: update failed", "internal_server_error")

    result = admin("keys", "rotate", "claude-code-alice", new_keys_shown=1)

    assert result.returncode == 6, result.output
    assert old.secret not in admin_standin.keys
    (twin,) = admin_standin.keys.values()
    assert twin.secret in result.stdout  # the only copy of the new key: shown, not lost
    assert f"litellm-key keys rename {twin.alias} claude-code-alice" in result.stderr


def test_rotate_by_regenerate_also_renews_the_lifetime(admin, admin_standin):
    admin_standin.regenerate_allowed = True
    now = datetime.now(timezone.utc)
    old = admin_standin.add_admin_key(
        alias="claude-code-alice", created_at=(now - timedelta(days=28)).isoformat(), expires=(now + timedelta(days=2)).isoformat()
    )

    result = admin("keys", "rotate", "claude-code-alice", "--output", "alice.env")

    assert result.returncode == 0, result.output
    expires = datetime.fromisoformat(old.expires.replace("Z", "+00:00"))
    assert timedelta(days=29) < expires - now < timedelta(days=31)  # a fresh 30 days, not the 2 left
    shorter = admin("keys", "rotate", "claude-code-alice", "--duration", "12h", "--output", "alice.env")
    assert shorter.returncode == 0, shorter.output
    assert datetime.fromisoformat(old.expires.replace("Z", "+00:00")) - now < timedelta(hours=13)
    bogus = admin("keys", "rotate", "claude-code-alice", "--duration", "soon")
    assert bogus.returncode == 2 and "'soon' is not a duration" in bogus.stderr


def test_rotate_by_regenerate_whose_output_cannot_be_written_shows_the_new_key(admin, admin_standin, workspace):
    admin_standin.regenerate_allowed = True
    key = admin_standin.add_admin_key(alias="claude-code-alice")
    (workspace / "alice.env").mkdir()  # a folder where the file must go

    result = admin("keys", "rotate", "claude-code-alice", "--output", "alice.env", new_keys_shown=1)

    assert result.returncode == 3, result.output
    assert key.secret in result.stdout  # the old secret is gone: the new one must not be lost too


def test_litellms_own_unique_alias_error_also_suggests_rotate(admin, admin_standin):
    """Another admin made the alias between our check and our generate: LiteLLM's 400 says so."""
    old = admin_standin.add_admin_key(alias="claude-code-alice")
    empty = json.dumps({"keys": [], "total_count": 0, "current_page": 1, "total_pages": 1})
    admin_standin.overrides["/key/list"] = lambda request: Response(empty, content_type="application/json")

    result = admin("keys", "generate", "--developer", "alice")

    assert result.returncode == 8, result.output
    assert "litellm-key keys rotate claude-code-alice" in result.stderr
    assert list(admin_standin.keys) == [old.secret]



def _dropping_generate_answers(target_port: int):
    """A loopback TCP relay to the stand-in that forwards everything but drops /key/generate's
    answer and closes the connection: the key is made, its secret never arrives."""
    import socket
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)

    def up(client, upstream, state):
        try:
            while data := client.recv(65536):
                state["drop"] = state["drop"] or b"POST /key/generate" in data
                upstream.sendall(data)
        except OSError:
            pass

    def down(upstream, client, state):
        try:
            while data := upstream.recv(65536):
                if state["drop"]:
                    break
                client.sendall(data)
        except OSError:
            pass
        for end in (client, upstream):
            try:
                end.shutdown(socket.SHUT_RDWR)  # wakes the other thread's recv; close() alone would not
            except OSError:
                pass
            end.close()

    def serve():
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            upstream, state = socket.create_connection(("127.0.0.1", target_port)), {"drop": False}
            threading.Thread(target=up, args=(client, upstream, state), daemon=True).start()
            threading.Thread(target=down, args=(upstream, client, state), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    return server


def test_a_generate_whose_answer_is_lost_deletes_the_key_nobody_received(admin, admin_standin):
    relay = _dropping_generate_answers(admin_standin.server.port)
    try:
        lost = admin("keys", "generate", "--developer", "alice", env={"LITELLM_ADMIN_URL": f"http://127.0.0.1:{relay.getsockname()[1]}"})
    finally:
        relay.close()

    assert lost.returncode == 6, lost.output
    assert any(r.path == "/key/generate" for r in admin_standin.requests)
    assert admin_standin.by_alias("claude-code-alice") is None  # else the alias is held by a key nobody has
    again = admin("keys", "generate", "--developer", "alice", new_keys_shown=1)
    assert again.returncode == 0, again.output


def test_the_alias_pattern_is_a_setting(admin, admin_standin):
    result = admin("keys", "generate", "--developer", "alice", "--json", env={"LITELLM_KEY_ALIAS_PATTERN": "team-x-{name}"}, new_keys_shown=1)

    assert result.returncode == 0, result.output
    assert json.loads(result.stdout)["key_info"]["alias"] == "team-x-alice" and admin_standin.by_alias("team-x-alice")


def test_generate_sends_litellms_request_shape_with_every_option(admin, admin_standin):
    result = admin(
        "keys", "generate", "--developer", "alice", "--model", "gpt-4o", "--duration", "12h", "--max-budget", "5",
        "--budget-duration", "1mo", "--user-id", "u-1", "--team-id", "t-1", new_keys_shown=1,
    )

    assert result.returncode == 0, result.output
    body = next(r for r in admin_standin.requests if r.path == "/key/generate").get_json()
    assert body == {
        "key_alias": "claude-code-alice", "models": ["gpt-4o"], "duration": "12h", "max_budget": 5.0,
        "budget_duration": "1mo", "user_id": "u-1", "team_id": "t-1",
        "metadata": {"developer": "alice", "created_by": "litellm-key", "duration": "12h"},
    }
    listing = next(r for r in admin_standin.requests if r.path == "/key/list")
    assert listing.args["return_full_object"] == "true" and listing.args["key_alias"] == "claude-code-alice"


def test_rotate_whose_output_cannot_be_written_says_so_and_keeps_the_old_key(admin, admin_standin, workspace):
    old = admin_standin.add_admin_key(alias="claude-code-alice")
    (workspace / "alice.env").mkdir()  # a folder where the file must go

    result = admin("keys", "rotate", "claude-code-alice", "--output", "alice.env")

    assert result.returncode == 3, result.output  # a file problem, not "did not pass verification"
    assert "is a directory" in result.stderr and "verification" not in result.stderr
    assert list(admin_standin.keys) == [old.secret] and old.alias == "claude-code-alice"


def test_ctrl_c_while_rotate_verifies_the_new_key_deletes_it_and_keeps_the_old(admin, admin_standin):
    import threading

    old = admin_standin.add_admin_key(alias="claude-code-alice")
    release = threading.Event()
    admin_standin.overrides["/v1/models"] = lambda request: (release.wait(20), litellm_error(503, "slow", "service_unavailable"))[1]
    try:
        result = interrupted(  # release: the stand-in serves one request at a time, the delete comes next
            admin, ["keys", "rotate", "claude-code-alice"], release=release,
            when=lambda: any(r.path == "/v1/models" for r in admin_standin.requests),
        )
    finally:
        release.set()

    assert result.returncode == 130, result.output
    assert list(admin_standin.keys) == [old.secret]  # no "-rotating-" twin left that nobody has


@pytest.mark.parametrize(("answer", "deleted"), [("y", True), ("n", False)])
def test_delete_on_a_terminal_asks_naming_the_keys(admin, admin_standin, answer, deleted):
    import sys

    import pexpect

    key = admin_standin.add_admin_key(alias="claude-code-alice")
    child = pexpect.spawn(
        sys.executable, ["-m", "litellm_key", "keys", "delete", "claude-code-alice"], cwd=str(admin.workspace),
        env=admin.env, encoding="utf-8", timeout=20, dimensions=(24, 160),
    )
    try:
        child.expect(r"Delete claude-code-alice \(sk-\.\.\.[\w-]{4}\)\?")
        child.send(answer)
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert (key.secret not in admin_standin.keys) is deleted
    assert child.exitstatus == (0 if deleted else 130)
