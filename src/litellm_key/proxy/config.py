"""The proxy's nginx config: the one template, filled from the settings, and where its files live.

Every value that reaches the template is checked first by the settings' own rules
(settings.check_rendered_values), so nothing a setting holds can end an nginx string or directive; the rendered text carries an id (a hash of itself) that the health endpoint
reports, which is how `status` knows whether the running nginx has loaded the current settings.
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from ..settings import Settings, check_rendered_values

TEMPLATE = Path(__file__).parent.parent / "nginx.conf"
HEALTH_PATH = "/litellm-key/health"
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
_CONFIG_ID = re.compile(r"Rendered config id: (\w+)")


@dataclass(frozen=True)
class ProxyPaths:
    prefix: Path
    config: Path
    candidate: Path
    pid_file: Path
    error_log: Path
    temp_dir: Path
    version_cache: Path  # what `nginx -v` said about the -e flag, keyed by the binary's path and stat


def paths(settings: Settings) -> ProxyPaths:
    prefix = settings.state_dir / "nginx"
    return ProxyPaths(
        prefix, prefix / "nginx.conf", prefix / "nginx.conf.new", prefix / "nginx.pid", prefix / "error.log", prefix / "temp",
        prefix / "nginx-version",
    )


def _bracket(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _ipv6_loopback_available() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
        return True
    except OSError:
        return False


def listen_hosts(settings: Settings) -> list[str]:
    """127.0.0.1 also gets ::1 when it exists: clients dial `localhost`, which Node may resolve to
    ::1 first and then not fall back (ECONNREFUSED ::1:8080). (Settings keep `listen` on loopback.)"""
    host = "127.0.0.1" if settings.listen_host == "localhost" else settings.listen_host
    return [host, "::1"] if host == "127.0.0.1" and _ipv6_loopback_available() else [host]


def _user_directive(prefix: Path) -> str:
    """As root, nginx would switch its workers to `nobody`, who cannot write our temp dirs: run them
    as the owner of the state dir instead. Unprivileged, the directive would only warn."""
    if os.geteuid() != 0:
        return "# user: not set (nginx was started unprivileged and runs as that user)"
    import grp
    import pwd

    existing = next(folder for folder in (prefix, *prefix.parents) if folder.exists())
    owner = existing.stat()
    try:
        return f"user {pwd.getpwuid(owner.st_uid).pw_name} {grp.getgrgid(owner.st_gid).gr_name};"
    except KeyError:
        return "user root root;"


def _timeout(seconds: float) -> str:
    return f"{int(seconds)}s" if float(seconds).is_integer() else f"{round(seconds * 1000)}ms"


def _template_values(settings: Settings) -> dict[str, str]:
    check_rendered_values(settings)
    upstream = urlsplit(settings.upstream)
    port = upstream.port or (443 if upstream.scheme == "https" else 80)
    path = upstream.path.rstrip("/")
    where = paths(settings)
    return {
        "upstream": settings.upstream,
        "host_header": settings.host_header,
        "upstream_address": f"{_bracket(upstream.hostname or '')}:{port}",
        # With a path, $request_uri keeps the client's URI byte for byte (no re-encoding).
        "proxy_pass": f"{upstream.scheme}://litellm_upstream" + (f"{path}$request_uri" if path else ""),
        "listen": "\n".join(f"        listen {_bracket(host)}:{settings.listen_port};" for host in listen_hosts(settings)),
        "user": _user_directive(where.prefix),
        "prefix": f"{where.prefix}/",
        "timeout": _timeout(settings.proxy_timeout),
    }


def render(settings: Settings) -> str:
    """The config text. Its id is a hash of everything else, so the health endpoint can say which
    config the running nginx has loaded."""
    values = _template_values(settings)
    text = _PLACEHOLDER.sub(lambda m: m.group(0) if m.group(1) == "config_id" else values[m.group(1)], TEMPLATE.read_text())
    return text.replace("{{config_id}}", hashlib.sha256(text.encode()).hexdigest()[:16])


def config_id(text: str) -> str:
    match = _CONFIG_ID.search(text)
    return match.group(1) if match else ""
