"""Settings: defaults < /etc/litellm-key/config.yaml < workspace .devcontainer/litellm-key.yaml
< LITELLM_* environment variables < command-line flags.

Every value remembers where it came from, so a bad one is reported as "file:line: field: problem"
or "environment variable LITELLM_X: ..." instead of a bare "invalid URL". YAML is imported only
when a config file exists: `litellm-key token` runs on every Claude Code request.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple

from .errors import fail

if TYPE_CHECKING:
    from typing import Any

SYSTEM_CONFIG = Path("/etc/litellm-key/config.yaml")
WORKSPACE_CONFIG = Path(".devcontainer/litellm-key.yaml")
KNOWN_CLIENTS = ("claude-code", "codex", "gemini", "opencode", "roo")
DEFAULT_MODELS = ("claude-sonnet-4-5-20250929", "claude-3-opus-20240229")


class Settings(NamedTuple):
    """Immutable, typed settings. A NamedTuple, not a frozen dataclass: `dataclasses` imports
    `inspect`, a sixth of the run time of `litellm-key token` (Claude Code's apiKeyHelper).
    Change one with `settings._replace(field=value)`."""

    workspace: Path
    env_file: Path
    state_dir: Path
    upstream: str = "http://host.docker.internal:80"
    host_header: str = "litellm.localhost"
    listen_host: str = "127.0.0.1"
    listen_port: int = 8080
    proxy: bool = True
    models: tuple[str, ...] = DEFAULT_MODELS
    clients: tuple[str, ...] = ("claude-code",)
    client_models: Mapping[str, str] = MappingProxyType({})
    admin_url: str = "http://localhost:4000"
    master_key_secret: str = "ai/urbalurba-secrets/LITELLM_PROXY_MASTER_KEY"
    portal_url: str | None = None
    oauth_url: str | None = None
    login_url: str | None = None  # where the host's browser reaches LiteLLM; None: http://<host_header>
    timeout: float = 10.0
    proxy_timeout: float = 600.0  # nginx upstream read/send timeout: LLM responses run for minutes
    renew_before: float = 86400.0  # renew a key this many seconds before LiteLLM's expiry (1 day)
    key_store: str = "env"  # where the key lives: the workspace .env, or the OS credential store ("keyring")
    session_token_file: Path | None = None  # the portal session; None: ~/.config/litellm-key/session-token

    @property
    def proxy_url(self) -> str:
        """What clients use: `localhost` so IPv4/IPv6 resolution matches what Node clients expect."""
        return f"http://localhost:{self.listen_port}"

    @property
    def base_url(self) -> str:
        """Where clients and verification send requests: the proxy, or LiteLLM itself without one."""
        return self.proxy_url if self.proxy else self.upstream.rstrip("/")

    def model_for(self, client: str) -> str:
        """The model a client starts with: its own setting, else the first configured model."""
        return self.client_models.get(client) or self.models[0]


# ---- value parsers: raw (str from env/flags, anything from YAML) -> typed value, ValueError(problem, hint)


def _url(raw: Any) -> str:
    from urllib.parse import urlsplit  # 3 ms, and most runs have no URL to check

    text = str(raw).strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in text):
        raise ValueError(f"'{text}' is not an http(s) URL", "Write it with a scheme, e.g. http://host.docker.internal:80")
    try:
        parts.port
    except ValueError:
        raise ValueError(f"'{text}' has an invalid port", "Use a port between 1 and 65535") from None
    return text.rstrip("/")


def _optional_url(raw: Any) -> str | None:
    return None if raw in (None, "") else _url(raw)


_HOST_RE = re.compile(r"^[A-Za-z0-9.-]+$")


def _host(raw: Any) -> str:
    text = str(raw).strip()
    if not _HOST_RE.match(text):
        raise ValueError(f"'{text}' is not a host name", "Use a plain name such as litellm.localhost")
    return text


def _port(raw: Any) -> int:
    try:
        port = int(str(raw).strip())
    except ValueError:
        raise ValueError(f"'{raw}' is not a port number", "Use a port between 1 and 65535") from None
    if not 1 <= port <= 65535:
        raise ValueError(f"port {port} is out of range", "Use a port between 1 and 65535")
    return port


def _listen(raw: Any) -> tuple[str, int]:
    """`127.0.0.1:8080` or just `8080`; the proxy must stay on a local address."""
    text = str(raw).strip()
    host, _, port = text.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    if not re.match(r"^[0-9A-Za-z.:-]+$", host):
        raise ValueError(f"'{text}' is not host:port", "Use e.g. 127.0.0.1:8080")
    return host, _port(port)


def _names(raw: Any) -> tuple[str, ...]:
    items = raw if isinstance(raw, (list, tuple)) else str(raw).split(",")
    names = tuple(str(item).strip() for item in items if str(item).strip())
    for name in names:
        if any(c.isspace() for c in name):
            raise ValueError(f"'{name}' contains whitespace", "Separate names with commas")
    return tuple(dict.fromkeys(names))


def _models(raw: Any) -> tuple[str, ...]:
    names = _names(raw)
    if not names:
        raise ValueError("no model given", "Name at least one model, e.g. claude-sonnet-4-5-20250929")
    return names


def _clients(raw: Any) -> tuple[str, ...]:
    names = _names(raw)
    if "all" in names:
        return KNOWN_CLIENTS
    unknown = [name for name in names if name not in KNOWN_CLIENTS]
    if unknown:
        raise ValueError(f"unknown client {', '.join(unknown)}", f"Choose from {', '.join(KNOWN_CLIENTS)} or all")
    return names


def _client_models(raw: Any) -> dict[str, str]:
    if not isinstance(raw, Mapping):
        raise ValueError("must be a mapping of client: model", "e.g. client_models: {codex: gpt-5}")
    _clients(list(raw))
    return {str(client): str(model) for client, model in raw.items()}


def _bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"'{raw}' is not true/false", "Use true or false")


def _seconds(raw: Any) -> float:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise ValueError(f"'{raw}' is not a number of seconds", "Use e.g. 10") from None
    if value <= 0:
        raise ValueError("must be more than 0 seconds", "Use e.g. 10")
    return value


_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _duration(raw: Any) -> float:
    """Seconds, or a number with a unit: 90s, 30m, 12h, 1d."""
    text = str(raw).strip().lower()
    unit = _DURATION_UNITS.get(text[-1:], 0)
    try:
        value = float(text[:-1] if unit else text) * (unit or 1)
    except ValueError:
        raise ValueError(f"'{raw}' is not a duration", "Use seconds or a unit, e.g. 12h or 1d") from None
    if value < 0:
        raise ValueError("must not be negative", "Use e.g. 1d")
    return value


def _key_store(raw: Any) -> str:
    text = str(raw).strip().lower()
    if text not in ("env", "keyring"):
        raise ValueError(f"'{raw}' is not a key store", "Use env (the workspace .env) or keyring (the OS credential store)")
    return text


def _text(raw: Any) -> str:
    return str(raw).strip()


def _path(raw: Any) -> Path:
    return Path(os.path.expanduser(str(raw).strip()))


# setting name (as written in YAML) -> (parser, environment variable)
SETTINGS: dict[str, tuple[Callable[[Any], Any], str | None]] = {
    "upstream": (_url, "LITELLM_UPSTREAM"),
    "host_header": (_host, "LITELLM_HOST_HEADER"),
    "listen": (_listen, "LITELLM_LISTEN"),
    "proxy": (_bool, "LITELLM_PROXY"),
    "env_file": (_path, "LITELLM_ENV_FILE"),
    "state_dir": (_path, "LITELLM_STATE_DIR"),
    "models": (_models, "LITELLM_MODELS"),
    "clients": (_clients, "LITELLM_CLIENTS"),
    "client_models": (_client_models, None),
    "admin_url": (_url, "LITELLM_ADMIN_URL"),
    "master_key_secret": (_text, "LITELLM_MASTER_KEY_SECRET"),
    "portal_url": (_optional_url, "LITELLM_PORTAL_URL"),
    "oauth_url": (_optional_url, "LITELLM_OAUTH_URL"),
    "login_url": (_optional_url, "LITELLM_LOGIN_URL"),
    "timeout": (_seconds, "LITELLM_TIMEOUT"),
    "proxy_timeout": (_seconds, "LITELLM_PROXY_TIMEOUT"),
    "renew_before": (_duration, "LITELLM_RENEW_BEFORE"),
    "session_token_file": (_path, "LITELLM_SESSION_TOKEN_FILE"),
    "key_store": (_key_store, "LITELLM_KEY_STORE"),
}


def find_workspace(cwd: Path, environ: Mapping[str, str]) -> Path:
    """The git top-level of cwd (walked up by hand: no git subprocess on the hot path), else cwd.

    `LITELLM_WORKSPACE` wins; DESIGN.md's `$WORKSPACE` is not used because CI systems such as
    Jenkins set it to something else.
    """
    explicit = environ.get("LITELLM_WORKSPACE")
    if explicit:
        return Path(explicit).expanduser().resolve()
    cwd = cwd.resolve()
    for folder in (cwd, *cwd.parents):
        if (folder / ".git").exists():
            return folder
    return cwd


def _read_yaml(path: Path) -> dict[str, tuple[Any, str]]:
    """Settings from one YAML file, each with a 'file:line' source for error messages."""
    import yaml

    text = path.read_text(encoding="utf-8")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        values = yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        raise fail("config-yaml", source=path, line=mark.line + 1 if mark else "?", problem=error.problem) from None
    if values is None:
        return {}
    if not isinstance(values, dict) or not isinstance(node, yaml.MappingNode):
        raise fail("config-not-mapping", source=path)
    lines = {key_node.value: key_node.start_mark.line + 1 for key_node, _ in node.value}
    return {str(name): (value, f"{path}:{lines.get(name, '?')}") for name, value in values.items()}


def load_settings(
    *,
    flags: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    only: tuple[str, ...] | None = None,
) -> Settings:
    """Layer every source, validate each value against the source it came from.

    `only` names the settings the caller needs; the rest keep their defaults, and a config file
    that mentions none of them is not parsed at all. `token` needs only `env_file` and skips the
    YAML import (a third of its run time) in every container, which has /etc/litellm-key/config.yaml.
    """
    environ = os.environ if environ is None else environ
    wanted = tuple(SETTINGS) if only is None else only
    flags = {name: value for name, value in (flags or {}).items() if value is not None}
    workspace = Path(flags.pop("workspace")).resolve() if "workspace" in flags else find_workspace(
        cwd or Path.cwd(), environ
    )

    raw: dict[str, tuple[Any, str]] = {}
    system_config = Path(environ.get("LITELLM_KEY_SYSTEM_CONFIG", SYSTEM_CONFIG))
    for config_file in (system_config, workspace / WORKSPACE_CONFIG):
        if not config_file.is_file() or (only and not any(name in config_file.read_text() for name in only)):
            continue
        for name, (value, source) in _read_yaml(config_file).items():
            if name not in SETTINGS:
                raise fail("config-unknown", source=source, field=name, known=", ".join(SETTINGS))
            raw[name] = (value, source)
    for name, (_, variable) in SETTINGS.items():
        if variable and environ.get(variable, "") != "":
            raw[name] = (environ[variable], f"environment variable {variable}")
    for name, value in flags.items():
        raw[name] = (value, f"--{name.replace('_', '-')}")
    raw = {name: entry for name, entry in raw.items() if name in wanted}

    parsed: dict[str, Any] = {}
    for name, (value, source) in raw.items():
        parser, _ = SETTINGS[name]
        try:
            parsed[name] = parser(value)
        except ValueError as error:
            problem, hint = error.args if len(error.args) == 2 else (str(error), "")
            raise fail("config-value", source=source, field=name, problem=problem, hint=hint) from None

    if "listen" in parsed:
        parsed["listen_host"], parsed["listen_port"] = parsed.pop("listen")
    env_file = parsed.pop("env_file", Path(".env"))
    home = Path(environ.get("HOME") or Path.home())
    state_home = Path(environ.get("XDG_STATE_HOME") or home / ".local" / "state")
    state_dir = parsed.pop("state_dir", state_home / "litellm-key")
    return Settings(
        workspace=workspace,
        env_file=env_file if env_file.is_absolute() else workspace / env_file,
        state_dir=state_dir if state_dir.is_absolute() else workspace / state_dir,
        **parsed,
    )

