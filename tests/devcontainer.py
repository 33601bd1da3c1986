"""A real Dev Container: a workspace folder with the packaged feature in `.devcontainer/`, brought up,
entered and rebuilt by the official CLI (`@devcontainers/cli`, the version scripts/package-feature
installs) on the tests' own Docker engine (tests/docker_engine.py)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from debian_root import cache_dir
from docker_engine import Engine
from feature_package import REPO

REMOTE_USER = "vscode"
REMOTE_UID = 1000


def cli_path() -> Path:
    """Where scripts/package-feature installs the devcontainer CLI it packages with."""
    script = (REPO / "scripts" / "package-feature").read_text()
    version = re.search(r"^DEVCONTAINERS_CLI_VERSION=(\S+)", script, re.MULTILINE)
    assert version, "scripts/package-feature no longer names DEVCONTAINERS_CLI_VERSION"
    return cache_dir() / f"devcontainers-cli-{version.group(1)}" / "node_modules" / ".bin" / "devcontainer"


@dataclass(frozen=True)
class Up:
    container_id: str
    log: str  # the CLI's log: the image build and the lifecycle commands' output


@dataclass(frozen=True)
class DevContainer:
    """One workspace folder on the host and the dev container the CLI makes of it."""

    engine: Engine
    folder: Path

    @property
    def remote_folder(self) -> str:
        return f"/workspaces/{self.folder.name}"

    def _cli(self, subcommand: str, *args: str, input: str = "", timeout: float = 900) -> subprocess.CompletedProcess[str]:
        """The CLI's options before `args`: exec takes everything after its command as the command's."""
        return subprocess.run(
            [str(cli_path()), subcommand, "--workspace-folder", str(self.folder), *args],
            env=self.engine.environ, input=input, capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip

    def up(self, *, rebuild: bool = False) -> Up:
        """`devcontainer up` (a rebuild: `--remove-existing-container`, a new container and home folder)."""
        completed = self._cli("up", *(["--remove-existing-container"] if rebuild else []))
        result = json.loads(completed.stdout.strip().splitlines()[-1]) if completed.stdout.strip() else {}
        assert result.get("outcome") == "success", f"devcontainer up failed: {result}\n{completed.stderr[-5000:]}"
        return Up(result["containerId"], completed.stderr)

    def run(self, command: str, *, input: str = "") -> subprocess.CompletedProcess[str]:
        """A shell command as the remote user in the workspace (`devcontainer exec`, as a terminal would)."""
        return self._cli("exec", "sh", "-c", f"cd {self.remote_folder} && {command}", input=input, timeout=120)

    def read(self, path: str) -> str:
        shown = self.run(f"cat {path}")
        assert shown.returncode == 0, shown.stderr
        return shown.stdout


def make_workspace(
    folder: Path, packaged_feature: Path, options: dict[str, Any], *, image: str, build_network: bool = False, owner: int = REMOTE_UID
) -> Path:
    """A git workspace whose devcontainer.json uses the local packaged feature on `image`.

    Every container shares the host's network (no bridge exists). `build_network`: the image is
    built from a Dockerfile with `--network=host`, the only way to give the feature's build a
    network here (the CLI passes `build.options` only to Dockerfile builds); without it the
    feature installs with no network at all.
    """
    folder.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    local_feature = folder / ".devcontainer" / "litellm-key"
    local_feature.mkdir(parents=True)
    with tarfile.open(packaged_feature) as archive:
        archive.extractall(local_feature, filter="data") if hasattr(tarfile, "data_filter") else archive.extractall(local_feature)
    config: dict[str, Any] = {
        "remoteUser": REMOTE_USER,
        "runArgs": ["--network=host"],
        "features": {"./litellm-key": options},
    }
    if build_network:
        (folder / ".devcontainer" / "Dockerfile").write_text(f"FROM {image}\n")
        config["build"] = {"dockerfile": "Dockerfile", "options": ["--network=host"]}
    else:
        config["image"] = image
    (folder / ".devcontainer" / "devcontainer.json").write_text(json.dumps(config, indent=4))
    for path in [folder, *folder.rglob("*")]:
        os.lchown(path, owner, owner)
    return folder
