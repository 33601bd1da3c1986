"""`token --store keyring` and `env --store keyring` against a real Secret Service, beside
`python3 -c pass` and the `.env` store's `token`, for docs/performance.md.

The service is gnome-keyring-daemon on a private D-Bus session (tests/secret_service.py), reached
through the keyring library's own SecretService backend, as on a Linux desktop. Runs are interleaved
and figures are medians, as in token_startup.py; nothing is asserted, and CI runs `--quick` only to
prove it still runs (it needs gnome-keyring and dbus: .ci/run installs them).

    .venv/bin/python benchmarks/keyring_startup.py [--runs 40] [--quick]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path[:0] = [str(Path(__file__).parent), str(Path(__file__).parent.parent / "tests")]

from secret_service import secret_service  # noqa: E402
from token_startup import KEY, _interleaved, _median, git_workspace, installed_script  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=40, help="interleaved rounds (default 40)")
    parser.add_argument("--quick", action="store_true", help="3 rounds: proves the script runs (CI)")
    runs = 3 if (args := parser.parse_args()).quick else args.runs
    script = installed_script()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        workspace = git_workspace(root)
        environ = {key: value for key, value in os.environ.items() if not key.startswith("LITELLM_")}
        environ["LITELLM_KEY_SYSTEM_CONFIG"] = str(root / "none.yaml")
        with secret_service(root / "home") as service:
            environ.update(service)
            subprocess.run([script, "setup", "--store", "keyring", "--key-stdin", "--no-verify"], input=KEY, env={**environ, "LITELLM_PROXY": "false"},
                           cwd=workspace, check=True, capture_output=True, text=True)  # fmt: skip
            # setup moved the key out of .env; put it back for the .env figure beside the keyring's
            (workspace / ".env").write_text(f"LITELLM_API_KEY={KEY}\nLITELLM_BASE_URL=http://localhost:8080\n")
            cases = {
                "python3 -c pass": ([sys.executable, "-c", "pass"], environ, workspace, "", None),
                "token (.env)": ([script, "token"], environ, workspace, "", None),
                "token --store keyring": ([script, "token", "--store", "keyring"], environ, workspace, "", None),
                "env --store keyring": ([script, "env", "--store", "keyring"], environ, workspace, "", None),
            }
            measured = _interleaved(cases, runs)
    base = _median(measured["python3 -c pass"])
    print(f"litellm-key with the key in a real Secret Service: {runs} interleaved rounds, medians; {os.cpu_count()} CPUs")
    print()
    print("| measured | median | ratio |")
    print("|---|---|---|")
    for name, samples in measured.items():
        shown = name if name.startswith("python3") else f"litellm-key {name}"
        print(f"| `{shown}` | {_median(samples):.1f} ms | {_median(samples) / base:.2f}x |")


if __name__ == "__main__":
    main()
