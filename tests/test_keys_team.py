"""`keys onboard`, `keys audit`, `keys spend`: a team at once, and the manual guide's practices as checks."""

from __future__ import annotations

import json
import stat
import threading
from datetime import datetime, timedelta, timezone

import pytest

from keys_helpers import admin, admin_standin, interrupted  # noqa: F401 (fixtures)


def _roster(workspace, count: int = 25):
    path = workspace / "team.yaml"
    lines = ["developers:"] + [f"  - name: dev{n:02}\n    email: dev{n:02}@example.com" for n in range(count)]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_onboard_25_with_one_failure_then_a_rerun_completes_the_rest(admin, admin_standin, workspace):
    _roster(workspace)
    admin_standin.fail_generate = {"claude-code-dev13"}

    first = admin("keys", "onboard", "team.yaml", "--output-dir", "keys", "--duration", "90d")

    assert first.returncode == 6, first.output
    assert "dev13" in first.stdout and "failed" in first.stdout
    assert "1 of 25 key(s) could not be created" in first.stderr and "run the same" in first.stderr
    assert len(admin_standin.keys) == 24
    folder = workspace / "keys"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"dev{n:02}.env" for n in range(25) if n != 13)
    for n in (0, 24):
        path = folder / f"dev{n:02}.env"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert admin_standin.by_alias(f"claude-code-dev{n:02}").secret in path.read_text()

    second = admin("keys", "onboard", "team.yaml", "--output-dir", "keys", "--json")

    assert second.returncode == 0, second.output
    document = json.loads(second.stdout)
    assert (document["created"], document["existing"], document["failed"]) == (1, 24, 0)
    assert len(admin_standin.keys) == 25 and (folder / "dev13.env").exists()
    assert admin_standin.by_alias("claude-code-dev13").metadata["email"] == "dev13@example.com"

    third = admin("keys", "onboard", "team.yaml", "--output-dir", "keys", "--json")
    assert json.loads(third.stdout)["created"] == 0 and len(admin_standin.keys) == 25


def test_onboard_that_cannot_write_a_key_file_deletes_that_key_so_a_rerun_makes_it(admin, admin_standin, workspace):
    _roster(workspace, 3)
    (workspace / "keys").mkdir(mode=0o700)
    (workspace / "keys" / "dev01.env").mkdir()  # a folder where the file must go

    first = admin("keys", "onboard", "team.yaml", "--output-dir", "keys", "--json")

    assert first.returncode == 6, first.output
    document = json.loads(first.stdout)  # one document: the report, with the error in it
    assert document["error"]["reason"] == "onboard-incomplete" and document["ok"] is False
    assert document["developers"] == {"dev00": "created", "dev01": "failed", "dev02": "created"}
    assert admin_standin.by_alias("claude-code-dev01") is None and len(admin_standin.keys) == 2
    (workspace / "keys" / "dev01.env").rmdir()
    second = admin("keys", "onboard", "team.yaml", "--output-dir", "keys")
    assert second.returncode == 0, second.output
    assert admin_standin.by_alias("claude-code-dev01").secret in (workspace / "keys" / "dev01.env").read_text()


def test_onboard_from_csv_with_prune_deletes_only_pattern_keys_of_leavers(admin, admin_standin, workspace):
    (workspace / "team.csv").write_text("name,email,models,budget\nalice,a@x.org,claude-3-opus-20240229,20\n")
    leaver = admin_standin.add_admin_key(alias="claude-code-bob")
    other = admin_standin.add_admin_key(alias="ci-pipeline")

    refused = admin("keys", "onboard", "team.csv", "--output-dir", "keys", "--prune")
    assert refused.returncode == 2 and leaver.secret in admin_standin.keys
    assert admin_standin.by_alias("claude-code-alice") is None  # asked before anything changed

    result = admin("keys", "onboard", "team.csv", "--output-dir", "keys", "--prune", "--yes")

    assert result.returncode == 0, result.output
    assert leaver.secret not in admin_standin.keys and other.secret in admin_standin.keys
    alice = admin_standin.by_alias("claude-code-alice")
    assert alice.models == ["claude-3-opus-20240229"] and alice.max_budget == 20.0
    assert "bob left the roster" in result.stdout


def test_onboard_show_prints_the_new_keys_only_when_asked(admin, admin_standin, workspace):
    _roster(workspace, 2)

    result = admin("keys", "onboard", "team.yaml", "--output-dir", "keys", "--show", new_keys_shown=2)

    assert result.returncode == 0, result.output
    assert admin_standin.by_alias("claude-code-dev01").secret in result.stdout


def test_onboard_rejects_a_roster_without_names(admin, workspace):
    (workspace / "team.yaml").write_text("- email: x@example.com\n")

    result = admin("keys", "onboard", "team.yaml", "--output-dir", "keys")

    assert result.returncode == 3 and "no name" in result.stderr
    assert not (workspace / "keys").exists() or not any((workspace / "keys").iterdir())


def test_audit_reports_each_practice_and_exits_non_zero(admin, admin_standin):
    now = datetime.now(timezone.utc)
    iso = lambda delta: (now + delta).isoformat()  # noqa: E731
    admin_standin.add_admin_key(alias="good", expires=iso(timedelta(days=60)), last_active=iso(timedelta(days=-1)))
    admin_standin.add_admin_key(alias="old", expires=iso(timedelta(days=-2)), last_active=iso(timedelta(days=-1)))
    admin_standin.add_admin_key(alias="soon", expires=iso(timedelta(days=3)), last_active=iso(timedelta(days=-1)))
    admin_standin.add_admin_key(alias="forever", last_active=iso(timedelta(days=-1)))
    admin_standin.add_admin_key(alias="wide", models=[], expires=iso(timedelta(days=60)), last_active=iso(timedelta(days=-1)))
    admin_standin.add_admin_key(alias="idle", expires=iso(timedelta(days=60)), created_at=iso(timedelta(days=-90)))
    admin_standin.add_admin_key(alias="stopped", blocked=True, expires=iso(timedelta(days=60)), last_active=iso(timedelta(days=-1)))
    admin_standin.add_admin_key(
        alias="spent", spend=10.0, max_budget=10.0, expires=iso(timedelta(days=60)), last_active=iso(timedelta(days=-1))
    )

    result = admin("keys", "audit", "--json")

    assert result.returncode == 8, result.output
    found = {entry["alias"]: entry["findings"] for entry in json.loads(result.stdout)["findings"]}
    assert found == {
        "old": ["expired"], "soon": ["expiring"], "forever": ["never-expires"], "wide": ["all-models"],
        "idle": ["unused"], "stopped": ["blocked"], "spent": ["budget-exhausted"],
    }
    text = admin("keys", "audit")
    assert "budget-exhausted" in text.stdout and "7 problem(s) in 7 key(s)" in text.stderr
    assert "; docs/admin.md explains each finding." in text.stderr


def test_audit_of_a_clean_gateway_exits_zero(admin, admin_standin):
    admin_standin.add_admin_key(alias="good", expires=(datetime.now(timezone.utc) + timedelta(days=60)).isoformat())

    assert admin("keys", "audit").returncode == 0


def test_spend_per_key_per_tag_and_daily(admin, admin_standin):
    admin_standin.add_admin_key(alias="claude-code-alice", spend=3.25)
    admin_standin.spend_tags = [{"individual_request_tag": "claude-code", "log_count": 7, "total_spend": 1.0}]

    result = admin("keys", "spend", "--start", "2026-11-01", "--end", "2026-11-30")

    assert result.returncode == 0, result.output
    assert "claude-code-alice" in result.stdout and "3.2500" in result.stdout
    assert "claude-code" in result.stdout and "2026-11-01" in result.stdout
    daily = next(r for r in admin_standin.requests if r.path == "/user/daily/activity")
    assert daily.args["start_date"] == "2026-11-01" and daily.args["end_date"] == "2026-11-30"


@pytest.mark.parametrize("dates", [("--start", "2026-11-01"), ("--start", "2026-11-30", "--end", "2026-11-01"), ("--end", "30.11.2026")])
def test_spend_with_half_a_date_range_is_a_usage_error_before_any_request(admin, admin_standin, dates):
    result = admin("keys", "spend", *dates)

    assert result.returncode == 2 and "--start and --end" in result.stderr
    assert not any(r.path.startswith(("/global", "/spend", "/user")) for r in admin_standin.requests)


def test_audit_within_takes_every_duration_generate_takes(admin, admin_standin):
    admin_standin.add_admin_key(alias="month", expires=(datetime.now(timezone.utc) + timedelta(days=20)).isoformat())

    result = admin("keys", "audit", "--within", "1mo", "--json")

    assert result.returncode == 8, result.output
    assert json.loads(result.stdout)["findings"][0]["findings"] == ["expiring"]


def test_spend_daily_reads_every_page_of_a_long_range(admin, admin_standin):
    result = admin("keys", "spend", "--start", "2024-01-01", "--end", "2026-12-31", "--json")  # 1096 rows

    assert result.returncode == 0, result.output
    dates = [day["date"] for day in json.loads(result.stdout)["daily"]]
    assert len(dates) == 1096 and dates[0] == "2024-01-01" and dates[-1] == "2026-12-31"
    pages = [r.args.get("page") for r in admin_standin.requests if r.path == "/user/daily/activity"]
    assert pages == ["1", "2"]


def test_ctrl_c_during_onboard_stops_creating_and_loses_no_key(admin, admin_standin, workspace):
    _roster(workspace)
    # The first generate is held until Ctrl-C has arrived (a timed sleep let a loaded machine finish
    # all ten first); then the requests under way finish and no new one may start.
    release = threading.Event()
    held = lambda request: (release.wait(20), admin_standin._generate(request.get_json()))[1]  # noqa: E731
    admin_standin.overrides["/key/generate"] = held

    try:
        result = interrupted(
            admin, ["keys", "onboard", "team.yaml", "--output-dir", "keys", "--jobs", "2"],
            when=lambda: any(r.path == "/key/generate" for r in admin_standin.requests), release=release,
        )
    finally:
        release.set()

    assert result.returncode == 130, result.output
    made = [key.alias.removeprefix("claude-code-") for key in admin_standin.keys.values()]
    assert len(made) < 10  # the requests under way finished; no new ones were sent
    assert sorted(path.stem for path in (workspace / "keys").iterdir()) == sorted(made)


def test_onboard_show_with_json_puts_the_new_keys_in_the_document(admin, admin_standin, workspace):
    _roster(workspace, 2)

    result = admin("keys", "onboard", "team.yaml", "--output-dir", "keys", "--show", "--json", new_keys_shown=2)

    assert result.returncode == 0, result.output
    assert json.loads(result.stdout)["keys"] == {f"dev0{n}": admin_standin.by_alias(f"claude-code-dev0{n}").secret for n in (0, 1)}


def test_onboard_passes_every_roster_field_to_litellm(admin, admin_standin, workspace):
    (workspace / "team.yaml").write_text(
        "- name: alice\n  email: alice@example.com\n  user_id: u-alice\n  team: t-core\n"
        "  models: [gpt-4o]\n  budget: 12.5\n- bob\n"
    )

    result = admin("keys", "onboard", "team.yaml", "--output-dir", "keys", "--duration", "90d", "--max-budget", "5")

    assert result.returncode == 0, result.output
    bodies = {r.get_json()["key_alias"]: r.get_json() for r in admin_standin.requests if r.path == "/key/generate"}
    alice, bob = bodies["claude-code-alice"], bodies["claude-code-bob"]
    assert (alice["user_id"], alice["team_id"], alice["models"], alice["max_budget"]) == ("u-alice", "t-core", ["gpt-4o"], 12.5)
    assert alice["metadata"]["email"] == "alice@example.com" and alice["duration"] == "90d"
    assert bob["models"] == ["claude-sonnet-4-5-20250929", "claude-3-opus-20240229"] and bob["max_budget"] == 5.0
    assert "user_id" not in bob and "team_id" not in bob
