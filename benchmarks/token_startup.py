"""How long `litellm-key token` (Claude Code's apiKeyHelper) takes, against bare interpreter start.

Target from the core issue: under 2x `python3 -c pass`. Results are printed as a Markdown table
for docs/performance.md, never asserted (timings depend on the machine).

    .venv/bin/python benchmarks/token_startup.py [--runs 40]

Run it with the interpreter of a regular (non-editable) install to see what a container sees:
an editable install adds its own import hook to every start.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _median_ms(command: list[str], env: dict[str, str], cwd: Path, runs: int) -> float:
    subprocess.run(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, check=True)  # warm caches
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, check=True)
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        workspace = Path(folder)
        (workspace / ".git").mkdir()
        (workspace / ".env").write_text("LITELLM_API_KEY=sk-benchmark-0000000000000000\n")
        system_config = workspace / "config.yaml"
        system_config.write_text("upstream: http://host.docker.internal:80\nmodels: [claude-sonnet-4-5-20250929]\n")
        base_env = {**os.environ, "HOME": folder, "LITELLM_KEY_SYSTEM_CONFIG": str(workspace / "none.yaml")}
        # An installed package has its bytecode compiled (pip does it); measure that, not compiling.
        base_env.pop("PYTHONDONTWRITEBYTECODE", None)
        # The console script, as Claude Code runs it (`python -m` would add runpy's imports).
        script = Path(sys.executable).with_name("litellm-key")
        token = [str(script), "token"] if script.exists() else [sys.executable, "-m", "litellm_key", "token"]
        baseline = _median_ms([sys.executable, "-c", "pass"], base_env, workspace, args.runs)
        rows = [
            ("`python3 -c pass`", baseline),
            (
                "`litellm-key token --env-file /abs/.env` (the apiKeyHelper setup writes)",
                _median_ms([*token, "--env-file", str(workspace / ".env")], base_env, workspace, args.runs),
            ),
            ("`litellm-key token`", _median_ms(token, base_env, workspace, args.runs)),
            (
                "`litellm-key token` with /etc/litellm-key/config.yaml",
                _median_ms(token, {**base_env, "LITELLM_KEY_SYSTEM_CONFIG": str(system_config)}, workspace, args.runs),
            ),
        ]
    print(f"| command ({args.runs} runs, median) | time | vs `python3 -c pass` |")
    print("|---|---|---|")
    for label, milliseconds in rows:
        print(f"| {label} | {milliseconds:.1f} ms | {milliseconds / baseline:.2f}x |")


if __name__ == "__main__":
    main()
