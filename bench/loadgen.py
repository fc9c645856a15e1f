"""Running wrk and reading its report."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Load", "WrkResult", "run_wrk", "wrk_command"]

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@dataclass(frozen=True)
class WrkResult:
    """Throughput and latency percentiles (milliseconds) of one wrk run."""

    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int


@dataclass
class Load:
    """What wrk sends to one row: the URL, fixed headers, or a Lua script (per phase args).

    ``check_headers`` go with the one request that checks the body before the run (default:
    ``headers``); ``after_load`` may refuse the loaded run's result (raises).
    """

    url: str
    headers: dict[str, str] = field(default_factory=dict)
    check_headers: dict[str, str] | None = None
    script: Path | None = None
    script_args: Callable[[str, int], list[str]] | None = None
    after_load: Callable[[WrkResult], None] | None = None

    def command(self, phase: str, threads: int, connections: int, duration: int) -> list[str]:
        """wrk for ``phase`` (``warm``, ``load`` or ``idle``)."""
        args = self.script_args(phase, threads) if self.script_args is not None else []
        return wrk_command(
            self.url, threads, connections, duration, self.headers, self.script, args
        )


def wrk_command(
    url: str,
    threads: int,
    connections: int,
    duration: int,
    headers: dict[str, str],
    script: Path | None = None,
    script_args: list[str] | None = None,
) -> list[str]:
    """The exact wrk command line (printed in docs/performance.md)."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    if script is not None:
        command += ["-s", str(script)]
    command.append(url)
    if script_args:
        command += ["--", *script_args]
    return command


def _latency(text: str, percentile: str) -> float:
    match = re.search(rf"^\s*{percentile}%\s+([\d.]+)(us|ms|s)\s*$", text, re.MULTILINE)
    if match is None:
        raise ValueError(f"no {percentile}% latency in wrk output:\n{text}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(text: str) -> WrkResult:
    """Requests/sec, p50, p99 and error count from wrk's ``--latency`` report."""
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", text, re.MULTILINE)
    if rps is None:
        raise ValueError(f"no Requests/sec in wrk output:\n{text}")
    errors = 0
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text
    )
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if non2xx:
        errors += int(non2xx.group(1))
    total = re.search(r"^\s*(\d+) requests in", text, re.MULTILINE)
    if total is None:
        raise ValueError(f"no request count in wrk output:\n{text}")
    return WrkResult(
        float(rps.group(1)), _latency(text, "50"), _latency(text, "99"), errors, int(total.group(1))
    )


def run_wrk(command: list[str], duration: int) -> WrkResult:
    """Run wrk (bounded: killed after the duration plus a margin) and parse its report."""
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=duration + 30, check=True
    )
    return parse_wrk(done.stdout)
