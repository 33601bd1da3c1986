"""The demo behind scripts/demo: run the product end to end against a LiteLLM stand-in.

The stand-in behaves like Traefik in front of LiteLLM (it answers 404 unless the Host header is
litellm.localhost), so a green run proves the proxy adds the header. HOME, the state dir and the
workspace are temporary: the demo never touches your real ~/.claude or .env.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _banner(text: str) -> None:
    print(f"\n\033[1m$ {text}\033[0m" if sys.stdout.isatty() else f"\n$ {text}", flush=True)


def main() -> int:
    standin = subprocess.Popen(
        [sys.executable, str(REPO / "tests" / "litellm_standin.py"), "--traefik-host", "litellm.localhost"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        url = standin.stdout.readline().strip()
        demo_key = standin.stdout.readline().strip()
        with tempfile.TemporaryDirectory(prefix="litellm-key-demo-") as folder:
            return _run(Path(folder), url, demo_key)
    finally:
        standin.stdin.close()
        standin.wait(timeout=10)


def _run(folder: Path, url: str, demo_key: str) -> int:
    workspace = folder / "workspace"
    workspace.mkdir()
    subprocess.run(["git", "init", "-q", str(workspace)], check=True)
    (workspace / ".env").write_text("# your own settings stay as they are\nPROJECT=demo\n")
    with_proxy = shutil.which("nginx") or Path("/usr/sbin/nginx").exists()
    env = {
        **os.environ,
        "HOME": str(folder / "home"),
        "XDG_STATE_HOME": str(folder / "state"),
        "LITELLM_KEY_SYSTEM_CONFIG": str(folder / "no-system-config.yaml"),
        "LITELLM_UPSTREAM": url,
        "LITELLM_LISTEN": f"127.0.0.1:{_free_port()}",
        "LITELLM_PROXY": "true" if with_proxy else "false",
    }
    env.pop("LITELLM_API_KEY", None)
    cli = [sys.executable, "-m", "litellm_key"]
    print(f"LiteLLM stand-in (behind a Traefik-like Host check) at {url}; workspace {workspace}")
    if not with_proxy:
        print("(!) nginx is not installed: the demo talks to the stand-in directly (apt-get install nginx-light)")
    try:
        _banner("printf '%s\\n' \"$KEY\" | config-claude-code.sh --key-stdin   # = litellm-key setup")
        setup = subprocess.run([*cli, "setup", "--key-stdin"], input=demo_key + "\n", text=True, cwd=workspace, env=env)
        if setup.returncode != 0:
            return setup.returncode
        _banner("litellm-key status")
        status = subprocess.run([*cli, "status"], cwd=workspace, env=env)
        _banner("cat .env   # (key masked here; the file is mode 0600 and git-ignored)")
        print((workspace / ".env").read_text().replace(demo_key, demo_key[:3] + "..." + demo_key[-4:]), end="")
        _banner("git status --short   # .env is ignored")
        subprocess.run(["git", "status", "--short"], cwd=workspace)
        print("\n✓ demo finished: the same commands work inside your Dev Container against the real LiteLLM.")
        return status.returncode
    finally:
        if with_proxy:
            subprocess.run([*cli, "proxy", "stop", "--quiet"], cwd=workspace, env=env, check=False)


if __name__ == "__main__":
    sys.exit(main())
