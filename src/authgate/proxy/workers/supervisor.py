"""The gateway supervisor: validates configuration, runs N worker processes, reloads, drains.

Workers are separate ``python`` processes started with ``subprocess`` (not ``fork``): each
one imports a clean interpreter, binds the proxy address itself with ``SO_REUSEPORT``, and
gets its environment (``PROMETHEUS_MULTIPROC_DIR``) before any import. Every worker has a
private control channel, a Unix socket pair passed as an inherited descriptor, carrying
JSON lines (``reload``, ``stats`` and their answers). When the supervisor dies the channel
reaches end-of-file and the worker drains and exits, so no worker outlives it.

Reloading: the supervisor validates the new text, writes it to a versioned snapshot file
in its private runtime directory and asks every worker to load it; each worker builds the
new runtime next to the old one and swaps it atomically, so in-flight requests finish on
the configuration they started with. A worker that dies is restarted with the current
snapshot; a worker that keeps dying at start-up is restarted with a growing delay.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import shutil
import signal
import socket
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from authgate.config import ConfigError, ConfigIssue, read_config_file
from authgate.proxy.added_headers import DEFAULT_HEADERS
from authgate.proxy.self_signed import write_default_certificate
from authgate.proxy.tls import TlsFiles, TlsSetupError, server_context
from authgate.proxy.workers.loaded_config import LoadedConfig, ReloadResult, parse_config_text
from authgate.proxy.workers.worker_handle import WorkerHandle

__all__ = [
    "GatewaySettings",
    "Supervisor",
    "WorkerStartError",
]

RUNTIME_PREFIX = "authgate-gateway-"
READY_TIMEOUT = 30.0
STATS_TIMEOUT = 2.0
KILL_GRACE = 5.0
QUICK_EXIT_SECONDS = 2.0
MAX_RESTART_DELAY = 5.0
_NO_HTTPS_PORT = (
    "authgate: WARNING: the configuration has certificates but the gateway has no https "
    "port; certificates are served only when the gateway starts with one (restart it)"
)


class WorkerStartError(RuntimeError):
    """A worker exited or never became ready while the gateway was starting."""


@dataclass(frozen=True)
class GatewaySettings:
    """Everything the supervisor needs to run its workers."""

    config_path: Path
    workers: int
    host: str
    port: int
    worker_command: Sequence[str]
    access_log: str = "-"
    trusted_ips: tuple[str, ...] = ()
    headers: str = DEFAULT_HEADERS
    """Kong's ``headers`` setting, already validated (:mod:`authgate.proxy.added_headers`)."""
    drain_timeout: float = 30.0
    reload_timeout: float = 10.0
    tls: TlsFiles | None = None
    """Serve https on ``tls_host:tls_port`` with these files (re-read on every reload)."""
    tls_host: str = "127.0.0.1"
    tls_port: int = 8443
    tls_default: bool = False
    """Without ``tls``: serve https with a self-signed default certificate made at start
    (the configuration has ``certificates``)."""


class Supervisor:
    """Runs the workers of one gateway and changes their configuration safely."""

    def __init__(self, settings: GatewaySettings, initial: LoadedConfig) -> None:
        self.settings = settings
        self.current = initial
        self.started_at = time.time()
        _remove_stale_runtime_dirs()
        self.runtime_dir = Path(tempfile.mkdtemp(prefix=f"{RUNTIME_PREFIX}{os.getpid()}-"))
        self.metrics_dir = self.runtime_dir / "metrics"
        self.metrics_dir.mkdir()
        if settings.tls is None and settings.tls_default:
            cert, key = write_default_certificate(self.runtime_dir)
            self.settings = replace(settings, tls=TlsFiles(cert=cert, key=key))
        self.reloads_success = 0
        self.reloads_failure = 0
        self.worker_restarts = 0
        self._workers: dict[int, WorkerHandle] = {}
        self._lock = asyncio.Lock()
        self._stopping = False
        self._started = False
        self._watchers: set[asyncio.Task[None]] = set()
        self._versions = itertools.count(initial.version + 1)
        self._snapshot(initial)
        self.on_worker_exit: Callable[[int, int, int], None] = _report_worker_exit

    # -- snapshots -------------------------------------------------------------------------

    def _snapshot_path(self, version: int) -> Path:
        return self.runtime_dir / f"config-{version}.yaml"

    def _snapshot(self, loaded: LoadedConfig) -> Path:
        path = self._snapshot_path(loaded.version)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(loaded.text)
        return path

    # -- workers ---------------------------------------------------------------------------

    @property
    def workers(self) -> list[int]:
        """PIDs of the workers that are serving now."""
        return sorted(w.pid for w in self._workers.values() if w.serving)

    async def start(self) -> None:
        """Start every worker and wait until all serve; :class:`WorkerStartError` otherwise."""
        async with self._lock:
            spawned = await asyncio.gather(
                *(self._spawn(slot) for slot in range(self.settings.workers)),
                return_exceptions=True,
            )
        for outcome in spawned:
            if isinstance(outcome, BaseException):
                raise outcome
        self._started = True

    async def _spawn(self, slot: int) -> WorkerHandle:
        parent_end, child_end = socket.socketpair()
        settings = self.settings
        args = [
            *settings.worker_command,
            "--snapshot", str(self._snapshot_path(self.current.version)),
            "--version", str(self.current.version),
            "--listen", f"{settings.host}:{settings.port}",
            "--control-fd", str(child_end.fileno()),
            "--access-log", settings.access_log,
            "--drain-timeout", str(settings.drain_timeout),
            "--headers", settings.headers,
        ]  # fmt: skip
        if settings.trusted_ips:
            args += ["--trusted-ips", ",".join(settings.trusted_ips)]
        if settings.tls is not None:
            args += [
                "--tls-listen", f"{settings.tls_host}:{settings.tls_port}",
                "--tls-cert", str(settings.tls.cert),
                "--tls-key", str(settings.tls.key),
            ]  # fmt: skip
        env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(self.metrics_dir)}
        try:
            process = await asyncio.create_subprocess_exec(
                *args, pass_fds=[child_end.fileno()], env=env
            )
        finally:
            child_end.close()
        worker = WorkerHandle(slot, process)
        reader, writer = await asyncio.open_connection(sock=parent_end)
        worker.attach(reader, writer)
        self._workers[slot] = worker
        watcher = asyncio.get_running_loop().create_task(self._watch(worker))
        self._watchers.add(watcher)
        watcher.add_done_callback(self._watchers.discard)
        try:
            await asyncio.wait_for(asyncio.shield(worker.ready), READY_TIMEOUT)
        except (ConnectionError, TimeoutError) as exc:
            # Forget it first, so its watcher does not start a second restart loop.
            del self._workers[slot]
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            raise WorkerStartError(f"worker {process.pid} did not start: {exc}") from None
        return worker

    async def _watch(self, worker: WorkerHandle) -> None:
        code = await worker.process.wait()
        worker.close()
        _mark_dead(worker.pid, self.metrics_dir)
        if not self._started or self._stopping or self._workers.get(worker.slot) is not worker:
            return
        self.on_worker_exit(worker.slot, worker.pid, code)
        quick = time.monotonic() - worker.started < QUICK_EXIT_SECONDS
        delay = 0.0
        failures = 0
        while not self._stopping:
            if quick or failures:
                delay = min(MAX_RESTART_DELAY, max(0.1, delay * 2))
                await asyncio.sleep(delay)
            if self._stopping:
                return
            try:
                async with self._lock:
                    if self._stopping:
                        return
                    await self._spawn(worker.slot)
                self.worker_restarts += 1
                return
            except WorkerStartError as exc:
                failures += 1
                print(f"authgate: {exc}; retrying", file=sys.stderr, flush=True)

    # -- reload ----------------------------------------------------------------------------

    async def reload_text(self, text: str, source: str = "<string>") -> ReloadResult:
        """Validate ``text`` and make every worker serve it, or change nothing."""
        try:
            loaded = parse_config_text(text, version=0, source=source)
        except ConfigError as exc:
            self.reloads_failure += 1
            issues = list(exc.issues)
            return ReloadResult(False, self.current.version, issues, "invalid config", exc.report())
        if self.settings.tls is not None:
            try:
                server_context(self.settings.tls)
            except TlsSetupError as exc:
                self.reloads_failure += 1
                issue = ConfigIssue(path="", message=str(exc))
                return ReloadResult(False, self.current.version, [issue], "unusable TLS files")
        async with self._lock:
            result = await self._distribute(replace(loaded, version=next(self._versions)))
        if result.ok:
            self.reloads_success += 1
            if self.settings.tls is None and loaded.config.certificates:
                print(_NO_HTTPS_PORT, file=sys.stderr, flush=True)
        else:
            self.reloads_failure += 1
        return result

    async def reload_file(self) -> ReloadResult:
        """Re-read the ``--config`` file (SIGHUP) and reload it."""
        path = self.settings.config_path
        try:
            text = read_config_file(path)
        except ConfigError as exc:
            self.reloads_failure += 1
            return ReloadResult(
                False, self.current.version, list(exc.issues), "unreadable config", exc.report()
            )
        return await self.reload_text(text, str(path))

    async def _distribute(self, loaded: LoadedConfig) -> ReloadResult:
        path = self._snapshot(loaded)
        workers = [w for w in self._workers.values() if w.serving]
        answers = await self._ask_all(workers, loaded.version, path)
        failed = {pid: a for pid, a in answers.items() if isinstance(a, str)}
        if failed:
            # Put the workers that did switch back on the old configuration.
            switched = [w for w in workers if answers.get(w.pid) is True]
            old = self._snapshot_path(self.current.version)
            await self._ask_all(switched, self.current.version, old)
            path.unlink(missing_ok=True)
            message = "; ".join(f"worker {pid}: {error}" for pid, error in failed.items())
            issue = ConfigIssue(path="", message=message)
            return ReloadResult(False, self.current.version, [issue], "workers refused")
        previous = self.current
        self.current = loaded
        self._snapshot_path(previous.version).unlink(missing_ok=True)
        return ReloadResult(True, loaded.version)

    async def _ask_all(
        self, workers: list[WorkerHandle], version: int, path: Path
    ) -> dict[int, bool | str]:
        """pid -> True (switched) or an error text; dead or hung workers are left out."""
        message = {"op": "reload", "version": version, "snapshot": str(path)}
        replies = await asyncio.gather(
            *(w.request(message, self.settings.reload_timeout) for w in workers),
            return_exceptions=True,
        )
        answers: dict[int, bool | str] = {}
        for worker, reply in zip(workers, replies, strict=True):
            if isinstance(reply, ConnectionError):
                continue
            if isinstance(reply, TimeoutError):
                # A hung worker serves nobody well: replace it. Its watcher restarts it
                # with whatever configuration is current once this reload is decided.
                print(
                    f"authgate: worker {worker.pid} did not answer a reload within "
                    f"{self.settings.reload_timeout}s; replacing it",
                    file=sys.stderr,
                    flush=True,
                )
                with contextlib.suppress(ProcessLookupError):
                    worker.process.kill()
                continue
            if isinstance(reply, BaseException):
                answers[worker.pid] = f"no answer ({type(reply).__name__})"
            elif reply.get("ok"):
                answers[worker.pid] = True
            else:
                answers[worker.pid] = str(reply.get("error", "unknown error"))
        return answers

    # -- status ----------------------------------------------------------------------------

    async def worker_stats(self) -> list[dict[str, Any]]:
        """Each serving worker's own counters (connections, requests), as it reports them."""
        workers = [w for w in self._workers.values() if w.serving]
        replies = await asyncio.gather(
            *(w.request({"op": "stats"}, STATS_TIMEOUT) for w in workers), return_exceptions=True
        )
        stats: list[dict[str, Any]] = []
        for worker, reply in zip(workers, replies, strict=True):
            if isinstance(reply, BaseException):
                continue
            reply.pop("id", None)
            reply.pop("ok", None)
            stats.append({"pid": worker.pid, **reply})
        return stats

    # -- shutdown --------------------------------------------------------------------------

    async def stop(self) -> None:
        """Ask every worker to drain (SIGTERM), kill stragglers, remove the runtime directory."""
        self._stopping = True
        workers = list(self._workers.values())
        for worker in workers:
            with contextlib.suppress(ProcessLookupError):
                worker.process.send_signal(signal.SIGTERM)
        waits = [w.process.wait() for w in workers]
        deadline = self.settings.drain_timeout + KILL_GRACE
        try:
            await asyncio.wait_for(asyncio.gather(*waits), deadline)
        except TimeoutError:
            for worker in workers:
                with contextlib.suppress(ProcessLookupError):
                    worker.process.kill()
            await asyncio.gather(*(w.process.wait() for w in workers))
        for worker in workers:
            worker.close()
        for task in list(self._watchers):
            task.cancel()
        await asyncio.gather(*self._watchers, return_exceptions=True)
        # A replacement that was still starting when the stop began.
        for late in [w for w in self._workers.values() if w not in workers]:
            with contextlib.suppress(ProcessLookupError):
                late.process.kill()
            await late.process.wait()
            late.close()
        shutil.rmtree(self.runtime_dir, ignore_errors=True)


def _remove_stale_runtime_dirs() -> None:
    """Remove runtime directories left by supervisors that were killed (``kill -9``)."""
    for path in Path(tempfile.gettempdir()).glob(f"{RUNTIME_PREFIX}*-*"):
        pid_text = path.name[len(RUNTIME_PREFIX) :].split("-", 1)[0]
        try:
            if not pid_text.isdigit() or path.stat().st_uid != os.getuid():
                continue
            os.kill(int(pid_text), 0)
        except ProcessLookupError:
            shutil.rmtree(path, ignore_errors=True)
        except OSError:
            continue


def _mark_dead(pid: int, directory: Path) -> None:
    from prometheus_client import multiprocess

    with contextlib.suppress(OSError):
        multiprocess.mark_process_dead(pid, str(directory))  # type: ignore[no-untyped-call]


def _report_worker_exit(slot: int, pid: int, code: int) -> None:
    how = f"signal {-code}" if code < 0 else f"code {code}"
    print(
        f"authgate: worker {slot} (pid {pid}) exited with {how}; restarting",
        file=sys.stderr,
        flush=True,
    )
