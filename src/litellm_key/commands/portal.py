"""`litellm-key portal login|logout`: keep (or forget) the portal session token that renewal uses.

The token is read from a hidden prompt or stdin, never from argv (visible in `ps`), checked
against the portal when one is configured, and stored 0600 outside the workspace.
"""

from __future__ import annotations

import argparse
import os
import sys

from ..console import Console
from ..errors import fail
from ..secret import refuse_cleartext
from ..portal import SESSION_TOKEN_VARIABLE, WHERE_TO_COPY, Portal, SessionToken, remove_session_token, save_session_token, token_file
from ..services.browser_session import login_from_browser
from ..services.renewal import require_portal
from ..settings_values import BROWSERS
from . import add_location_flags, add_output_flags, add_portal_flags, ask_session_token, interactive, settings_from

DESCRIPTION = f"""Store the key portal's session token for `renew`, `apply` and `token` (login), or
remove it (logout). Log in to the portal in a browser first (MFA included), then copy the token
from {WHERE_TO_COPY} -- or, on the machine where that browser runs, let --from-browser read it.

--from-browser [{'|'.join(("auto", *BROWSERS))}] reads the portal's `token` cookie (--session-cookie) for
portal_url's host from that browser's profile (--browser-profile; auto tries {', '.join(BROWSERS)}
in that order and says which it used), read-only, and stores it like a pasted token. The cookie
is never shown. See docs/renewal.md ("On a host").

The token is read from --token-stdin, {SESSION_TOKEN_VARIABLE} or a hidden prompt (in that
order), never from the command line; it is checked against `portal_url` (GET /api/v1/auths/)
and stored with that URL, mode 0600, in $XDG_CONFIG_HOME/litellm-key/session-token (or
--session-token-file, outside the workspace). It is sent to that portal only: another
`portal_url` later is refused (exit 8) until `portal login` stores a token for it.
{SESSION_TOKEN_VARIABLE}, when set, also wins over the file wherever the token is used, for a
`portal_url` set in the environment or by a flag.

examples:
  $ litellm-key portal login
  $ pbpaste | litellm-key portal login --token-stdin
  $ litellm-key portal login --from-browser firefox
  $ litellm-key portal logout
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("login", "logout"), help="store or remove the session token")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--token-stdin", action="store_true", help="read the session token from the first line of stdin")
    source.add_argument(
        "--from-browser",
        nargs="?",
        const="",
        choices=("", "auto", *BROWSERS),
        metavar="BROWSER",
        help="read the portal's session cookie from this browser's profile (default: the browser setting, auto)",
    )
    parser.add_argument("--no-input", action="store_true", help="never prompt")
    add_portal_flags(parser)
    add_location_flags(parser)
    parser.add_argument("--timeout", type=float, metavar="SECONDS", help="HTTP timeout (default 10)")
    add_output_flags(parser)


def _read_token(args: argparse.Namespace, path: object, portal_url: str) -> SessionToken:
    if args.token_stdin:
        line = sys.stdin.readline()
        if not line.strip():
            raise fail("empty-stdin")
        return SessionToken.parse(line)
    if os.environ.get(SESSION_TOKEN_VARIABLE, "").strip():  # the prompt's equivalent for scripts and CI
        return SessionToken.parse(os.environ[SESSION_TOKEN_VARIABLE])
    if not interactive(args):
        raise fail("portal-no-session", token_file=path)
    return ask_session_token(portal_url)


def run(args: argparse.Namespace, console: Console) -> int:
    if args.from_browser:  # a browser named here wins over the browser setting
        args.browser = args.from_browser
    settings = settings_from(args)
    path = token_file(settings.session_token_file)
    document: dict[str, object] = {"ok": True, "action": args.action, "session_token_file": str(path)}
    if args.action == "logout":
        removed = remove_session_token(path)
        console.ok(f"removed the session token {path}" if removed else f"no session token stored at {path}")
        if os.environ.get(SESSION_TOKEN_VARIABLE, "").strip():  # it wins over the file: still logged in
            console.warn(f"{SESSION_TOKEN_VARIABLE} is still set, and renewal keeps using it", f"unset {SESSION_TOKEN_VARIABLE}")
        console.emit({**document, "removed": removed})
        return 0
    if path.absolute().resolve().is_relative_to(settings.workspace.resolve()):
        raise fail("session-token-in-workspace", path=path, workspace=settings.workspace)
    portal_url = require_portal(settings)  # the token is stored for this portal and sent to no other
    refuse_cleartext(portal_url, "portal session token", allow_http=settings.allow_http)  # before asking for it
    if args.from_browser is not None:
        login = login_from_browser(settings, console)
        console.ok(f"session token stored in {path} for {portal_url} (mode 0600){'' if login.changed else ', unchanged'}")
        if os.environ.get(SESSION_TOKEN_VARIABLE, "").strip():  # it wins over the file: the browser's is not used
            console.warn(f"{SESSION_TOKEN_VARIABLE} is set, and renewal uses it instead", f"unset {SESSION_TOKEN_VARIABLE}")
        console.emit({**document, "portal_url": portal_url, "portal_user": login.user, "changed": login.changed, "browser": login.browser})
        return 0
    token = _read_token(args, path, portal_url)
    with Portal(portal_url, token, timeout=settings.timeout, allow_http=settings.allow_http) as portal:
        user = portal.whoami()
    console.ok(f"session valid: logged in to {portal_url} as {user}")
    changed = save_session_token(path, token, portal_url)
    console.ok(f"session token stored in {path} for {portal_url} (mode 0600){'' if changed else ', unchanged'}")
    console.emit({**document, "portal_url": portal_url, "portal_user": user, "changed": changed})
    return 0
