"""Rewriting our lines of a `.env`, every other byte untouched, as python-dotenv would read them.

Two ways, one answer: a scanner that finds our lines by searching for the variable names (a 10 MB
.env costs a few searches), and python-dotenv's own parser for files where some line could be read
in two ways. Tests hold the scanner to the parser's output on a hostile corpus and random lines.
"""

from __future__ import annotations

import io
from typing import Mapping

from ..keyhelper import UNUSUAL_SPACE, UNUSUAL_SPACE_ASCII, assignment


def _assignment(old_line: str, name: str, value: str) -> str:
    """Our variable's new line, keeping the indentation, `export` prefix and quote style it had."""
    indent = old_line[: len(old_line) - len(old_line.lstrip())]
    export = "export " if old_line.lstrip().startswith("export") else ""
    after_equals = old_line.split("=", 1)[1].lstrip() if "=" in old_line else ""
    quote = after_equals[0] if after_equals[:1] in ("'", '"') else ""
    return f"{indent}{export}{name}={quote}{value}{quote}"


_BOM = "\ufeff".encode()


def _line_around(data: bytes, position: int) -> tuple[int, int]:
    """(start, end) of the line holding `position`, the end past its newline."""
    start = data.rfind(b"\n", 0, position) + 1
    end = data.find(b"\n", position)
    return start, len(data) if end == -1 else end + 1


def _decode(line: bytes) -> str:
    return line.decode("utf-8", "surrogateescape")


# A line python-dotenv may read past its end, found by one search over the whole file (a 10 MB
# .env costs tens of milliseconds, not a Python loop per line): a quote in the name part (a quoted
# key), or a value that opens a quote and reaches the end of the line or a backslash before
# closing it. Comments and unquoted values end with their line. `(?=(x*))\1` is an atomic
# group (Python 3.10 has none), so a good line costs no backtracking.
_DEPENDENT_LINE = (
    rb"""(?=([^=\n'"#]*))\1(?:['"]|=[ \t]*(?:'(?=([^'\n\\]*))\2(?:\\|$)|"(?=([^"\n\\]*))\3(?:\\|$)))"""
)


def _lines_are_independent(data: bytes, end: int) -> bool:
    """Whether python-dotenv reads every line of `data[:end]` on its own (what keyhelper's
    line_is_independent decides line by line, for the whole stretch at once)."""
    import re

    unusual = UNUSUAL_SPACE_ASCII if data.isascii() else UNUSUAL_SPACE
    if any(data.find(char.encode(), 0, end) != -1 for char in unusual):
        return False
    if data.count(b"\r", 0, end) != data.count(b"\r\n", 0, end):
        return False  # a lone CR ends a line for dotenv, not for this scanner
    if re.compile(_DEPENDENT_LINE, re.MULTILINE).match(data, 0, end):
        return False
    # Searching for "\n" + pattern lets the regex engine skip to line starts at memchr speed.
    return re.compile(b"\n" + _DEPENDENT_LINE, re.MULTILINE).search(data, 0, end) is None


def _scan_update(data: bytes, updates: Mapping[str, str | None]) -> bytes | None:
    """`data` with our lines rewritten, found by searching for the names instead of parsing the
    whole file (python-dotenv's regex per line made a 10 MB .env cost seconds); None when some
    line could be read differently by python-dotenv, which then decides.

    Only the lines up to the last one mentioning a name must stand alone: a quote opened further
    down cannot reach back, and cannot swallow the lines we append (they hold no quote).
    """
    if data.startswith(_BOM) or any(value and any(c in value for c in "'\"\r\n") for value in updates.values()):
        return None
    newline = b"\r\n" if b"\r\n" in data else b"\n"
    edits: list[tuple[int, int, bytes]] = []
    written: set[str] = set()
    checked_to = 0
    for name, value in updates.items():
        position = data.find(name.encode())
        while position != -1:
            start, end = _line_around(data, position)
            checked_to = max(checked_to, end)
            piece = data[start:end]
            body = piece.rstrip(b"\r\n")
            parsed = assignment(_decode(body))
            if parsed is not None and parsed[0] == name:
                if parsed[1] is None:
                    return None  # `NAME` alone or a broken value: dotenv's rules decide
                replacement = b""
                if value is not None:
                    ending = piece[len(body) :] or newline
                    replacement = _assignment(_decode(body), name, value).encode("utf-8", "surrogateescape") + ending
                    written.add(name)
                edits.append((start, end, replacement))
            position = data.find(name.encode(), end)
    if not _lines_are_independent(data, checked_to):
        return None
    view = memoryview(data)
    pieces: list[bytes | memoryview] = []
    done = 0
    for start, end, replacement in sorted(edits):
        pieces += [view[done:start], replacement]
        done = end
    pieces.append(view[done:])
    missing = [f"{name}={value}".encode() + newline for name, value in updates.items() if value is not None and name not in written]
    last = next((bytes(piece[-1:]) for piece in reversed(pieces) if len(piece)), b"\n")
    if missing and last != b"\n":
        pieces.append(newline)
    return b"".join([*pieces, *missing])


def _split_binding(original: str) -> tuple[str, str, str]:
    """(blank lines before, the assignment line without its ending, the line ending).

    python-dotenv folds the blank lines above an assignment into its `original` text; those belong
    to the user's layout and must stay when we replace or drop the assignment.
    """
    body_start = len(original) - len(original.lstrip())
    cut = original.rfind("\n", 0, body_start) + 1
    line = original[cut:]
    ending = "\r\n" if line.endswith("\r\n") else "\n" if line.endswith("\n") else ""
    return original[:cut], line[: len(line) - len(ending)], ending


def _render_with_dotenv(text: str, updates: Mapping[str, str | None]) -> str:
    """The careful path: python-dotenv's own parser says where each binding starts and ends."""
    from dotenv.parser import parse_stream

    newline = "\r\n" if "\r\n" in text else "\n"
    pieces: list[str] = []
    written: set[str] = set()
    for binding in parse_stream(io.StringIO(text)):
        if binding.error or binding.key not in updates:
            pieces.append(binding.original.string)
            continue
        blank_lines, line, ending = _split_binding(binding.original.string)
        pieces.append(blank_lines)
        value = updates[binding.key]
        if value is not None:
            pieces.append(_assignment(line, binding.key, value) + (ending or newline))
            written.add(binding.key)
    result = "".join(pieces)
    for name, value in updates.items():
        if value is not None and name not in written:
            if result and not result.endswith("\n"):
                result += newline
            result += f"{name}={value}{newline}"
    return result


def render_bytes(data: bytes, updates: Mapping[str, str | None]) -> bytes:
    """`data` with each variable in `updates` set (or removed when None); every other byte untouched."""
    if data.startswith(_BOM):  # dotenv reads past it; it stays the file's first bytes
        return _BOM + render_bytes(data[len(_BOM) :], updates)
    scanned = _scan_update(data, updates)
    if scanned is not None:
        return scanned
    return _render_with_dotenv(_decode(data), updates).encode("utf-8", "surrogateescape")


def render_update(text: str, updates: Mapping[str, str | None]) -> str:
    """`render_bytes` for text."""
    return _decode(render_bytes(text.encode("utf-8", "surrogateescape"), updates))
