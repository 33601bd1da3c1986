"""Settings: defaults < /etc/litellm-key/config.yaml < workspace .devcontainer/litellm-key.yaml
< choices recorded by `setup` (.devcontainer/litellm-key.local.yaml) < LITELLM_* environment
variables < command-line flags.

Every value remembers where it came from (`Settings.sources`), so a bad one is reported as
"file:line: field: problem" or "environment variable LITELLM_X: ..." instead of a bare "invalid
URL", and `litellm-key config` can show each value's origin. The rules for each value live in
settings_values.py: whatever `load_settings` accepts, the proxy renders and nginx starts with.
YAML is imported only when a config file exists: `litellm-key token` runs on every Claude Code
request.
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
from .settings_values import SETTINGS

if TYPE_CHECKING:
    from typing import Any

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
    allow_http: bool = False  # the master key and session token over plain http to another machine
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


# Flags whose name is not the setting's (the others are --<setting-with-dashes>).
_FLAGS = {"models": "--model", "clients": "--client"}


def find_workspace(cwd: Path, environ: Mapping[str, str]) -> Path:
    """The git top-level of cwd, else cwd (keyhelper's rule, which the apiKeyHelper fast path uses
    too, so both paths find the same .env). `LITELLM_WORKSPACE` wins; a plain `$WORKSPACE` is
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
