"""The AI clients litellm-key configures: one module per client, each declaring what it writes.

Every module exposes `NAME` and `files(ctx)`: what it writes, declared as data (`Setting`s per
file); `Client` gives each the same `configure`, `remove` and `describe`. So
merging, atomic writes, idempotence, the "never overwrite a malformed file" rule and the undo
record for `logout` are written once, in `_merge.py`, not five times.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Mapping

from ..secret import ClientKey
from ..settings import Settings
from ..known_clients import CLIENTS

CONFIGURED = "configured"
NOT_CONFIGURED = "not configured"
DRIFTED = "drifted"

# client name -> module under litellm_key.clients, from the one declaration per client
MODULES: dict[str, str] = {client.name: client.module for client in CLIENTS}

# Where Roo Code's provider profile goes, written the way VS Code's `roo-cline.autoImportSettingsPath`
# must name it: Roo expands a leading `~/` with os.homedir() (not $XDG_CONFIG_HOME), so the file is
# always under ~/.config, whatever XDG_CONFIG_HOME says. The Dev Container feature sets this value.
ROO_SETTINGS_PATH = "~/.config/litellm-key/roo-code-settings.json"


@dataclass(frozen=True)
class ClientContext:
    """Everything a client module needs, passed in so tests can point HOME and friends anywhere.

    `key` is None for `logout` and `status` without a stored key; `token_command` is the shell
    command that prints the key (Claude Code's apiKeyHelper).
    """

    settings: Settings
    key: ClientKey | None
    home: Path
    token_command: str
    environ: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def current(cls, settings: Settings, key: ClientKey | None, token_command: str) -> "ClientContext":
        return cls(settings, key, Path.home(), token_command, dict(os.environ))

    def env_path(self, variable: str, default: Path) -> Path:
        """A client's home folder: its own variable (CODEX_HOME, ...) when set, else the default."""
        value = self.environ.get(variable, "")
        return Path(value).expanduser() if value else default

    @property
    def config_home(self) -> Path:
        return self.env_path("XDG_CONFIG_HOME", self.home / ".config")

    @property
    def ledger_dir(self) -> Path:
        """Where the undo record for `logout` lives: next to the other per-user state."""
        return self.settings.state_dir / "client-changes"


@dataclass(frozen=True)
class ClientChange:
    """What one configure/remove did: files rewritten (or deleted) and files already right."""

    client: str
    changed: tuple[Path, ...] = ()
    unchanged: tuple[Path, ...] = ()
    note: str = ""

    @property
    def files(self) -> tuple[Path, ...]:
        return self.changed + self.unchanged


@dataclass(frozen=True)
class ClientState:
    """For `status`: configured / not configured / drifted (our settings exist but point elsewhere)."""

    client: str
    state: str
    detail: str = ""
    files: tuple[Path, ...] = ()


@dataclass(frozen=True)
class Client:
    """One client: its module declares the files and settings (`files(ctx)`, optional `NOTE`);
    configuring, removing and describing them is the same for every client."""

    name: str
    module: ModuleType

    def configure(self, ctx: ClientContext) -> ClientChange:
        from . import _merge

        return _merge.configure(ctx, self.name, self.module.files(ctx), getattr(self.module, "NOTE", ""))

    def remove(self, ctx: ClientContext) -> ClientChange:
        from . import _merge

        return _merge.remove(ctx, self.name, self.module.files(ctx))

    def describe(self, ctx: ClientContext) -> ClientState:
        from . import _merge

        return _merge.describe(ctx, self.name, self.module.files(ctx))


def get_client(name: str) -> Client:
    """The client for a name; its module is imported on demand (codex pulls in tomlkit)."""
    return Client(name, importlib.import_module(f"{__name__}.{MODULES[name]}"))
