"""Reading and writing a client's config file without disturbing the parts that are not ours.

A format turns text into a mutable mapping and back. JSON is re-rendered in the style the file
already had (indent, separators, final newline) so a merge changes only the lines of our keys and a
revert gives the user's bytes back; TOML (Codex) lives in codex.py because it needs tomlkit.
"""

from __future__ import annotations

import json
import re
from typing import Any, MutableMapping, Protocol


class ParseProblem(Exception):
    """The file is not valid in its format; `line` is 1-based (or "?")."""

    def __init__(self, line: int | str, detail: str) -> None:
        super().__init__(detail)
        self.line = line
        self.detail = detail


class Format(Protocol):
    name: str

    def load(self, text: str) -> MutableMapping[str, Any]:
        """Parse; raise ParseProblem for anything that is not a document holding a mapping."""

    def dump(self, document: MutableMapping[str, Any], original: str | None) -> str:
        """Render, in the style of `original` when there was one."""

    def new_table(self, *, holds_values: bool) -> MutableMapping[str, Any]:
        """A container to create on the way to a setting."""

    def plain(self, value: Any) -> Any:
        """The value as plain Python (for comparing and for the undo record)."""


class JsonFormat:
    name = "JSON"

    def load(self, text: str) -> MutableMapping[str, Any]:
        if not text.strip():  # an empty file is an empty config, not a broken one
            return {}
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            raise ParseProblem(error.lineno, f"{error.msg} at column {error.colno}") from None
        if not isinstance(document, dict):
            raise ParseProblem(1, f"the top level is {type(document).__name__}, not an object")
        return document

    def dump(self, document: MutableMapping[str, Any], original: str | None) -> str:
        indent, separators, final_newline = _json_style(original)
        text = json.dumps(document, indent=indent, separators=separators, ensure_ascii=False)
        return text + ("\n" if final_newline else "")

    def new_table(self, *, holds_values: bool) -> MutableMapping[str, Any]:
        return {}

    def plain(self, value: Any) -> Any:
        return value


def _json_style(original: str | None) -> tuple[str | None, tuple[str, str], bool]:
    """(indent, separators, final newline) of an existing file; new files get 2 spaces and a newline.

    Claude Code, Gemini CLI and OpenCode write `JSON.stringify(value, null, 2)`, which this reproduces.
    """
    if original is None or not original.strip():
        return "  ", (",", ": "), True
    final_newline = original.endswith("\n")
    body = original.strip()
    if "\n" not in body:
        compact = not re.search(r'"\s*:\s', body)
        return None, ((",", ":") if compact else (", ", ": ")), final_newline
    indent = re.search(r"\n([ \t]+)\S", body)
    return (indent.group(1) if indent else "  "), (",", ": "), final_newline


JSON = JsonFormat()
