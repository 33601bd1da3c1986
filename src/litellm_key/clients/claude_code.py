"""Claude Code: `~/.claude/settings.json` and the onboarding flag in `~/.claude.json`.

The key is never written here: `apiKeyHelper` runs `litellm-key token`, which reads `.env` on demand,
so a renewed key is picked up without restarting anything. A stale `ANTHROPIC_API_KEY` or
`ANTHROPIC_AUTH_TOKEN` in the `env` block would win over the helper, so those go. Without
`ANTHROPIC_MODEL` Claude Code asks for its own default model, which the key may not have.
"""

from __future__ import annotations

from pathlib import Path

from . import ClientContext
from ._formats import JSON
from ._document import ABSENT, ConfigFile, Setting

NAME = "claude-code"

# Claude Code's per-family model variables, filled from the configured model whose name has the family.
FAMILY_VARIABLES = {
    "sonnet": "ANTHROPIC_DEFAULT_SONNET_MODEL",
    "opus": "ANTHROPIC_DEFAULT_OPUS_MODEL",
    "haiku": "ANTHROPIC_DEFAULT_HAIKU_MODEL",
}


def config_dir(ctx: ClientContext) -> Path:
    return ctx.env_path("CLAUDE_CONFIG_DIR", ctx.home / ".claude")


def global_config(ctx: ClientContext) -> Path:
    """`~/.claude.json`, or `$CLAUDE_CONFIG_DIR/.claude.json` when Claude Code is told to live elsewhere."""
    return config_dir(ctx) / ".claude.json" if ctx.environ.get("CLAUDE_CONFIG_DIR") else ctx.home / ".claude.json"


def family_models(models: tuple[str, ...]) -> dict[str, str]:
    """ANTHROPIC_DEFAULT_*_MODEL for each family a configured model belongs to (first one wins)."""
    chosen: dict[str, str] = {}
    for model in models:
        for family, variable in FAMILY_VARIABLES.items():
            if family in model.lower() and variable not in chosen:
                chosen[variable] = model
    return chosen


def files(ctx: ClientContext) -> tuple[ConfigFile, ...]:
    settings = ctx.settings
    env = {
        "ANTHROPIC_BASE_URL": settings.base_url,
        "ANTHROPIC_API_KEY": ABSENT,
        "ANTHROPIC_AUTH_TOKEN": ABSENT,
        "ANTHROPIC_MODEL": settings.model_for(NAME),
        **family_models(settings.models),
    }
    return (
        ConfigFile(
            config_dir(ctx) / "settings.json",
            JSON,
            (
                Setting(("apiKeyHelper",), ctx.token_command),
                *(Setting(("env", name), value, secret=value is ABSENT) for name, value in env.items()),
            ),
        ),
        ConfigFile(global_config(ctx), JSON, (Setting(("hasCompletedOnboarding",), True, shared=True),)),
    )

