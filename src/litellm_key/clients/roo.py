"""Roo Code (VS Code): a provider-profile file that Roo imports when the extension starts.

Roo keeps its profiles in VS Code's secret storage, which a rebuilt container loses; its
`roo-cline.autoImportSettingsPath` setting (set by the Dev Container feature) re-imports this file
on every start. Roo cannot read an environment variable here, so the file holds the key: mode 0600,
under the home folder (never the workspace, where it could be committed). Roo expands `~/` with the
home directory, so the file sits at exactly `ROO_SETTINGS_PATH`, whatever XDG_CONFIG_HOME says.
"""

from __future__ import annotations

from pathlib import Path

from . import ROO_SETTINGS_PATH, ClientContext
from ._formats import JSON
from ._document import TABLE, ConfigFile, Setting

NAME = "roo"
PROFILE = "litellm"


def settings_path(ctx: ClientContext) -> Path:
    return ctx.home / ROO_SETTINGS_PATH.removeprefix("~/")


def files(ctx: ClientContext) -> tuple[ConfigFile, ...]:
    profile = ("providerProfiles", "apiConfigs", PROFILE)
    return (
        ConfigFile(
            settings_path(ctx),
            JSON,
            (
                Setting(("providerProfiles", "currentApiConfigName"), PROFILE),
                Setting((*profile, "id"), PROFILE),
                Setting((*profile, "apiProvider"), "litellm"),
                Setting((*profile, "litellmBaseUrl"), ctx.settings.base_url),
                Setting((*profile, "litellmApiKey"), ctx.key.reveal() if ctx.key else None, secret=True),
                Setting((*profile, "litellmModelId"), ctx.settings.model_for(NAME)),
                Setting(("providerProfiles", "modeApiConfigs"), TABLE),
                Setting(("globalSettings",), TABLE),
            ),
            mode=0o600,
        ),
    )


NOTE = f"VS Code imports it when Roo Code starts (roo-cline.autoImportSettingsPath = {ROO_SETTINGS_PATH})"
