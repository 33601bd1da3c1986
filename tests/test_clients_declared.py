"""One declaration per client (known_clients.CLIENTS) and one module under clients/: every list of
clients is derived from them, so a new client is one module and one declaration, nothing else."""

from __future__ import annotations

import importlib
import json
import shlex

from conftest import GOOD_KEY, REPO
from litellm_key import shell_profile
from litellm_key.clients import MODULES
from litellm_key.known_clients import CLIENTS, ENVIRONMENT_CLIENTS, ENVIRONMENT_CLIENTS_TEXT, KNOWN_CLIENTS, SHARED_VARIABLES
from litellm_key.settings_values import KNOWN_CLIENTS as SETTING_CHOICES

CLIENT_MODULES = {path.stem for path in (REPO / "src" / "litellm_key" / "clients").glob("*.py") if not path.stem.startswith("_")}


def test_every_client_module_is_declared_once_and_names_itself():
    assert {client.module for client in CLIENTS} == CLIENT_MODULES
    assert len(KNOWN_CLIENTS) == len(set(KNOWN_CLIENTS))
    for client in CLIENTS:
        module = importlib.import_module(f"litellm_key.clients.{client.module}")
        assert module.NAME == client.name and callable(module.files)


def test_the_client_lists_derive_from_the_declarations():
    assert SETTING_CHOICES == KNOWN_CLIENTS == tuple(MODULES)
    assert ENVIRONMENT_CLIENTS == ("codex", "gemini", "opencode")


def test_env_exports_what_the_declarations_name(cli, workspace):
    (workspace / ".env").write_text(f"LITELLM_API_KEY={GOOD_KEY}\n")
    result = cli("env")
    exported = dict(shlex.split(line)[1].split("=", 1) for line in result.stdout.splitlines())
    declared = {name for name, _ in SHARED_VARIABLES} | {name for client in CLIENTS for name, _ in client.variables}
    assert set(exported) == declared
    assert exported["GEMINI_API_KEY"] == GOOD_KEY and exported["OPENAI_BASE_URL"].endswith("/v1")


def test_setup_names_the_declared_environment_clients_for_the_shell_block(cli):
    result = cli("setup", "--key-stdin", "--client", "gemini", input=GOOD_KEY)
    assert result.returncode == 0, result.output
    assert f"new terminals export the key for {', '.join(ENVIRONMENT_CLIENTS)}" in result.stdout


def test_the_feature_option_and_the_shell_block_name_the_declared_clients(tmp_path):
    options = json.loads((REPO / "feature" / "litellm-key" / "devcontainer-feature.json").read_text())["options"]
    assert f"{', '.join(KNOWN_CLIENTS)}, or all" in options["clients"]["description"]
    assert f"for {ENVIRONMENT_CLIENTS_TEXT};" in shell_profile.block("litellm-key env", tmp_path / ".env")
