"""Start authgate commands as real processes on 127.0.0.1 and wait until they listen."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

__all__ = ["ServerProcess", "free_port", "wait_for_port"]


_GIVEN: set[int] = set()
_WINDOW_LOW = 20000  # below the kernel's ephemeral range, above the well-known services


def _ephemeral_start() -> int:
    try:
        low = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0]
        return int(low)
    except (OSError, ValueError, IndexError):
        return 32768


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free now and that nothing else is likely to take before we bind it.

    The port comes from below the kernel's ephemeral range, so the outgoing connections a
    test suite opens by the thousand (which take ephemeral ports) can never grab it between
    this call and the server's ``bind``, and never one this process handed out before. Where
    the ephemeral range leaves no room below it, the kernel picks (``bind`` to port 0).
    """
    high = _ephemeral_start() - 1
    if high - _WINDOW_LOW >= 1000:
        for _ in range(200):
            port = _WINDOW_LOW + secrets.randbelow(high - _WINDOW_LOW + 1)
            if port in _GIVEN:
                continue
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                try:
                    sock.bind((host, port))
                except OSError:
                    continue
            _GIVEN.add(port)
            return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        chosen: int = sock.getsockname()[1]
        return chosen


def wait_for_port(port: int, host: str = "127.0.0.1", timeout: float = 15.0) -> None:
    """Block until something accepts connections on ``host:port``."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listening on {host}:{port} after {timeout}s") from None
            time.sleep(0.05)


AUTHGATE = (sys.executable, "-m", "authgate")


class ServerProcess:
    """``python -m authgate ARGS`` (or ``program ARGS``) as a child process; output goes to a log.

    Use as a context manager: it waits for ``wait_port`` on entry and stops the process
    (SIGTERM, then SIGKILL) on exit. ``log`` returns what the process printed so far.
    """

    def __init__(
        self,
        args: Sequence[str],
        wait_port: int | None = None,
        env: dict[str, str] | None = None,
        cwd: str | Path | None = None,
        timeout: float = 20.0,
        *,
        program: Sequence[str] = AUTHGATE,
    ) -> None:
        self.args = [*program, *args]
        self.wait_port = wait_port
        self.env = {**os.environ, **(env or {})}
        self.cwd = cwd
        self.timeout = timeout
        self._log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - lives as long as the process
            prefix="authgate-proc-", suffix=".log", delete=False
        )
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> ServerProcess:
        self.proc = subprocess.Popen(
            self.args,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=self.env,
            cwd=self.cwd,
            start_new_session=True,
        )
        if self.wait_port is not None:
            deadline = time.monotonic() + self.timeout
            while True:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"{self.args} exited early:\n{self.log()}")
                try:
                    wait_for_port(self.wait_port, timeout=0.2)
                    break
                except TimeoutError:
                    if time.monotonic() > deadline:
                        self.stop()
                        raise TimeoutError(f"{self.args} did not listen:\n{self.log()}") from None
        return self

    def log(self) -> str:
        return Path(self._log.name).read_text(errors="replace")

    def send_signal(self, sig: int) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)

    def stop(self, timeout: float = 10.0) -> int | None:
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            return self.proc.wait(timeout)

    def close(self) -> None:
        """Stop the process (if it still runs) and remove its log."""
        self.stop()
        self._log.close()
        Path(self._log.name).unlink(missing_ok=True)

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
