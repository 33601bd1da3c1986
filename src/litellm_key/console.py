"""How results reach a person or a script: ✓/✗ lines, --quiet for hooks, --json for scripts.

Human progress goes to stdout, failures and warnings to stderr; in --json mode stdout carries one
JSON document and nothing else. Colour only on a terminal, and never with NO_COLOR set.
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
            print(f"{self._paint(self.out, _GREEN, '✓')} {message}", file=self.out)

    def info(self, message: str) -> None:
        if self.chatty:
            print(f"  {message}", file=self.out)

    def step(self, message: str) -> None:
        """A line that says what is about to happen, dimmed so results stand out."""
        if self.chatty:
            print(self._paint(self.out, _DIM, f"… {message}"), file=self.out)

    def warn(self, message: str, fix: str = "") -> None:
        print(f"{self._paint(self.err, _YELLOW, '!')} {message}", file=self.err)
        if fix:
            print(f"  fix: {fix}", file=self.err)

    def failure(self, error: LitellmKeyError, document: dict[str, Any] | None = None) -> None:
        """`document`: what a command that ran to the end found (a report with failed rows), so
        --json still prints one document, the report with the error in it."""
        print(f"{self._paint(self.err, _RED, '✗')} {error.message}", file=self.err)
        if error.fix:
            print(f"  fix: {error.fix}", file=self.err)
        if self.json_mode:
            self.emit({**(document or {}), "ok": False, "error": error.as_dict()})

    def emit(self, document: dict[str, Any]) -> None:
        """The --json result: sorted keys so scripts and diffs see a stable shape, and the schema
        `version` so a script can tell what it reads."""
        if self.json_mode:
            import json

            print(json.dumps({"version": JSON_VERSION, **document}, indent=2, sort_keys=True), file=self.out)
