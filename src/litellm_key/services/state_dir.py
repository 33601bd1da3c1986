"""Whether litellm-key can use its state folder (undo records, locks, the proxy's files), checked
before anything changes, so `setup` cannot store a key and then crash on the clients; `doctor`
asks the same question. Nothing is created here.
"""

from __future__ import annotations

import os

from ..errors import LitellmKeyError, fail
from ..settings import Settings


def state_dir_problem(settings: Settings) -> LitellmKeyError | None:
    """What stops us from using `state_dir` and everything in it, without creating anything (doctor
    asks too): an earlier `sudo litellm-key …` leaves root-owned files, a read-only home, a file
    where the folder belongs."""
    folder = existing = settings.state_dir
    while not os.path.lexists(existing) and existing != existing.parent:
        existing = existing.parent  # created on first use: its first existing ancestor must allow that
    entries = [(str(existing), os.R_OK | os.W_OK | os.X_OK)]
    if existing == folder and folder.is_dir():
        for root, folders, names in os.walk(folder):
            entries += [(os.path.join(root, name), os.R_OK | os.W_OK | os.X_OK) for name in folders]
            entries += [(os.path.join(root, name), os.R_OK | os.W_OK) for name in names]
    for path, wanted in entries:
        if not os.path.isdir(path) and wanted & os.X_OK:
            detail = f"{path} is not a folder"
        elif not os.path.islink(path) and not os.access(path, wanted):
            detail = f"{path} is not writable by you"
        else:
            continue
        return fail("state-dir-unusable", state_dir=folder, detail=detail)
    return None
