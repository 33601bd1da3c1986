"""The feature in a real Dev Container: the official CLI builds the image with the packaged feature,
runs the postStartCommand as the remote user, and a rebuild throws the container and its home
folder away. LiteLLM and the portal are stand-ins on the host's loopback, which every container
shares (`--network=host`, no bridge).

Few `devcontainer up` runs, each carrying many assertions: a pasted key through a rebuild
(air-gapped build: the image has nginx and Python, the build has no network); a portal key and
session through a rebuild, then an expiry renewed by `token` (the feature installs nginx: the
build gets the host's network); no proxy, in a workspace first owned by another uid. Locally they
skip without root, Docker, npm or debootstrap; with CI set they fail instead.
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path
from typing import Iterator

import pytest
from pytest_httpserver import HTTPServer

import debian_root
import docker_engine
from devcontainer import REMOTE_UID, DevContainer, cli_path, make_workspace
from feature_package import packaged_feature, skip_or_fail
from litellm_standin import LiteLLMStandin
from portal_standin import SESSION_TOKEN, PortalStandin

pytestmark = pytest.mark.devcontainer

HOST_HEADER = "litellm.test"  # not the default: only the proxy adds it, so LiteLLM answers only through it
CLIENT_KEY = "sk-devcontainer-client-key-7c1d9e0a42"
MODELS = ["claude-sonnet-4-5-20250929", "claude-haiku-4-5-20251001"]
PAST = "2021-06-01T00:00:00Z"
NO_KEY_YET = "no LiteLLM client key in /workspaces/project/.env yet: run config-claude-code.sh to set one up"
USER_VOLUME = "/var/lib/litellm-key/config"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def engine() -> Iterator[docker_engine.Engine]:
    problems = docker_engine.missing_tools() + debian_root.missing_tools()
    if problems:
        skip_or_fail("Dev Container tests need " + ", ".join(sorted(set(problems))))
    try:
        started = docker_engine.Engine.start()
    except RuntimeError as error:  # a machine where dockerd cannot run (no privileges, no overlayfs)
        pytest.skip(f"Docker cannot run here: {error}")
    yield started
    started.stop()


@pytest.fixture(scope="module")
def feature(engine) -> Path:
    packaged = packaged_feature()
    if not cli_path().exists():
        skip_or_fail(f"no devcontainer CLI at {cli_path()}: run scripts/package-feature")
    return packaged


@pytest.fixture(scope="module")
def litellm() -> Iterator[LiteLLMStandin]:
    """LiteLLM behind Traefik on the host's loopback: only requests with Host: HOST_HEADER reach it."""
    server = HTTPServer(host="127.0.0.1", port=0)
    standin = LiteLLMStandin(server, traefik_host=HOST_HEADER)
    standin.add_key(CLIENT_KEY, models=MODELS, alias="dev-container", expires="2099-12-31T00:00:00Z")
    server.start()
    yield standin
    server.stop()


@pytest.fixture(scope="module")
def portal(litellm) -> Iterator[PortalStandin]:
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield PortalStandin(server, litellm)
    server.stop()


def _options(litellm: LiteLLMStandin, **extra: str | bool) -> dict[str, str | bool]:
    return {"upstream": litellm.url, "hostHeader": HOST_HEADER, **extra}


def _no_secret_in(output: str, *secrets: str) -> None:
    for secret in secrets:
        assert secret not in output, f"a full secret was printed:\n{output}"


def _set_env_line(env_file: Path, name: str, value: str) -> None:
    """Edit .env from the host, keeping its owner and mode (time passing: the key's expiry is due)."""
    lines = [line for line in env_file.read_text().splitlines() if not line.startswith(f"{name}=")]
    env_file.write_text("\n".join([*lines, f"{name}={value}"]) + "\n")


def test_a_pasted_key_is_set_up_offline_and_survives_a_rebuild_with_the_users_choices(engine, feature, litellm, tmp_path):
    port = _free_port()
    folder = make_workspace(
        tmp_path / "project", feature, _options(litellm, proxyPort=str(port), models=",".join(MODELS)), image=engine.base_image(nginx=True)
    )
    container = DevContainer(engine, folder)

    first = container.up()  # the build has no network: the wheelhouse and the image's nginx suffice
    assert NO_KEY_YET in first.log
    assert "apt-get" not in first.log and "package index" not in first.log

    configured = container.run(
        "config-claude-code.sh --key-stdin --client codex --model claude-haiku-4-5-20251001", input=CLIENT_KEY + "\n"
    )
    assert configured.returncode == 0, configured.stdout + configured.stderr
    _no_secret_in(configured.stdout + configured.stderr, CLIENT_KEY)
    env_file = folder / ".env"
    assert f"LITELLM_API_KEY={CLIENT_KEY}" in env_file.read_text()
    assert (env_file.stat().st_mode & 0o777, env_file.stat().st_uid) == (0o600, REMOTE_UID)
    assert container.run("git check-ignore -q .env").returncode == 0, "git would commit .env"
    status = container.run("litellm-key status")
    assert status.returncode == 0, status.stdout + status.stderr

    rebuilt = container.up(rebuild=True)
    assert rebuilt.container_id != first.container_id
    assert NO_KEY_YET not in rebuilt.log
    litellm.requests.clear()
    status = container.run("litellm-key status")
    assert status.returncode == 0, status.stdout + status.stderr
    assert any(request.host.split(":")[0] == HOST_HEADER for request in litellm.requests), "status did not go through the proxy"
    claude = json.loads(container.read("~/.claude/settings.json"))
    assert claude["env"]["ANTHROPIC_BASE_URL"] == f"http://localhost:{port}"
    assert claude["env"]["ANTHROPIC_MODEL"] == "claude-haiku-4-5-20251001"  # --model, restored
    assert "claude-haiku-4-5-20251001" in container.read("~/.codex/config.toml")  # --client codex, restored


def test_a_portal_key_and_session_survive_a_rebuild_and_the_key_renews_itself(engine, feature, litellm, portal, tmp_path):
    folder = make_workspace(
        tmp_path / "project",
        feature,
        _options(litellm, proxyPort=str(_free_port()), clients="all", portalUrl=portal.url),  # the portal's keys: default models
        image=engine.base_image(nginx=False),
        build_network=True,  # nginx is not in the image: the feature installs it with apt
    )
    container = DevContainer(engine, folder)
    first = container.up()
    assert "(*) installing nginx-light" in first.log

    login = container.run("litellm-key portal login --token-stdin", input=SESSION_TOKEN + "\n")
    assert login.returncode == 0, login.stdout + login.stderr
    fetched = container.run("litellm-key setup --from-portal")
    assert fetched.returncode == 0, fetched.stdout + fetched.stderr
    first_key = portal.current
    assert first_key and f"LITELLM_API_KEY={first_key}" in (folder / ".env").read_text()
    _no_secret_in(login.stdout + login.stderr + fetched.stdout + fetched.stderr, SESSION_TOKEN, first_key)

    rebuilt = container.up(rebuild=True)
    assert rebuilt.container_id != first.container_id
    kept = container.run(f"readlink ~/.config/litellm-key; stat -c '%a %U' {USER_VOLUME} {USER_VOLUME}/session-token")
    assert kept.stdout.split("\n")[:3] == [USER_VOLUME, "700 vscode", "600 vscode"], kept.stdout + kept.stderr
    for client_file in ("~/.claude/settings.json", "~/.codex/config.toml", "~/.config/opencode/opencode.json"):
        assert container.run(f"test -s {client_file}").returncode == 0, f"{client_file} not restored"

    litellm.keys[first_key].expires = PAST  # a day later: the key has expired, and .env says so
    _set_env_line(folder / ".env", "LITELLM_KEY_EXPIRES", PAST)
    posts = portal.posts
    token = container.run("litellm-key token")  # what Claude Code's apiKeyHelper runs: nobody pastes anything
    assert token.returncode == 0, token.stderr
    assert portal.posts == posts + 1 and token.stdout == f"{portal.current}\n" and portal.current != first_key
    assert f"LITELLM_API_KEY={portal.current}" in (folder / ".env").read_text()


def test_without_the_proxy_in_a_workspace_of_another_owner(engine, feature, tmp_path):
    """useProxy false: no nginx in the image, clients talk to LiteLLM directly. The workspace first
    belongs to another uid, as when the host's folder owner is not the container user."""
    server = HTTPServer(host="127.0.0.1", port=0)
    direct = LiteLLMStandin(server)  # reached directly, so any Host header is fine
    direct.add_key(CLIENT_KEY, models=MODELS, expires="2099-12-31T00:00:00Z")
    server.start()
    try:
        other_owner = 2000
        folder = make_workspace(
            tmp_path / "project", feature, {"upstream": direct.url, "models": ",".join(MODELS), "useProxy": False},
            image=engine.base_image(nginx=False), owner=other_owner,
        )  # fmt: skip
        container = DevContainer(engine, folder)
        container.up()
        assert container.run("command -v nginx").returncode != 0, "useProxy false installed nginx"

        refused = container.run("config-claude-code.sh --key-stdin", input=CLIENT_KEY + "\n")
        assert refused.returncode == 3, refused.stdout + refused.stderr
        assert f"/workspaces/project belongs to uid {other_owner}, and you are uid {REMOTE_UID}" in refused.stderr
        assert '"updateRemoteUserUID": true' in refused.stderr and "Traceback" not in refused.stderr
        _no_secret_in(refused.stdout + refused.stderr, CLIENT_KEY)
        assert not (folder / ".env").exists()

        for path in [folder, *folder.rglob("*")]:
            os.lchown(path, REMOTE_UID, REMOTE_UID)  # the fix, on the host
        configured = container.run("config-claude-code.sh --key-stdin", input=CLIENT_KEY + "\n")
        assert configured.returncode == 0, configured.stdout + configured.stderr
        claude = json.loads(container.read("~/.claude/settings.json"))
        assert claude["env"]["ANTHROPIC_BASE_URL"] == direct.url
        status = container.run("litellm-key status")
        assert status.returncode == 0, status.stdout + status.stderr
    finally:
        server.stop()
