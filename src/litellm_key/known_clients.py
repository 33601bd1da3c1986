"""The one declaration per AI client: its name, the module under `clients/` that declares its
config files, the variables it reads and whether it reads the key from the environment (so new
terminals need the shell block). Every list of clients derives from `CLIENTS`: the `clients`
setting's choices, the `--client` help, the client modules, `env`'s exports, the shell block, the
doctor checks.

Data only, with no import: `token` and `env` (keyhelper's fast path) read it in every new terminal.
In a variable's value, `{key}` stands for the client key and `{base_url}` for the proxy URL.
"""


class Client:
    """One client. `variables` are (name, value template) pairs `env` exports for it; with
    `from_environment` it reads its key from there (Codex, Gemini CLI, OpenCode), so `setup` also
    writes the shell block that runs `env` in new terminals."""

    __slots__ = ("name", "module", "variables", "from_environment")

    def __init__(self, name: str, module: str, variables: tuple[tuple[str, str], ...], *, from_environment: bool) -> None:
        self.name = name
        self.module = module
        self.variables = variables
        self.from_environment = from_environment


KEY_VARIABLE = "LITELLM_API_KEY"
BASE_URL_VARIABLE = "LITELLM_BASE_URL"

# Exported for every client: ours (Codex's env_key and OpenCode's {env:…} name the first), then
# the OpenAI SDK's pair for any other OpenAI-compatible tool started in that terminal.
SHARED_VARIABLES = (
    (KEY_VARIABLE, "{key}"),
    (BASE_URL_VARIABLE, "{base_url}"),
    ("OPENAI_BASE_URL", "{base_url}/v1"),
    ("OPENAI_API_KEY", "{key}"),
)
# Claude Code's token variable: left out of `env` when its apiKeyHelper is in place (keyhelper says why).
CLAUDE_TOKEN_VARIABLE = "ANTHROPIC_AUTH_TOKEN"

CLIENTS = (
    Client(
        "claude-code",
        "claude_code",
        (("ANTHROPIC_BASE_URL", "{base_url}"), (CLAUDE_TOKEN_VARIABLE, "{key}")),
        from_environment=False,
    ),
    Client("codex", "codex", (), from_environment=True),
    Client("gemini", "gemini", (("GEMINI_API_KEY", "{key}"), ("GOOGLE_GEMINI_BASE_URL", "{base_url}")), from_environment=True),
    Client("opencode", "opencode", (), from_environment=True),
    Client("roo", "roo", (), from_environment=False),
)

KNOWN_CLIENTS = tuple(client.name for client in CLIENTS)
ENVIRONMENT_CLIENTS = tuple(client.name for client in CLIENTS if client.from_environment)
ENVIRONMENT_CLIENTS_TEXT = ", ".join(ENVIRONMENT_CLIENTS[:-1]) + " and " + ENVIRONMENT_CLIENTS[-1]  # "codex, gemini and opencode"
