"""The rules for each setting's value: the one place they live. Whatever these accept, the proxy
renders and nginx starts with; `config check`, install.sh (through it) and the feature's packaging
ask nothing else. Each parser takes the raw value (a string from the environment or a flag,
anything from YAML) and returns the typed value or raises ValueError(problem, hint), which
`settings.load_settings` reports with the value's origin.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from .known_clients import KNOWN_CLIENTS  # the `clients` setting's choices (one declaration per client)

if TYPE_CHECKING:
    from typing import Any


# ---- value parsers: raw (str from env/flags, anything from YAML) -> typed value, ValueError(problem, hint)

_URL_TEXT = re.compile(r"^https?://[A-Za-z0-9._~:/%\[\]-]+$")  # nothing that could end an nginx string
_HOST_RE = re.compile(r"^[A-Za-z0-9.-]+$")
_MIN_SECONDS = 0.001  # below it nginx's millisecond value rounds to 0: every proxied request would time out
_MAX_SECONDS = 7 * 24 * 3600  # beyond this nginx refuses the time value; no check needs a week


def url(raw: Any) -> str:
    from urllib.parse import urlsplit  # 3 ms, and most runs have no URL to check

    text = str(raw).strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in text):
        raise ValueError(f"'{text}' is not an http(s) URL", "Write it with a scheme, e.g. http://host.docker.internal:80")
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        raise ValueError(f"'{text}' has an invalid port", "Use a port between 1 and 65535")
    return text.rstrip("/")


def upstream(raw: Any) -> str:
    """An http(s) URL that goes into the nginx config as host, port and path: no query, fragment,
    user info or character that could end an nginx string or directive."""
    from urllib.parse import urlsplit

    text = url(raw)
    parts = urlsplit(text)
    if not _URL_TEXT.match(text) or parts.query or parts.fragment:
        raise ValueError(f"'{text}' is not a plain http(s)://host:port[/path] URL", "e.g. http://host.docker.internal:80")
    return text


def optional_url(raw: Any) -> str | None:
    return None if raw in (None, "") else url(raw)


def host(raw: Any) -> str:
    text = str(raw).strip()
    if not _HOST_RE.match(text):
        raise ValueError(f"'{text}' is not a host name", "Use a plain name such as litellm.localhost")
    return text


def _port(raw: Any) -> int:
    try:
        port = int(str(raw).strip())
    except ValueError:
        raise ValueError(f"'{raw}' is not a port number", "Use a port between 1 and 65535") from None
    if not 1 <= port <= 65535:
        raise ValueError(f"port {port} is out of range", "Use a port between 1 and 65535")
    return port


def listen(raw: Any) -> tuple[str, int]:
    """`127.0.0.1:8080` or just `8080`. The proxy stays on a loopback address (it forwards a key
    nobody else may use), on a port its unprivileged nginx may open."""
    from .secret import is_loopback

    text = str(raw).strip()
    host, _, port = text.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    if not is_loopback(host):
        raise ValueError(f"{host} is not a loopback address", "The proxy listens on loopback only, e.g. 127.0.0.1:8080")
    number = _port(port)
    if number < 1024:
        raise ValueError(f"port {number} is below 1024, which only root may open", "nginx runs as you: use 1024 or above, e.g. 8080")
    return host, number


def _names(raw: Any) -> tuple[str, ...]:
    """A list of names from any source, each item itself comma-separated: `--client a,b`, a
    repeated flag, `LITELLM_CLIENTS=a,b`, YAML `a,b` or `[a, b]` all mean the same (the feature's
    options and our own messages write lists with commas)."""
    items = raw if isinstance(raw, (list, tuple)) else [str(raw)]
    for item in items:  # YAML makes `[null]`, `[1.5]` or a self-referencing alias out of a typo
        if not isinstance(item, str):
            raise ValueError(f"{item!r} is not a name", "Write each name as text, e.g. [claude-sonnet-4-5-20250929]")
    names = tuple(name.strip() for item in items for name in item.split(",") if name.strip())
    for name in names:
        if any(c.isspace() for c in name):
            raise ValueError(f"'{name}' contains whitespace", "Separate names with commas")
    return tuple(dict.fromkeys(names))


def models(raw: Any) -> tuple[str, ...]:
    names = _names(raw)
    if not names:
        raise ValueError("no model given", "Name at least one model, e.g. claude-sonnet-4-5-20250929")
    return names


def clients(raw: Any) -> tuple[str, ...]:
    names = _names(raw)
    if "all" in names:
        return KNOWN_CLIENTS
    unknown = [name for name in names if name not in KNOWN_CLIENTS]
    if unknown:
        raise ValueError(f"unknown client {', '.join(unknown)}", f"Choose from {', '.join(KNOWN_CLIENTS)} or all")
    return names


def client_models(raw: Any) -> dict[str, str]:
    if not isinstance(raw, Mapping):
        raise ValueError("must be a mapping of client: model", "e.g. client_models: {codex: gpt-5}")
    clients(list(raw))
    models = {str(client): _names([model]) for client, model in raw.items()}
    if not all(models.values()):
        raise ValueError("a client has no model", "e.g. client_models: {codex: gpt-5}")
    return {client: names[0] for client, names in models.items()}


def boolean(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"'{raw}' is not true/false", "Use true or false")


def seconds(raw: Any) -> float:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise ValueError(f"'{raw}' is not a number of seconds", "Use e.g. 10") from None
    if not math.isfinite(value) or not _MIN_SECONDS <= value <= _MAX_SECONDS:
        raise ValueError(f"{raw} is not between {_MIN_SECONDS} and {_MAX_SECONDS} seconds", "Use e.g. 10")
    return value


_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# the browsers `--from-browser` reads, in the order `auto` tries them: Firefox keeps its cookies
# unencrypted, so it needs no keyring and no optional extra
BROWSERS = ("firefox", "chromium", "chrome", "brave", "edge")


def duration(raw: Any) -> float:
    """Seconds, or a number with a unit: 90s, 30m, 12h, 1d."""
    text = str(raw).strip().lower()
    unit = _DURATION_UNITS.get(text[-1:], 0)
    try:
        value = float(text[:-1] if unit else text) * (unit or 1)
    except ValueError:
        raise ValueError(f"'{raw}' is not a duration", "Use seconds or a unit, e.g. 12h or 1d") from None
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{raw} is not a duration of 0 or more seconds", "Use e.g. 1d")
    return value


def key_store(raw: Any) -> str:
    text = str(raw).strip().lower()
    if text not in ("env", "keyring"):
        raise ValueError(f"'{raw}' is not a key store", "Use env (the workspace .env) or keyring (the OS credential store)")
    return text


def session_source(raw: Any) -> str:
    text = str(raw).strip().lower()
    if text not in ("file", "browser"):
        raise ValueError(f"'{raw}' is not a session source", "Use file (the stored token) or browser (read it from the browser again)")
    return text


def browser(raw: Any) -> str:
    text = str(raw).strip().lower()
    if text != "auto" and text not in BROWSERS:
        raise ValueError(f"'{raw}' is not a browser we read", f"Use auto or one of {', '.join(BROWSERS)}")
    return text


def cookie_name(raw: Any) -> str:
    """An RFC 6265 cookie name: a token, no separators."""
    text = str(raw).strip()
    if not text or not text.isascii() or any(not char.isprintable() or char in ' ()<>@,;:\\"/[]?={}' for char in text):
        raise ValueError(f"'{raw}' is not a cookie name", "Use the name the portal sets, e.g. token")
    return text


def text(raw: Any) -> str:
    return str(raw).strip()


def alias_pattern(raw: Any) -> str:
    text = str(raw).strip()
    if text.count("{name}") != 1 or any(c.isspace() for c in text):
        raise ValueError(f"'{text}' must contain {{name}} exactly once and no spaces", "e.g. claude-code-{name}")
    if any(brace in text.replace("{name}", "") for brace in "{}"):  # {team}, {0}, {name:>9999}: a KeyError or worse later
        raise ValueError(f"'{text}' has a placeholder other than {{name}}, the only one there is", "e.g. claude-code-{name}")
    return text


def path(raw: Any) -> Path:
    return Path(os.path.expanduser(str(raw).strip()))


def state_dir(raw: Any) -> Path:
    """The nginx config names files under it inside "...": nothing may end or interpolate that string."""
    folder = path(raw)
    text = str(folder)
    if any(char in text for char in '"\\$') or not text.isprintable():
        raise ValueError(f"'{text}' holds a quote, backslash, $ or control character", "Choose a plain path")
    return folder
