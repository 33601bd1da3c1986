"""How long the key the last renewal stored lives, so a portal's short-lived keys are renewed once each.

A portal may issue keys that live less than `renew_before` (or, for `token`, less than an hour):
due the moment they are stored, every container start and every `token` call would ask for
another. The renewal records each stored key's lifetime (its SHA-256, never the key) in the state
dir, and such a key is due once half its life is over.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..envfile import seconds_left
from ..files import atomic_write, read_regular
from ..keyhelper import RENEW_MARGIN
from ..secret import ClientKey
from ..settings import Settings
from .progress import Progress


def _lifetime_file(settings: Settings) -> Path:
    return settings.state_dir / "renewal" / "last-renewal.json"


def _last_renewal(settings: Settings) -> tuple[str, float] | None:
    """(fingerprint, lifetime in seconds) of the key the last renewal stored; None if unknown."""
    try:
        record = json.loads(read_regular(_lifetime_file(settings)))
        return str(record["key"]), float(record["lifetime"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _fingerprint(key: ClientKey) -> str:
    return hashlib.sha256(key.reveal().encode()).hexdigest()  # never the key itself in a file


def due(settings: Settings, expires: str | None, key: ClientKey | None = None, margin: float | None = None) -> bool:
    """Whether `expires` is within `margin` (renew_before). A key the portal issued with a shorter
    life than that would be due the moment it is stored, and every `token` and every start would
    ask for another: such a key is due once half its life is over, so each is renewed once."""
    margin = settings.renew_before if margin is None else margin
    last = _last_renewal(settings)
    if key is not None and last is not None and last[0] == _fingerprint(key) and 0 < last[1] < margin:
        margin = last[1] / 2
    left = seconds_left(expires)
    return left is not None and left < margin


def record_lifetime(settings: Settings, key: ClientKey, expires: str | None, progress: Progress) -> None:
    """Remember how long the key renewal just stored lives (for `due`), and say once, at the first
    such key, why the portal's short-lived keys are renewed at half their life."""
    lifetime = seconds_left(expires)
    margin = max(settings.renew_before, RENEW_MARGIN)
    last = _last_renewal(settings)
    if lifetime is not None and lifetime < margin and (last is None or last[1] >= margin):
        progress.warn(
            f"the portal issues keys that live {max(int(lifetime // 60), 1)} min, less than the {int(margin // 60)} min "
            "before expiry at which keys are renewed: each is renewed once, when half its life is over",
            "Ask the portal admin for longer-lived keys, or set renew_before shorter than their life.",
        )
    try:  # the key is stored already: a state dir that refuses the record only costs an early renewal
        if lifetime is None:
            _lifetime_file(settings).unlink(missing_ok=True)
        else:
            atomic_write(_lifetime_file(settings), json.dumps({"key": _fingerprint(key), "lifetime": lifetime}).encode(), mode=0o600)
    except OSError:
        pass
