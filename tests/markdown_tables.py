"""One reader for the markdown in README.md, docs/ and the feature README, so every docs test splits
a page into sections and a table into cells the same way (an escaped `\\|` inside a cell included)."""

from __future__ import annotations

import re
from typing import NamedTuple

_CELL_BORDER = re.compile(r"(?<!\\)\|")
_HEADING = re.compile(r"^(#+) ")


class Table(NamedTuple):
    """A table as its reader sees it: `line` is the header's 1-based line number in the text."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    line: int


def cells(line: str) -> tuple[str, ...]:
    """The cells of one table line, stripped, with `\\|` read back as the `|` it displays."""
    inner = line.strip().removeprefix("|").removesuffix("|")
    return tuple(cell.strip().replace("\\|", "|") for cell in _CELL_BORDER.split(inner))


def tables(text: str) -> list[Table]:
    """Every table in `text`: a `|` line followed by a `|---|` line, then its `|` lines."""
    lines = text.splitlines()
    found = []
    number = 0
    while number < len(lines) - 1:
        if lines[number].startswith("|") and re.fullmatch(r"\|(\s*:?-+:?\s*\|)+", lines[number + 1].strip()):
            end = number + 2
            while end < len(lines) and lines[end].startswith("|"):
                end += 1
            found.append(Table(cells(lines[number]), tuple(cells(row) for row in lines[number + 2:end]), number + 1))
            number = end
        else:
            number += 1
    return found


def rows_by_first_cell(text: str, first_cell: str = r".+") -> dict[str, tuple[str, ...]]:
    """The rows of every table in `text` whose first cell matches `first_cell`, by that cell
    without its backticks (a reason, a check id, an exit code, a step)."""
    return {row[0].strip("`"): row for table in tables(text) for row in table.rows if re.fullmatch(first_cell, row[0])}


def section(text: str, heading: str) -> str:
    """The text under the heading that reads `heading`, up to the next heading of its level or above."""
    lines = text.splitlines()
    headings = _headings(lines)
    for number, level in headings.items():
        if lines[number][level:].strip() == heading:
            end = next((later for later, deeper in headings.items() if later > number and deeper <= level), len(lines))
            return "\n".join(lines[number + 1:end])
    raise AssertionError(f"no heading {heading!r}")


def headings(text: str) -> list[str]:
    """The text of every heading, in order (what a `#anchor` link can point at)."""
    lines = text.splitlines()
    return [lines[number][level:].strip() for number, level in _headings(lines).items()]


def _headings(lines: list[str]) -> dict[int, int]:
    """Line index → level of every heading, skipping fenced code (a `# comment` in a shell block)."""
    found = {}
    fenced = False
    for number, line in enumerate(lines):
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and (match := _HEADING.match(line)):
            found[number] = len(match.group(1))
    return found
