"""Writing user files so that a crash, a full disk or a second writer never leaves half a file.

Used for `.env`, `.gitignore`, every client config and the shell rc files: temp file in the same
directory (so the rename is atomic), fsync, rename, fsync the directory. Modes are explicit because
a secret file must be 0600 from its first byte, not chmod-ed after being written world-readable.

Symbolic links, one rule for every file we write: the link is the user's (a dotfiles repository,
a config kept elsewhere), so we resolve it and write the real file, and the link stays a link.
Replacing a link with a regular file would silently fork the user's config (and, for `.env`,
could turn an ignored file into a tracked one).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, NamedTuple

if TYPE_CHECKING:
    import subprocess


def real_path(path: Path) -> Path:
    """Where a write to `path` lands: the target of a symbolic link (chains followed), else `path`."""
    return Path(os.path.realpath(path)) if os.path.islink(path) else path


class NotRegularFile(OSError):
    """A path that is a directory, named pipe, socket or device where a file belongs; `kind` says which."""

    def __init__(self, path: Path | str, kind: str) -> None:
        super().__init__(0, f"it is {kind}, not a file", str(path))
        self.kind = kind


def _kind(mode: int) -> str:
    import stat

    if stat.S_ISDIR(mode):
        return "a directory"
    return "a named pipe" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"


def read_regular(path: Path | str) -> bytes:
    """The bytes of a regular file (links followed); FileNotFoundError when there is none.

    Anything else raises NotRegularFile (a directory is a user's mistake; a named pipe would block
    `token` and every container start for ever, waiting for a writer that never comes; a device
    like /dev/zero never ends). Opened non-blocking so a pipe cannot hold the open itself.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        mode = os.fstat(fd).st_mode
        if not (mode & 0o170000 == 0o100000):  # S_ISREG without importing stat on the warm path
            raise NotRegularFile(path, _kind(mode))
        os.set_blocking(fd, True)
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


_UNREAD = object()


def atomic_write(path: Path, data: bytes, *, mode: int | None = None, current: object = _UNREAD) -> bool:
    """Replace `path` (a link's target, see the module doc) with `data`; return False (and touch
    nothing) when the bytes are already there.

    `mode=None` keeps the existing file's mode (0644 for a new file); secrets pass 0o600.
    Skipping identical writes keeps mtimes stable, so running a command twice changes nothing.
    `current`: the file's bytes when the caller has just read them (a 10 MB .env is not read twice).
    """
    path = real_path(path)
    try:
        status = path.stat()
        if status.st_mode & 0o170000 != 0o100000:  # never rename a file over a device, pipe or folder
            raise NotRegularFile(path, _kind(status.st_mode))
        current_mode = status.st_mode & 0o777
        if current is _UNREAD:
            current = read_regular(path) if path.stat().st_size == len(data) else b"" if data else None
    except FileNotFoundError:
        current, current_mode = None, 0o644
    target_mode = current_mode if mode is None else mode
    if current == data and current_mode == target_mode:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, target_mode)
    try:
        os.fchmod(fd, target_mode)  # os.open's mode is filtered by the umask
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise
    _fsync_dir(path.parent)
    return True


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def locked_dir(folder: Path, deadline: float | None = None) -> Iterator[None]:
    """Serialise read-modify-write cycles on files in `folder`; with a `deadline` (time.monotonic),
    give up with TimeoutError instead of waiting on (a caller that must answer in time).

    The lock is on the directory, not the file: an atomic rename swaps the file's inode, so a lock
    held on the old inode would not stop a second writer that opened the new one.
    """
    import fcntl
    import time

    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder, os.O_RDONLY)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | (0 if deadline is None else fcntl.LOCK_NB))
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:  # type: ignore[operator]  (LOCK_NB only with a deadline)
                    raise TimeoutError(f"{folder} stayed locked") from None
                time.sleep(0.05)  # polling the lock with a deadline: flock has no timeout of its own
        yield
    finally:
        os.close(fd)


def git(folder: Path, *args: str) -> "subprocess.CompletedProcess[str] | None":
    """`git -C folder ARGS`, output captured; None when git is not installed (then nothing can
    commit a file either). The one place litellm-key runs git."""
    import subprocess

    try:
        return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, check=False)
    except FileNotFoundError:
        return None


class InGit(NamedTuple):
    """What git says about one file (a link is not followed): its work tree and path there."""

    top_level: Path
    relpath: str
    tracked: bool
    ignored: bool


def in_git(path: Path) -> InGit | None:
    """Ask the innermost repository holding `path` (a nested clone or submodule answers for its
    own files) whether it tracks or ignores it; None outside git. `path` may not exist yet."""
    folder = next(parent for parent in path.parents if parent.is_dir())
    top = git(folder, "rev-parse", "--show-toplevel")
    if top is None or top.returncode != 0:
        return None
    top_level = Path(top.stdout.strip()).resolve()
    relpath = (folder.resolve() / path.relative_to(folder)).relative_to(top_level).as_posix()
    listed = git(top_level, "ls-files", "--error-unmatch", "--", relpath)
    if listed is not None and listed.returncode == 0:
        return InGit(top_level, relpath, True, False)
    ignored = git(top_level, "check-ignore", "-q", "--no-index", "--", relpath)
    return InGit(top_level, relpath, False, ignored is not None and ignored.returncode == 0)


def key_file_paths(path: Path) -> tuple[Path, Path]:
    """(the link itself, the file it points to) for a file about to hold a key, both absolute; the
    same path twice when it is no link. git could commit either: the guard asks about both."""
    folder = next(parent for parent in path.parents if parent.is_dir())  # the file may not exist yet
    link = folder.resolve() / path.relative_to(folder)
    return link, Path(os.path.realpath(path)) if os.path.islink(path) else link


def git_exposure(path: Path) -> tuple[Path, str] | None:
    """The one git-exposure guard: the first file behind `path` (the link, then its target) that git
    could commit, and why ("tracked by git", "not ignored by git"), or None. Each is asked in the
    repository that holds it, so a link into a dotfiles repository, a ~/.config kept in git or a
    nested clone is judged by that repository's own rules (`!` lines included). `.env` adds its
    own .gitignore lines on top (envfile.ensure_gitignored); a file in the home folder is refused."""
    for each in dict.fromkeys(key_file_paths(path)):
        found = in_git(each)
        if found is not None and not found.ignored:
            return each, "tracked by git" if found.tracked else "not ignored by git"
    return None
