"""`keys onboard`: a roster is the admin's input, bounded like a settings file (no YAML aliases, no
more values than a settings file may hold), its names checked in linear time and for spellings that
collide on case-insensitive file systems; and `--prune` spares a rotation's twin."""

from __future__ import annotations

import time

import pytest

from keys_helpers import admin, admin_standin  # noqa: F401 (fixtures)


def _alias_bomb() -> str:
    """The "billion laughs" as a roster: a few hundred bytes whose `name` expands to 9**9 strings."""
    levels = ["&a [x, x, x, x, x, x, x, x, x]"]
    for previous, label in zip("abcdefgh", "bcdefghi"):
        levels.append(f"&{label} [" + ", ".join([f"*{previous}"] * 9) + "]")
    return "developers:\n  - name: [" + ", ".join(levels) + "]\n"


@pytest.mark.parametrize(
    "roster, problem",
    [
        (_alias_bomb(), "YAML anchors or aliases"),
        # an alias that saves typing is refused as well: a roster needs none
        ("developers:\n  - {name: alice, models: &m [gpt-4o]}\n  - {name: bob, models: *m}\n", "YAML anchors or aliases"),
        ("developers:\n" + "".join(f"  - dev{n}\n" for n in range(10_001)), "more than 10000 YAML values"),
    ],
    ids=["alias-bomb", "alias", "too-many-values"],
)
def test_a_roster_with_aliases_or_too_many_values_is_refused_at_once(admin, admin_standin, workspace, roster, problem):
    (workspace / "team.yaml").write_text(roster)
    started = time.monotonic()

    result = admin("keys", "onboard", "team.yaml", "--output-dir", "keys")

    assert result.returncode == 3, result.output
    assert problem in result.stderr and "team.yaml" in result.stderr
    assert time.monotonic() - started < 20  # the bomb took 16 s and 2 GB before
    assert not admin_standin.keys and not (workspace / "keys").exists()


def test_a_20000_name_roster_is_checked_for_duplicates_in_linear_time(admin, admin_standin, workspace):
    names = [f"dev{n:05}" for n in range(20_000)] + ["dev00042"]
    (workspace / "team.csv").write_text("name\n" + "\n".join(names) + "\n")
    started = time.monotonic()

    result = admin("keys", "onboard", "team.csv", "--output-dir", "keys")

    assert result.returncode == 3, result.output
    assert "listed twice: dev00042" in result.stderr
    assert time.monotonic() - started < 2.5, "counting each name in the list took 6-10 s (0.3 s linear)"
    assert not admin_standin.keys


def test_names_that_differ_only_in_case_are_refused_before_any_key_is_made(admin, admin_standin, workspace):
    (workspace / "team.csv").write_text("name\nAlice\nbob\nalice\nBOB\ncarol\n")

    result = admin("keys", "onboard", "team.csv", "--output-dir", "keys")

    assert result.returncode == 3, result.output
    assert "differ only in case" in result.stderr and "Alice/alice" in result.stderr and "bob/BOB" in result.stderr
    assert not admin_standin.keys


def test_prune_keeps_the_rotating_twin_of_a_developer_still_in_the_roster(admin, admin_standin, workspace):
    alice = admin_standin.add_admin_key(alias="claude-code-alice")
    twin = admin_standin.add_admin_key(alias="claude-code-bob-rotating-1764000000")  # bob's rename failed
    bob_left = admin_standin.add_admin_key(alias="claude-code-carol")
    (workspace / "team.csv").write_text("name\nalice\nbob\n")

    result = admin("keys", "onboard", "team.csv", "--output-dir", "keys", "--prune", "--yes")

    assert result.returncode == 0, result.output
    assert twin.secret in admin_standin.keys, "bob's live key was pruned"
    assert alice.secret in admin_standin.keys and bob_left.secret not in admin_standin.keys
    assert "carol left the roster" in result.stdout and "bob-rotating" not in result.stdout
