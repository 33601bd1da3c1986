"""Reading and writing a client's config file without disturbing the parts that are not ours.

A format turns text into a mutable mapping and back. JSON is re-rendered in the style the file
already had (indent, separators, final newline) so a merge changes only the lines of our keys and a
revert gives the user's bytes back; TOML (Codex) lives in codex.py because it needs tomlkit.
Numbers and strings keep their literal text (`1e400` is not Python's `inf`, which would come back
as the `Infinity` Node cannot read; `"\\u00e9"` stays escaped), and a file Node would read differently from us (duplicate keys,
NaN/Infinity) is malformed: never silently rewritten.
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


class Number:
    """A JSON number exactly as the file wrote it; `value` is what it means, for comparing."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.value = int(text) if text.lstrip("-").isdigit() and len(text) < 4000 else float(text)

    def __repr__(self) -> str:
        return self.text


class Literal(str):
    """A JSON string whose text our rendering would change (`\\u00e9`, `\\/`, a lone `\\ud800`,
    which UTF-8 cannot even hold): it means its value, and is written back as the file spelled it."""

    text: str

    def __new__(cls, value: str, text: str) -> "Literal":
        literal = super().__new__(cls, value)
        literal.text = text
        return literal


def _string(text: str, end: int, strict: bool = True) -> tuple[str, int]:
    """json's scanstring, keeping the spelling of a string that would not come back the same."""
    from json.decoder import scanstring
    from json.encoder import encode_basestring  # what _render writes a string as

    value, after = scanstring(text, end, strict)
    spelled = text[end - 1 : after]
    kept = "\\" not in spelled or encode_basestring(value) == spelled
    return (value if kept else Literal(value, spelled)), after


# An escape our rendering would not write back the same (json.dumps(..., ensure_ascii=False), like
# Node's JSON.stringify, writes `\\uXXXX` only for control characters, in lowercase, and no `\\/`):
# only a file that has one pays for the pure-Python scanner. (An escaped backslash before `/` or `u`
# matches too: that only costs the slow path, which decides exactly.)
_CHANGED_ESCAPE = re.compile(r"\\(?:/|u(?!00(?:0[0-7]|0b|0e|0f|1[0-9a-f]))[0-9a-fA-F]{4})")
# A JSON string token, and whether a `:` follows (a name); escapes decide whether it is looked at.
_STRING_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"(\s*:)?', re.DOTALL)


def _check_names(text: str) -> None:
    """A name (`{"caf\\u00e9": 1}`) cannot keep its spelling through our rendering: such a file is
    malformed for us, never rewritten (the JSONC rule)."""
    for match in _STRING_TOKEN.finditer(text):
        spelled = f'"{match.group(1)}"'
        if match.group(2) and isinstance(_string(spelled, 1)[0], Literal):
            raise ParseProblem(text.count("\n", 0, match.start()) + 1, "a name is written with escapes litellm-key would rewrite")


def _line_of(text: str, pattern: str, occurrence: int = 0) -> int | str:
    """1-based line of the n-th match in text (json's hooks are not told where they are)."""
    matches = list(re.finditer(pattern, text))
    return text.count("\n", 0, matches[occurrence].start()) + 1 if len(matches) > occurrence else "?"


class JsonFormat:
    name = "JSON"

    def load(self, text: str) -> MutableMapping[str, Any]:
        if not text.strip():  # an empty file is an empty config, not a broken one
            return {}

        def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
            document: dict[str, Any] = {}
            for name, value in pairs:
                if name in document:  # Node keeps the last one, Python too: dropping one is a rewrite
                    where = _line_of(text, re.escape(json.dumps(name, ensure_ascii=False)) + r"\s*:", 1)
                    raise ParseProblem(where, f"the key {json.dumps(name)[:60]} appears twice")
                document[name] = value
            return document

        def constant(name: str) -> Any:
            raise ParseProblem(_line_of(text, re.escape(name)), f"{name} is not a JSON number")

        decoder = json.JSONDecoder(parse_float=Number, parse_int=Number, parse_constant=constant, object_pairs_hook=unique)
        respell = "\\" in text and _CHANGED_ESCAPE.search(text) is not None
        if respell:  # strings keep their spelling (only the pure-Python scanner takes the hook)
            from json.scanner import py_make_scanner

            decoder.parse_string = _string
            decoder.scan_once = py_make_scanner(decoder)
        try:
            if respell:
                _check_names(text)
            document = decoder.decode(text)
        except json.JSONDecodeError as error:
            raise ParseProblem(error.lineno, f"{error.msg} at column {error.colno}") from None
        except (ValueError, RecursionError) as error:  # e.g. nesting deeper than Python's stack
            raise ParseProblem("?", type(error).__name__) from None
        if not isinstance(document, dict):
            raise ParseProblem(1, f"the top level is {type(document).__name__}, not an object")
        return document

    def dump(self, document: MutableMapping[str, Any], original: str | None) -> str:
        indent, separators, final_newline = _json_style(original)
        return _render(document, indent, separators, "") + ("\n" if final_newline else "")

    def new_table(self, *, holds_values: bool) -> MutableMapping[str, Any]:
        return {}

    def plain(self, value: Any) -> Any:
        if isinstance(value, Number):
            return value.value
        if isinstance(value, dict):
            return {name: self.plain(item) for name, item in value.items()}
        if isinstance(value, list):
            return [self.plain(item) for item in value]
        return value


def _render(value: Any, indent: str | None, separators: tuple[str, str], prefix: str) -> str:
    """json.dumps(value, indent=..., separators=..., ensure_ascii=False), but numbers as written."""
    if isinstance(value, (Number, Literal)):
        return value.text
    if not isinstance(value, (dict, list)) or not value:
        return json.dumps(value, ensure_ascii=False)
    item_separator, key_separator = separators
    inner = prefix + indent if indent is not None else ""
    if isinstance(value, dict):
        items = [f"{json.dumps(str(k), ensure_ascii=False)}{key_separator}{_render(v, indent, separators, inner)}" for k, v in value.items()]
        opening, closing = "{", "}"
    else:
        items = [_render(item, indent, separators, inner) for item in value]
        opening, closing = "[", "]"
    if indent is None:
        return opening + item_separator.join(items) + closing
    return f"{opening}\n{inner}" + f"{item_separator}\n{inner}".join(items) + f"\n{prefix}{closing}"


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
