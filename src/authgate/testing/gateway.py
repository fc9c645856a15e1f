"""Run `authgate gateway` (supervisor and workers) as real processes for tests."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx

from authgate.testing.processes import ServerProcess, free_port

__all__ = ["Gateway", "eventually", "start_gateway"]

T = TypeVar("T")


@dataclass
class Gateway:
    """A running gateway: its supervisor process, proxy and admin URLs, and config file."""

    process: ServerProcess
    proxy: str
    admin: str
    config: Path

    @property
    def pid(self) -> int:
        """The supervisor's pid."""
        assert self.process.proc is not None
        return self.process.proc.pid

    def info(self) -> dict[str, Any]:
        """``GET /`` of the admin API."""
        info: dict[str, Any] = httpx.get(self.admin + "/", timeout=5).json()
        return info

    def worker_pids(self) -> list[int]:
        """PIDs of the workers serving now."""
        pids: list[int] = self.info()["workers"]["pids"]
        return pids

    def stop(self) -> None:
        """SIGTERM (then SIGKILL) and remove the process log."""
        self.process.__exit__(None, None, None)


def start_gateway(
    config: Path, workers: int = 2, args: Sequence[str] = (), access_log: str = "off"
) -> Gateway:
    """Start a gateway for ``config`` on free ports; returns once the admin API answers."""
    proxy_port, admin_port = free_port(), free_port()
    process = ServerProcess(
        ["gateway", "--config", str(config), "--workers", str(workers),
         "--listen", f"127.0.0.1:{proxy_port}", "--admin-listen", f"127.0.0.1:{admin_port}",
         "--access-log", access_log, "--drain-timeout", "5", *args],
        wait_port=admin_port,
        timeout=30.0,
    )  # fmt: skip
    process.start()
    return Gateway(
        process, f"http://127.0.0.1:{proxy_port}", f"http://127.0.0.1:{admin_port}", config
    )


def eventually(check: Callable[[], T | None], timeout: float = 15.0) -> T:
    """Poll ``check`` until it returns something truthy (for state that settles on its own)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(0.02)
