"""`make bench`: wrk against nginx and authgate in one run; the table goes to docs/performance.md.

Rows (each a :class:`Row`; later scenarios such as a bearer JWT add one entry to ``rows()``):
direct upstream (nginx, 1 worker, fixed response), nginx as reverse proxy (1 worker, keep-alive
upstream pool), authgate with 1 worker, authgate with N workers; access logs are off in
those rows, so they compare proxying, not logging. A last row shows what authgate's JSON
access log costs.

    python bench/run.py [--duration 10] [--connections 64] [--workers 2] [--no-write]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from loadgen import run_wrk, wrk_command
from nginx_conf import BODY, proxy_conf, upstream_conf
from report import Measurement, render, write_section

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "performance.md"
REFERENCE = "nginx proxy, 1 worker"
IDLE_SECONDS = 3


@dataclass
class Bench:
    """Shared state of one benchmark run."""

    workdir: Path
    upstream_port: int
    workers: int
    upstream_pids: list[int] = field(default_factory=list)


@dataclass
class Target:
    """A started server: the URL to load, its PIDs (CPU, memory) and which are workers."""

    url: str
    pids: list[int]
    workers: list[int]


@dataclass
class Row:
    """One line of the table: how to start the thing measured and what to send it."""

    name: str
    start: Callable[[Bench], Iterator[Target]]
    headers: dict[str, str] = field(default_factory=dict)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for(url: str, timeout: float = 30.0) -> bytes:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                body: bytes = response.read()
                return body
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def rss_mib(pids: list[int]) -> float:
    total_kib = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total_kib += int(line.split()[1])
    return total_kib / 1024


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time consumed so far by ``pids``."""
    ticks = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def nginx_children(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [master, *map(int, children)]


@contextmanager
def nginx(workdir: Path, name: str, conf: str) -> Iterator[int]:
    path = workdir / f"{name}.conf"
    path.write_text(conf)
    process = subprocess.Popen(["nginx", "-p", str(workdir), "-c", str(path), "-e", "stderr"])
    try:
        yield process.pid
    finally:
        process.terminate()
        process.wait(10)


def start_direct(bench: Bench) -> Iterator[Target]:
    url = f"http://127.0.0.1:{bench.upstream_port}/"
    yield Target(url, bench.upstream_pids, bench.upstream_pids[1:])


def start_nginx_proxy(bench: Bench) -> Iterator[Target]:
    port = free_port()
    with nginx(bench.workdir, "proxy", proxy_conf(bench.workdir, port, bench.upstream_port)) as pid:
        url = f"http://127.0.0.1:{port}/"
        wait_for(url)
        pids = nginx_children(pid)
        yield Target(url, pids, pids[1:])


def gateway_config(bench: Bench) -> Path:
    path = bench.workdir / "authgate.yaml"
    path.write_text(
        '_format_version: "3.0"\n'
        "services:\n"
        f"  - name: bench\n    url: http://127.0.0.1:{bench.upstream_port}\n"
        "    routes:\n      - name: all\n        paths: [/]\n"
    )
    return path


def start_authgate(workers: int, access_log: bool = False) -> Callable[[Bench], Iterator[Target]]:
    def start(bench: Bench) -> Iterator[Target]:
        port, admin = free_port(), free_port()
        log = str(bench.workdir / "access.log") if access_log else "off"
        command = [
            sys.executable, "-m", "authgate", "gateway", "--config", str(gateway_config(bench)),
            "--workers", str(workers), "--listen", f"127.0.0.1:{port}",
            "--admin-listen", f"127.0.0.1:{admin}", "--access-log", log,
        ]  # fmt: skip
        process = subprocess.Popen(command)
        try:
            info = wait_for(f"http://127.0.0.1:{admin}/")
            worker_pids = json.loads(info)["workers"]["pids"]
            url = f"http://127.0.0.1:{port}/"
            wait_for(url)
            yield Target(url, [process.pid, *worker_pids], worker_pids)
        finally:
            process.terminate()
            process.wait(30)

    return start


def rows(workers: int) -> list[Row]:
    """Every row, in table order; the first is the direct upstream baseline."""
    return [
        Row("direct upstream (nginx, 1 worker)", start_direct),
        Row(REFERENCE, start_nginx_proxy),
        Row("authgate, 1 worker", start_authgate(1)),
        Row(f"authgate, {workers} workers", start_authgate(workers)),
        Row("authgate, 1 worker, JSON access log to a file", start_authgate(1, access_log=True)),
    ]


def measure(row: Row, bench: Bench, args: argparse.Namespace) -> Measurement:
    starter = row.start(bench)
    target = next(starter)
    try:
        body = wait_for(target.url)
        if BODY.encode() not in body:
            raise RuntimeError(f"{row.name}: unexpected body {body[:200]!r}")
        warm = wrk_command(target.url, args.threads, args.connections, 2, row.headers)
        run_wrk(warm, 2)
        command = wrk_command(
            target.url, args.threads, args.connections, args.duration, row.headers
        )
        cpu_before = cpu_seconds(target.pids)
        result = run_wrk(command, args.duration)
        cpu_us = (cpu_seconds(target.pids) - cpu_before) * 1e6 / max(result.requests, 1)
        rss = rss_mib(target.pids)
        worker_rss = rss_mib(target.workers) / max(len(target.workers), 1)
        idle = run_wrk(wrk_command(target.url, 1, 1, IDLE_SECONDS, row.headers), IDLE_SECONDS)
    finally:
        starter.close()
    print(
        f"{row.name:40} {result.requests_per_second:10,.0f} req/s  p50 {result.p50_ms:.3f} ms"
        f"  p99 {result.p99_ms:.3f} ms  rss {rss:.1f} MiB  cpu {cpu_us:.0f} us/req"
        f"  p50@1conn {idle.p50_ms:.3f} ms  errors {result.errors + idle.errors}",
        flush=True,
    )
    return Measurement(
        row.name, result.requests_per_second, result.p50_ms, result.p99_ms,
        rss, worker_rss, result.errors + idle.errors, cpu_us, idle.p50_ms,
    )  # fmt: skip


def machine() -> str:
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return f"{os.cpu_count()} CPUs (nproc), {model}, Linux {platform.release()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per row")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="N of the N-worker row")
    parser.add_argument("--no-write", action="store_true", help="do not touch the docs")
    parser.add_argument("--only", default="", help="run only rows whose name contains this")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="authgate-bench-") as tmp:
        workdir = Path(tmp)
        upstream_port = free_port()
        with nginx(workdir, "upstream", upstream_conf(workdir, upstream_port)) as master:
            wait_for(f"http://127.0.0.1:{upstream_port}/")
            bench = Bench(workdir, upstream_port, args.workers, nginx_children(master))
            every = rows(args.workers)
            # The direct row is the baseline of the latency columns: always measured.
            chosen = [every[0], *(row for row in every[1:] if args.only in row.name)]
            results = [measure(row, bench, args) for row in chosen]
    shown = wrk_command("URL", args.threads, args.connections, args.duration, {})
    date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    section = render(results, shlex.join(shown), date, machine(), REFERENCE)
    print(section)
    if not args.no_write:
        write_section(DOC, section)
        print(f"wrote {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
