"""Shared fixtures: a LiteLLM stand-in, a git workspace, and the real CLI as a subprocess.

Every CLI call is checked for leaked secrets: no registered key may appear in full on stdout or
stderr, except from `token` and `env`, whose job is to print it.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from litellm_standin import MASTER_KEY, LiteLLMStandin  # noqa: E402
from proxy_helpers import proxy_env, start_proxy, upstream  # noqa: E402,F401 (fixtures for every test module)
from pty_helpers import spawn  # noqa: E402,F401 (fixture)
from hostile_server import Behaviour, HostileServer  # noqa: E402
from sso_standin import sso  # noqa: E402,F401 (fixture)
from portal_standin import home, pcli, portal, token_file  # noqa: E402,F401 (fixtures)

REPO = Path(__file__).resolve().parent.parent
GOOD_KEY = "sk-good-client-key-0123456789abcdef"
PAST = "2021-06-01T00:00:00Z"  # an expiry long gone
PRINTS_KEY = {"token", "env"}


def store(workspace: Path, secret: str, expires: str | None) -> bytes:
    """A .env holding `secret` (and its expiry) beside a line of the user's; its bytes."""
    text = f"# mine\nLITELLM_API_KEY={secret}\n" + (f"LITELLM_KEY_EXPIRES={expires}\n" if expires else "")
    (workspace / ".env").write_text(text)
    return text.encode()


def env_value(workspace: Path, name: str) -> str | None:
    """One variable's value as the .env holds it (None when absent)."""
    for line in (workspace / ".env").read_text().splitlines():
        if line.startswith(f"{name}="):
            return line.split("=", 1)[1]
    return None


def in_hours(hours: float) -> str:
    """An expiry `hours` from now, as LITELLM_KEY_EXPIRES spells it."""
    return (datetime.now(timezone.utc) + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")


def env_text(workspace: Path) -> str:
    """The workspace's .env as text, empty when there is none (what a failed command must leave)."""
    env_file = workspace / ".env"
    return env_file.read_text() if env_file.exists() else ""


@pytest.fixture
def standin(httpserver) -> LiteLLMStandin:
    server = LiteLLMStandin(httpserver)
    server.add_key(GOOD_KEY, alias="dev-alice", expires="2099-12-31T00:00:00Z")
    return server


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    folder = tmp_path / "workspace"
    folder.mkdir()
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    return folder


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


class Cli:
    """Runs `python -m litellm_key` in the workspace with an isolated HOME and state dir."""

    def __init__(self, workspace: Path, home: Path, standin: LiteLLMStandin | None) -> None:
        self.workspace = workspace
        self.standin = standin
        self.env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("LITELLM_", "ANTHROPIC_", "OPENAI_", "GEMINI_"))
        }
        self.env.update(
            HOME=str(home),
            XDG_STATE_HOME=str(home / ".local" / "state"),
            XDG_CONFIG_HOME=str(home / ".config"),
            LITELLM_KEY_SYSTEM_CONFIG=str(home / "no-system-config.yaml"),
            PYTHONPATH=str(REPO / "src"),
            NO_COLOR="1",
        )
        if standin is not None:
            self.env.update(LITELLM_PROXY="false", LITELLM_UPSTREAM=standin.url)

    def secrets(self) -> set[str]:
        known = {MASTER_KEY, GOOD_KEY}
        if self.standin is not None:
            known |= set(self.standin.keys)
        return known

    def __call__(
        self, *args: str, input: str | None = None, env: dict[str, str] | None = None, new_keys_shown: int = 0
    ) -> Result:
        """`new_keys_shown`: how many keys made during this call it may print (`keys generate`)."""
        before = self.secrets()
        completed = subprocess.run(
            [sys.executable, "-m", "litellm_key", *args],
            cwd=self.workspace,
            env={**self.env, **(env or {})},
            input=input if input is not None else "",
            capture_output=True,
            text=True,
            timeout=60,
        )
        result = Result(completed.returncode, completed.stdout, completed.stderr)
        if not PRINTS_KEY & set(args[:1]):
            leaked = [secret for secret in before | self.secrets() if secret in result.output]
            new = [secret for secret in leaked if secret not in before]
            if len(new) <= new_keys_shown:
                leaked = [secret for secret in leaked if secret in before]
            assert not leaked, f"`litellm-key {' '.join(args)}` printed a full key:\n{result.output}"
        return result


@pytest.fixture
def cli(workspace: Path, tmp_path: Path, standin: LiteLLMStandin) -> Cli:
    home = tmp_path / "home"
    home.mkdir()
    return Cli(workspace, home, standin)


@pytest.fixture
def hostile(workspace: Path, tmp_path: Path):
    """Start a hostile server; return a Cli pointed at it (no proxy) plus the server."""
    servers: list[HostileServer] = []
    home = tmp_path / "home"
    home.mkdir()

    def start(behaviour: Behaviour) -> Cli:
        (workspace / ".gitignore").write_text("/.env\n")  # so a failed setup has nothing to write at all
        server = HostileServer(behaviour)
        servers.append(server)
        cli = Cli(workspace, home, None)
        cli.env.update(LITELLM_PROXY="false", LITELLM_UPSTREAM=server.url)
        return cli

    yield start
    for server in servers:
        server.close()
