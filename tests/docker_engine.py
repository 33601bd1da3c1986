"""A Docker engine of the tests' own, and the images a Dev Container is built from, made offline.

The engine is Debian's `dockerd`, started here with `--bridge=none --iptables=false --ip-masq=false`
on a private socket and data root (cached under ~/.cache/litellm-key/, so images outlive a run), and
stopped by its own pid. No bridge exists, so no container and no image build has a network unless
it is given the host's (`--network=host`): all traffic stays on loopback, and a build without it is
an air-gapped build.

The base images stand in for `mcr.microsoft.com/devcontainers/base:bookworm`, which cannot be
pulled: the cached debootstrap root (tests/debian_root.py) is `docker import`ed, and
`docker build --network host` adds what that image has (Python, git, curl, sudo, a `vscode` user
with uid 1000). Each image is tagged with a hash of its Dockerfile, so it is built once and rebuilt
only when its recipe changes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from debian_root import CONTAINER_PATH, base_tarball, cache_dir

# What mcr.microsoft.com/devcontainers/base:bookworm brings that a minbase root lacks.
BASE_DOCKERFILE = f"""FROM {{debian}}
ENV LANG=C.UTF-8 PATH={CONTAINER_PATH}
RUN apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \\
        python3 python3-venv git curl ca-certificates sudo \\
    && rm -rf /var/lib/apt/lists/* \\
    && useradd --create-home --shell /bin/bash --uid 1000 --user-group vscode \\
    && echo 'vscode ALL=(root) NOPASSWD:ALL' >/etc/sudoers.d/vscode && chmod 0440 /etc/sudoers.d/vscode
"""
# An image that already has nginx: the feature then installs without any network.
NGINX_DOCKERFILE = """FROM {base}
RUN apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nginx-light \\
    && rm -rf /var/lib/apt/lists/*
"""


IMAGE_PREFIX = "litellm-key-test"  # the images kept between runs


def missing_tools() -> list[str]:
    """What this machine lacks to run the engine (empty when everything is there)."""
    problems = [] if os.geteuid() == 0 else ["root (dockerd runs as root)"]
    for tool in ("dockerd", "docker", "npm"):
        if not shutil.which(tool, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin"):
            problems.append(tool)
    return problems


@dataclass
class Engine:
    """A running dockerd; `docker(...)` talks to it and no other."""

    process: subprocess.Popen[bytes]
    socket: Path
    log: Path

    @property
    def environ(self) -> dict[str, str]:
        """The environment for `docker` and the devcontainer CLI, pointed at this engine."""
        return {**os.environ, "DOCKER_HOST": f"unix://{self.socket}"}

    def docker(self, *args: str, input: str | None = None, timeout: float = 600, check: bool = True) -> subprocess.CompletedProcess[str]:
        completed = subprocess.run(
            ["docker", *args], env=self.environ, input=input, capture_output=True, text=True, timeout=timeout
        )
        if check and completed.returncode != 0:
            raise AssertionError(f"`docker {' '.join(args)}` exited {completed.returncode}:\n{completed.stderr[-3000:]}")
        return completed

    @classmethod
    def start(cls, timeout: float = 60) -> "Engine":
        """Start dockerd and wait until it answers; RuntimeError (with its log) when it cannot run here."""
        state = cache_dir() / "docker-engine"
        run_dir = Path(tempfile.mkdtemp(prefix="litellm-key-dockerd-"))
        socket = run_dir / "docker.sock"
        log = run_dir / "dockerd.log"
        state.mkdir(parents=True, exist_ok=True)
        with open(log, "wb") as output:
            process = subprocess.Popen(
                ["dockerd", "--bridge=none", "--iptables=false", "--ip-masq=false",
                 f"--data-root={state}", f"--exec-root={run_dir / 'exec'}", f"--pidfile={run_dir / 'dockerd.pid'}",
                 f"--host=unix://{socket}"],
                stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        engine = cls(process, socket, log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"dockerd exited {process.returncode}:\n{log.read_text(errors='replace')[-2000:]}")
            if socket.exists() and engine.docker("version", timeout=10, check=False).returncode == 0:
                return engine
            time.sleep(0.2)
        engine.stop()
        raise RuntimeError(f"dockerd did not answer within {timeout:.0f} s:\n{log.read_text(errors='replace')[-2000:]}")

    def stop(self) -> None:
        """Remove every container, volume and image of a run (the CLI's `vsc-*` images, 0.5 GB each,
        would pile up in the cache), keep the base images, then end dockerd by its pid: TERM, and
        KILL after 30 s."""
        if self.process.poll() is None:
            containers = self.docker("ps", "-aq", check=False).stdout.split()
            if containers:
                self.docker("rm", "-f", "-v", *containers, check=False)
            volumes = self.docker("volume", "ls", "-q", check=False).stdout.split()
            if volumes:
                self.docker("volume", "rm", "-f", *volumes, check=False)
            tags = self.docker("images", "--format", "{{.Repository}}:{{.Tag}}", check=False).stdout.split()
            leftovers = [tag for tag in tags if not tag.startswith(f"{IMAGE_PREFIX}/") and tag != "<none>:<none>"]
            if leftovers:
                self.docker("rmi", "-f", *leftovers, check=False)
            self.docker("image", "prune", "-f", check=False)
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        run_dir = str(self.socket.parent)
        for mount in Path("/proc/self/mountinfo").read_text().splitlines():
            target = mount.split()[4]  # dockerd leaves the host's netns bound under its exec root
            if target.startswith(run_dir + "/"):
                subprocess.run(["umount", target], check=False, capture_output=True)
        shutil.rmtree(run_dir, ignore_errors=True)

    def has_image(self, tag: str) -> bool:
        return self.docker("image", "inspect", tag, check=False).returncode == 0

    def build(self, name: str, dockerfile: str) -> str:
        """`docker build --network host` of `dockerfile` (no context), tagged with its hash; cached."""
        tag = f"{IMAGE_PREFIX}/{name}:{hashlib.sha256(dockerfile.encode()).hexdigest()[:12]}"
        if not self.has_image(tag):
            self.docker("build", "--network", "host", "--quiet", "--tag", tag, "-", input=dockerfile, timeout=900)
        return tag

    def debian_image(self) -> str:
        """The debootstrap root as an image, tagged with a hash of the tarball's name and size."""
        tarball = base_tarball()
        tag = f"{IMAGE_PREFIX}/debian:{hashlib.sha256(f'{tarball.name}:{tarball.stat().st_size}'.encode()).hexdigest()[:12]}"
        if not self.has_image(tag):
            self.docker("import", str(tarball), tag, timeout=300)
        return tag

    def base_image(self, *, nginx: bool) -> str:
        """The Dev Container base image, with nginx already in it or not."""
        base = self.build("devcontainer-base", BASE_DOCKERFILE.format(debian=self.debian_image()))
        return self.build("devcontainer-base-nginx", NGINX_DOCKERFILE.format(base=base)) if nginx else base
