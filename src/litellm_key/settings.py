"""Settings: defaults < /etc/litellm-key/config.yaml < workspace .devcontainer/litellm-key.yaml
< choices recorded by `setup` (.devcontainer/litellm-key.local.yaml) < LITELLM_* environment
variables < command-line flags.

Every value remembers where it came from (`Settings.sources`), so a bad one is reported as
"file:line: field: problem" or "environment variable LITELLM_X: ..." instead of a bare "invalid
URL", and `litellm-key config` can show each value's origin. This module is the one place a rule
about a value lives: whatever `load_settings` accepts, the proxy renders and nginx starts with.
YAML is imported only when a config file exists: `litellm-key token` runs on every Claude Code
request.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple

from . import keyhelper
from .errors import fail
from .secret import scrub

if TYPE_CHECKING:
    from typing import Any

KNOWN_CLIENTS = ("claude-code", "codex", "gemini", "opencode", "roo")
DEFAULT_MODELS = ("claude-sonnet-4-5-20250929", "claude-3-opus-20240229")


class Origin(NamedTuple):
    """Where a setting's value came from: `kind` is default, system, workspace, recorded, file,
    environment or flag; `where` is the file:line, the variable or the flag."""

    kind: str
    where: str = ""

    def __str__(self) -> str:
        if self.kind == "recorded":
            return f"setup choice recorded in {self.where}"
        if self.kind == "environment":
            return f"environment variable {self.where}"
        return self.where or self.kind


DEFAULT = Origin("default")


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
    key_alias_pattern: str = "claude-code-{name}"
    port_forward: str = "kubectl port-forward -n ai svc/litellm 4000:4000"
    portal_url: str | None = None
    login_url: str | None = None  # where the host's browser reaches LiteLLM; None: http://<host_header>
    timeout: float = 10.0
    proxy_timeout: float = 600.0  # nginx upstream read/send timeout: LLM responses run for minutes
    renew_before: float = 86400.0  # renew a key this many seconds before LiteLLM's expiry (1 day)
    key_store: str = "env"  # where the key lives: the workspace .env, or the OS credential store ("keyring")
    session_token_file: Path | None = None  # the portal session; None: ~/.config/litellm-key/session-token
    sources: Mapping[str, Origin] = MappingProxyType({})  # setting (YAML name) -> origin; absent = default

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

    def source_of(self, name: str) -> Origin:
        return self.sources.get(name, DEFAULT)

    @property
    def listen(self) -> str:
        """The `listen` setting as written: HOST:PORT, an IPv6 host in brackets."""
        host = f"[{self.listen_host}]" if ":" in self.listen_host else self.listen_host
        return f"{host}:{self.listen_port}"


# ---- value parsers: raw (str from env/flags, anything from YAML) -> typed value, ValueError(problem, hint)

_URL_TEXT = re.compile(r"^https?://[A-Za-z0-9._~:/%\[\]-]+$")  # nothing that could end an nginx string
_HOST_RE = re.compile(r"^[A-Za-z0-9.-]+$")
_MIN_SECONDS = 0.001  # below it nginx's millisecond value rounds to 0: every proxied request would time out
_MAX_SECONDS = 7 * 24 * 3600  # beyond this nginx refuses the time value; no check needs a week


def _url(raw: Any) -> str:
    from urllib.parse import urlsplit  # 3 ms, and most runs have no URL to check

    text = str(raw).strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in text):
        raise ValueError(f"'{text}' is not an http(s) URL", "Write it with a scheme, e.g. http://host.docker.internal:80")
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        raise ValueError(f"'{text}' has an invalid port", "Use a port between 1 and 65535")
    return text.rstrip("/")


def _upstream(raw: Any) -> str:
    """An http(s) URL that goes into the nginx config as host, port and path: no query, fragment,
    user info or character that could end an nginx string or directive."""
    from urllib.parse import urlsplit

    text = _url(raw)
    parts = urlsplit(text)
    if not _URL_TEXT.match(text) or parts.query or parts.fragment:
        raise ValueError(f"'{text}' is not a plain http(s)://host:port[/path] URL", "e.g. http://host.docker.internal:80")
    return text


def _optional_url(raw: Any) -> str | None:
    return None if raw in (None, "") else _url(raw)


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
    """`127.0.0.1:8080` or just `8080`. The proxy stays on a loopback address (it forwards a key
    nobody else may use), on a port its unprivileged nginx may open."""
    import ipaddress

    text = str(raw).strip()
    host, _, port = text.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(f"{host} is not a loopback address", "The proxy listens on loopback only, e.g. 127.0.0.1:8080")
    number = _port(port)
    if number < 1024:
        raise ValueError(f"port {number} is below 1024, which only root may open", "nginx runs as you: use 1024 or above, e.g. 8080")
    return host, number


def _names(raw: Any) -> tuple[str, ...]:
    items = raw if isinstance(raw, (list, tuple)) else str(raw).split(",")
    for item in items:  # YAML makes `[null]`, `[1.5]` or a self-referencing alias out of a typo
        if not isinstance(item, str):
            raise ValueError(f"{item!r} is not a name", "Write each name as text, e.g. [claude-sonnet-4-5-20250929]")
    names = tuple(item.strip() for item in items if item.strip())
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
    models = {str(client): _names([model]) for client, model in raw.items()}
    if not all(models.values()):
        raise ValueError("a client has no model", "e.g. client_models: {codex: gpt-5}")
    return {client: names[0] for client, names in models.items()}


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
    if not math.isfinite(value) or not _MIN_SECONDS <= value <= _MAX_SECONDS:
        raise ValueError(f"{raw} is not between {_MIN_SECONDS} and {_MAX_SECONDS} seconds", "Use e.g. 10")
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
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{raw} is not a duration of 0 or more seconds", "Use e.g. 1d")
    return value


def _key_store(raw: Any) -> str:
    text = str(raw).strip().lower()
    if text not in ("env", "keyring"):
        raise ValueError(f"'{raw}' is not a key store", "Use env (the workspace .env) or keyring (the OS credential store)")
    return text


def _text(raw: Any) -> str:
    return str(raw).strip()


def _alias_pattern(raw: Any) -> str:
    text = str(raw).strip()
    if text.count("{name}") != 1 or any(c.isspace() for c in text):
        raise ValueError(f"'{text}' must contain {{name}} exactly once and no spaces", "e.g. claude-code-{name}")
    return text


def _path(raw: Any) -> Path:
    return Path(os.path.expanduser(str(raw).strip()))


def _state_dir(raw: Any) -> Path:
    """The nginx config names files under it inside "...": nothing may end or interpolate that string."""
    path = _path(raw)
    text = str(path)
    if any(char in text for char in '"\\$') or not text.isprintable():
        raise ValueError(f"'{text}' holds a quote, backslash, $ or control character", "Choose a plain path")
    return path


# setting name (as written in YAML) -> (parser, environment variable)
SETTINGS: dict[str, tuple[Callable[[Any], Any], str | None]] = {
    "upstream": (_upstream, "LITELLM_UPSTREAM"),
    "host_header": (_host, "LITELLM_HOST_HEADER"),
    "listen": (_listen, "LITELLM_LISTEN"),
    "proxy": (_bool, "LITELLM_PROXY"),
    "env_file": (_path, "LITELLM_ENV_FILE"),
    "state_dir": (_state_dir, "LITELLM_STATE_DIR"),
    "models": (_models, "LITELLM_MODELS"),
    "clients": (_clients, "LITELLM_CLIENTS"),
    "client_models": (_client_models, None),
    "admin_url": (_url, "LITELLM_ADMIN_URL"),
    "master_key_secret": (_text, "LITELLM_MASTER_KEY_SECRET"),
    "key_alias_pattern": (_alias_pattern, "LITELLM_KEY_ALIAS_PATTERN"),
    "port_forward": (_text, "LITELLM_PORT_FORWARD"),
    "portal_url": (_optional_url, "LITELLM_PORTAL_URL"),
    "login_url": (_optional_url, "LITELLM_LOGIN_URL"),
    "timeout": (_seconds, "LITELLM_TIMEOUT"),
    "proxy_timeout": (_seconds, "LITELLM_PROXY_TIMEOUT"),
    "renew_before": (_duration, "LITELLM_RENEW_BEFORE"),
    "session_token_file": (_path, "LITELLM_SESSION_TOKEN_FILE"),
    "key_store": (_key_store, "LITELLM_KEY_STORE"),
}


# Flags whose name is not the setting's (the others are --<setting-with-dashes>).
_FLAGS = {"models": "--model", "clients": "--client"}


def find_workspace(cwd: Path, environ: Mapping[str, str]) -> Path:
    """The git top-level of cwd, else cwd (keyhelper's rule, which the apiKeyHelper fast path uses
    too, so both paths find the same .env). `LITELLM_WORKSPACE` wins; DESIGN.md's `$WORKSPACE` is
    not used because CI systems such as Jenkins set it to something else."""
    return Path(keyhelper.find_workspace(str(cwd), environ))


def _config_layers(workspace: Path, environ: Mapping[str, str]) -> list[tuple[Path, str]]:
    """The settings files in layer order, as keyhelper names them (the fast path reads the same)."""
    files = keyhelper.config_files(str(workspace), environ)
    return [(Path(path), layer) for path, layer in zip(files, ("system", "workspace", "recorded"))]


def _mentions_any(path: Path, names: tuple[str, ...]) -> bool:
    try:
        data = path.read_bytes()
    except OSError:
        return True  # let the reader report it
    return any(name.encode() in data for name in names)


def _parse(name: str, value: Any, origin: Origin) -> Any:
    parser, _ = SETTINGS[name]
    try:
        return parser(value)
    except ValueError as error:
        problem, hint = error.args if len(error.args) == 2 else (str(error), "")
        # The problem repeats the value: a key pasted into the wrong setting is shown masked.
        raise fail("config-value", source=origin, field=name, problem=scrub(problem), hint=hint) from None


def load_settings(
    *,
    flags: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    only: tuple[str, ...] | None = None,
    files: list[tuple[Path, str]] | None = None,
) -> Settings:
    """Layer every source, validate each value against the source it came from.

    `only` names the settings the caller needs; the rest keep their defaults, and a config file
    that mentions none of them is not parsed at all. `token` needs only `env_file` and skips the
    YAML import (a third of its run time) in every container, which has /etc/litellm-key/config.yaml.
    `files` replaces the config file layers (path, kind): `config check --file` checks one file alone.
    """
    environ = os.environ if environ is None else environ
    wanted = tuple(SETTINGS) if only is None else only
    flags = {name: value for name, value in (flags or {}).items() if value is not None}
    workspace = Path(flags.pop("workspace")).resolve() if "workspace" in flags else find_workspace(
        cwd or Path.cwd(), environ
    )

    raw: dict[str, tuple[Any, Origin]] = {}
    for config_file, kind in _config_layers(workspace, environ) if files is None else files:
        if not config_file.is_file() or (only and not _mentions_any(config_file, only)):
            continue
        from .settings_files import read_yaml

        for name, (value, line) in read_yaml(config_file).items():
            origin = Origin(kind, f"{config_file}:{line or '?'}")
            if name not in SETTINGS:
                raise fail("config-unknown", source=origin, field=name, known=", ".join(SETTINGS))
            raw[name] = (value, origin)
    for name, (_, variable) in SETTINGS.items():
        if variable and environ.get(variable, "") != "":
            raw[name] = (environ[variable], Origin("environment", variable))
    for name, value in flags.items():
        flag = ("--proxy" if value else "--no-proxy") if name == "proxy" else _FLAGS.get(name, f"--{name.replace('_', '-')}")
        raw[name] = (value, Origin("flag", flag))
    raw = {name: entry for name, entry in raw.items() if name in wanted}
    parsed = {name: _parse(name, value, origin) for name, (value, origin) in raw.items()}

    if "listen" in parsed:
        parsed["listen_host"], parsed["listen_port"] = parsed.pop("listen")
    env_file = parsed.pop("env_file", Path(".env"))
    home = Path(environ.get("HOME") or Path.home())
    state_home = Path(environ.get("XDG_STATE_HOME") or home / ".local" / "state")
    if "state_dir" in wanted and "state_dir" not in parsed:  # the default, from $XDG_STATE_HOME or $HOME
        parsed["state_dir"] = _parse("state_dir", state_home / "litellm-key", Origin("default", "default (from $XDG_STATE_HOME or $HOME)"))
    state_dir = parsed.pop("state_dir", state_home / "litellm-key")
    return Settings(
        workspace=workspace,
        env_file=env_file if env_file.is_absolute() else workspace / env_file,
        state_dir=state_dir if state_dir.is_absolute() else workspace / state_dir,
        sources=MappingProxyType({name: origin for name, (_, origin) in raw.items()}),
        **parsed,
    )


def check_rendered_values(settings: Settings) -> None:
    """The same rules again for the values the proxy writes into nginx.conf, for Settings built
    without `load_settings` (tests, `_replace`): nothing reaches the template unchecked."""
    for name, value in (
        ("upstream", settings.upstream),
        ("host_header", settings.host_header),
        ("listen", settings.listen),
        ("state_dir", settings.state_dir),
    ):
        _parse(name, value, settings.source_of(name) if name in settings.sources else Origin("proxy settings"))
