"""What the nginx proxy costs: direct vs through the proxy, on loopback, measured with wrk.

    python benchmarks/proxy.py            # ~1.5 min: 5 rounds of 2 s per measure and path
    python benchmarks/proxy.py --quick    # ~15 s, for CI: fails only when it cannot run

Needs nginx, Debian's `wrk` and `libnginx-mod-http-echo` (`apt-get install -y wrk
libnginx-mod-http-echo`). The upstream ("LiteLLM") is a second nginx: `return 200` with a
/v1/models-sized body is the instant upstream, and the echo module's `echo_sleep 0.002` (an nginx
timer, no CPU while it waits) is the upstream that takes 2 ms per request and still serves 50
connections at full speed. SSE comes from a small asyncio process whose events carry their send
time (CLOCK_MONOTONIC is shared between processes, so an event's delay is arrival minus send),
behind the upstream nginx's /sse (so both paths share that hop), read while wrk loads the same path. Every measure runs direct and through the proxy in rounds
that alternate which goes first; the table gives medians and [min–max] ranges over the rounds.
Goals are printed beside the figures, never asserted: a loaded machine would make them flaky.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from litellm_key import proxy  # noqa: E402
from litellm_key.settings import Settings  # noqa: E402

ECHO_MODULE = Path("/usr/lib/nginx/modules/ngx_http_echo_module.so")
BODY = '{"data":[{"id":"claude-sonnet-4-5-20250929","object":"model","created":1677610602,"owned_by":"anthropic"}],"object":"list"}'
UPSTREAM_CONF = """load_module "%(module)s";
worker_processes auto;
daemon off;
pid "%(dir)s/upstream.pid";
error_log "%(dir)s/upstream-error.log" warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path "%(dir)s"; proxy_temp_path "%(dir)s"; fastcgi_temp_path "%(dir)s";
    uwsgi_temp_path "%(dir)s"; scgi_temp_path "%(dir)s";
    server {
        listen 127.0.0.1:%(port)d;
        default_type application/json;
        location = /v1/models { return 200 '%(body)s'; }
        location = /busy { echo_sleep 0.002; echo_exec /v1/models; }  # then the instant answer
        location = /sse {
            proxy_pass http://127.0.0.1:%(sse)d;
            proxy_buffering off;
        }
    }
}
"""
# wrk's own numbers, machine-readable: requests, µs elapsed, failed requests, p50/p99 latency in µs.
WRK_REPORT = """done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %f %f\\n", summary.requests, summary.duration,
    e.connect + e.read + e.write + e.status + e.timeout, latency:percentile(50), latency:percentile(99)))
end
"""


class CannotRun(Exception):
    """Something the benchmark needs is missing: the one failure --quick reports."""


# ---- the SSE upstream (own process) ---------------------------------------------------------------


async def _serve_sse(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        target = (await reader.readuntil(b"\r\n\r\n")).split(b" ", 2)[1]
        count, interval = (float(part) for part in target.split(b"?")[1].split(b","))
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
        for index in range(int(count)):
            event = b"data: %d %.9f\n\n" % (index, time.monotonic())
            writer.write(b"%x\r\n%s\r\n" % (len(event), event))
            await writer.drain()
            await asyncio.sleep(interval)
        writer.write(b"0\r\n\r\n")
        await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def _serve() -> None:
    server = await asyncio.start_server(_serve_sse, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until the parent closes stdin


def _sse_delays(port: int, count: int, interval: float) -> list[float]:
    with socket.create_connection(("127.0.0.1", port)) as connection:
        connection.sendall(b"GET /sse?%d,%f HTTP/1.1\r\nHost: localhost\r\n\r\n" % (count, interval))
        stream, delays = connection.makefile("rb"), []
        while (line := stream.readline()) != b"\r\n":
            if not line:
                raise CannotRun("the SSE stream ended before its headers")
        while size := int(stream.readline().strip(), 16):
            event = stream.read(size + 2)
            delays.append(time.monotonic() - float(event.split()[2]))
        return delays


# ---- wrk -------------------------------------------------------------------------------------------


def _wrk(script: Path, url: str, connections: int, seconds: int) -> subprocess.Popen[str]:
    threads = min(2, connections)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script), url]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _result(run: subprocess.Popen[str]) -> dict[str, float]:
    output = run.communicate(timeout=120)[0]
    line = next((line for line in output.splitlines() if line.startswith("RESULT ")), None)
    if line is None:
        raise CannotRun(f"wrk failed: {output.strip()[:300]}")
    requests, micros, errors, p50, p99 = (float(value) for value in line.split()[1:])
    if requests == 0 or errors > requests / 100:
        raise CannotRun(f"wrk: {errors:.0f} of {requests:.0f} requests failed")
    return {"rate": requests / micros * 1e6, "p50": p50 / 1000, "p99": p99 / 1000}


# ---- the measures ----------------------------------------------------------------------------------


class Bench:
    def __init__(self, ports: dict[str, int], script: Path, rounds: int, seconds: int) -> None:
        self.ports = ports
        self.script, self.rounds, self.seconds = script, rounds, seconds
        self.samples: dict[tuple[str, str], list[float]] = {}

    def _keep(self, measure: str, path: str, value: float) -> None:
        self.samples.setdefault((measure, path), []).append(value)

    def run(self) -> None:
        for port in self.ports.values():  # warm up: connections, nginx's upstream keep-alive
            _result(_wrk(self.script, f"http://127.0.0.1:{port}/v1/models", 50, 1))
        for index in range(self.rounds):
            for path in list(self.ports)[:: 1 if index % 2 == 0 else -1]:  # alternate who goes first
                self._round(path, self.ports[path])

    def _round(self, path: str, port: int) -> None:
        base = f"http://127.0.0.1:{port}"
        single = _result(_wrk(self.script, f"{base}/v1/models", 1, self.seconds))
        self._keep("p50", path, single["p50"])
        self._keep("instant", path, _result(_wrk(self.script, f"{base}/v1/models", 50, self.seconds))["rate"])
        load = _wrk(self.script, f"{base}/busy", 50, self.seconds)
        interval = 0.01  # one event every 10 ms for most of the load's run
        delays = _sse_delays(port, int((self.seconds - 0.5) / interval), interval)
        busy = _result(load)
        self._keep("busy", path, busy["rate"])
        self._keep("busy p50", path, busy["p50"])
        self._keep("sse", path, max(delays) * 1000)

    def pairs(self, measure: str) -> tuple[list[float], list[float]]:
        return self.samples[(measure, "direct")], self.samples[(measure, "proxy")]


def _span(values: list[float], form: str) -> str:
    return f"{form.format(statistics.median(values))} [{form.format(min(values))}–{form.format(max(values))}]"


def _rows(bench: Bench) -> list[tuple[str, ...]]:
    rows = []
    direct, through = bench.pairs("p50")
    added = [b - a for a, b in zip(direct, through)]
    rows.append(("latency p50, 1 connection, instant upstream", _span(direct, "{:.3f} ms"), _span(through, "{:.3f} ms"),
                 f"{_span(added, '{:+.3f}')} ms", _goal(statistics.median(added), 0.05, "≤ 0.05 ms added", "{:.3f} ms")))
    taken = statistics.median(bench.pairs("busy p50")[0])
    slow = f"upstream takes 2 ms/request (echo_sleep; {taken:.1f} ms p50 direct)"
    for measure, label in (("busy", slow), ("instant", "instant upstream")):
        direct, through = bench.pairs(measure)
        ratios = [b / a * 100 for a, b in zip(direct, through)]
        verdict = _goal(-statistics.median(ratios), -90, "≥ 90 % of direct", "{:.0f} points") if measure == "busy" else "(no goal: beside the one above)"
        rows.append((f"throughput, 50 connections, {label}", _span(direct, "{:,.0f} req/s"), _span(through, "{:,.0f} req/s"),
                     f"{_span(ratios, '{:.0f}')} % of direct", verdict))
    direct, through = bench.pairs("sse")
    added = [b - a for a, b in zip(direct, through)]
    rows.append(("SSE worst event delay, during the 2 ms load", _span(direct, "{:.2f} ms"), _span(through, "{:.2f} ms"),
                 f"{_span(added, '{:+.2f}')} ms", _goal(statistics.median(added), 1.0, "≤ 1 ms added", "{:.2f} ms")))
    return rows


def _goal(value: float, limit: float, text: str, form: str) -> str:
    """Met when the median `value` is at most `limit` (negate both for an at-least goal)."""
    return f"{text}: ✓" if value <= limit else f"{text}: ✗ misses by {form.format(value - limit)}"


# ---- set-up ----------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_upstream(folder: Path, binary: str, sse_port: int) -> tuple[subprocess.Popen[bytes], int]:
    """The "LiteLLM" nginx on a port the OS chose (retried on the rare clash)."""
    for _ in range(3):
        port = _free_port()
        config = folder / "upstream.conf"
        config.write_text(UPSTREAM_CONF % {"module": ECHO_MODULE, "dir": folder, "port": port, "body": BODY, "sse": sse_port})
        server = subprocess.Popen([binary, "-p", f"{folder}/", "-e", str(folder / "upstream-error.log"), "-c", str(config)],
                                  stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and server.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return server, port
            except OSError:
                time.sleep(0.02)
        server.kill()
        server.wait()
    raise CannotRun(f"the upstream nginx did not start: {(folder / 'upstream-error.log').read_text()[-300:]}")


def _machine(binary: str) -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), "?")
    nginx = subprocess.run([binary, "-v"], capture_output=True, text=True).stderr.strip().split("/")[-1]
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split()[1]
    load = os.getloadavg()[0]
    return f"{len(os.sched_getaffinity(0))} CPUs ({cpu}) · load average {load:.1f} at the end · nginx {nginx} · wrk {wrk} · loopback"


def measure(quick: bool) -> tuple[str, list[tuple[str, ...]]]:
    if not shutil.which("wrk"):
        raise CannotRun("wrk is not installed: apt-get install -y wrk")
    if not ECHO_MODULE.exists():
        raise CannotRun(f"{ECHO_MODULE} is missing: apt-get install -y libnginx-mod-http-echo")
    sse = subprocess.Popen([sys.executable, __file__, "--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    with tempfile.TemporaryDirectory(prefix="litellm-key-bench-") as state:
        folder = Path(state)
        settings = Settings(workspace=folder, env_file=folder / ".env", state_dir=folder / "state", listen_port=_free_port())
        binary = proxy.nginx_binary(settings)
        upstream, port = _start_upstream(folder, binary, int(sse.stdout.readline()))
        try:
            settings = settings._replace(upstream=f"http://127.0.0.1:{port}")
            proxy.ensure_running(settings)
            script = folder / "report.lua"
            script.write_text(WRK_REPORT)
            rounds, seconds = (2, 1) if quick else (5, 2)
            bench = Bench({"direct": port, "proxy": settings.listen_port}, script, rounds, seconds)
            bench.run()
            return _machine(binary), _rows(bench)
        finally:
            proxy.stop(settings)
            upstream.terminate()
            upstream.wait(timeout=10)
            sse.stdin.close()
            sse.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 short rounds (CI): exits non-zero only when it cannot run")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(_serve())
        return
    try:
        machine, rows = measure(args.quick)
    except CannotRun as problem:
        sys.exit(f"benchmarks/proxy.py cannot run: {problem}")
    print(f"{machine} · {'--quick: 2 rounds of 1 s' if args.quick else '5 rounds of 2 s'} per measure and path\n")
    print("| measure (median [min–max] over the rounds) | direct | through the proxy | added | goal |\n|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
