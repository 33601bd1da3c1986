"""The README and docs/ are the user's reference: their tables must match what the code does."""

from __future__ import annotations

import re

from conftest import REPO
from litellm_key.errors import CATALOGUE, EXIT_CODES
from litellm_key.settings import SETTINGS

README = (REPO / "README.md").read_text()
DOCS = {path.name: path.read_text() for path in sorted((REPO / "docs").glob("*.md"))}
EVERYTHING = "\n".join([README, *DOCS.values()])


def _table_rows(first_cell: str, text: str = EVERYTHING) -> dict[str, list[str]]:
    rows = {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and re.fullmatch(first_cell, cells[0]):
            rows[cells[0].strip("`")] = cells
    return rows


def test_every_failure_has_a_troubleshooting_row_with_its_exit_code():
    rows = _table_rows(r"`[a-z-]+`")
    for reason, (error_class, _, _) in CATALOGUE.items():
        assert reason in rows, f"README troubleshooting table lacks `{reason}`"
        assert rows[reason][1] == str(error_class.exit_code), reason


def test_every_exit_code_is_documented():
    rows = _table_rows(r"\d+")
    assert set(rows) == {str(code) for code in EXIT_CODES}


def _plain(cell: str) -> str:
    return cell.replace("`", "")


def test_the_configuration_table_is_the_settings_declaration():
    """One row per declared setting, with its variable, flags, default and who may set it."""
    rows = {name: cells for name, cells in _table_rows(r"`[a-z_]+`", DOCS["configuration.md"]).items() if len(cells) == 6}
    assert set(rows) == set(SETTINGS)
    for name, setting in SETTINGS.items():
        _, variable, flags, default, set_by, _ = rows[name]
        assert re.findall(r"`(LITELLM_\w+)`", variable) == ([setting.variable] if setting.variable else []), name
        assert set(re.findall(r"`(--[a-z-]+)`", flags)) == set(setting.flags), name
        assert _plain(default) == setting.shown_default, name
        assert set_by == ("you" if setting.yours_only else "all"), name


def test_the_security_trust_table_is_the_settings_declaration():
    """docs/security.md: setting x the sources allowed to set it, as declared."""
    rows = {name: cells for name, cells in _table_rows(r"`[a-z_]+`", DOCS["security.md"]).items() if len(cells) == 6}
    assert set(rows) == set(SETTINGS)
    for name, setting in SETTINGS.items():
        allowed = [cell == "✓" for cell in rows[name][1:5]]
        declared = [layer in setting.sources for layer in ("system", "user", "workspace", "environment")]
        assert allowed == declared, name
        assert ("recorded" in setting.sources, "flag" in setting.sources) == (declared[2], declared[3]), name


def test_ci_runs_the_readme_test_command():
    assert "./scripts/test    # test it" in README
    assert "./scripts/test" in (REPO / ".ci" / "run").read_text()


def test_readme_stays_a_front_door_linking_every_docs_page():
    assert len(README.splitlines()) <= 250
    for name in DOCS:
        assert f"(docs/{name})" in README, name


def test_a_newcomer_meets_the_install_and_their_first_command_on_the_first_screen():
    """Issue 8: the user's own first command was at line 63, after the developer's scripts."""
    lines = README.splitlines()
    first_command = next(number for number, line in enumerate(lines, 1) if line.startswith("config-claude-code.sh"))
    assert first_command <= 50
    assert README.index("## Using it in a Dev Container") < README.index("./scripts/demo")


def test_every_troubleshooting_row_names_a_doctor_check_that_exists():
    from litellm_key.commands.doctor import plan
    from litellm_key.settings import load_settings
    from litellm_key.settings_values import KNOWN_CLIENTS
    everything = load_settings(environ={"HOME": str(REPO)})._replace(clients=KNOWN_CLIENTS, portal_url="http://portal")
    ids = {check.id for check in plan(everything, live=True)} | {"settings", "client-<name>", "live-*"}
    reasons_section = DOCS["troubleshooting.md"].split("## Every failure, by reason", 1)[1].split("\n## ", 1)[0]
    rows = _table_rows(r"`[a-z-]+`", reasons_section)
    assert set(rows) == set(CATALOGUE)
    for reason, cells in rows.items():
        if cells[-1].startswith("—"):
            continue
        named = re.findall(r"`([a-z<>*-]+)`", cells[-1])
        assert named, f"{reason}: no doctor check named"
        assert set(named) <= ids, f"{reason}: {set(named) - ids} is not a doctor check"


def test_messages_name_only_commands_that_exist():
    """A fix line that names a command the user cannot run is worse than none."""
    from litellm_key.cli import COMMANDS

    sources = [path for path in (REPO / "src" / "litellm_key").rglob("*") if path.suffix in (".py", ".conf")]
    named = {
        (path.name, match)
        for path in sources
        for match in re.findall(r"`litellm-key ([a-z][a-z-]*)", path.read_text())
    }
    assert named, "the scan found no command names at all"
    unknown = sorted((name, command) for name, command in named if command not in COMMANDS)
    assert not unknown, unknown


def test_the_readme_command_table_lists_every_command():
    from litellm_key.cli import COMMANDS

    listed = set(re.findall(r"^\| `litellm-key ([a-z]+)", README, flags=re.M))
    assert listed == set(COMMANDS)


# Every goal of issue 10, as the benchmarks print it beside its figure.
BENCHMARK_GOALS = ("<= 1.3x", "<= 1.0x", "<= 2x the 1 KB case", "<= 2x file size",
                   "≤ 0.05 ms added", "≥ 90 % of direct", "≤ 1 ms added")


def test_readme_quotes_every_benchmark_goal_with_its_verdict_and_says_by_how_much_a_miss_misses():
    """Issue 10's "done when": the README quotes a run with every goal beside its figure, and for a
    goal this machine misses says by how much and why."""
    printed = "\n".join(path.read_text() for path in (REPO / "benchmarks").glob("*.py"))
    rows = [line for line in README.splitlines() if line.startswith("|")]
    for goal in BENCHMARK_GOALS:
        assert goal in printed, f"no benchmark prints the goal {goal!r}"
        [row] = [row for row in rows if f"| {goal} |" in row]
        assert "✓" in row or re.search(r"✗ misses by \S+", row), row
    if any("✗" in row for row in rows):
        assert "misses are" in README, "the README says why a goal is missed"
