"""`litellm-key config [list|check]`: every effective setting and where it came from, like
`git config --show-origin`; `check` validates exactly what `apply` would load."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from ..console import Console
from ..errors import fail
from ..settings import SETTINGS, Settings, load_settings
from . import add_client_flags, add_connection_flags, add_output_flags, add_portal_flags, settings_from

DESCRIPTION = """List every effective setting with its value and its source: default,
/etc/litellm-key/config.yaml:LINE (the Dev Container feature's options), your own
~/.config/litellm-key/config.yaml:LINE, the workspace's .devcontainer/litellm-key.yaml:LINE, a
choice recorded by `setup` (.devcontainer/litellm-key.local.yaml), an environment variable, or a
flag. Layers: defaults < /etc < your file < workspace file < recorded setup choices < environment
< flags. A setting that steers a secret of yours (admin_url, port_forward, ...) is taken from your
file, the environment or a flag only: a file of the checkout that sets one is warned about and
not used for it (see docs/configuration.md).

  list    (the default) every setting, its value and its source
  check   load the settings exactly as `apply` does: exit 0 when valid, exit 3 naming the
          file:line, variable or flag of the first bad value, or the state folder (state_dir)
          when `apply` could not use it

--file PATH reads that one settings file over the defaults, ignoring every other layer: the
feature's install.sh runs `config check --file` on its options before installing them.

examples:
  $ litellm-key config
  $ litellm-key config --json | jq '.settings.clients'
  $ litellm-key config check
  $ litellm-key config check --file /etc/litellm-key/config.yaml
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", nargs="?", choices=("list", "check"), default="list", help="what to do (default: list)")
    parser.add_argument("--file", metavar="PATH", type=Path, help="this settings file alone over the defaults, no other layer")
    add_portal_flags(parser)  # apply's flags, all of them: check loads what `apply --X V` would
    add_connection_flags(parser)
    add_client_flags(parser)
    add_output_flags(parser)


def shown_value(settings: Settings, name: str) -> object:
    """A setting as it would be written in YAML (lists, HOST:PORT, paths as text)."""
    value = settings.listen if name == "listen" else getattr(settings, name)
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, Path):
        return str(value)
    if name == "client_models":
        return dict(value)
    return value


def _as_text(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, dict):
        return ", ".join(f"{client}: {model}" for client, model in value.items()) or "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    return "(none)" if value is None else str(value)


def _load(args: argparse.Namespace) -> Settings:
    """The settings `apply` would use, or with --file that file's settings over the defaults alone:
    install.sh checks the feature's options before they become /etc/litellm-key/config.yaml.
    `check` also asks what `apply` asks before it changes anything: whether the state folder is
    usable (exit 3 otherwise). The listing does not, so it can still show where `state_dir` comes from."""
    if args.file is None:
        return settings_from(args, uses_state=args.action == "check")
    if not args.file.is_file():  # a missing layer is skipped; a file named on purpose must be there
        raise fail("config-file-missing", source=args.file)
    home_only = {name: os.environ[name] for name in ("HOME", "XDG_STATE_HOME") if name in os.environ}
    return load_settings(environ=home_only, files=[(args.file, "file")], cwd=args.file.parent)


def run(args: argparse.Namespace, console: Console) -> int:
    settings = _load(args)
    checked = args.file or settings.workspace
    if args.action == "check":
        console.ok(f"settings valid ({checked})")
        console.emit({"ok": True, "checked": str(checked)})
        return 0
    listing = {
        name: {"value": shown_value(settings, name), "source": str(settings.source_of(name)), "kind": settings.source_of(name).kind}
        for name in SETTINGS
    }
    for name, origin in settings.ignored:
        listing[name].setdefault("ignored", []).append(str(origin))
    if not console.json_mode:
        width = max(map(len, listing))
        for name, entry in listing.items():
            ignored = "".join(f"; ignored: {where}" for where in entry.get("ignored", []))
            console.line(f"{name:<{width}}  {_as_text(entry['value'])}  ({entry['source']}{ignored})")
    console.emit({"ok": True, "checked": str(checked), "settings": listing})
    return 0
