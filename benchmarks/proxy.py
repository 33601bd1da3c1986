"""What the nginx proxy costs: direct vs through the proxy, on loopback. Prints a Markdown table.

    python benchmarks/proxy.py            # ~25 s; needs nginx (see docs/proxy.md)
    python benchmarks/proxy.py --quick    # ~5 s, fewer requests

The upstream is a small asyncio HTTP/1.1 server in its own process (keep-alive, a /v1/models-sized
JSON body, and an SSE stream whose events carry their send time). The client is asyncio with raw
keep-alive sockets, so both paths pay the same client overhead and the difference is nginx's.
CLOCK_MONOTONIC is shared between processes, so an event's delay is its arrival minus its send time.
Numbers are written to docs/performance.md, not asserted: a loaded CI machine would make them flaky.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from litellm_key import proxy  # noqa: E402
from litellm_key.settings import Settings  # noqa: E402

BODY = b'{"data":[{"id":"claude-sonnet-4-5-20250929","object":"model","created":1677610602,"owned_by":"anthropic"}],"object":"list"}'
SMALL = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(BODY), BODY)
REQUEST = b"GET %s HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer sk-benchmark-0000\r\n\r\n"
SERVICE_TIME = 0.002  # what a small LiteLLM request costs on the upstream side, for the second throughput row


# ---- upstream (own process) -----------------------------------------------------------------------


async def _serve_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            target = head.split(b" ", 2)[1]
            for line in head.lower().split(b"\r\n"):
                if line.startswith(b"content-length:"):
                    await reader.readexactly(int(line.split(b":")[1]))
            if target.startswith(b"/sse"):
                count, interval = (float(part) for part in target.split(b"?")[1].split(b","))
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
                for index in range(int(count)):
                    event = b"data: %d %.9f\n\n" % (index, time.monotonic())
                    writer.write(b"%x\r\n%s\r\n" % (len(event), event))
                    await writer.drain()
                    await asyncio.sleep(interval)
                writer.write(b"0\r\n\r\n")
            else:
                if target.startswith(b"/busy"):
                    await asyncio.sleep(SERVICE_TIME)
                writer.write(SMALL)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def _serve() -> None:
    server = await asyncio.start_server(_serve_connection, "127.0.0.1", 0, backlog=512)
    print(server.sockets[0].getsockname()[1], flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until the parent closes stdin


# ---- client ----------------------------------------------------------------------------------------


async def _read_response(reader: asyncio.StreamReader) -> bool:
    """Read one response; True when the server closes the connection after it (nginx does so
    after keepalive_requests, 1000, like any client would see)."""
    head = (await reader.readuntil(b"\r\n\r\n")).lower()
    for line in head.split(b"\r\n"):
        if line.startswith(b"content-length:"):
            await reader.readexactly(int(line.split(b":")[1]))
    return b"connection: close" in head


async def _connection(port: int, path: bytes, count: int, deadline: float, latencies: list[float]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = REQUEST % path
    for _ in range(count):
        started = time.perf_counter()
        writer.write(request)
        closing = await _read_response(reader)
        latencies.append(time.perf_counter() - started)
        if started > deadline:
            break
        if closing:
            writer.close()
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.close()


async def _load(
    port: int, connections: int, total: int, seconds: float, path: bytes = b"/v1/models"
) -> tuple[list[float], float]:
    """Latencies of `total` requests over `connections` keep-alive connections, and requests/s."""
    latencies: list[float] = []
    began = time.perf_counter()
    deadline = began + seconds
    await asyncio.gather(*(_connection(port, path, total // connections, deadline, latencies) for _ in range(connections)))
    return latencies, len(latencies) / (time.perf_counter() - began)


async def _sse_delays(port: int, count: int, interval: float) -> list[float]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /sse?%d,%f HTTP/1.1\r\nHost: localhost\r\n\r\n" % (count, interval))
    await reader.readuntil(b"\r\n\r\n")
    delays = []
    while size := int((await reader.readline()).strip(), 16):
        event = await reader.readexactly(size + 2)
        delays.append(time.monotonic() - float(event.split()[2]))
    writer.close()
    return delays


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.3f} ms"


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of other processes (the upstream, nginx's workers), from /proc."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


class Bench:
    """Runs every measurement direct and through the proxy, alternating, keeping the better of
    `rounds` runs per path (other load on the machine only ever makes a run slower)."""

    def __init__(self, direct: int, proxied: int, upstream_pid: int, nginx_pids: list[int], quick: bool) -> None:
        self.ports = {"direct": direct, "proxy": proxied}
        self.pids = {"direct": [upstream_pid], "proxy": [upstream_pid, *nginx_pids]}
        self.scale, self.rounds = (4, 1) if quick else (1, 2)

    async def load(self, connections: int, total: int, path: bytes = b"/v1/models") -> dict[str, tuple[list[float], float, float]]:
        """Per path: latencies, requests/s, CPU seconds per request (client + upstream + nginx)."""
        best: dict[str, tuple[list[float], float, float]] = {}
        for _ in range(self.rounds):
            for name, port in self.ports.items():
                cpu_before, client_before = _cpu_seconds(self.pids[name]), time.process_time()
                latencies, rate = await _load(port, connections, total // self.scale, 6, path)
                cpu = _cpu_seconds(self.pids[name]) - cpu_before + time.process_time() - client_before
                if name not in best or rate > best[name][1]:
                    best[name] = (latencies, rate, cpu / len(latencies))
        return best

    async def rows(self) -> list[tuple[str, ...]]:
        for port in self.ports.values():  # warm up: connections, nginx's upstream keep-alive
            await _load(port, 10, 1000, 2)
        rows: list[tuple[str, ...]] = []
        for connections, total in ((1, 4000), (50, 20000)):
            runs = await self.load(connections, total)
            for label, fraction, target in (("p50", 0.5, "≤ 0.5 ms added"), ("p99", 0.99, "")):
                base, through = (_percentile(runs[name][0], fraction) for name in self.ports)
                plural = "s" if connections > 1 else ""
                rows.append((f"latency {label}, {connections} connection{plural}", _ms(base), _ms(through), f"+{_ms(through - base)}", target))
        rows.append(_throughput("throughput, 50 connections, instant upstream", runs))
        cpu = {name: runs[name][2] * 1e6 for name in self.ports}
        rows.append(("CPU per request, all processes", f"{cpu['direct']:.0f} µs", f"{cpu['proxy']:.0f} µs", f"+{cpu['proxy'] - cpu['direct']:.0f} µs (mostly nginx)", ""))
        busy = await self.load(50, 10000, b"/busy")
        rows.append(_throughput(f"throughput, 50 connections, upstream {SERVICE_TIME * 1000:.0f} ms/request", busy))
        events, interval = (10, 0.05) if self.scale > 1 else (20, 0.1)
        base_sse = await _sse_delays(self.ports["direct"], events, interval)
        proxy_sse = await _sse_delays(self.ports["proxy"], events, interval)
        added = [through - base for through, base in zip(proxy_sse, base_sse)]
        median = statistics.median
        rows.append((f"SSE delay per event, median of {events}", _ms(median(base_sse)), _ms(median(proxy_sse)), f"+{_ms(median(added))}", ""))
        rows.append((f"SSE delay per event, worst of {events}", _ms(max(base_sse)), _ms(max(proxy_sse)), f"+{_ms(max(added))}", "≤ 5 ms added"))
        return rows


def _throughput(label: str, runs: dict[str, tuple[list[float], float, float]]) -> tuple[str, ...]:
    base_rate, proxy_rate = runs["direct"][1], runs["proxy"][1]
    return (label, f"{base_rate:,.0f} req/s", f"{proxy_rate:,.0f} req/s", f"{proxy_rate / base_rate:.0%} of direct", "≥ 90 %")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a quarter of the requests, shorter SSE stream")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(_serve())
        return
    upstream = subprocess.Popen([sys.executable, __file__, "--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    with tempfile.TemporaryDirectory(prefix="litellm-key-bench-") as state:
        try:
            direct = int(upstream.stdout.readline())
            settings = Settings(workspace=Path(state), env_file=Path(state) / ".env", state_dir=Path(state), upstream=f"http://127.0.0.1:{direct}", listen_port=_free_port())
            proxy.ensure_running(settings)
            try:
                master = proxy.running_pid(proxy.paths(settings))
                workers = [pid for pid in _pids() if _parent(pid) == master]
                bench = Bench(direct, settings.listen_port, upstream.pid, workers, args.quick)
                rows = asyncio.run(bench.rows())
            finally:
                proxy.stop(settings)
        finally:
            upstream.stdin.close()
            upstream.wait(timeout=10)
    version = subprocess.run([proxy.nginx_binary(settings), "-v"], capture_output=True, text=True).stderr.split("/")[-1].strip()
    print(f"nginx {version} · Python {sys.version.split()[0]} · {_cpus()} CPUs · loopback\n")
    print("| measure | direct | through the proxy | added | target |\n|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _cpus() -> int:
    return len(os.sched_getaffinity(0))


def _pids() -> list[int]:
    return [int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit()]


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


if __name__ == "__main__":
    main()
