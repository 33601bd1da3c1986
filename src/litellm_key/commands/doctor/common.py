"""What every `litellm-key doctor` check shares: the `Finding` it returns, the `Probe` it reads,
and a name lookup with a deadline. The checks inside the container live in local.py, the ones
that talk to LiteLLM in litellm.py; each is a plain function.

A check reads what earlier checks learned from the `Probe` and returns one `Finding`. The runner
(`doctor/__init__.py`) runs a check only when every check it `needs` passed (ok or warning), so one cause
gives one ✗, not a cascade. Nothing here writes a file: `doctor` only looks. Every network call
has a short timeout, so a run with everything down still ends in seconds.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field
from typing import Any

from ...errors import LitellmKeyError
from ...secret import ClientKey
from ...settings import Settings

OK, WARN, FAIL, SKIPPED = "ok", "warning", "failed", "skipped"
NETWORK_TIMEOUT = 2.0  # per request: doctor must answer in seconds when everything is down


@dataclass(frozen=True)
class Finding:
    status: str
    summary: str
    fix: str = ""
    reason: str = ""  # the catalogue reason, when the finding is a catalogued failure
    exit_code: int = 0


def ok(summary: str) -> Finding:
    return Finding(OK, summary)


def warn(summary: str, fix: str) -> Finding:
    """A ! line always carries its fix: the user must know what to do about it."""
    return Finding(WARN, summary, fix)


def failed(error: LitellmKeyError) -> Finding:
    return Finding(FAIL, error.message, error.fix, error.reason, error.exit_code)


def within_deadline(finding: Finding) -> Finding:
    """A timeout's fix says "raise LITELLM_TIMEOUT", which the real commands follow but doctor's
    own per-request deadline does not: say so, or the user raises it and sees the same ✗."""
    if finding.reason not in ("gateway-timeout", "portal-timeout"):
        return finding
    note = f" (doctor waits at most {NETWORK_TIMEOUT:g} s per request, to end in seconds; the other commands wait LITELLM_TIMEOUT)"
    return Finding(finding.status, finding.summary, finding.fix + note, finding.reason, finding.exit_code)


@dataclass
class Probe:
    """What the checks learn on the way down, for the checks below them."""

    settings: Settings
    key: ClientKey | None = None
    models: tuple[str, ...] = ()
    key_info: dict[str, Any] = field(default_factory=dict)

    @property
    def timeout(self) -> float:
        return min(self.settings.timeout, NETWORK_TIMEOUT)

    def gateway(self, key: ClientKey | None, *, timeout: float | None = None):
        """`timeout`: a request that must be given longer than the probes' deadline (a model's answer)."""
        from ...gateway import Gateway

        return Gateway(self.settings.base_url, key, timeout=timeout or self.timeout)


def resolves(host: str, timeout: float) -> bool | None:
    """Whether `host` has an address; None when the resolver did not answer within `timeout`.
    getaddrinfo has no timeout of its own (a dead DNS server takes 5 s per try), so it runs in a
    daemon thread that doctor stops waiting for."""
    answer: list[bool] = []

    def look_up() -> None:
        try:
            socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
            answer.append(True)
        except (socket.gaierror, UnicodeError):
            answer.append(False)

    thread = threading.Thread(target=look_up, daemon=True)
    thread.start()
    thread.join(timeout)
    return answer[0] if answer else None


def unresolved(resolved: bool | None, timeout: float) -> str:
    return "no address for it" if resolved is False else f"the resolver did not answer within {timeout:g} s"
