"""The README and docs/ are the user's reference: their tables must match what the code does."""

from __future__ import annotations

import re

from conftest import REPO
from litellm_key.errors import CATALOGUE, EXIT_CODES
from litellm_key.settings import SETTINGS
from markdown_tables import headings, rows_by_first_cell, section

README = (REPO / "README.md").read_text()
DOCS = {path.name: path.read_text() for path in sorted((REPO / "docs").glob("*.md"))}
TROUBLESHOOTING = DOCS["troubleshooting.md"]


def test_every_failure_has_a_troubleshooting_row_with_its_exit_code():
    rows = rows_by_first_cell(section(TROUBLESHOOTING, "Every failure, by reason"), r"`[a-z-]+`")
    for reason, (error_class, _, _) in CATALOGUE.items():
        assert reason in rows, f"docs/troubleshooting.md lacks `{reason}`"
        assert rows[reason][1] == str(error_class.exit_code), reason


def test_every_exit_code_is_documented():
    rows = rows_by_first_cell(section(TROUBLESHOOTING, "Exit codes"), r"\d+")
    assert set(rows) == {str(code) for code in EXIT_CODES}


def _plain(cell: str) -> str:
    return cell.replace("`", "")


def test_the_configuration_table_is_the_settings_declaration():
    """One row per declared setting, with its variable, flags, default and who may set it."""
    rows = rows_by_first_cell(section(DOCS["configuration.md"], "Every setting"), r"`[a-z_]+`")
    assert set(rows) == set(SETTINGS)
    for name, setting in SETTINGS.items():
        _, variable, flags, default, set_by, _ = rows[name]
        assert re.findall(r"`(LITELLM_\w+)`", variable) == ([setting.variable] if setting.variable else []), name
        assert set(re.findall(r"`(--[a-z-]+)`", flags)) == set(setting.flags), name
        assert _plain(default) == setting.shown_default, name
        assert set_by == ("you" if setting.yours_only else "all"), name


def test_the_security_trust_table_is_the_settings_declaration():
    """docs/security.md: setting x the sources allowed to set it, as declared."""
    rows = rows_by_first_cell(section(DOCS["security.md"], "Who may set which setting"), r"`[a-z_]+`")
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
    assert len(README.splitlines()) <= 120, "reference text belongs in docs/"
    for name in DOCS:
        assert f"(docs/{name})" in README, name


def test_a_newcomer_meets_the_install_and_their_first_command_on_the_first_screen():
    """The user's own first command comes before the developer's scripts, within one screen."""
    lines = README.splitlines()
    first_command = next(number for number, line in enumerate(lines, 1) if line.startswith("config-claude-code.sh"))
    assert first_command <= 50
    assert README.index("## Using it in a Dev Container") < README.index("./scripts/demo")


# Words that only make sense to the people who built litellm-key: a user cannot look them up.
INSIDER_WORDS = re.compile(r"\bissues? \d+|\bthe seed\b|\bseed's\b|DESIGN\.md", re.IGNORECASE)


def test_what_a_user_reads_speaks_no_insider_words():
    pages = [REPO / "README.md", *(REPO / "docs").glob("*.md"), *(REPO / "feature").rglob("*"),
             *(REPO / "src").rglob("*.py"), *(REPO / "benchmarks").glob("*.py"), *(REPO / "scripts").iterdir(),
             *(REPO / ".devcontainer").rglob("*")]  # fmt: skip
    found = [f"{page.relative_to(REPO)}: {match.group()}" for page in pages if page.is_file() and "wheelhouse" not in page.parts
             for match in INSIDER_WORDS.finditer(page.read_text(errors="replace"))]  # fmt: skip
    assert not found, found


def test_every_troubleshooting_row_names_a_doctor_check_that_exists():
    from litellm_key.commands.doctor import plan
    from litellm_key.settings import load_settings
    from litellm_key.settings_values import KNOWN_CLIENTS
    everything = load_settings(environ={"HOME": str(REPO)})._replace(clients=KNOWN_CLIENTS, portal_url="http://portal")
    ids = {check.id for check in plan(everything, live=True)} | {"settings", "client-<name>", "live-*"}
    rows = rows_by_first_cell(section(TROUBLESHOOTING, "Every failure, by reason"), r"`[a-z-]+`")
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

    listed = {command.split()[1] for command in rows_by_first_cell(section(README, "Commands"), r"`litellm-key .+`")}
    assert listed == set(COMMANDS)


def test_the_readme_test_command_says_where_the_docker_and_keyring_tests_run():
    text = " ".join(section(README, "Two commands").split())
    assert ("`./scripts/test` also runs the Dev Container and keyring tests where Docker / gnome-keyring work"
            " (they skip with a reason otherwise)") in text


# Every performance goal that still stands (warm `apply` <= 1.0x `import httpx` is retired: every
# request goes through httpx now), as the benchmarks print it beside its figure.
BENCHMARK_GOALS = ("<= 1.3x", "<= 2x the 1 KB case", "<= 2x file size",
                   "≤ 0.05 ms added", "≥ 90 % of direct", "≤ 1 ms added")


def test_performance_page_quotes_every_benchmark_goal_with_its_verdict_and_says_by_how_much_a_miss_misses():
    """docs/performance.md quotes a run with every goal beside its figure, and for a goal this
    machine misses says by how much and why."""
    printed = "\n".join(path.read_text() for path in (REPO / "benchmarks").glob("*.py"))
    summary = section(DOCS["performance.md"], "Every goal beside its figure")
    rows = rows_by_first_cell(summary)
    for goal in BENCHMARK_GOALS:
        assert goal in printed, f"no benchmark prints the goal {goal!r}"
        [row] = [row for row in rows.values() if row[1] == goal]
        assert "✓" in row[2] or re.search(r"✗ misses by \S+", row[2]), row
    if any("✗" in row[2] for row in rows.values()):
        assert "misses are" in summary, "the page says why a goal is missed"


def _anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


def test_every_link_between_the_pages_reaches_a_page_and_a_heading_that_exist():
    """Text moves between README.md and docs/: a link left pointing at the old place is a dead end."""
    pages = [REPO / "README.md", *(REPO / "docs").glob("*.md"), REPO / "feature" / "litellm-key" / "NOTES.md"]
    for page in pages:
        for target, anchor in re.findall(r"\]\(([\w./-]*\.md)?(?:#([\w-]+))?\)", page.read_text()):
            linked = (page.parent / target).resolve() if target else page
            assert linked.is_file(), f"{page.name} links to {target}, which does not exist"
            if anchor:
                anchors = {_anchor(heading) for heading in headings(linked.read_text())}
                assert anchor in anchors, f"{page.name} links to {target}#{anchor}, a heading it does not have"
