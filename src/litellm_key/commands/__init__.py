"""One module per CLI command. Each exposes DESCRIPTION, add_arguments(parser) and run(args, console).

The helpers here keep flag names and their mapping onto settings identical across commands; the
defaults in their help come from `Settings` itself, so help and behaviour cannot disagree.
"""

from __future__ import annotations

import argparse
import os
from typing import Any


from ..console import Console
from ..envfile import stored_key
from ..errors import LitellmKeyError, fail
from ..secret import ClientKey
from ..settings import Settings, load_settings
from ..settings_values import KNOWN_CLIENTS
_DEFAULTS = Settings._field_defaults


def _default(name: str) -> str:
    value = _DEFAULTS[name]
    return ", ".join(value) if isinstance(value, tuple) else str(value)


def add_location_flags(parser: argparse.ArgumentParser) -> None:
    """Where the key lives: every command that reads or writes .env takes these."""
    parser.add_argument("--workspace", metavar="DIR", help="workspace folder (default: git top-level of the cwd)")
    parser.add_argument("--env-file", metavar="PATH", help="the .env holding the key (default: <workspace>/.env)")
    parser.add_argument(
        "--store",
        dest="key_store",
        choices=("env", "keyring"),
        help="where the key lives: env (.env, default) or keyring (the OS credential store, for host use)",
    )


def add_connection_flags(parser: argparse.ArgumentParser) -> None:
    """How to reach LiteLLM: commands that talk to the gateway take these."""
    add_location_flags(parser)
    group = parser.add_argument_group("connection (override settings; see docs/configuration.md)")
    group.add_argument("--upstream", metavar="URL", help=f"where the proxy forwards to (default {_default('upstream')})")
    group.add_argument("--host-header", metavar="HOST", help=f"Host header the proxy sets (default {_default('host_header')})")
    group.add_argument("--listen", metavar="[HOST:]PORT", help=f"proxy listen address, loopback only (default {_default('listen_host')}:{_default('listen_port')})")
    group.add_argument(
        "--no-proxy",
        dest="proxy",
        action="store_const",
        const=False,
        help="talk to the upstream directly, without the nginx proxy",
    )
    group.add_argument(
        "--proxy",
        dest="proxy",
        action="store_const",
        const=True,
        help="use the nginx proxy (the default; undoes a --no-proxy that setup recorded)",
    )
    group.add_argument(
        "--model",
        dest="models",
        action="append",
        metavar="NAME",
        help=f"a model the key must reach (repeatable; default {_default('models')})",
    )
    group.add_argument("--timeout", type=float, metavar="SECONDS", help=f"HTTP timeout (default {_DEFAULTS['timeout']:g})")


def add_client_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--client",
        dest="clients",
        action="append",
        metavar="NAME",
        help=f"client to configure: {', '.join(KNOWN_CLIENTS)} or all (repeatable; default {_default('clients')})",
    )


def add_portal_flags(parser: argparse.ArgumentParser) -> None:
    """Where the key portal is and where the session token is kept (docs/renewal.md)."""
    group = parser.add_argument_group("key portal (see docs/renewal.md)")
    group.add_argument("--portal-url", metavar="URL", help="the key portal (Open WebUI); default: the portal_url setting")
    group.add_argument(
        "--session-token-file",
        metavar="PATH",
        help="where the portal session token is kept (default $XDG_CONFIG_HOME/litellm-key/session-token)",
    )
    add_allow_http_flag(group)


def add_allow_http_flag(group: argparse._ActionsContainer) -> None:
    """The explicit opt-in to send the master key or the session token over plain http to another
    machine (docs/security.md); without it that is refused before any connection."""
    group.add_argument(
        "--allow-http",
        action="store_const",
        const=True,
        help="send the session token or master key over plain http to a host that is not this machine (unsafe)",
    )


def add_key_source_flags(parser: argparse.ArgumentParser) -> None:
    """What a command that gets a key and stores it takes (setup, renew): where the key comes from
    (the portal), how to reach LiteLLM, which clients to configure, and how to report."""
    add_portal_flags(parser)
    add_connection_flags(parser)
    add_client_flags(parser)
    add_output_flags(parser)


def add_output_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON document (keys masked) instead of text")
    parser.add_argument("--quiet", "-q", action="store_true", help="print only warnings and errors")


SETTING_FLAGS = (
    "workspace", "env_file", "upstream", "host_header", "listen", "proxy", "models", "clients", "timeout",
    "portal_url", "session_token_file", "key_store", "allow_http",
)


def given_flags(args: argparse.Namespace) -> dict[str, Any]:
    """The settings this run was given by flag, as typed (None = not given)."""
    return {name: getattr(args, name, None) for name in SETTING_FLAGS if getattr(args, name, None) is not None}


def settings_from(args: argparse.Namespace, only: tuple[str, ...] | None = None, *, uses_state: bool = False) -> Settings:
    """Settings with this command's flags as the top layer (`only`: see load_settings).

    `uses_state`: the command reads or keeps undo records, locks or the proxy's files in `state_dir`;
    it is checked before anything changes, so setup cannot store a key and then crash on the clients.
    """
    settings = load_settings(flags=given_flags(args), only=only)
    problem = state_dir_problem(settings) if uses_state else None
    if problem:
        raise problem
    return settings


def state_dir_problem(settings: Settings) -> LitellmKeyError | None:
    """What stops us from using `state_dir` and everything in it, without creating anything (doctor
    asks too): an earlier `sudo litellm-key …` leaves root-owned files, a read-only home, a file
    where the folder belongs."""
    folder = existing = settings.state_dir
    while not os.path.lexists(existing) and existing != existing.parent:
        existing = existing.parent  # created on first use: its first existing ancestor must allow that
    entries = [(str(existing), os.R_OK | os.W_OK | os.X_OK)]
    if existing == folder and folder.is_dir():
        for root, folders, names in os.walk(folder):
            entries += [(os.path.join(root, name), os.R_OK | os.W_OK | os.X_OK) for name in folders]
            entries += [(os.path.join(root, name), os.R_OK | os.W_OK) for name in names]
    for path, wanted in entries:
        if not os.path.isdir(path) and wanted & os.X_OK:
            detail = f"{path} is not a folder"
        elif not os.path.islink(path) and not os.access(path, wanted):
            detail = f"{path} is not writable by you"
        else:
            continue
        return fail("state-dir-unusable", state_dir=folder, detail=detail)
    return None


def key_location(settings: Settings) -> str:
    """Where the key lives, in the user's words (for "no key is stored in …")."""
    return "the OS credential store" if settings.key_store == "keyring" else str(settings.env_file)


def load_key(settings: Settings) -> ClientKey | None:
    """The stored key, from wherever the `key_store` setting keeps it."""
    if settings.key_store == "keyring":
        from ..keyring_store import load_key as from_keyring

        return from_keyring()
    return stored_key(settings.env_file)


def replaceable_key(settings: Settings, console: Console) -> ClientKey | None:
    """The stored key for `setup` and `renew`, which are here to replace it: a stored value that is
    no usable key is a warning and None. A store that cannot be read at all (the keyring library
    missing or failing, .env unreadable) is still an error: storing the new key would fail too."""
    try:
        return load_key(settings)
    except LitellmKeyError as error:
        if error.reason not in ("env-key-malformed", "key-malformed"):
            raise
        where = "the OS credential store" if settings.key_store == "keyring" else settings.env_file
        console.warn(f"ignoring the key stored in {where}: {error.message}")
        return None
