"""The lines a service that takes seconds shows as it goes (a renewal, reading the browser's
session): commands hand in their Console, which has these methods; a service imports no console."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def step(self, message: str) -> None: ...

    def ok(self, message: str) -> None: ...

    def info(self, message: str) -> None: ...

    def warn(self, message: str, fix: str = "") -> None: ...
