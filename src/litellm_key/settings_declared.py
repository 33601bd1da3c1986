"""Every setting, declared once: its parser, default, environment variable, flags, help, the
feature option that writes it, and the sources allowed to set it.

`Settings`' defaults, `load_settings`' layers, the commands' flags and their help, `config`'s
listing, docs/configuration.md's table, docs/security.md's trust table and the feature's option
defaults all come from this table or are tested against it, so a new setting is one entry here
(and one field in `Settings`). A NamedTuple, not a dataclass: `token` imports this module.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

from . import settings_values as value

if TYPE_CHECKING:
    from typing import Any

DEFAULT_MODELS = ("claude-sonnet-4-5-20250929", "claude-3-opus-20240229")

# Where a value may come from (settings.Origin.kind), lowest layer first as settings layers them:
# like git, the machine's file, then yours, then the repository's, then what `setup` recorded in
# it, then the environment, then the flags. `file` is `config check --file`, which only checks values.
# The container's own plumbing: inside a Dev Container the repository already runs its own
# postCreateCommand, so its files may decide these.
EVERY_SOURCE = ("system", "user", "workspace", "recorded", "file", "environment", "flag")
# A setting that steers a secret of yours (the master key, the portal session, the key store) or
# files in your home: never a file that comes with a checkout. The system file is left out too:
# inside a container the feature writes it from the repository's devcontainer.json.
YOURS_ONLY = ("user", "file", "environment", "flag")


class Setting(NamedTuple):
    """One setting. `default` is the typed value `Settings` starts from; `default_text` is how help
    and docs show it when it is computed (from the workspace, $XDG_*, another setting)."""

    name: str
    parse: Callable[[Any], Any]
    default: Any
    variable: str | None
    flags: tuple[str, ...]
    help: str
    sources: tuple[str, ...] = EVERY_SOURCE
    metavar: str = ""
    default_text: str = ""
    feature_option: str = ""  # the devcontainer-feature.json option written to this setting
    is_list: bool = False  # a list of names: its flag repeats, and every source may separate them by commas

    @property
    def shown_default(self) -> str:
        """The default as help and docs/configuration.md write it."""
        if self.default_text:
            return self.default_text
        if isinstance(self.default, tuple):
            return ", ".join(map(str, self.default))
        if isinstance(self.default, bool):
            return "true" if self.default else "false"
        if isinstance(self.default, float):
            return f"{self.default:g}"
        return "none" if self.default is None else str(self.default)

    @property
    def yours_only(self) -> bool:
        return "workspace" not in self.sources


def _declare(*settings: Setting) -> dict[str, Setting]:
    return {setting.name: setting for setting in settings}


SETTINGS = _declare(
    Setting("upstream", value.upstream, "http://host.docker.internal:80", "LITELLM_UPSTREAM", ("--upstream",),
            "where the proxy forwards to", metavar="URL", feature_option="upstream"),
    Setting("host_header", value.host, "litellm.localhost", "LITELLM_HOST_HEADER", ("--host-header",),
            "Host header the proxy sets", metavar="HOST", feature_option="hostHeader"),
    Setting("listen", value.listen, ("127.0.0.1", 8080), "LITELLM_LISTEN", ("--listen",),
            "proxy listen address, loopback only", metavar="[HOST:]PORT", default_text="127.0.0.1:8080",
            feature_option="proxyPort"),
    Setting("proxy", value.boolean, True, "LITELLM_PROXY", ("--proxy", "--no-proxy"),
            "use the nginx proxy; false: talk to the upstream directly", feature_option="useProxy"),
    Setting("proxy_timeout", value.seconds, 600.0, "LITELLM_PROXY_TIMEOUT", (),
            "seconds nginx waits on the upstream"),
    Setting("env_file", value.path, None, "LITELLM_ENV_FILE", ("--env-file",),
            "the .env holding the key", metavar="PATH", default_text="<workspace>/.env"),
    Setting("state_dir", value.state_dir, None, "LITELLM_STATE_DIR", (),
            "nginx config, logs, logout's undo records, locks", sources=YOURS_ONLY,
            default_text="$XDG_STATE_HOME/litellm-key (~/.local/state/litellm-key)"),
    Setting("models", value.models, DEFAULT_MODELS, "LITELLM_MODELS", ("--model",),
            "a model the key must reach", metavar="NAME", feature_option="models", is_list=True),
    Setting("clients", value.clients, ("claude-code",), "LITELLM_CLIENTS", ("--client",),
            f"client to configure: {', '.join(value.KNOWN_CLIENTS)} or all", metavar="NAME", feature_option="clients",
            is_list=True),
    Setting("client_models", value.client_models, None, None, (),
            "per-client default model", default_text="first of models"),
    Setting("admin_url", value.url, "http://localhost:4000", "LITELLM_ADMIN_URL", ("--url",),
            "LiteLLM's admin URL, where the master key is sent", sources=YOURS_ONLY, metavar="URL"),
    Setting("master_key_secret", value.text, "ai/urbalurba-secrets/LITELLM_PROXY_MASTER_KEY", "LITELLM_MASTER_KEY_SECRET",
            (), "namespace/secret/field of the master key in Kubernetes", sources=YOURS_ONLY),
    Setting("key_alias_pattern", value.alias_pattern, "claude-code-{name}", "LITELLM_KEY_ALIAS_PATTERN", (),
            "alias of a developer's key (keys generate --developer, onboard, rotate)", sources=YOURS_ONLY),
    Setting("port_forward", value.text, "kubectl port-forward -n ai svc/litellm 4000:4000", "LITELLM_PORT_FORWARD", (),
            "the command keys --port-forward runs", sources=YOURS_ONLY),
    Setting("portal_url", value.optional_url, None, "LITELLM_PORTAL_URL", ("--portal-url",),
            "the key portal (Open WebUI)", metavar="URL", feature_option="portalUrl"),
    Setting("allow_http", value.boolean, False, "LITELLM_ALLOW_HTTP", ("--allow-http",),
            "send the session token or master key over plain http to a host that is not this machine",
            sources=YOURS_ONLY),
    Setting("login_url", value.optional_url, None, "LITELLM_LOGIN_URL", (),
            "where the host's browser reaches LiteLLM for `login`", default_text="http://<host_header>"),
    Setting("timeout", value.seconds, 10.0, "LITELLM_TIMEOUT", ("--timeout",),
            "HTTP timeout", metavar="SECONDS"),
    Setting("renew_before", value.duration, 86400.0, "LITELLM_RENEW_BEFORE", (),
            "renew a key this long before its expiry", default_text="1d"),
    Setting("session_token_file", value.path, None, "LITELLM_SESSION_TOKEN_FILE", ("--session-token-file",),
            "where the portal session token is kept", sources=YOURS_ONLY, metavar="PATH",
            default_text="$XDG_CONFIG_HOME/litellm-key/session-token"),
    Setting("key_store", value.key_store, "env", "LITELLM_KEY_STORE", ("--store",),
            "where the key lives: env (the .env) or keyring (the OS credential store, for host use)",
            sources=YOURS_ONLY, metavar="{env,keyring}"),
    Setting("session_source", value.session_source, "file", "LITELLM_SESSION_SOURCE", ("--session-source",),
            "where renewal gets a new session when the stored one is missing or expired: file or browser",
            sources=YOURS_ONLY, metavar="{file,browser}"),
    Setting("session_cookie", value.cookie_name, "token", "LITELLM_SESSION_COOKIE", ("--session-cookie",),
            "the portal's session cookie", sources=YOURS_ONLY, metavar="NAME"),
    Setting("browser", value.browser, "auto", "LITELLM_BROWSER", ("--browser",),
            "the browser --from-browser and session_source: browser read", sources=YOURS_ONLY, metavar="NAME"),
    Setting("browser_profile", value.path, None, "LITELLM_BROWSER_PROFILE", ("--browser-profile",),
            "that browser's profile folder", sources=YOURS_ONLY, metavar="PATH", default_text="the browser's default profile"),
)
