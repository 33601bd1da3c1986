"""The key store's performance goals (docs/performance.md), each printed beside its measured figure.

1. `token --env-file ABS` (Claude Code's apiKeyHelper), plain `token` and `env` (every new
   terminal), with a system config present and a `.env` holding comments, quotes, `export` lines
   and an apostrophe: <= 1.3x `python3 -c pass`.
2. `setup` with a new key into a 10 MB `.env`: <= 2x the time of the 1 KB case, and a peak memory
   at most 2x the file size above the 1 KB case. Also shown: replacing a key that sits on the last
   line, where every line above it must be checked (the file is all quoted values with comments,
   the costly kind to check).

Runs are paired and interleaved (every round runs each command once, in turn, so a busy
neighbour slows all of them alike); figures are medians of one run of this script. Nothing is
asserted: the table is for docs/performance.md, and CI runs `--quick` only to prove it still runs.

    .venv/bin/python benchmarks/token_startup.py [--runs 40] [--quick]

It measures the `litellm-key` installed beside this interpreter (the launcher script pip installs
from bin/litellm-key), as Claude Code and the shell block run it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KEY = "sk-benchmark-0000000000000000"
NEW_KEY = "sk-benchmark-new-111111111111"
USER_ENV = (
    "# Don't commit this file: it holds secrets\n"
    "export EDITOR='code --wait'\n"
    'GREETING="hello world"  # quoted\n'
    "DATABASE_URL=postgres://dev@localhost:5432/app\n\n"
)
SYSTEM_CONFIG = "upstream: http://host.docker.internal:80\nhost_header: litellm.localhost\nclients: [claude-code, codex]\n"


def _run(command: list[str], env: dict[str, str], cwd: Path, stdin: str = "") -> tuple[float, int]:
    """(wall milliseconds, peak RSS in KiB) of one run; a failed run stops the benchmark."""
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert process.stdin is not None and process.stderr is not None
    process.stdin.write(stdin.encode())
    process.stdin.close()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = (time.perf_counter() - start) * 1000
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}): {process.stderr.read().decode()}")
    process.stderr.close()
    return elapsed, usage.ru_maxrss


def _interleaved(cases: dict[str, tuple], runs: int) -> dict[str, list[tuple[float, int]]]:
    """Run every case once per round, in turn; `prepare` (untimed) runs before each."""
    results: dict[str, list[tuple[float, int]]] = {name: [] for name in cases}
    for round_ in range(runs + 1):
        for name, (command, env, cwd, stdin, prepare) in cases.items():
            if prepare:
                prepare()
            measured = _run(command, env, cwd, stdin)
            if round_:  # round 0 warms caches and bytecode
                results[name].append(measured)
    return results


def _median(samples: list[tuple[float, int]], index: int = 0) -> float:
    return statistics.median(sample[index] for sample in samples)


def installed_script() -> str:
    """The `litellm-key` launcher pip installed beside this interpreter, as the clients run it."""
    script = shutil.which("litellm-key", path=os.path.dirname(sys.executable))
    if not script:
        raise SystemExit("litellm-key is not installed beside this interpreter (run ./scripts/bootstrap)")
    return script


def git_workspace(root: Path) -> Path:
    """A git workspace that ignores .env, as setup leaves it."""
    workspace = root / "workspace"
    workspace.mkdir()
    subprocess.run(["git", "init", "-q", str(workspace)], check=True)
    (workspace / ".gitignore").write_text("/.env\n")
    return workspace


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=40, help="rounds for the start-up figures (default 40)")
    parser.add_argument("--quick", action="store_true", help="few rounds and a 1 MB file: proves the script runs (CI)")
    args = parser.parse_args()
    runs = 3 if args.quick else args.runs
    big_size = (1 if args.quick else 10) * 1024 * 1024

    script = installed_script()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        workspace = git_workspace(root)
        env_file = workspace / ".env"
        env_file.write_text(f"{USER_ENV}LITELLM_API_KEY={KEY}\nLITELLM_BASE_URL=http://localhost:8080\n")
        (root / "config.yaml").write_text(SYSTEM_CONFIG)
        environ = {
            key: value for key, value in os.environ.items() if not key.startswith(("LITELLM_", "PYTHONDONTWRITEBYTECODE"))
        }
        environ.update(HOME=str(root / "home"), LITELLM_KEY_SYSTEM_CONFIG=str(root / "config.yaml"))
        py = [sys.executable, "-c", "pass"]
        hot = {
            "python3 -c pass": (py, environ, workspace, "", None),
            "token --env-file ABS": ([script, "token", "--env-file", str(env_file)], environ, workspace, "", None),
            "token": ([script, "token"], environ, workspace, "", None),
            "env": ([script, "env"], environ, workspace, "", None),
        }
        startup = _interleaved(hot, runs)

        small, big = root / "small.env", root / "big.env"
        small.write_text(USER_ENV + "".join(f"VAR_{i}='value {i}' # note\n" for i in range(40)))
        line = b"VAR_%07d='some value, quoted' # and a comment\n"
        with big.open("wb") as handle:
            for index in range(big_size // len(line % 0)):  # every line has the same length
                handle.write(line % index)
        keyed = root / "keyed.env"  # the old key last: every line above it must be checked
        shutil.copyfile(big, keyed)
        with keyed.open("ab") as handle:
            handle.write(f"LITELLM_API_KEY={KEY}\n".encode())
        setup_env = {**environ, "LITELLM_PROXY": "false"}
        setup = [script, "setup", "--key-stdin", "--no-verify"]
        store = {
            "setup, 1 KB .env": (setup, setup_env, workspace, NEW_KEY + "\n", lambda: shutil.copyfile(small, env_file)),
            "setup, big .env": (setup, setup_env, workspace, NEW_KEY + "\n", lambda: shutil.copyfile(big, env_file)),
            "setup, big .env, key last": (setup, setup_env, workspace, NEW_KEY + "\n", lambda: shutil.copyfile(keyed, env_file)),
        }
        stored = _interleaved(store, max(3, runs // 4))

    base = _median(startup["python3 -c pass"])
    rows = [("`python3 -c pass`", f"{base:.1f} ms", "1.00x", "baseline")]
    for name in ("token --env-file ABS", "token", "env"):
        figure = _median(startup[name])
        rows.append((f"`litellm-key {name}`", f"{figure:.1f} ms", f"{figure / base:.2f}x", "<= 1.3x"))
    small_ms, big_ms = _median(stored["setup, 1 KB .env"]), _median(stored["setup, big .env"])
    size_mb = big_size / 1024 / 1024
    rows.append(("`setup`, new key, 1 KB `.env`", f"{small_ms:.0f} ms", "1.00x", "baseline"))
    rows.append((f"`setup`, new key, {size_mb:.0f} MB `.env`", f"{big_ms:.0f} ms", f"{big_ms / small_ms:.2f}x", "<= 2x the 1 KB case"))
    last_ms = _median(stored["setup, big .env, key last"])
    rows.append(
        (f"`setup`, replacing the key on the last line of {size_mb:.0f} MB", f"{last_ms:.0f} ms", f"{last_ms / small_ms:.2f}x", "<= 2x the 1 KB case")
    )
    extra_kib = _median(stored["setup, big .env"], 1) - _median(stored["setup, 1 KB .env"], 1)
    rows.append(
        ("`setup` peak memory above the 1 KB case", f"{extra_kib / 1024:.1f} MiB", f"{extra_kib * 1024 / big_size:.2f}x file", "<= 2x file size")
    )
    print(f"litellm-key key store: {runs} interleaved rounds, medians; {os.cpu_count()} CPUs; {_cpu_model()}")
    print()
    print("| measured | median | ratio | goal |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            return next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "unknown CPU")
    except OSError:
        return "unknown CPU"


if __name__ == "__main__":
    main()
