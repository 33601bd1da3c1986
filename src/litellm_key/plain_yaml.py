"""The settings file the Dev Container feature writes, read without PyYAML.

Every container has /etc/litellm-key/config.yaml, and `apply` (every container start), `status` and
`setup` read it. Importing PyYAML costs ~13 ms (`python -X importtime`), a tenth of the time issue
10 allows a warm `apply`. The feature's install.sh writes a flat file in a tiny subset of YAML:
comment lines, and `name: value` lines whose value is a single-quoted scalar, `true`/`false`, or a
flow list of single-quoted scalars. `plain_mapping` reads exactly that subset and returns None for
anything else, which PyYAML then reads (and explains). A test holds it to PyYAML's answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

_NAME = frozenset("abcdefghijklmnopqrstuvwxyz_")
# Plain scalars made of those letters that YAML does not read as a string.
_NOT_TEXT = frozenset(("yes", "no", "true", "false", "on", "off", "null"))


def _quoted(text: str, start: int) -> tuple[str, int] | None:
    """The single-quoted scalar opening at `start` (`''` is its only escape), and the index after
    its closing quote; None when there is none on this line."""
    if text[start : start + 1] != "'":
        return None
    parts, index = [], start + 1
    while True:
        close = text.find("'", index)
        if close == -1:
            return None
        parts.append(text[index:close])
        if text[close + 1 : close + 2] != "'":
            return "".join(parts), close + 1
        parts.append("'")
        index = close + 2


def _value(text: str) -> tuple[Any, int] | None:
    """The value and how many YAML nodes it is, or None when it is not in the subset."""
    if text in ("true", "false"):
        return text == "true", 1
    if text == "[]":
        return [], 1
    if text[:1] == "[":
        items, index = [], 1
        while (item := _quoted(text, index)) is not None:
            items.append(item[0])
            index = item[1]
            if text[index:] == "]":
                return items, 1 + len(items)
            if text[index : index + 2] != ", ":
                return None
            index += 2
        return None
    scalar = _quoted(text, 0)
    return (scalar[0], 1) if scalar is not None and scalar[1] == len(text) else None


def plain_mapping(text: str, max_nodes: int) -> dict[str, tuple[Any, int]] | None:
    """{name: (value, line)} as PyYAML reads `text`, or None when `text` is not in the subset
    (or holds more than `max_nodes` nodes: PyYAML's path refuses those)."""
    if not text.isascii() or not text.replace("\n", "").isprintable():
        return None
    values: dict[str, tuple[Any, int]] = {}
    nodes = 1
    for number, line in enumerate(text.split("\n"), 1):
        if not line or line[0] == "#":
            continue
        name, separator, rest = line.partition(": ")
        parsed = _value(rest) if separator else None
        if parsed is None or not name or not _NAME.issuperset(name) or name in _NOT_TEXT:
            return None
        values[name] = (parsed[0], number)
        nodes += 1 + parsed[1]
    return values if nodes <= max_nodes else None
