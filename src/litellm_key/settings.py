"""Settings: defaults < /etc/litellm-key/config.yaml < your ~/.config/litellm-key/config.yaml <
the workspace's .devcontainer/litellm-key.yaml < choices recorded by `setup`
(.devcontainer/litellm-key.local.yaml) < LITELLM_* environment variables < command-line flags.

Each setting is declared once (settings_declared.py), with the sources allowed to set it: a
setting that steers a secret of yours is never taken from a checkout's files, whatever they say
(`Settings.ignored` keeps what was refused, for the warning). Every value remembers where it came
from (`Settings.sources`), so a bad one is reported as "file:line: field: problem" or "environment
variable LITELLM_X: ..." instead of a bare "invalid URL", and `litellm-key config` can show each
value's origin. YAML is imported only when a config file exists: `litellm-key token` runs on every
Claude Code request.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple

from . import keyhelper
from .errors import fail
from .secret import scrub
from .settings_declared import SETTINGS

if TYPE_CHECKING:
    from typing import Any


def _default(name: str) -> Any:
    return SETTINGS[name].default


class Origin(NamedTuple):
    """Where a setting's value came from: `kind` is default, system, user, workspace, recorded,
    file (`config check --file`), environment or flag; `where` is the file:line, the variable or the flag."""

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
    upstream: str = _default("upstream")
    host_header: str = _default("host_header")
    listen_host: str = _default("listen")[0]
    listen_port: int = _default("listen")[1]
    proxy: bool = _default("proxy")
    models: tuple[str, ...] = _default("models")
    clients: tuple[str, ...] = _default("clients")
    client_models: Mapping[str, str] = MappingProxyType({})
    admin_url: str = _default("admin_url")
    master_key_secret: str = _default("master_key_secret")
    key_alias_pattern: str = _default("key_alias_pattern")
    port_forward: str = _default("port_forward")
    portal_url: str | None = _default("portal_url")
    allow_http: bool = _default("allow_http")  # the master key and session token over plain http to another machine
    login_url: str | None = _default("login_url")  # where the host's browser reaches LiteLLM; None: http://<host_header>
    timeout: float = _default("timeout")
    proxy_timeout: float = _default("proxy_timeout")  # nginx upstream read/send timeout: LLM responses run for minutes
    renew_before: float = _default("renew_before")  # renew a key this many seconds before LiteLLM's expiry
    key_store: str = _default("key_store")  # where the key lives: the workspace .env, or the OS credential store ("keyring")
    session_token_file: Path | None = _default("session_token_file")  # None: ~/.config/litellm-key/session-token
    session_source: str = _default("session_source")  # where renewal gets a new portal session: "file" (stored token) or "browser"
    session_cookie: str = _default("session_cookie")  # the portal's session cookie (Open WebUI's), read by --from-browser
    browser: str = _default("browser")  # which browser's profile holds the portal session (auto: see browser/profiles.py)
    browser_profile: Path | None = _default("browser_profile")  # that browser's profile folder; None: its default profile
    sources: Mapping[str, Origin] = MappingProxyType({})  # setting (YAML name) -> origin; absent = default
    ignored: tuple[tuple[str, Origin], ...] = ()  # (setting, origin) a source set but may not: see load_settings

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


def find_workspace(cwd: Path, environ: Mapping[str, str]) -> Path:
    """The git top-level of cwd, else cwd (keyhelper's rule, which the apiKeyHelper fast path uses
    too, so both paths find the same .env). `LITELLM_WORKSPACE` wins; a plain `$WORKSPACE` is
    not used because CI systems such as Jenkins set it to something else."""
    return Path(keyhelper.find_workspace(str(cwd), environ))


def _config_layers(workspace: Path, environ: Mapping[str, str]) -> list[tuple[Path, str]]:
    """The settings files in layer order, as keyhelper names them (the fast path reads the same)."""
    return [(Path(path), layer) for layer, path in keyhelper.config_files(str(workspace), environ)]


def _mentions_any(path: Path, names: tuple[str, ...]) -> bool:
    try:
        data = path.read_bytes()
    except OSError:
        return True  # let the reader report it
    return any(name.encode() in data for name in names)


def _parse(name: str, value: Any, origin: Origin) -> Any:
    try:
        return SETTINGS[name].parse(value)
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
    ignored: list[tuple[str, Origin]] = []
    for config_file, kind in _config_layers(workspace, environ) if files is None else files:
        if not config_file.is_file() or (only and not _mentions_any(config_file, only)):
            continue
        from .settings_files import read_yaml

        for name, (value, line) in read_yaml(config_file).items():
            origin = Origin(kind, f"{config_file}:{line or '?'}")
            if name not in SETTINGS:
                raise fail("config-unknown", source=origin, field=name, known=", ".join(SETTINGS))
            if kind in SETTINGS[name].sources:
                raw[name] = (value, origin)
            elif name in wanted:
                ignored.append((name, origin))
    for name, setting in SETTINGS.items():
        if setting.variable and environ.get(setting.variable, "") != "":
            raw[name] = (environ[setting.variable], Origin("environment", setting.variable))
    for name, value in flags.items():
        flag = ("--proxy" if value else "--no-proxy") if name == "proxy" else SETTINGS[name].flags[0]
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
        ignored=tuple(ignored),
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
