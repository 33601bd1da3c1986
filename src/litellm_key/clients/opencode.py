"""OpenCode: provider `litellm` in `$XDG_CONFIG_HOME/opencode/opencode.json` (default `~/.config`).

The key is referenced, not copied (`{env:LITELLM_API_KEY}`, exported by the shell profile snippet).
An `opencode.json` in a parent folder of the working directory wins over this global file.
"""

from __future__ import annotations

from . import ClientContext
from ._formats import JSON
from ._document import ConfigFile, Setting

NAME = "opencode"
PROVIDER = "litellm"


def files(ctx: ClientContext) -> tuple[ConfigFile, ...]:
    settings = ctx.settings
    provider = ("provider", PROVIDER)
    default_model = settings.model_for(NAME)
    models = dict.fromkeys((*settings.models, default_model))
    return (
        ConfigFile(
            ctx.config_home / "opencode" / "opencode.json",
            JSON,
            (
                Setting((*provider, "npm"), "@ai-sdk/openai-compatible"),
                Setting((*provider, "name"), "LiteLLM"),
                Setting((*provider, "options", "baseURL"), f"{settings.base_url}/v1"),
                Setting((*provider, "options", "apiKey"), "{env:LITELLM_API_KEY}", secret=True),
                *(Setting((*provider, "models", model, "name"), model) for model in models),
                Setting(("model",), f"{PROVIDER}/{default_model}"),
            ),
        ),
    )

