"""Defaults are written in one place (Settings); the feature, install.sh and the help must agree with it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO
from litellm_key.clients import ROO_SETTINGS_PATH, codex, opencode
from litellm_key.errors import CATALOGUE
from litellm_key.keyhelper import KEY_VARIABLE
from litellm_key.settings import SETTINGS, Settings
from markdown_tables import rows_by_first_cell, section

FEATURE = REPO / "feature" / "litellm-key"
METADATA = json.loads((FEATURE / "devcontainer-feature.json").read_text())
OPTIONS = {option_id: option["default"] for option_id, option in METADATA["options"].items()}
DEFAULTS = Settings._field_defaults


def test_feature_option_defaults_are_the_settings_defaults():
    """Each option but installNginx writes the setting that declares it, with the same default, into
    /etc/litellm-key/config.yaml: a layer that setting must accept."""
    written = {setting.feature_option: setting for setting in SETTINGS.values() if setting.feature_option}
    assert set(written) == set(OPTIONS) - {"installNginx"}
    for option_id, setting in written.items():
        assert "system" in setting.sources, option_id
        assert setting.parse(OPTIONS[option_id]) == setting.default, option_id


def test_settings_start_from_their_declared_defaults():
    """`Settings` has one field per declared setting (listen as host and port), with its default."""
    fields = set(DEFAULTS) - {"listen_host", "listen_port", "sources", "ignored"}
    assert fields | {"listen", "env_file", "state_dir"} == set(SETTINGS)
    for name in fields:
        if name != "client_models":
            assert DEFAULTS[name] == SETTINGS[name].default, name
    assert (DEFAULTS["listen_host"], DEFAULTS["listen_port"]) == SETTINGS["listen"].default


@pytest.mark.parametrize("name", [name for name, setting in SETTINGS.items() if not setting.default_text and setting.default is not None])
def test_a_shown_default_reads_back_as_the_default(name):
    """What help and docs/configuration.md show is what the setting would parse to."""
    assert SETTINGS[name].parse(SETTINGS[name].shown_default) == SETTINGS[name].default


def test_install_sh_falls_back_to_the_feature_defaults():
    """install.sh reads every option as NAME=${OPTIONID:-"default"}: the same default as the JSON."""
    install_sh = (FEATURE / "install.sh").read_text()
    fallbacks = dict(re.findall(r'^\w+=\$\{([A-Z]+):-"([^"]*)"\}', install_sh, re.MULTILINE))
    for option_id, default in OPTIONS.items():
        assert fallbacks[option_id.upper()] == (str(default).lower() if isinstance(default, bool) else default), option_id


def test_command_help_shows_the_settings_defaults():
    result = subprocess.run([sys.executable, "-m", "litellm_key", "setup", "--help"], capture_output=True, text=True,
                            env={"PYTHONPATH": str(REPO / "src"), "COLUMNS": "400"}, check=True)  # fmt: skip
    text = " ".join(result.stdout.split())
    for name in ("upstream", "host_header", "listen", "models", "clients", "timeout", "env_file", "key_store", "portal_url"):
        assert f"default {SETTINGS[name].shown_default})" in text, name


def test_roo_import_path_is_the_one_the_feature_sets_in_vs_code():
    vscode = METADATA["customizations"]["vscode"]["settings"]
    assert vscode["roo-cline.autoImportSettingsPath"] == ROO_SETTINGS_PATH


def test_the_key_variable_has_one_name_everywhere():
    assert KEY_VARIABLE == "LITELLM_API_KEY"
    assert codex.KEY_VARIABLE == KEY_VARIABLE
    assert f"{{env:{KEY_VARIABLE}}}" in Path(opencode.__file__).read_text()
    assert KEY_VARIABLE in CATALOGUE["no-key-source"][2]
    assert KEY_VARIABLE in (FEATURE / "config-claude-code.sh").read_text()


# Each page that lists the feature's options: its section, the default's column, how it shows an
# empty default and how it quotes the others (the feature README is devcontainers/action's table).
OPTION_TABLES = {
    "docs/feature.md": ("Feature options", 2, "(empty)", "`{}`"),
    "feature/litellm-key/README.md": ("Options", 3, "-", "{}"),
}


@pytest.mark.parametrize("page", OPTION_TABLES)
def test_the_option_tables_show_the_feature_defaults(page):
    """The pages that list the feature's options repeat its defaults: they must be these."""
    heading, column, empty, quoted = OPTION_TABLES[page]
    rows = rows_by_first_cell(section((REPO / page).read_text(), heading))
    assert set(rows) == set(OPTIONS)
    for option_id, default in OPTIONS.items():
        expected = empty if default == "" else quoted.format(str(default).lower() if isinstance(default, bool) else default)
        assert rows[option_id][column] == expected, option_id
