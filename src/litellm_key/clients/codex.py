"""Codex CLI: a `litellm` model provider in `$CODEX_HOME/config.toml` (default `~/.codex`).

Codex ignores OPENAI_BASE_URL for a custom provider and rejects `wire_api = "chat"`, so the
provider table is the only way in. The key stays in the environment (`env_key`), exported by the
shell profile snippet. tomlkit keeps the user's comments and layout; it is imported only here, and
only when a Codex config is actually read or written.
"""

from __future__ import annotations

import re
from typing import Any, MutableMapping

from . import ClientContext
from ._formats import ParseProblem
from ._document import ConfigFile, Setting

NAME = "codex"
PROVIDER = "litellm"
KEY_VARIABLE = "LITELLM_API_KEY"  # same name as in .env: one variable for Codex and OpenCode


class TomlFormat:
    name = "TOML"

    def load(self, text: str) -> MutableMapping[str, Any]:
        import tomlkit
        from tomlkit.exceptions import ParseError

        try:
            return tomlkit.parse(text)
        except ParseError as error:
            problem = re.sub(r" at line \d+ col \d+$", "", str(error))
            raise ParseProblem(error.line, f"{problem} at column {error.col}") from None

    def dump(self, document: MutableMapping[str, Any], original: str | None) -> str:
        import tomlkit

        text = tomlkit.dumps(document)
        if not text.strip():
            return ""
        if not original or not original.strip():
            return text
        # tomlkit leaves the blank line that separated a removed table behind: end as the file did.
        endings = len(original) - len(original.rstrip("\n"))
        return text.rstrip("\n") + "\n" * endings

    def new_table(self, *, holds_values: bool) -> MutableMapping[str, Any]:
        import tomlkit

        # A table that only holds tables (`model_providers`) is a super table: no empty `[model_providers]` header.
        return tomlkit.table(is_super_table=not holds_values)

    def plain(self, value: Any) -> Any:
        return value.unwrap() if hasattr(value, "unwrap") else value


TOML = TomlFormat()


def files(ctx: ClientContext) -> tuple[ConfigFile, ...]:
    provider = ("model_providers", PROVIDER)
    return (
        ConfigFile(
            ctx.env_path("CODEX_HOME", ctx.home / ".codex") / "config.toml",
            TOML,
            (
                Setting(("model",), ctx.settings.model_for(NAME)),
                Setting(("model_provider",), PROVIDER),
                Setting((*provider, "name"), "LiteLLM"),
                Setting((*provider, "base_url"), f"{ctx.settings.base_url}/v1"),
                Setting((*provider, "env_key"), KEY_VARIABLE),
                Setting((*provider, "wire_api"), "responses"),
            ),
        ),
    )

