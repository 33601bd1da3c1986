"""A throw-away Debian root: what a fresh `debian:bookworm` container is, without a Docker engine.

`debootstrap --variant=minbase` builds the root once per suite and architecture; a tarball of it
is cached under ~/.cache/litellm-key/ so later runs unpack it in about a second. Each command runs
as `unshare --mount` + `chroot`: /proc and the workspace are mounted inside a private mount
namespace, so no mount ever leaks onto the host (nothing to unmount, and removing the root cannot
reach through a leftover bind mount into the workspace). The network namespace is the host's, so
code in the root reaches servers on the host's 127.0.0.1, and Debian's mirror for apt.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import signal
import subprocess
import tarfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

SUITE = "bookworm"
DEFAULT_MIRROR = "http://deb.debian.org/debian"
# The PATH Debian's container images set for every user (a login shell would drop /usr/sbin).
CONTAINER_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# What Docker writes into a container's /etc/hosts.
CONTAINER_HOSTS = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
# Packages may not start services here: the root shares the host's network, and a started nginx
# would take the host's port 80. In an image build nothing starts either.
POLICY_RC_D = "#!/bin/sh\n# Added by tests/debian_root.py: no service starts in a throw-away root.\nexit 101\n"


def cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "litellm-key"


def missing_tools() -> list[str]:
    """What this machine lacks to build and enter a root (empty when everything is there)."""
    problems = [] if os.geteuid() == 0 else ["root (run as root)"]
    for tool in ("debootstrap", "unshare", "chroot", "tar", "dpkg"):
        if not shutil.which(tool) and not Path("/usr/sbin", tool).exists():
            problems.append(tool)
    return problems


def host_mirror(suite: str = SUITE) -> str:
    """The Debian mirror this machine's apt uses for `suite` (deb822 or one-line sources)."""
    sources = Path("/etc/apt/sources.list.d")
    for path in sorted(sources.glob("*.sources")) if sources.is_dir() else []:
        for stanza in re.split(r"\n\s*\n", path.read_text(encoding="utf-8", errors="replace")):
            fields = dict(
                (name.strip().lower(), value.strip())
                for name, _, value in (line.partition(":") for line in stanza.splitlines() if not line.startswith("#"))
            )
            if suite in fields.get("suites", "").split() and "deb" in fields.get("types", "").split():
                return fields.get("uris", DEFAULT_MIRROR).split()[0]
    for path in [Path("/etc/apt/sources.list"), *(sorted(sources.glob("*.list")) if sources.is_dir() else [])]:
        if not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            words = re.sub(r"\[[^]]*\]", "", line).split()
            if len(words) >= 3 and words[0] == "deb" and words[2] == suite:
                return words[1]
    return DEFAULT_MIRROR


def host_apt_proxy() -> str | None:
    """Acquire::http::Proxy from this machine's apt configuration, which the root then needs too."""
    try:
        output = subprocess.run(
            ["apt-config", "shell", "PROXY", "Acquire::http::Proxy"], capture_output=True, text=True, check=False
        ).stdout
    except FileNotFoundError:
        return None
    match = re.search(r"PROXY='([^']*)'", output)
    return match.group(1) if match and match.group(1) else None


def host_architecture() -> str:
    return subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True, check=True).stdout.strip()


def base_tarball(suite: str = SUITE) -> Path:
    """The cached tarball of a minbase root, built by debootstrap on first use (about a minute)."""
    arch = host_architecture()
    tarball = cache_dir() / f"debian-{suite}-{arch}-minbase.tar"
    if tarball.is_file():
        return tarball
    tarball.parent.mkdir(parents=True, exist_ok=True)
    with open(tarball.parent / ".debootstrap.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a parallel run waits, then finds the tarball
        if tarball.is_file():
            return tarball
        build = tarball.parent / f".build-{suite}-{arch}"
        shutil.rmtree(build, ignore_errors=True)
        environ = dict(os.environ)
        proxy = host_apt_proxy()
        if proxy:
            environ["http_proxy"] = proxy
        completed = subprocess.run(
            ["debootstrap", "--variant=minbase", f"--arch={arch}", suite, str(build), host_mirror(suite)],
            capture_output=True,
            text=True,
            env=environ,
            timeout=900,
        )
        if completed.returncode != 0:
            log = build / "debootstrap" / "debootstrap.log"
            detail = log.read_text(errors="replace")[-3000:] if log.is_file() else completed.stderr[-3000:]
            shutil.rmtree(build, ignore_errors=True)
            raise RuntimeError(f"debootstrap failed ({completed.returncode}):\n{detail}")
        _make_container_like(build, proxy)
        partial = tarball.with_suffix(".tar.partial")
        subprocess.run(["tar", "-C", str(build), "--numeric-owner", "-cf", str(partial), "."], check=True)
        partial.rename(tarball)
        shutil.rmtree(build, ignore_errors=True)
    return tarball


def _make_container_like(root: Path, apt_proxy: str | None) -> None:
    """Leave the root the way a Debian image arrives: no apt lists, no cached .debs, no services."""
    for leftover in (root / "var/lib/apt/lists").glob("*"):
        if leftover.is_file():
            leftover.unlink()
    for deb in (root / "var/cache/apt/archives").glob("*.deb"):
        deb.unlink()
    policy = root / "usr/sbin/policy-rc.d"
    policy.write_text(POLICY_RC_D)
    policy.chmod(0o755)
    if apt_proxy:
        (root / "etc/apt/apt.conf.d/01proxy").write_text(f'Acquire::http::Proxy "{apt_proxy}";\n')


@dataclass
class User:
    name: str
    uid: int
    gid: int
    home: str


@dataclass
class DebianRoot:
    """One unpacked root. `run` executes a command inside it; `destroy` ends its processes and removes it."""

    path: Path
    mounts: dict[str, Path] = field(default_factory=dict)  # path inside the root -> host folder

    @classmethod
    def unpack(cls, tarball: Path, path: Path) -> "DebianRoot":
        path.mkdir(parents=True)
        subprocess.run(["tar", "-C", str(path), "--numeric-owner", "-xf", str(tarball)], check=True)
        (path / "etc/resolv.conf").unlink(missing_ok=True)
        (path / "etc/resolv.conf").write_bytes(Path("/etc/resolv.conf").read_bytes())
        (path / "etc/hosts").write_text(CONTAINER_HOSTS)
        return cls(path)

    def inside(self, container_path: str) -> Path:
        """The host path of a path inside the root (no mounts followed)."""
        return self.path / container_path.lstrip("/")

    def mount(self, host_folder: Path, container_path: str) -> None:
        """Bind-mount `host_folder` at `container_path` for every later command."""
        self.inside(container_path).mkdir(parents=True, exist_ok=True)
        self.mounts[container_path] = host_folder

    def add_user(self, name: str, uid: int = 1000) -> User:
        self.run(["useradd", "--create-home", "--shell", "/bin/bash", "--uid", str(uid), "--user-group", name])
        return self.user(name)

    def user(self, name: str) -> User:
        for line in self.inside("/etc/passwd").read_text().splitlines():
            fields = line.split(":")
            if fields[0] == name:
                return User(name, int(fields[2]), int(fields[3]), fields[5])
        raise KeyError(name)

    def run(
        self,
        command: Sequence[str],
        *,
        user: User | None = None,
        env: Mapping[str, str] | None = None,
        cwd: str = "/",
        input: str = "",
        timeout: float = 600,
        check: bool = True,
    ) -> subprocess.CompletedProcess[str]:
        """Run `command` in the root with a clean, container-like environment; stdin is `input`."""
        home = user.home if user else "/root"
        environ = {
            "PATH": CONTAINER_PATH,
            "HOME": home,
            "USER": user.name if user else "root",
            "LOGNAME": user.name if user else "root",
            "LANG": "C.UTF-8",
            **(env or {}),
        }
        # /dev/pts as in a container: apt and dpkg open a pseudo-terminal for their logs.
        mount_script = (
            'root=$1; shift; mount -t proc proc "$root/proc" || exit 125\n'
            'mount --bind /dev/pts "$root/dev/pts" || exit 125\n'
        )
        mount_args: list[str] = []
        for index, (container_path, host_folder) in enumerate(sorted(self.mounts.items())):
            source, target = 2 * index + 1, 2 * index + 2
            mount_script += f'mount --bind "${{{source}}}" "$root${{{target}}}" || exit 125\n'
            mount_args += [str(host_folder), container_path]
        mount_script += f"shift {len(mount_args)}\nexec \"$@\"\n"
        chroot = ["chroot"]
        if user:
            chroot += [f"--userspec={user.uid}:{user.gid}", f"--groups={user.gid}"]
        argv = [
            "unshare", "--mount", "--propagation", "private", "--",
            "sh", "-c", mount_script, "sh", str(self.path), *mount_args,
            *chroot, str(self.path),
            "/usr/bin/env", "-i", f"--chdir={cwd}", *(f"{name}={value}" for name, value in environ.items()),
            *command,
        ]  # fmt: skip
        completed = subprocess.run(argv, input=input, capture_output=True, text=True, timeout=timeout)
        if check and completed.returncode != 0:
            raise AssertionError(
                f"`{' '.join(command)}` exited {completed.returncode} in {self.path}\n"
                f"--- stdout\n{completed.stdout}\n--- stderr\n{completed.stderr}"
            )
        return completed

    def processes(self) -> list[int]:
        """Processes whose root directory is this root (nginx started inside it, for one)."""
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if os.readlink(entry / "root") == str(self.path):
                        found.append(int(entry.name))
                except OSError:
                    continue
        return found

    def process_owner(self, pid: int) -> str:
        uid = Path(f"/proc/{pid}").stat().st_uid
        for line in self.inside("/etc/passwd").read_text().splitlines():
            fields = line.split(":")
            if fields[2] == str(uid):
                return fields[0]
        return str(uid)

    def stop_processes(self) -> None:
        """End every process running inside the root: TERM, then KILL after 2 s (the root is thrown
        away, so nothing needs a graceful shutdown)."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            for pid in self.processes():
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
            deadline = time.monotonic() + 2
            while self.processes() and time.monotonic() < deadline:
                time.sleep(0.1)
            if not self.processes():
                return

    def destroy(self) -> None:
        self.stop_processes()
        mounted = [line for line in Path("/proc/self/mountinfo").read_text().splitlines() if str(self.path) in line]
        if mounted:  # never rmtree through a mount; leave the root for a human to look at
            raise RuntimeError(f"{self.path} still has mounts, not removed:\n" + "\n".join(mounted))
        shutil.rmtree(self.path, ignore_errors=True)


def extract_feature(tarball: Path, root: DebianRoot, container_dir: str = "/tmp/dev-container-features/litellm-key_0") -> str:
    """Unpack the packaged feature where the devcontainer CLI puts it, as the CLI does before install."""
    target = root.inside(container_dir)
    target.mkdir(parents=True)
    with tarfile.open(tarball) as archive:
        archive.extractall(target, filter="data") if hasattr(tarfile, "data_filter") else archive.extractall(target)
    return container_dir
