"""One module per CLI command. Each exposes DESCRIPTION, add_arguments(parser) and run(args, console).

The helpers here keep flag names and their mapping onto settings identical across commands; each
setting's flag, help and default come from its declaration (settings_declared), so help and
behaviour cannot disagree.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Any

from ..console import Console
from ..errors import fail
from ..keyhelper import user_config
from ..services.state_dir import state_dir_problem
from ..settings import SETTINGS, Settings, load_settings

if TYPE_CHECKING:
    from ..portal import SessionToken


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


def interactive(args: argparse.Namespace | None = None) -> bool:
    """Whether a person can answer a prompt: stdin and stdout on a terminal (a pipe, a hook or a CI
    log cannot) and no `--no-input`. The one test every command that may ask uses."""
    return not getattr(args, "no_input", False) and sys.stdin.isatty() and sys.stdout.isatty()


def ask_session_token(portal_url: str) -> "SessionToken":
    """The hidden prompt for the portal session token (`portal login`, and `renew` or `setup
    --from-portal` on a terminal without a stored one), naming the portal the token will be sent
    to and where to find it there: the person answering decides where it goes."""
    import questionary

    from ..portal import WHERE_TO_COPY, SessionToken

    secret = questionary.password(f"Session token for {portal_url} (copy it from {WHERE_TO_COPY}):").ask()
    if secret is None:
        raise fail("cancelled")
    return SessionToken.parse(secret)


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
