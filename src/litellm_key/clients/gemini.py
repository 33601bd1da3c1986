"""Gemini CLI: API-key auth, a model the key has, and a trusted workspace.

Environment variables alone fail ("Invalid auth method selected"): `security.auth.selectedType`
must say `gemini-api-key`. Without `model.name` Gemini first asks a flash model to route the
request. In an untrusted folder it refuses to run non-interactively, so the workspace goes into
`trustedFolders.json`. GEMINI_API_KEY and GOOGLE_GEMINI_BASE_URL come from the shell profile
snippet (`litellm-key env`), not from `~/.gemini/.env`: Gemini loads only the first `.env` it finds
walking up from the working directory, and inside the workspace that is the workspace's own
`.env`, so a key in `~/.gemini/.env` would be a second copy that is never read there.
"""

from __future__ import annotations

from pathlib import Path

from . import ClientContext
from ._formats import JSON
from ._document import ConfigFile, Setting

NAME = "gemini"


def gemini_dir(ctx: ClientContext) -> Path:
    return ctx.env_path("GEMINI_CLI_HOME", ctx.home) / ".gemini"


def files(ctx: ClientContext) -> tuple[ConfigFile, ...]:
    trusted_folders = ctx.env_path("GEMINI_CLI_TRUSTED_FOLDERS_PATH", gemini_dir(ctx) / "trustedFolders.json")
    return (
        ConfigFile(
            gemini_dir(ctx) / "settings.json",
            JSON,
            (
                Setting(("security", "auth", "selectedType"), "gemini-api-key", shared=True),
                Setting(("model", "name"), ctx.settings.model_for(NAME)),
            ),
        ),
        ConfigFile(trusted_folders, JSON, (Setting((str(ctx.settings.workspace),), "TRUST_FOLDER", shared=True),)),
    )

