"""`litellm-key login`: a credential through LiteLLM's CLI SSO, from a container with no browser.

The container cannot open a browser, so it prints the URL for the host's browser and the code the
person types there, then polls until LiteLLM hands over the credential. Order matters for "loses
nothing": the credential is verified through /v1/models before it replaces the stored key.
"""

from __future__ import annotations

import argparse
import json
import os
import time

from .. import sso
from ..console import Console, neutralised
from ..envfile import ensure_gitignored
from ..errors import LitellmKeyError, fail
from ..files import atomic_write, read_regular
from ..gateway import verify
from ..settings import Settings
from ..services.client_setup import configure_clients
from ..services.key_store import key_store
from ..services.verification import master_key_warning
from ..services import step_report
from . import add_client_flags, add_connection_flags, add_output_flags, interactive, render, settings_from

DESCRIPTION = """Get a client credential from LiteLLM's SSO (LiteLLM 1.84 or later with SSO configured),
without an admin and without pasting: print a URL and a code, open the URL in the browser on the
HOST, sign in and enter the code; the container picks the credential up, verifies it against
/v1/models and stores it in .env with its expiry (LITELLM_KEY_EXPIRES), like `setup` does.

The credential is a JWT that LiteLLM makes valid for 24 hours by default: `token` and `apply` warn
in its last hour and `status` exits 4 once it has expired; run `login` again then.

The URL is <login_url>/sso/key/generate?source=litellm-cli&key=<login id>, where the `login_url`
setting defaults to http://<host_header> (what the host's browser reaches through Traefik).

When LiteLLM asks which team the credential is for: --team, else a menu on a terminal, else
exit 2 listing the teams. Ctrl-C while waiting stops at once (exit 130) and stores nothing.
--no-wait prints the URL and code and exits; the next `login` (without --no-wait) waits for that
same login, once, while it is still valid, instead of starting a new one. So does `login --team`
after a team question it could not answer: the sign-in is kept, no new one is needed.

examples:
  $ litellm-key login
  $ litellm-key login --team team-backend
  $ litellm-key login --no-wait && litellm-key login   # print first, wait later
"""

STATE_FILE = "sso-login.json"  # in state_dir, 0600: it holds the poll secret of a login to resume
POLL_INTERVAL_VARIABLE = "LITELLM_KEY_POLL_INTERVAL"  # seconds; tests shorten it
SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
PLAIN_EVERY = 30.0  # seconds between "still waiting" lines when there is no terminal


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--team", metavar="ID", help="the team the credential is for, when LiteLLM asks")
    parser.add_argument("--no-wait", action="store_true", help="print the URL and code, save the login, exit")
    add_connection_flags(parser)
    add_client_flags(parser)
    add_output_flags(parser)


def _save_login(settings: Settings, login: sso.Login) -> None:
    atomic_write(settings.state_dir / STATE_FILE, json.dumps(login.as_dict()).encode(), mode=0o600)


def _take_saved_login(settings: Settings) -> sso.Login | None:
    """The saved login (--no-wait, or a team question left open), taken once: the file goes
    whatever the outcome, so a login that failed or was interrupted is never retried with its (by
    then useless) poll secret."""
    path = settings.state_dir / STATE_FILE
    try:
        login = sso.Login.from_dict(json.loads(read_regular(path)))  # never blocks on a named pipe
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        login = None
    path.unlink(missing_ok=True)
    return login if login is not None and login.expires_at > time.time() else None


def _browser_url(settings: Settings, login: sso.Login) -> str:
    base = settings.login_url or f"http://{settings.host_header}"
    return f"{base}/sso/key/generate?source=litellm-cli&key={login.quoted_id}"


def _show_instructions(settings: Settings, login: sso.Login, console: Console) -> None:
    """The one thing the person must see, even with --quiet; on stderr when stdout carries JSON."""
    stream = console.err if console.json_mode else console.out
    console.line(f"Open this URL in the browser on your host and sign in:\n\n    {_browser_url(settings, login)}\n", stream=stream)
    console.line(f"Then enter the code: {login.user_code}", stream=stream, flush=True)


class Countdown:
    """The waiting line: a spinner rewritten in place on a terminal, a plain line every 30 s otherwise
    (flushed: behind a pipe stdout is block-buffered, and the line is for someone watching now);
    and a warning when polls start getting no answer (the login goes on regardless). Like the URL,
    it is for the person waiting, so with --json it goes to stderr; only --quiet hides it."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.stream = console.err if console.json_mode else console.out
        self.shown = not console.quiet
        self.live = self.shown and self.stream.isatty()
        self.frame = 0
        self.last_plain: float | None = None
        self.troubled = False

    def __call__(self, seconds_left: float, problem: LitellmKeyError | None = None) -> None:
        if problem is not None and not self.troubled:
            self.done()
            self.console.warn(f"{problem.message.rstrip('.')}; trying again until the login ends")
        self.troubled = problem is not None
        if not self.shown:
            return
        left = f"{int(seconds_left) // 60}:{int(seconds_left) % 60:02d}"
        if self.live:
            self.frame += 1
            self.stream.write(f"\r{SPINNER[self.frame % len(SPINNER)]} waiting for the sign-in: {left} left ")
            self.stream.flush()
        elif self.last_plain is None or self.last_plain - seconds_left >= PLAIN_EVERY:
            self.last_plain = seconds_left
            self.console.line(f"  waiting for the sign-in in the browser ({left} left)", stream=self.stream, flush=True)

    def done(self) -> None:
        if self.live and self.frame:
            self.stream.write("\r\033[K")
            self.stream.flush()


def _choose_team(choice: sso.TeamChoice, wanted: str | None) -> str:
    listed = ", ".join(str(team) for team in choice.teams) or "(none)"
    first = choice.teams[0].team_id if choice.teams else "ID"
    if wanted:
        if wanted not in {team.team_id for team in choice.teams}:
            raise fail("login-team-unknown", team=wanted, teams=listed, first_team=first)
        return wanted
    if not interactive():
        raise fail("login-team-required", teams=listed, first_team=first)
    import questionary

    answer = questionary.select(
        "Which team is the credential for?",
        choices=[questionary.Choice(neutralised(str(team)), value=team.team_id) for team in choice.teams],
    ).ask()
    if answer is None:
        raise fail("cancelled")
    return answer


def _wait_for_credential(client: sso.SsoClient, login: sso.Login, args: argparse.Namespace, console: Console) -> sso.Credential:
    try:
        interval = float(os.environ.get(POLL_INTERVAL_VARIABLE) or sso.POLL_INTERVAL)
    except ValueError:  # a test knob, not a setting: a bad value means the default
        interval = sso.POLL_INTERVAL
    countdown = Countdown(console)
    team_id: str | None = None
    try:
        while True:
            answer = client.wait(login, team_id=team_id, interval=interval, tick=countdown)
            if isinstance(answer, sso.Credential):
                if args.team and team_id is None:  # one team (or none): LiteLLM does not ask, --team is moot
                    countdown.done()
                    issued = f"team {answer.team_id}" if answer.team_id else "no team named in its answer"
                    console.warn(f"LiteLLM did not ask which team, so --team {args.team} was not used; "
                                 f"the credential is for {issued}")
                return answer
            if team_id is not None:  # asked again after we chose: do not loop forever
                raise fail("login-failed", status=200, detail=f"LiteLLM asked for a team again after {team_id}")
            countdown.done()
            team_id = _choose_team(answer, args.team)
            console.ok(f"team {team_id}")
    finally:
        countdown.done()


def run(args: argparse.Namespace, console: Console) -> int:
    settings = settings_from(args, uses_state=True)
    gitignore_change = ensure_gitignored(settings.env_file)
    proxy_outcome = step_report.start_proxy(settings, console)  # LiteLLM must see our Host header
    with sso.SsoClient(settings.base_url, timeout=settings.timeout) as client:
        login = None if args.no_wait else _take_saved_login(settings)
        if login is None:
            login = client.start()
            if login.capped:
                console.warn(f"LiteLLM gave the login {login.capped} s to finish; waiting at most {int(sso.MAX_LIFETIME // 60)} min")
        else:
            console.ok(f"resuming the login already started (code {login.user_code})")
        _show_instructions(settings, login, console)
        if args.no_wait:
            _save_login(settings, login)
            console.info("run `litellm-key login` to wait for the sign-in and store the credential")
            console.emit({"ok": True, "waiting": False, "url": _browser_url(settings, login),
                          "user_code": login.user_code})
            return 0
        try:
            credential = _wait_for_credential(client, login, args, console)
        except LitellmKeyError as error:
            if error.reason in ("login-team-required", "login-team-unknown"):
                _save_login(settings, login)  # signed in already: `login --team` finishes it, no new sign-in
            raise
    key = credential.key
    console.ok(f"signed in{f' as {credential.user_id}' if credential.user_id else ''}: credential {key.mask()}")
    console.step(f"checking the credential against {settings.base_url}/v1/models")
    verification = verify(settings.base_url, key, required_models=settings.models, timeout=settings.timeout, check_role=True)
    step_report.notice(console, master_key_warning(key, verification))  # as for a pasted key: never the master key into .env
    step_report.verified(console, key, verification)
    if gitignore_change:
        console.info(gitignore_change)
    expires = sso.jwt_expiry(key)
    changed = step_report.stored(console, key_store(settings).save(key, expires=expires))
    client_changes = step_report.client_setup(console, configure_clients(settings, key))
    console.info(f"the credential expires {expires or 'at an unknown time'}; run `litellm-key login` again then")
    console.emit(
        {
            "ok": True,
            "key": key.mask(),
            "user_id": credential.user_id,
            "team_id": credential.team_id,
            "expires": expires,
            "env_file": str(settings.env_file),
            "proxy": proxy_outcome,
            "env_changed": changed,
            "clients": render.changes_as_dict(client_changes),
            **render.verification_as_dict(verification),
        }
    )
    return 0
