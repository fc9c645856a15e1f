"""`make bench`: wrk against nginx and authgate in one run; the table goes to docs/performance.md.

Rows (each a :class:`Row` in ``rows()``): direct upstream (nginx, 1 worker, fixed response),
nginx as reverse proxy (1 worker, keep-alive upstream pool), authgate with 1 worker, authgate
with N workers; access logs are off in those rows, so they compare proxying, not logging. A
row shows what authgate's JSON access log costs. The openid-connect rows (bearer JWT with one
token and with unique tokens, cached introspection, a session cookie) run authgate with 1
worker against the embedded IdP (bench/oidc_rows.py), among them client credentials with a
warm grant cache next to the cached bearer row; the unique-token row is compared with the
raw RS256 verify rate of one core (bench/verify_rate.py), measured in the same run.

    python bench/run.py [--duration 10] [--connections 64] [--workers 2] [--no-write]
        [--only TEXT ...] [--exact] [--gateway-arg=--headers=latency_tokens]
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
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from loadgen import Load, run_wrk, wrk_command
from nginx_conf import BODY, proxy_conf, upstream_conf
from oidc_rows import OidcBench
from report import (
    BEARER_CACHED,
    BEARER_UNIQUE,
    CLIENT_CREDENTIALS,
    INTROSPECTION,
    SESSION,
    Measurement,
    render,
    write_section,
)

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
    oidc: OidcBench
    upstream_pids: list[int] = field(default_factory=list)
    gateway_args: list[str] = field(default_factory=list)
    """Extra ``authgate gateway`` arguments for every authgate row (``--gateway-arg``)."""


@dataclass
class Target:
    """A started server: what to load it with, its PIDs (CPU, memory) and which are workers."""

    load: Load
    pids: list[int]
    workers: list[int]


@dataclass(frozen=True)
class Auth:
    """An openid-connect row: the plugin config (before start) and the load (after start)."""

    plugin: Callable[[OidcBench], dict[str, Any]]
    load: Callable[[OidcBench, str], Load]
    fixed_port: bool = False


@dataclass
class Row:
    """One line of the table: how to start the thing measured and what to send it."""

    name: str
    start: Callable[[Bench], Iterator[Target]]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for(
    url: str, timeout: float = 30.0, headers: dict[str, str] | None = None, any_status: bool = False
) -> bytes:
    """The body of a 2xx answer (with ``any_status``: of any HTTP answer), retrying until then."""
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(url, headers=headers or {})
    while True:
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                body: bytes = response.read()
                return body
        except urllib.error.HTTPError as error:
            if any_status:
                return error.read()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
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
    yield Target(Load(url), bench.upstream_pids, bench.upstream_pids[1:])


def start_nginx_proxy(bench: Bench) -> Iterator[Target]:
    port = free_port()
    with nginx(bench.workdir, "proxy", proxy_conf(bench.workdir, port, bench.upstream_port)) as pid:
        url = f"http://127.0.0.1:{port}/"
        wait_for(url)
        pids = nginx_children(pid)
        yield Target(Load(url), pids, pids[1:])


def gateway_config(bench: Bench, plugin: dict[str, Any] | None = None) -> Path:
    """One catch-all route to the upstream; with ``plugin``, openid-connect on it."""
    route: dict[str, Any] = {"name": "all", "paths": ["/"]}
    if plugin is not None:
        route["plugins"] = [{"name": "openid-connect", "config": plugin}]
    document = {
        "_format_version": "3.0",
        "services": [
            {"name": "bench", "url": f"http://127.0.0.1:{bench.upstream_port}", "routes": [route]}
        ],
    }
    path = bench.workdir / "authgate.yaml"
    path.write_text(json.dumps(document, indent=2))  # JSON is YAML
    return path


def start_authgate(
    workers: int, access_log: bool = False, auth: Auth | None = None
) -> Callable[[Bench], Iterator[Target]]:
    def start(bench: Bench) -> Iterator[Target]:
        plugin = auth.plugin(bench.oidc) if auth is not None else None
        fixed = auth is not None and auth.fixed_port
        port, admin = bench.oidc.gateway_port if fixed else free_port(), free_port()
        log = str(bench.workdir / "access.log") if access_log else "off"
        command = [
            sys.executable, "-m", "authgate", "gateway",
            "--config", str(gateway_config(bench, plugin)),
            "--workers", str(workers), "--listen", f"127.0.0.1:{port}",
            "--admin-listen", f"127.0.0.1:{admin}", "--access-log", log,
            *bench.gateway_args,
        ]  # fmt: skip
        process = subprocess.Popen(command)
        try:
            info = wait_for(f"http://127.0.0.1:{admin}/")
            worker_pids = json.loads(info)["workers"]["pids"]
            url = f"http://127.0.0.1:{port}/"
            wait_for(url, any_status=True)
            load = auth.load(bench.oidc, url) if auth is not None else Load(url)
            yield Target(load, [process.pid, *worker_pids], worker_pids)
        finally:
            process.terminate()
            process.wait(30)

    return start


def rows(workers: int) -> list[Row]:
    """Every row, in table order; the first is the direct upstream baseline."""
    oidc = OidcBench  # unbound methods: each takes the run's OidcBench
    return [
        Row("direct upstream (nginx, 1 worker)", start_direct),
        Row(REFERENCE, start_nginx_proxy),
        Row("authgate, 1 worker", start_authgate(1)),
        Row(f"authgate, {workers} workers", start_authgate(workers)),
        Row("authgate, 1 worker, JSON access log to a file", start_authgate(1, access_log=True)),
        Row(BEARER_CACHED, start_authgate(1, auth=Auth(oidc.bearer_config, oidc.one_token_load))),
        Row(
            CLIENT_CREDENTIALS,
            start_authgate(
                1, auth=Auth(oidc.client_credentials_config, oidc.client_credentials_load)
            ),
        ),
        Row(BEARER_UNIQUE, start_authgate(1, auth=Auth(oidc.unique_config, oidc.unique_load))),
        Row(
            INTROSPECTION,
            start_authgate(1, auth=Auth(oidc.introspection_config, oidc.one_token_load)),
        ),
        Row(
            SESSION,
            start_authgate(1, auth=Auth(oidc.session_config, oidc.session_load, fixed_port=True)),
        ),
    ]


def measure(row: Row, bench: Bench, args: argparse.Namespace) -> Measurement:
    starter = row.start(bench)
    target = next(starter)
    try:
        load = target.load
        check = load.check_headers if load.check_headers is not None else load.headers
        body = wait_for(load.url, headers=check)
        if BODY.encode() not in body:
            raise RuntimeError(f"{row.name}: unexpected body {body[:200]!r}")
        run_wrk(load.command("warm", args.threads, args.connections, 2), 2)
        command = load.command("load", args.threads, args.connections, args.duration)
        cpu_before = cpu_seconds(target.pids)
        result = run_wrk(command, args.duration)
        cpu_us = (cpu_seconds(target.pids) - cpu_before) * 1e6 / max(result.requests, 1)
        if load.after_load is not None:
            load.after_load(result)
        rss = rss_mib(target.pids)
        worker_rss = rss_mib(target.workers) / max(len(target.workers), 1)
        idle = run_wrk(load.command("idle", 1, 1, IDLE_SECONDS), IDLE_SECONDS)
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


def _chosen(name: str, args: argparse.Namespace) -> bool:
    if not args.only:
        return True
    if args.exact:
        return name in args.only
    return any(part in name for part in args.only)


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
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        help="run only rows whose name contains this (repeatable: any of them)",
    )
    parser.add_argument("--exact", action="store_true", help="--only names whole rows")
    parser.add_argument(
        "--gateway-arg",
        action="append",
        default=[],
        help="extra `authgate gateway` argument, e.g. --gateway-arg=--headers=latency_tokens",
    )
    args = parser.parse_args()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="authgate-bench-") as tmp:
        workdir = Path(tmp)
        upstream_port = free_port()
        oidc = OidcBench(workdir, free_port(), free_port(), args.threads)
        with nginx(workdir, "upstream", upstream_conf(workdir, upstream_port)) as master:
            wait_for(f"http://127.0.0.1:{upstream_port}/")
            bench = Bench(
                workdir, upstream_port, args.workers, oidc, nginx_children(master),
                args.gateway_arg,
            )  # fmt: skip
            every = rows(args.workers)
            # The direct row is the baseline of the latency columns: always measured.
            chosen = [every[0], *(row for row in every[1:] if _chosen(row.name, args))]
            try:
                results = [measure(row, bench, args) for row in chosen]
            finally:
                oidc.close()
    shown = wrk_command("URL", args.threads, args.connections, args.duration, {})
    date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    loads = (load_before, os.getloadavg())
    section = render(
        results, shlex.join(shown), date, machine(), REFERENCE, oidc.verify_rates, loads
    )
    print(section)
    if not args.no_write:
        write_section(DOC, section)
        print(f"wrote {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
