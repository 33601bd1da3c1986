"""The apiKeyHelper fast path: `litellm-key token --env-file /abs/.env`, answered with `os` alone.

Claude Code runs its helper whenever the cached key expires. The full CLI (argparse, pathlib, re,
the settings layers) takes an interpreter start from ~19 to ~70 ms; this path reads the one file
the helper names and prints the key when the answer is unambiguous: a plain `LITELLM_API_KEY=...`
line in a file where no quote spans lines. Anything else (other flags, a relative path, a missing
or odd key) returns None and the full `token` command answers, and explains, instead. A test
holds this reader to python-dotenv's answers.
"""

from __future__ import annotations

import os

KEY_VARIABLE = "LITELLM_API_KEY"
_NOT_IN_A_PLAIN_VALUE = " \t#'\"\\$`"


def _env_file_flag(args: list[str]) -> str | None:
    if len(args) == 2 and args[0] == "--env-file":
        return args[1]
    if len(args) == 1 and args[0].startswith("--env-file="):
        return args[0].split("=", 1)[1]
    return None


def plain_value(text: str, variable: str = KEY_VARIABLE) -> str | None:
    """The last `variable=` value, or None when it is absent or a full .env parser could disagree."""
    value = None
    for line in text.splitlines():
        if line.count('"') % 2 or line.count("'") % 2:
            return None  # a quoted value may continue on the next lines
        assignment = line.strip()
        if assignment[:6] == "export" and assignment[6:7].isspace():
            assignment = assignment[6:].lstrip()
        name, equals, rest = assignment.partition("=")
        if name.strip() != variable:
            continue
        if not equals:
            return None
        rest = rest.strip()
        if len(rest) >= 2 and rest[0] == rest[-1] and rest[0] in "'\"":
            rest = rest[1:-1]
        value = rest
    if not value or not value.isascii() or not value.isprintable() or any(c in value for c in _NOT_IN_A_PLAIN_VALUE):
        return None
    return value


def key_for_helper(args: list[str]) -> str | None:
    """The key for `token` with these arguments, or None to leave the answer to the full command."""
    path = _env_file_flag(args)
    if not path or not os.path.isabs(path):
        return None
    try:
        with open(path, encoding="utf-8") as env_file:
            return plain_value(env_file.read())
    except (OSError, UnicodeDecodeError):
        return None
