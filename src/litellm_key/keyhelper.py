"""The hot paths `token` and `env`, answered with `os` alone when the answer is unambiguous.

Claude Code runs `litellm-key token --env-file ABS` (its apiKeyHelper) whenever its cached key
expires, and every new terminal runs `litellm-key env`. The full CLI (argparse, pathlib, re, the
settings layers, YAML) costs several interpreter start-ups; this module answers from `.env` alone
and returns None whenever a full parser could read the file differently (a quote that may span
lines, an escaped quote, a separator python-dotenv does not split on, an odd value, a key that
expires within the hour, a config file that moves `.env`). The full command then answers, and
explains. A test holds this reader to python-dotenv's answers on a hostile corpus.

Nothing here imports `re`, `pathlib`, `typing`, `shlex` or even `__future__` (annotations are
evaluated, so they are written in forms Python 3.10 evaluates): each costs the helper time.
"""

import os
import sys
import time

from .known_clients import BASE_URL_VARIABLE, CLAUDE_TOKEN_VARIABLE, CLIENTS, KEY_VARIABLE, SHARED_VARIABLES

# Longer than this is no key (an sk- key is a few dozen characters, a login JWT a few hundred): it
# would not fit an HTTP header line through LiteLLM's server (h11's 16 KB for all headers) or a
# default nginx (8 KB per line), so it is refused before it is stored (ClientKey.problem), and the
# fast path leaves a stored one to the full command, which says so.
MAX_KEY_LENGTH = 4096
# When the stored key stops working, `YYYY-MM-DDTHH:MM:SSZ` in UTC (envfile.normalized_expiry).
EXPIRES_VARIABLE = "LITELLM_KEY_EXPIRES"
SYSTEM_CONFIG = "/etc/litellm-key/config.yaml"
WORKSPACE_CONFIG = ".devcontainer/litellm-key.yaml"
RECORDED_CHOICES = ".devcontainer/litellm-key.local.yaml"  # what `setup` recorded (settings_files)
# A key that expires within this many seconds goes to the full `token`, which renews or warns.
RENEW_MARGIN = 3600

_NOT_IN_A_PLAIN_VALUE = " \t#'\"\\$`"
# Characters python-dotenv treats as whitespace inside a line (its regexes use \s) but
# str.splitlines treats as line breaks, or that dotenv skips where a plain reader would not.
UNUSUAL_SPACE_ASCII = "\v\f\x1c\x1d\x1e\x1f"
UNUSUAL_SPACE = UNUSUAL_SPACE_ASCII + "\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
_SHELL_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-")


def dotenv_lines(text: str) -> list[str]:
    """Split exactly where python-dotenv ends a line: `\\r\\n`, `\\n` or `\\r`, nothing else."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")


def has_unusual_space(text: str) -> bool:
    """Whether `text` holds a character dotenv and a line-based reader could treat differently."""
    unusual = UNUSUAL_SPACE_ASCII if text.isascii() else UNUSUAL_SPACE
    return any(char in text for char in unusual)


def line_is_independent(line: str) -> bool:
    """Whether python-dotenv reads this line on its own. Only a quoted key or a quoted value can
    run onto the next lines: a value that opens a quote without closing it on this line, or holds
    an escaped quote (which does not close it). Comment lines, unquoted values and anything after
    a closed quote (`"x" # it's`) are read to the end of the line and no further."""
    body = line.lstrip(" \t")
    if not body or body[0] == "#" or ("'" not in body and '"' not in body):
        return True
    if "\\'" in body or '\\"' in body:
        return False
    if body[:6] == "export" and body[6:7] in (" ", "\t"):
        body = body[6:].lstrip(" \t")
    name, _, value = body.partition("=")
    if "'" in name or '"' in name:
        return False
    value = value.lstrip(" \t")
    return value[:1] not in ("'", '"') or value.find(value[0], 1) != -1


def assignment(line: str) -> tuple[str, str | None] | None:
    """(name, value) as python-dotenv reads an independent line; value None when dotenv would not
    give a plain value (no `=`, a quoted value followed by text, ...); None for comments/blanks."""
    body = line.strip(" \t")
    if not body or body[0] == "#":
        return None
    if body[:6] == "export" and body[6:7] in (" ", "\t"):
        body = body[6:].lstrip(" \t")
    end = 0
    while end < len(body) and body[end] not in "=# \t":
        end += 1
    name, rest = body[:end], body[end:].lstrip(" \t")
    if rest[:1] != "=":
        return name, None
    rest = rest[1:].lstrip(" \t")
    if rest[:1] in ("'", '"'):
        close = rest.find(rest[0], 1)
        after = rest[close + 1 :].lstrip(" \t")
        return name, rest[1:close] if close > 0 and (not after or after[0] == "#") else None
    for index, char in enumerate(rest):  # an unquoted value ends at whitespace followed by #
        if char == "#" and index and rest[index - 1] in " \t":
            rest = rest[:index]
            break
    return name, rest.rstrip(" \t")


def plain_values(text: str, names: tuple[str, ...]) -> dict[str, str | None] | None:
    """The last value of each of `names` (absent names missing), or None when a full .env parser
    could read the file differently anywhere."""
    text = text.removeprefix("\ufeff")  # dotenv drops a byte-order mark
    if has_unusual_space(text):
        return None
    values: dict[str, str | None] = {}
    for line in dotenv_lines(text):
        if not line_is_independent(line):
            return None
        parsed = assignment(line)
        if parsed is not None and parsed[0] in names:
            values[parsed[0]] = parsed[1]
    return values


def is_plain(value: str | None) -> bool:
    """A value both readers agree on and a shell or an HTTP header can carry unquoted."""
    return bool(value) and value.isascii() and value.isprintable() and not any(c in value for c in _NOT_IN_A_PLAIN_VALUE)


def expires_soon(expires: str, now: float | None = None) -> bool:
    """Whether a stored expiry is within RENEW_MARGIN of now, or past.

    Both sides are `YYYY-MM-DDTHH:MM:SSZ`, fixed width, so text order is time order.
    """
    limit = "%04d-%02d-%02dT%02d:%02d:%02dZ" % time.gmtime((time.time() if now is None else now) + RENEW_MARGIN)[:6]
    return expires <= limit


def shell_quote(value: str) -> str:
    """What shlex.quote returns, without importing shlex (and its `re`)."""
    if value and all(char in _SHELL_SAFE for char in value):
        return value
    return "'" + value.replace("'", "'\"'\"'") + "'"


def client_environment(secret: str, base_url: str, *, claude_has_helper: bool) -> dict[str, str]:
    """The variables each client reads (known_clients declares them), for `env`.

    With Claude Code's apiKeyHelper in place, its key comes from the helper, which reads .env on
    demand; an exported ANTHROPIC_AUTH_TOKEN would win over the helper and pin every terminal to
    the key it was opened with, so a renewed key would not reach Claude Code. It is left out then.
    """
    declared = SHARED_VARIABLES + tuple(pair for client in CLIENTS for pair in client.variables)
    variables = {name: value.replace("{key}", secret).replace("{base_url}", base_url) for name, value in declared}
    if claude_has_helper:
        del variables[CLAUDE_TOKEN_VARIABLE]
    return variables


def export_lines(variables: dict[str, str]) -> str:
    return "".join(f"export {name}={shell_quote(value)}\n" for name, value in variables.items())


def _read(path: str) -> str | None:
    """A regular file's text, else None (the full command explains). Opened non-blocking and
    checked to be a regular file: a named pipe would hold Claude Code's helper for ever.
    (files.read_regular's rule, with `os` alone: this module stays free of pathlib.)"""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        if os.fstat(fd).st_mode & 0o170000 != 0o100000:  # not S_ISREG
            return None
        os.set_blocking(fd, True)
        with open(fd, encoding="utf-8", errors="surrogateescape", closefd=False) as handle:
            return handle.read()
    except OSError:
        return None
    finally:
        os.close(fd)


def claude_has_helper(environ: dict[str, str] | os._Environ[str]) -> bool:
    """Whether Claude Code's user settings name an apiKeyHelper (ours: setup writes it). A fact
    both `env` paths read the same way, one small file, no JSON parser needed to be safe: a
    mention we misread only leaves ANTHROPIC_AUTH_TOKEN out, and the helper still answers."""
    folder = environ.get("CLAUDE_CONFIG_DIR") or os.path.join(environ.get("HOME") or os.path.expanduser("~"), ".claude")
    return '"apiKeyHelper"' in (_read(os.path.join(folder, "settings.json")) or "")


def find_workspace(cwd: str, environ: dict[str, str] | os._Environ[str]) -> str:
    """LITELLM_WORKSPACE, else the nearest folder up from cwd holding `.git`, else cwd."""
    explicit = environ.get("LITELLM_WORKSPACE")
    if explicit:
        return os.path.realpath(os.path.expanduser(explicit))
    folder = os.path.realpath(cwd)
    while True:
        if os.path.exists(os.path.join(folder, ".git")):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return os.path.realpath(cwd)
        folder = parent


def _flags(args: list[str]) -> dict[str, str] | None:
    """`--env-file X` / `--env-file=X` / `--workspace X`; None for anything else."""
    flags: dict[str, str] = {}
    index = 0
    while index < len(args):
        name, equals, value = args[index].partition("=")
        if name not in ("--env-file", "--workspace") or name in flags:
            return None
        if not equals:
            index += 1
            if index == len(args):
                return None
            value = args[index]
        if not value:
            return None  # an empty path means the folder itself: the full command explains
        flags[name] = value
        index += 1
    return flags


def user_config(environ: dict[str, str] | os._Environ[str]) -> str:
    """Your own settings file, the one a checkout cannot write: $XDG_CONFIG_HOME/litellm-key/config.yaml."""
    home = environ.get("HOME") or os.path.expanduser("~")
    return os.path.join(environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config"), "litellm-key", "config.yaml")


def config_files(workspace: str, environ: dict[str, str] | os._Environ[str]) -> tuple[tuple[str, str], ...]:
    """Every settings file the full command layers, as (layer, path), lowest first (settings reads
    the same list): any of them may move `.env` or the key, so the fast path looks at each."""
    return (
        ("system", environ.get("LITELLM_KEY_SYSTEM_CONFIG") or SYSTEM_CONFIG),
        ("user", user_config(environ)),
        ("workspace", os.path.join(workspace, WORKSPACE_CONFIG)),
        ("recorded", os.path.join(workspace, RECORDED_CHOICES)),
    )


def env_file_path(args: list[str], environ: dict[str, str] | os._Environ[str]) -> str | None:
    """The .env the full command would read, or None when only the settings layers can say."""
    flags = _flags(args)
    if flags is None:
        return None
    env_file = os.path.expanduser(flags.get("--env-file") or environ.get("LITELLM_ENV_FILE") or "")
    if "--workspace" in flags:
        workspace = os.path.realpath(os.path.expanduser(flags["--workspace"]))
    else:
        workspace = find_workspace(os.getcwd(), environ)
    if environ.get("LITELLM_KEY_STORE", "env") not in ("", "env"):
        return None  # the key lives elsewhere (the OS keyring)
    for _, config in config_files(workspace, environ):
        text = _read(config) or ""
        if "key_store" in text or (not env_file and "env_file" in text):
            return None  # a config file may move .env or the key: the settings layers decide
    return os.path.join(workspace, env_file or ".env")


def fast_output(argv: list[str], environ: dict[str, str] | os._Environ[str] = os.environ) -> str | None:
    """What `token` or `env` prints for these arguments, or None to leave it to the full command."""
    if not argv or argv[0] not in ("token", "env"):
        return None
    path = env_file_path(argv[1:], environ)
    text = _read(path) if path else None
    values = plain_values(text, (KEY_VARIABLE, BASE_URL_VARIABLE, EXPIRES_VARIABLE)) if text else None
    if not values or not is_plain(values.get(KEY_VARIABLE)) or len(values[KEY_VARIABLE]) > MAX_KEY_LENGTH:
        return None
    expires = values.get(EXPIRES_VARIABLE)
    if expires is not None and expires_soon(expires):
        return None  # renewing or warning is the full command's job
    key = values[KEY_VARIABLE]
    if argv[0] == "token":
        return key + "\n"
    base_url = values.get(BASE_URL_VARIABLE)
    if not is_plain(base_url):
        return None
    return export_lines(client_environment(key, base_url, claude_has_helper=claude_has_helper(environ)))


def answer(argv: list[str]) -> bool:
    """Print the fast answer and return True, or return False for the full CLI to run."""
    output = fast_output(argv)
    if output is None:
        return False
    sys.stdout.write(output)
    return True
