"""Shared by the client tests: a context in a throw-away home, and per client the configs a user
might already have (rich, and broken), and what a fresh home must end up with."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import tomlkit

from litellm_key.clients import ClientContext
from litellm_key.secret import ClientKey
from litellm_key.settings import Settings
from litellm_key.settings_values import KNOWN_CLIENTS
KEY = "sk-clients-test-key-0123456789abcdef"
TOKEN_COMMAND = "/opt/litellm-key/bin/litellm-key token --env-file /workspaces/app/.env"
SONNET, OPUS = "claude-sonnet-4-5-20250929", "claude-3-opus-20240229"
BASE = "http://localhost:8080"


def make_context(tmp_path: Path, environ: dict[str, str] | None = None, key: str | None = KEY) -> ClientContext:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    settings = Settings(
        workspace=tmp_path / "workspace",
        env_file=tmp_path / "workspace" / ".env",
        state_dir=home / ".local" / "state" / "litellm-key",
    )
    return ClientContext(settings, ClientKey(key) if key else None, home, TOKEN_COMMAND, environ or {})


def parse(path: Path) -> Any:
    text = path.read_text()
    return tomlkit.parse(text).unwrap() if path.suffix == ".toml" else json.loads(text)


def home_files(home: Path) -> dict[str, bytes]:
    """Every file in the home except litellm-key's own state."""
    return {
        str(path.relative_to(home)): path.read_bytes()
        for path in sorted(home.rglob("*"))
        if path.is_file() and ".local/state" not in str(path)
    }


# What a fresh home holds after `configure` (relative path -> parsed content).
FRESH: dict[str, dict[str, Any]] = {
    "claude-code": {
        ".claude/settings.json": {
            "apiKeyHelper": TOKEN_COMMAND,
            "env": {
                "ANTHROPIC_BASE_URL": BASE,
                "ANTHROPIC_MODEL": SONNET,
                "ANTHROPIC_DEFAULT_SONNET_MODEL": SONNET,
                "ANTHROPIC_DEFAULT_OPUS_MODEL": OPUS,
            },
        },
        ".claude.json": {"hasCompletedOnboarding": True},
    },
    "codex": {
        ".codex/config.toml": {
            "model": SONNET,
            "model_provider": "litellm",
            "model_providers": {
                "litellm": {
                    "name": "LiteLLM",
                    "base_url": f"{BASE}/v1",
                    "env_key": "LITELLM_API_KEY",
                    "wire_api": "responses",
                }
            },
        }
    },
    "gemini": {
        ".gemini/settings.json": {"security": {"auth": {"selectedType": "gemini-api-key"}}, "model": {"name": SONNET}},
        ".gemini/trustedFolders.json": {"WORKSPACE": "TRUST_FOLDER"},
    },
    "opencode": {
        ".config/opencode/opencode.json": {
            "provider": {
                "litellm": {
                    "npm": "@ai-sdk/openai-compatible",
                    "name": "LiteLLM",
                    "options": {"baseURL": f"{BASE}/v1", "apiKey": "{env:LITELLM_API_KEY}"},
                    "models": {SONNET: {"name": SONNET}, OPUS: {"name": OPUS}},
                }
            },
            "model": f"litellm/{SONNET}",
        }
    },
    "roo": {
        ".config/litellm-key/roo-code-settings.json": {
            "providerProfiles": {
                "currentApiConfigName": "litellm",
                "apiConfigs": {
                    "litellm": {
                        "id": "litellm",
                        "apiProvider": "litellm",
                        "litellmBaseUrl": BASE,
                        "litellmApiKey": KEY,
                        "litellmModelId": SONNET,
                    }
                },
                "modeApiConfigs": {},
            },
            "globalSettings": {},
        }
    },
}
assert tuple(FRESH) == KNOWN_CLIENTS


def _json(value: Any) -> str:
    return json.dumps(value, indent=2) + "\n"


STALE_KEY = "sk-ant-stale-provider-key-000"  # a key the user had where ours must go


def _claude_settings(stale: dict[str, str]) -> dict[str, Any]:
    return {
        "permissions": {"allow": ["Bash(npm test)"], "deny": []},
        "env": {"DISABLE_TELEMETRY": "1", **stale},
        "hooks": {"Stop": [{"hooks": [{"type": "command", "command": "say done"}]}]},
        "model": "opus",
    }


# Configs a user already has: written the way each client writes them (JSON.stringify(.., 2)).
RICH: dict[str, dict[str, str]] = {
    "claude-code": {
        ".claude/settings.json": _json(_claude_settings({"ANTHROPIC_API_KEY": STALE_KEY})),
        ".claude.json": _json({"numStartups": 12, "theme": "dark", "projects": {"/workspaces/app": {"allowedTools": []}}}),
    },
    "codex": {
        ".codex/config.toml": """# Codex settings, kept by hand
model = "gpt-5"  # my usual model
approval_policy = "on-request"

[profiles.fast]
model = "gpt-5-mini"  # quick answers

# local models
[model_providers.ollama]
name = "Ollama"
base_url = "http://localhost:11434/v1"
""",
    },
    "gemini": {
        ".gemini/settings.json": _json(
            {
                "ui": {"theme": "GitHub"},
                "security": {"auth": {"selectedType": "oauth-personal"}},
                "model": {"maxSessionTurns": 20},
            }
        ),
        ".gemini/trustedFolders.json": _json({"/home/user/other-project": "TRUST_FOLDER"}),
    },
    "opencode": {
        ".config/opencode/opencode.json": _json(
            {
                "$schema": "https://opencode.ai/config.json",
                "theme": "tokyonight",
                "provider": {
                    "ollama": {"npm": "@ai-sdk/openai-compatible", "options": {"baseURL": "http://localhost:11434/v1"}}
                },
                "model": "ollama/llama3",
            }
        ),
    },
    "roo": {
        ".config/litellm-key/roo-code-settings.json": _json(
            {
                "providerProfiles": {
                    "currentApiConfigName": "default",
                    "apiConfigs": {"default": {"id": "abc123", "apiProvider": "anthropic"}},
                    "modeApiConfigs": {"code": "abc123"},
                },
                "globalSettings": {"autoApprovalEnabled": True},
            }
        ),
    },
}

# Broken configs, each with its error on line 3: (relative path, content, format).
MALFORMED: dict[str, tuple[str, str, str]] = {
    "claude-code": (".claude/settings.json", '{\n  "model": "opus",\n  "env": ,\n}\n', "JSON"),
    "codex": (".codex/config.toml", 'model = "gpt-5"\n[tui]\nnotifications = \n', "TOML"),
    "gemini": (".gemini/settings.json", '{\n  "ui": {},\n  "model": {"name": }\n}\n', "JSON"),
    "opencode": (".config/opencode/opencode.json", '{\n  "theme": "x",\n  "model": "a" "b"\n}\n', "JSON"),
    "roo": (".config/litellm-key/roo-code-settings.json", "{\n\n  providerProfiles: {}\n}\n", "JSON"),
}


def expected_fresh(client: str, ctx: ClientContext) -> dict[str, Any]:
    return json.loads(json.dumps(FRESH[client]).replace("WORKSPACE", str(ctx.settings.workspace)))


# What logout gives back of RICH: every byte, except a stale key we removed (an undo record never keeps a key).
AFTER_LOGOUT: dict[str, dict[str, str]] = {
    **RICH,
    "claude-code": {**RICH["claude-code"], ".claude/settings.json": _json(_claude_settings({}))},
}


def restored(original: dict[str, bytes]) -> dict[str, bytes]:
    """home_files() after logout, for a home whose home_files() were `original` (some RICH files among them)."""
    after = {name: text.encode() for files in AFTER_LOGOUT.values() for name, text in files.items()}
    return {name: after.get(name, data) for name, data in original.items()}


def write_files(home: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = home / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
