"""The Dev Container feature, installed for real in throw-away Debian roots (tests/debian_root.py).

The image build runs install.sh (twice in the devcontainers "duplicate" test) and the remote user
runs config-claude-code.sh with their key. The rebuild, the postStartCommand and the rest of what a
user lives through are tested in real Dev Containers (tests/test_devcontainer.py); these roots keep
what a container build hides: install.sh run twice byte for byte, bad options, refusals, images
without apt or with an old Python, the nginx process's owner.

One root serves the install, idempotency and setup tests (the setup runs after both install runs,
as in a real image). Locally these tests skip without root
or debootstrap; with CI set they fail instead, so CI cannot pass without running them.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import stat
import subprocess
import tarfile
from pathlib import Path
from typing import Iterator

import pytest
import yaml
from pytest_httpserver import HTTPServer

import feature_package
from debian_root import DebianRoot, User, base_tarball, extract_feature, missing_tools
from feature_package import REPO, skip_or_fail
from litellm_standin import LiteLLMStandin

pytestmark = pytest.mark.feature

WORKSPACE = "/workspaces/project"
HOST_HEADER = "litellm.test"  # not the default, so config.yaml must carry the option
CLIENT_KEY = "sk-feature-client-key-5f0c2e7d9a41b3"
MODELS = "claude-sonnet-4-5-20250929,claude-haiku-4-5-20251001"
PYTHON_VERSIONS = ("cp310", "cp311", "cp312", "cp313")
ARCHITECTURES = ("x86_64", "aarch64")


def _require_prerequisites() -> None:
    problems = missing_tools()
    if problems:
        skip_or_fail("feature tests need " + ", ".join(problems))


@pytest.fixture(scope="session")
def packaged_feature() -> Path:
    _require_prerequisites()
    return feature_package.packaged_feature()


@pytest.fixture(scope="session")
def debian_tarball() -> Path:
    _require_prerequisites()
    return base_tarball()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


PROXY_PORT = _free_port()


def _feature_options(standin_url: str) -> dict[str, str]:
    """Options the way the devcontainer CLI passes them: upper-cased ids, strings."""
    return {
        "UPSTREAM": standin_url,
        "HOSTHEADER": HOST_HEADER,
        "PROXYPORT": str(PROXY_PORT),
        "MODELS": MODELS,
        "CLIENTS": "claude-code,codex",
        "USEPROXY": "true",
        "INSTALLNGINX": "true",
        "PORTALURL": "",
    }


class Container:
    """A root with the packaged feature unpacked and a remote user, like a devcontainer before its
    features are installed."""

    def __init__(self, root: DebianRoot, feature_dir: str, user: User) -> None:
        self.root = root
        self.feature_dir = feature_dir
        self.user = user
        self.first_install: subprocess.CompletedProcess[str] | None = None

    def install(self, options: dict[str, str], *, as_user: bool = False, check: bool = False) -> subprocess.CompletedProcess[str]:
        """What the devcontainer CLI does for a feature: chmod +x install.sh and run it as root."""
        env = {**options, "_REMOTE_USER": self.user.name, "_REMOTE_USER_HOME": self.user.home,
               "_CONTAINER_USER": "root", "_CONTAINER_USER_HOME": "/root"}  # fmt: skip
        command = ["bash", "./install.sh"] if as_user else ["sh", "-c", "chmod +x ./install.sh && ./install.sh"]
        return self.root.run(
            command,
            cwd=self.feature_dir,
            env=env,
            user=self.user if as_user else None,
            check=check,
        )

    def as_user(self, command: str, *, input: str = "", check: bool = False) -> subprocess.CompletedProcess[str]:
        """A shell command as the remote user in the workspace (how lifecycle hooks run)."""
        return self.root.run(["sh", "-c", command], user=self.user, cwd=WORKSPACE, input=input, check=check)

    def nginx_processes(self) -> list[int]:
        pids = []
        for pid in self.root.processes():
            try:
                if Path(f"/proc/{pid}/comm").read_text().strip() == "nginx":
                    pids.append(pid)
            except OSError:
                continue
        return pids


def _new_container(tmp_root: Path, debian_tarball: Path, packaged_feature: Path, workspace: Path | None) -> Container:
    root = DebianRoot.unpack(debian_tarball, tmp_root)
    user = root.add_user("vscode")
    if workspace is not None:
        root.mount(workspace, WORKSPACE)
    return Container(root, extract_feature(packaged_feature, root), user)


@pytest.fixture(scope="module")
def standin() -> Iterator[LiteLLMStandin]:
    """LiteLLM behind Traefik on the host's loopback: only requests carrying Host: HOST_HEADER
    (which only the proxy adds) reach it."""
    server = HTTPServer(host="127.0.0.1", port=0)
    litellm = LiteLLMStandin(server, traefik_host=HOST_HEADER)
    litellm.add_key(CLIENT_KEY, models=MODELS.split(","), alias="dev-feature", expires="2099-12-31T00:00:00Z")
    server.start()
    yield litellm
    server.stop()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project folder that outlives containers, owned by the remote user (uid 1000) as a
    bind-mounted workspace is."""
    folder = tmp_path_factory.mktemp("feature") / "project"
    folder.mkdir()
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    (folder / ".env").write_text("# mine\nOTHER_SETTING=keep-me\n")
    for path in [folder, *folder.rglob("*")]:
        os.lchown(path, 1000, 1000)
    return folder


@pytest.fixture(scope="module")
def container(tmp_path_factory, debian_tarball, packaged_feature, workspace, standin) -> Iterator[Container]:
    """Container A: the feature installed once (the first build)."""
    built = _new_container(tmp_path_factory.mktemp("root-a") / "root", debian_tarball, packaged_feature, workspace)
    built.first_install = built.install(_feature_options(standin.url))
    yield built
    built.root.destroy()


def _snapshot(root: DebianRoot) -> dict[str, str]:
    """Every file install.sh may touch: path -> type, mode, owner, mtime and content hash."""
    state = {}
    for top in ("/usr/local/share/litellm-key", "/usr/local/bin", "/etc/litellm-key", "/var/lib/dpkg/status"):
        base = root.inside(top)
        for path in [base, *(base.rglob("*") if base.is_dir() else [])]:
            info = path.lstat()
            digest = hashlib.sha256(path.read_bytes()).hexdigest() if stat.S_ISREG(info.st_mode) else os.readlink(path) if path.is_symlink() else ""
            state[str(path.relative_to(root.path))] = f"{stat.filemode(info.st_mode)} {info.st_uid} {info.st_mtime_ns} {digest}"
    return state


# ---- packaging ------------------------------------------------------------------------------------


def test_packaged_feature_holds_the_feature_and_a_wheelhouse_for_every_target(packaged_feature: Path) -> None:
    with tarfile.open(packaged_feature) as archive:
        names = {name.removeprefix("./") for name in archive.getnames()}
        metadata = json.load(archive.extractfile("./devcontainer-feature.json"))  # type: ignore[arg-type]
    assert {"devcontainer-feature.json", "install.sh", "config-claude-code.sh", "README.md"} <= names
    wheels = [name.removeprefix("wheelhouse/") for name in names if name.startswith("wheelhouse/") and name.endswith(".whl")]
    assert any(name.startswith("litellm_key-") for name in wheels)
    for python in PYTHON_VERSIONS:
        for arch in ARCHITECTURES:
            assert any(name.startswith("pyyaml-") and f"-{python}-" in name and arch in name for name in wheels), (python, arch)
    collection = json.loads((packaged_feature.parent / "devcontainer-collection.json").read_text())
    assert [feature["id"] for feature in collection["features"]] == ["litellm-key"]
    assert metadata["postStartCommand"] == "litellm-key apply --quiet"
    # The CLI resolves installsAfter ids over the network even unused: none, so offline builds work.
    assert "installsAfter" not in metadata
    assert metadata["mounts"] == [
        {"source": "litellm-key-${devcontainerId}", "target": "/var/lib/litellm-key/config", "type": "volume"}
    ]
    assert set(metadata["options"]) >= {"upstream", "hostHeader", "proxyPort", "models", "clients", "installNginx"}


# ---- install.sh in a fresh root -----------------------------------------------------------------


def test_install_sh_installs_the_tool_nginx_and_the_options(container: Container, standin: LiteLLMStandin) -> None:
    first = container.first_install
    assert first is not None
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Traceback" not in first.stderr

    version = container.as_user("litellm-key --version", check=True)
    assert version.stdout.startswith("litellm-key ")
    config = yaml.safe_load(container.root.inside("/etc/litellm-key/config.yaml").read_text())
    assert config == {
        "upstream": standin.url,
        "host_header": HOST_HEADER,
        "listen": f"127.0.0.1:{PROXY_PORT}",
        "proxy": True,
        "models": MODELS.split(","),
        "clients": ["claude-code", "codex"],
    }
    assert container.root.inside("/usr/sbin/nginx").is_file()
    assert container.as_user("command -v config-claude-code.sh", check=True).stdout.strip() == "/usr/local/bin/config-claude-code.sh"
    help_text = container.as_user("config-claude-code.sh --help", check=True).stdout
    assert "litellm-key setup --client claude-code" in help_text and "--key-stdin" in help_text
    state_dir = container.root.inside(f"{container.user.home}/.local/state/litellm-key")
    assert state_dir.stat().st_uid == container.user.uid


def test_install_sh_run_twice_changes_nothing(container: Container, standin: LiteLLMStandin) -> None:
    before = _snapshot(container.root)
    second = container.install(_feature_options(standin.url))
    assert second.returncode == 0, second.stdout + second.stderr
    assert "already installed" in second.stdout
    assert "apt-get" not in second.stdout and "installing" not in second.stdout
    assert _snapshot(container.root) == before


def test_install_sh_rejects_a_bad_option_and_keeps_the_config(container: Container, standin: LiteLLMStandin) -> None:
    config = container.root.inside("/etc/litellm-key/config.yaml").read_bytes()
    failed = container.install({**_feature_options(standin.url), "UPSTREAM": "host.docker.internal:80"})
    assert failed.returncode == 1
    assert "(!) invalid feature option: /etc/litellm-key/config.yaml" in failed.stderr
    assert "not an http(s) URL" in failed.stderr and "Traceback" not in failed.stderr
    assert container.root.inside("/etc/litellm-key/config.yaml").read_bytes() == config


def test_install_sh_refuses_to_run_without_root(container: Container, standin: LiteLLMStandin) -> None:
    refused = container.install(_feature_options(standin.url), as_user=True)
    assert refused.returncode == 1
    assert refused.stderr.strip() == "(!) install.sh must run as root: the Dev Container build does this; by hand, use sudo."


# A Python 3.9 that answers install.sh's probes as Debian 11's python3 would.
OLD_PYTHON = "printf '#!/bin/sh\\necho 3.9\\n' > /usr/local/bin/python3 && chmod +x /usr/local/bin/python3"


@pytest.mark.parametrize(
    ("break_the_image", "options", "expected"),
    [
        pytest.param(
            "rm /usr/bin/apt-get",
            {},
            "(!) this image has no apt-get, so the feature cannot install python3 python3-venv nginx. "
            "It supports Debian and Ubuntu based images; elsewhere install Python >= 3.10 (with venv) and nginx first.",
            id="not-debian-like",
        ),
        pytest.param(
            OLD_PYTHON,
            {"INSTALLNGINX": "false"},
            "(!) litellm-key needs Python >= 3.10, but /usr/local/bin/python3 is Python 3.9. Use a newer base image "
            "(Debian 12, Ubuntu 22.04 or later), or add ghcr.io/devcontainers/features/python before this feature.",
            id="python-too-old",
        ),
    ],
)
def test_install_sh_explains_an_image_it_cannot_work_in(
    break_the_image: str, options: dict[str, str], expected: str, tmp_path: Path, debian_tarball: Path, packaged_feature: Path
) -> None:
    image = _new_container(tmp_path / "root", debian_tarball, packaged_feature, workspace=None)
    try:
        image.root.run(["sh", "-c", break_the_image])
        failed = image.install({**_feature_options("http://host.docker.internal:80"), **options})
        assert failed.returncode == 1
        assert [line for line in failed.stderr.splitlines() if line.startswith("(!)")] == [expected], failed.stderr
        assert "Traceback" not in failed.stderr
    finally:
        image.root.destroy()


# ---- the remote user sets up a key (the rebuild: tests/test_devcontainer.py) ----------------------


def _requests_through_proxy(standin: LiteLLMStandin) -> list[str]:
    """Paths the stand-in answered with the Host header only the proxy sets."""
    return [request.path for request in standin.requests if request.host.split(":")[0] == HOST_HEADER]


@pytest.fixture(scope="module")
def configured(container: Container, standin: LiteLLMStandin, workspace: Path) -> subprocess.CompletedProcess[str]:
    """The remote user runs the documented entry point, key on stdin (never on a command line)."""
    assert container.first_install and container.first_install.returncode == 0, "install.sh failed: see test_install_sh_installs_*"
    standin.requests.clear()
    return container.as_user("config-claude-code.sh --key-stdin", input=CLIENT_KEY + "\n")


def test_config_claude_code_stores_the_key_and_verifies_it_through_the_proxy(
    configured: subprocess.CompletedProcess[str], container: Container, standin: LiteLLMStandin, workspace: Path
) -> None:
    output = configured.stdout + configured.stderr
    assert configured.returncode == 0, output
    assert CLIENT_KEY not in output

    env_file = workspace / ".env"
    assert env_file.read_text().startswith("# mine\nOTHER_SETTING=keep-me\n")
    assert f"LITELLM_API_KEY={CLIENT_KEY}" in env_file.read_text()
    assert f"LITELLM_BASE_URL=http://localhost:{PROXY_PORT}" in env_file.read_text()
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600 and env_file.stat().st_uid == 1000

    nginx = container.nginx_processes()
    assert nginx, "no nginx runs inside the root"
    assert {container.root.process_owner(pid) for pid in nginx} == {"vscode"}
    assert "/v1/models" in _requests_through_proxy(standin)

    settings = json.loads(container.root.inside(f"{container.user.home}/.claude/settings.json").read_text())
    assert settings["env"]["ANTHROPIC_BASE_URL"] == f"http://localhost:{PROXY_PORT}"


def test_entry_point_in_the_seed_location_runs_the_installed_wrapper(container: Container) -> None:
    """`bash .devcontainer/additions/config-claude-code.sh --help` from the repository, in a
    container with the feature installed."""
    container.root.mount(REPO / ".devcontainer", "/workspaces/repo/.devcontainer")
    try:
        shown = container.root.run(
            ["bash", ".devcontainer/additions/config-claude-code.sh", "--help"], user=container.user, cwd="/workspaces/repo", check=False
        )
    finally:
        container.root.mounts.pop("/workspaces/repo/.devcontainer")
    assert shown.returncode == 0, shown.stderr
    assert "litellm-key setup --client claude-code" in shown.stdout
