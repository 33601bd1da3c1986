"""One module per CLI command. Each exposes DESCRIPTION, add_arguments(parser) and run(args, console).

The helpers here keep flag names and their mapping onto settings identical across commands; each
setting's flag, help and default come from its declaration (settings_declared), so help and
behaviour cannot disagree.
"""

from __future__ import annotations

import argparse
import os
from typing import Any


from ..console import Console
from ..envfile import stored_key
from ..errors import LitellmKeyError, fail
from ..keyhelper import user_config
from ..secret import ClientKey
from ..settings import SETTINGS, Settings, load_settings


def add_setting_flag(group: argparse._ActionsContainer, name: str, *, help_text: str | None = None) -> None:
    """The setting's first flag, as declared; a list setting's flag is repeatable and takes commas
    (`--client a,b` = `--client a --client b`, as the feature's options write lists)."""
    setting = SETTINGS[name]
    repeat = "repeatable or comma-separated; " if setting.is_list else ""
    text = f"{help_text or setting.help} ({repeat}default {setting.shown_default})"
    action = "append" if setting.is_list else "store"
    group.add_argument(setting.flags[0], dest=name, action=action, metavar=setting.metavar or None, help=text)


def add_location_flags(parser: argparse.ArgumentParser) -> None:
    """Where the key lives: every command that reads or writes .env takes these."""
    parser.add_argument("--workspace", metavar="DIR", help="workspace folder (default: git top-level of the cwd)")
    add_setting_flag(parser, "env_file")
    add_setting_flag(parser, "key_store")


def add_connection_flags(parser: argparse.ArgumentParser) -> None:
    """How to reach LiteLLM: commands that talk to the gateway take these."""
    add_location_flags(parser)
    group = parser.add_argument_group("connection (override settings; see docs/configuration.md)")
    for name in ("upstream", "host_header", "listen"):
        add_setting_flag(group, name)
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
    add_setting_flag(group, "models")
    add_setting_flag(group, "timeout")


def add_client_flags(parser: argparse.ArgumentParser) -> None:
    add_setting_flag(parser, "clients")


def add_portal_flags(parser: argparse.ArgumentParser) -> None:
    """Where the key portal is and where the session token is kept (docs/renewal.md)."""
    group = parser.add_argument_group("key portal (see docs/renewal.md)")
    for name in ("portal_url", "session_token_file", "session_source", "session_cookie", "browser", "browser_profile"):
        add_setting_flag(group, name)
    add_allow_http_flag(group)


def add_allow_http_flag(group: argparse._ActionsContainer) -> None:
    """The explicit opt-in to send the master key or the session token over plain http to another
    machine (docs/security.md); without it that is refused before any connection."""
    group.add_argument("--allow-http", dest="allow_http", action="store_const", const=True, help=f"{SETTINGS['allow_http'].help} (unsafe)")


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


SETTING_FLAGS = ("workspace", *(name for name, setting in SETTINGS.items() if setting.flags))


def given_flags(args: argparse.Namespace) -> dict[str, Any]:
    """The settings this run was given by flag, as typed (None = not given)."""
    return {name: getattr(args, name, None) for name in SETTING_FLAGS if getattr(args, name, None) is not None}


def settings_from(args: argparse.Namespace, only: tuple[str, ...] | None = None, *, uses_state: bool = False) -> Settings:
    """Settings with this command's flags as the top layer (`only`: see load_settings).

    A setting a checkout's file may not choose is warned about here, once per run, before any work.
    `uses_state`: the command reads or keeps undo records, locks or the proxy's files in `state_dir`;
    it is checked before anything changes, so setup cannot store a key and then crash on the clients.
    """
    settings = load_settings(flags=given_flags(args), only=only)
    warn_ignored(settings)
    problem = state_dir_problem(settings) if uses_state else None
    if problem:
        raise problem
    return settings


_warned: set[tuple[str, str]] = set()


def warn_ignored(settings: Settings, console: Console | None = None) -> None:
    """Say which settings a file set that only you may choose, where they belong, and that they were
    not used (the rest of the file was): a checkout must not decide where a secret of yours goes."""
    for name, origin in settings.ignored:
        if (name, origin.where) in _warned:
            continue
        _warned.add((name, origin.where))
        setting = SETTINGS[name]
        others = " or ".join(place for place in (setting.variable, *setting.flags[:1]) if place)
        (console or Console()).warn(
            f"{origin.where} sets {name}, which only your own settings may choose: ignored",
            f"put it in {user_config(os.environ)}{f', or use {others}' if others else ''} (docs/security.md says why)",
        )


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
