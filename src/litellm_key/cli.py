"""Command-line front: parse, run one command, turn its failure into a message and an exit code.

Only the chosen command's module is imported, so no command pays for another's imports (httpx,
questionary). `token` (Claude Code's apiKeyHelper) and `env` (every new terminal) are answered
before argparse is even imported when `.env` is plain (keyhelper.py); every other call takes the
full path.
"""

from __future__ import annotations

import os
import sys

from . import __version__
from .console import Console, neutralised
from .errors import EXIT_CODES, LitellmKeyError, fail

TYPE_CHECKING = False  # not `from typing import`: typing costs the apiKeyHelper path 5 ms
if TYPE_CHECKING:
    import argparse

# name -> (one-line summary, module under litellm_key.commands)
COMMANDS: dict[str, tuple[str, str]] = {
    "setup": ("get a client key (prompt, stdin or env), verify it, store it, configure proxy and clients", "setup"),
    "apply": ("re-create proxy and client configs from .env (container start / rebuild); never prompts", "apply"),
    "status": ("check the stored key against LiteLLM through the proxy and show what it can use", "status"),
    "token": ("print the stored key and nothing else (Claude Code apiKeyHelper)", "token"),
    "env": ("print export lines for the clients' environment variables", "env"),
    "login": ("sign in through LiteLLM's SSO in the host's browser and store the credential it gives", "login"),
    "logout": ("remove the key from .env and what litellm-key added to client configs", "logout"),
    "proxy": ("render, start, stop, reload or inspect the nginx proxy", "proxy"),
    "keys": ("admin: generate, list, rotate, delete, onboard and audit virtual keys with the master key", "keys"),
    "doctor": ("check every hop from the clients to the model and say how to fix what is broken", "doctor"),
    "renew": ("renew an expired, rejected or nearly expired key through the key portal", "renew"),
    "portal": ("store (login) or remove (logout) the key portal's session token", "portal"),
    "config": ("list every setting with its value and source; `config check` validates them", "config"),
}


def _chosen_command(argv: list[str]) -> str | None:
    return next((arg for arg in argv if not arg.startswith("-")), None)


def build_parser(chosen: str | None) -> argparse.ArgumentParser:
    import argparse
    import importlib

    codes = "\n".join(f"  {code:>3}  {meaning}" for code, meaning in EXIT_CODES.items())
    parser = argparse.ArgumentParser(
        prog="litellm-key",
        description="Get a LiteLLM client key into this Dev Container and keep Claude Code, Codex, Gemini CLI, "
        "OpenCode and Roo Code working with it.",
        epilog=f"exit codes:\n{codes}\n\nStart with: config-claude-code.sh  (or: litellm-key setup)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"litellm-key {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (summary, module_name) in COMMANDS.items():
        if name != chosen:
            if chosen not in COMMANDS:  # the overview lists every command; a run needs only its own
                subparsers.add_parser(name, help=summary)
            continue
        module = importlib.import_module(f"litellm_key.commands.{module_name}")
        command_parser = subparsers.add_parser(
            name,
            help=summary,
            description=module.DESCRIPTION,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.add_arguments(command_parser)
        command_parser.set_defaults(run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] in (["token"], ["env"]):
        from .keyhelper import answer

        if answer(argv):
            return 0
    parser = build_parser(_chosen_command(argv))
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    console = Console(quiet=getattr(args, "quiet", False), json_mode=getattr(args, "json", False))
    try:
        code = _run(args, console)
        sys.stdout.flush()  # a reader that went away shows here, not as a warning at interpreter exit
    except BrokenPipeError:  # `litellm-key keys list | head`: stop quietly, as `ls | head` does
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, what a shell reports for a writer its reader left
    return code


def _run(args: "argparse.Namespace", console: Console) -> int:
    try:
        return args.run(args, console)
    except BrokenPipeError:
        raise
    except LitellmKeyError as error:
        failure = error
    except KeyboardInterrupt:  # Ctrl-C (SIGTERM and SIGHUP too, where a command turns them into it)
        print(file=sys.stderr)  # past the ^C the terminal echoed
        failure = fail("interrupted")  # with --json, a script still gets its one document
    except Exception as error:
        failure = _not_a_bug(error)
    if failure is not None:
        console.failure(failure)
        return failure.exit_code
    return 1


def _not_a_bug(error: Exception) -> LitellmKeyError | None:
    """The catalogued failure an uncaught exception stands for, else report it as the bug it is
    (without leaking a key) and return None. files is imported here, not at the top: the
    apiKeyHelper path imports cli and must not pay for pathlib."""
    from .files import NotRegularFile

    if isinstance(error, NotRegularFile):  # a pipe, folder or device where a file we write belongs
        return fail("not-a-file", path=error.filename, kind=error.kind)
    from .secret import scrub

    print(neutralised(scrub(f"✗ unexpected error: {type(error).__name__}: {error}")), file=sys.stderr)
    if os.environ.get("LITELLM_KEY_DEBUG"):
        import traceback

        print(neutralised(scrub(traceback.format_exc())), file=sys.stderr)
    else:
        print("  Run again with LITELLM_KEY_DEBUG=1 for details, and report it.", file=sys.stderr)
    return None
