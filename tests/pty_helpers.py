"""The CLI on a real pseudo-terminal, as a person at a keyboard runs it: the `spawn` fixture
(conftest.py makes it available everywhere) and the keys a person presses."""

from __future__ import annotations

import sys

import pexpect
import pytest

ENTER = "\r"


@pytest.fixture
def spawn(cli):
    children = []

    def start(*args: str, env: dict[str, str] | None = None) -> pexpect.spawn:
        child = pexpect.spawn(
            sys.executable, ["-m", "litellm_key", *args], cwd=str(cli.workspace), env=env or cli.env,
            encoding="utf-8", timeout=20, dimensions=(24, 120),
        )
        children.append(child)
        return child

    yield start
    for child in children:
        child.close(force=True)
