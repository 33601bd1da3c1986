"""How results reach a person or a script: ✓/✗ lines, --quiet for hooks, --json for scripts.

Human progress goes to stdout, failures and warnings to stderr; in --json mode stdout carries one
JSON document and nothing else. Colour only on a terminal, and never with NO_COLOR set.

Every line goes through `neutralised`: server and file text (LiteLLM's error messages, key aliases,
model ids, a login's user code) is data, and an ESC, BEL or carriage return in it must not move the
cursor, retitle the window or overwrite the line before it. --json needs nothing more: `json.dumps`
escapes every control character itself.
"""

from __future__ import annotations

import os
import sys
from .errors import LitellmKeyError

TYPE_CHECKING = False  # not `from typing import`: the apiKeyHelper path imports this module
if TYPE_CHECKING:
    from typing import Any, TextIO

# The schema version every --json document carries; raised when a field changes meaning or goes.
JSON_VERSION = 1
_GREEN, _RED, _YELLOW, _DIM, _RESET = "\033[32m", "\033[31m", "\033[33m", "\033[2m", "\033[0m"
# The C0 controls but tab and line feed, DEL and the C1 controls (0x9b is a one-character CSI):
# shown as `\x1b`, so a reader sees that the server sent one and the terminal obeys none.
_CONTROLS = {code: f"\\x{code:02x}" for code in (*range(0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0))}


def neutralised(text: str) -> str:
    """`text` with every terminal control character written out instead of sent (`\x1b[2J` prints
    as those five characters): the one filter every line of output passes."""
    return text.translate(_CONTROLS)


class Console:
    def __init__(
        self, *, quiet: bool = False, json_mode: bool = False, out: TextIO | None = None, err: TextIO | None = None
    ) -> None:
        self.quiet = quiet
        self.json_mode = json_mode
        self.out = out or sys.stdout
        self.err = err or sys.stderr

    def _paint(self, stream: TextIO, colour: str, text: str) -> str:
        if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb" or not stream.isatty():
            return text
        return f"{colour}{text}{_RESET}"

    @property
    def chatty(self) -> bool:
        return not (self.quiet or self.json_mode)

    def ok(self, message: str) -> None:
        if self.chatty:
            print(f"{self._paint(self.out, _GREEN, '✓')} {neutralised(message)}", file=self.out)

    def info(self, message: str) -> None:
        if self.chatty:
            self.line(f"  {message}")

    def step(self, message: str) -> None:
        """A line that says what is about to happen, dimmed so results stand out."""
        if self.chatty:
            print(self._paint(self.out, _DIM, f"… {neutralised(message)}"), file=self.out)

    def line(self, text: str, *, stream: TextIO | None = None, flush: bool = False) -> None:
        """A line printed whatever --quiet says (a table row, the login's URL and code, a doctor
        check), on stdout unless `stream` says otherwise."""
        print(neutralised(text), file=stream or self.out, flush=flush)

    def warn(self, message: str, fix: str = "") -> None:
        print(f"{self._paint(self.err, _YELLOW, '!')} {neutralised(message)}", file=self.err)
        if fix:
            self.line(f"  fix: {fix}", stream=self.err)

    def failure(self, error: LitellmKeyError, document: dict[str, Any] | None = None) -> None:
        """`document`: what a command that ran to the end found (a report with failed rows), so
        --json still prints one document, the report with the error in it."""
        print(f"{self._paint(self.err, _RED, '✗')} {neutralised(error.message)}", file=self.err)
        if error.fix:
            self.line(f"  fix: {error.fix}", stream=self.err)
        if self.json_mode:
            self.emit({**(document or {}), "ok": False, "error": error.as_dict()})

    def emit(self, document: dict[str, Any]) -> None:
        """The --json result: sorted keys so scripts and diffs see a stable shape, and the schema
        `version` so a script can tell what it reads."""
        if self.json_mode:
            import json

            print(json.dumps({"version": JSON_VERSION, **document}, indent=2, sort_keys=True), file=self.out)
