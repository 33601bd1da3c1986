"""Every failure a user can see: one catalogue, one exit code per class.

All user-visible failure text lives here so the troubleshooting table in docs/troubleshooting.md has a single source
to be checked against (tests/test_readme.py walks `CATALOGUE`). Code raises `fail("reason", ...)`;
the CLI turns the exception into a two-line report (what happened, how to fix it) and its exit code.
"""

from __future__ import annotations


class LitellmKeyError(Exception):
    """Base of every expected failure; anything else is a bug (exit 1)."""

    exit_code = 1

    def __init__(self, reason: str, message: str, fix: str = "") -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.fix = fix

    def as_dict(self) -> dict[str, object]:
        return {"reason": self.reason, "message": self.message, "fix": self.fix, "exit_code": self.exit_code}


class UsageError(LitellmKeyError):
    exit_code = 2


class ConfigError(LitellmKeyError):
    exit_code = 3


class KeyRejected(LitellmKeyError):
    exit_code = 4


class ModelAccessError(LitellmKeyError):
    exit_code = 5


class GatewayError(LitellmKeyError):
    exit_code = 6


class ProxyError(LitellmKeyError):
    exit_code = 7


class SafetyRefusal(LitellmKeyError):
    exit_code = 8


class Cancelled(LitellmKeyError):
    exit_code = 130


EXIT_CODES: dict[int, str] = {
    0: "success",
    1: "unexpected error (a bug: please report it with the output)",
    2: "usage: bad flags, or no TTY and no key source",
    3: "configuration: bad URL, YAML, unknown setting or missing setting",
    4: "key rejected: missing, malformed, invalid, expired, blocked or over budget",
    5: "model: the key lacks a configured model, or the gateway does not know the model",
    6: "gateway unusable: unreachable, timeout, 5xx, not LiteLLM, no database",
    7: "proxy: nginx missing, config invalid, port busy, upstream host not resolvable",
    8: "refused for safety: .env is tracked by git",
    130: "cancelled at a prompt (Ctrl-C)",
}

_SETUP = "config-claude-code.sh (or: litellm-key setup)"

# reason -> (class, message template, fix template). Templates use str.format with the details
# passed to fail(); every detail must already be safe to show (masked keys only).
CATALOGUE: dict[str, tuple[type[LitellmKeyError], str, str]] = {
    # --- usage ---------------------------------------------------------------------------------
    "no-key-source": (
        UsageError,
        "No key to use: there is no terminal to prompt on and no key was given.",
        "Pass the key on stdin (`litellm-key setup --key-stdin < keyfile`) or set LITELLM_API_KEY.",
    ),
    "empty-stdin": (
        UsageError,
        "--key-stdin was given but standard input held no key.",
        "Pipe exactly one line holding the key: `printf '%s\\n' \"$KEY\" | litellm-key setup --key-stdin`.",
    ),
    "cancelled": (Cancelled, "Cancelled; nothing was changed.", ""),
    # --- configuration -------------------------------------------------------------------------
    "config-yaml": (
        ConfigError,
        "{source}: line {line}: not valid YAML ({problem}).",
        "Fix the YAML syntax in {source}.",
    ),
    "config-unreadable": (
        ConfigError,
        "{source}: cannot read the settings file ({problem}).",
        "Make {source} readable by you, or remove it.",
    ),
    "config-too-large": (
        ConfigError,
        "{source}: the settings expand to more than {limit} values (YAML aliases that multiply).",
        "Write the settings out plainly in {source}, without anchors and aliases that nest.",
    ),
    "config-not-mapping": (
        ConfigError,
        "{source}: the file must hold a mapping of settings (key: value).",
        "See docs/configuration.md.",
    ),
    "config-unknown": (
        ConfigError,
        "{source}: unknown setting '{field}'.",
        "Known settings: {known}.",
    ),
    "config-value": (
        ConfigError,
        "{source}: {field}: {problem}.",
        "{hint}",
    ),
    # --- key -----------------------------------------------------------------------------------
    "key-missing": (
        KeyRejected,
        "No client key is stored in {env_file}.",
        f"Run {_SETUP} to store one.",
    ),
    "key-malformed": (
        KeyRejected,
        "The key contains {problem}; a LiteLLM key is one word like sk-...",
        "Copy the key again without spaces or line breaks inside it.",
    ),
    "key-not-sent": (
        KeyRejected,
        "LiteLLM received no key (401 'No api key passed in').",
        "Something between you and LiteLLM drops the Authorization header; check the proxy with `litellm-key proxy status`.",
    ),
    "key-not-virtual": (
        KeyRejected,
        "LiteLLM rejected the key {key}: it is not a LiteLLM virtual key (it expects sk-...).",
        "Use the sk-... key your LiteLLM admin generated, not a provider (Anthropic/OpenAI) key.",
    ),
    "key-invalid": (
        KeyRejected,
        "LiteLLM does not know the key {key} (401 invalid proxy server token).",
        "The key was deleted or mistyped. Ask your LiteLLM admin for a new one, then run "
        + _SETUP
        + ".",
    ),
    "key-expired": (
        KeyRejected,
        "The key {key} has expired{expiry}.",
        f"Ask your LiteLLM admin for a new key (or renew it in your key portal), then run {_SETUP}.",
    ),
    "key-blocked": (
        KeyRejected,
        "The key {key} is blocked by the LiteLLM admin.",
        "Ask your LiteLLM admin to unblock it (`/key/unblock`) or to issue a new one.",
    ),
    "key-budget": (
        KeyRejected,
        "The key {key} is over its budget ({detail}).",
        "Ask your LiteLLM admin to raise max_budget or reset the spend for this key.",
    ),
    "key-rejected": (
        KeyRejected,
        "LiteLLM rejected the key {key} ({status}: {detail}).",
        "Check the key with your LiteLLM admin; `litellm-key proxy status` checks the hops in front of LiteLLM.",
    ),
    "key-admin-only": (
        KeyRejected,
        "This needs the LiteLLM master (admin) key; the key given is a client key.",
        "Admin calls need the master key (Kubernetes secret ai/urbalurba-secrets, field LITELLM_PROXY_MASTER_KEY).",
    ),
    # --- models --------------------------------------------------------------------------------
    "model-missing": (
        ModelAccessError,
        "The key {key} cannot use {missing}; it can use: {available}.",
        "Ask your admin for a key generated with the full model names (e.g. models: [\"{first_missing}\"] in /key/generate), "
        "or change the `models` setting to models the key has.",
    ),
    "model-denied": (
        ModelAccessError,
        "LiteLLM: key not allowed to access model ({detail}).",
        "Regenerate the key with the full model names (claude-sonnet-4-5-20250929, not claude-sonnet-4-5), "
        "or pick a model the key has.",
    ),
    "model-unknown": (
        ModelAccessError,
        "LiteLLM does not know the model ({detail}).",
        "Use a model name from `litellm-key status` (GET /v1/models), or ask the admin to add it to the proxy config.",
    ),
    # --- gateway -------------------------------------------------------------------------------
    "gateway-unreachable": (
        GatewayError,
        "Cannot connect to {url} ({detail}).",
        "Start the proxy (`litellm-key proxy start`) and check LiteLLM is running; `litellm-key proxy status` checks each hop.",
    ),
    "gateway-timeout": (
        GatewayError,
        "{url} did not answer within {timeout} s.",
        "Check LiteLLM is healthy (`kubectl -n ai get pods`), or raise LITELLM_TIMEOUT.",
    ),
    "gateway-upstream-down": (
        GatewayError,
        "The proxy is up but could not reach LiteLLM: {detail}",
        "Check Traefik/LiteLLM on the host and the `upstream` setting; on Linux Docker add "
        '"runArgs": ["--add-host=host.docker.internal:host-gateway"] to devcontainer.json.',
    ),
    "gateway-not-litellm": (
        GatewayError,
        "{url} answered {status} with something that is not LiteLLM ({detail}).",
        "A 404 page from Traefik means the Host header or route is wrong: check `host_header` "
        "(default litellm.localhost) and the Traefik IngressRoute; otherwise check the `upstream` URL.",
    ),
    "gateway-server-error": (
        GatewayError,
        "LiteLLM failed with {status}: {detail}",
        "Look at the LiteLLM logs (`kubectl -n ai logs deploy/litellm`) and retry.",
    ),
    "gateway-no-db": (
        GatewayError,
        "LiteLLM has no database connected, so it cannot check virtual keys ({detail}).",
        "Ask your admin to connect LiteLLM to its Postgres database (DATABASE_URL).",
    ),
    # --- proxy (nginx) ---------------------------------------------------------------------------
    "nginx-missing": (
        ProxyError,
        "nginx is not installed, and the proxy on {listen} needs it.",
        "Install it: `sudo apt-get install -y nginx-light` (or `nginx`; the Dev Container feature does this); "
        "set LITELLM_KEY_NGINX=/path/to/nginx if it is installed elsewhere, or use --no-proxy.",
    ),
    "nginx-config-invalid": (
        ProxyError,
        "nginx rejected the rendered proxy config; the running config was left as it was: {detail}",
        "Check the upstream, host_header and listen settings (`litellm-key proxy render` shows the config).",
    ),
    "proxy-port-busy": (
        ProxyError,
        "Port {port} is already in use{holder}, so the proxy cannot listen on {listen}.",
        "Stop that process, or choose another port: `listen: 127.0.0.1:8081` in .devcontainer/litellm-key.yaml.",
    ),
    "proxy-permission": (
        ProxyError,
        "nginx could not start: permission denied ({detail}).",
        "Use a port above 1024 and make sure {state_dir} is writable by you.",
    ),
    "upstream-unresolvable": (
        ProxyError,
        "The upstream host '{host}' does not resolve in this container, so nginx would refuse to start.",
        'On Linux Docker add "runArgs": ["--add-host=host.docker.internal:host-gateway"] to devcontainer.json '
        "and rebuild, or set `upstream` to an address that resolves.",
    ),
    "proxy-start-failed": (
        ProxyError,
        "nginx did not start: {detail}",
        "See {log}; `litellm-key proxy status` checks each hop.",
    ),
    "proxy-not-running": (
        ProxyError,
        "The proxy is not running (no nginx serves {config}).",
        "Start it: `litellm-key proxy start` (`setup` and `apply` start it too).",
    ),
    "proxy-not-answering": (
        ProxyError,
        "nginx runs (pid {pid}) but its health endpoint {url} does not answer.",
        "See {log}; `litellm-key proxy reload` renders the config again and reloads nginx.",
    ),
    "proxy-config-stale": (
        ProxyError,
        "The running proxy serves an older config than the current settings render.",
        "Run `litellm-key proxy reload`.",
    ),
    # --- client configs ---------------------------------------------------------------------------
    "client-config-malformed": (
        ConfigError,
        "{client}: {location}: {problem}; the file was left untouched and {client} was not {action}.",
        "Fix {location} (or move the file away), then run `litellm-key apply`.",
    ),
    # --- safety --------------------------------------------------------------------------------
    "env-tracked": (
        SafetyRefusal,
        "Refusing to write a key into {env_file}: the file is tracked by git and would be committed.",
        "Untrack it and keep it ignored: `git rm --cached {relpath} && echo {relpath} >> .gitignore`.",
    ),
    "choices-tracked": (
        SafetyRefusal,
        "Refusing to record setup's choices in {path}: the file is tracked by git, and these choices are yours alone.",
        "Untrack it and keep it ignored: `git rm --cached {relpath} && echo {relpath} >> .gitignore`; "
        "shared settings belong in .devcontainer/litellm-key.yaml.",
    ),
}


def fail(reason: str, **details: object) -> LitellmKeyError:
    """Build the catalogued error for `reason`; raise the result."""
    error_class, message, fix = CATALOGUE[reason]
    return error_class(reason, message.format(**details), fix.format(**details))
