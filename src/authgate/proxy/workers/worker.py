"""One gateway worker process: serves the proxy port and obeys its supervisor.

A worker binds the proxy address with ``SO_REUSEPORT`` (the kernel spreads connections over
the workers), runs the data plane on uvloop, and listens on its control channel (see
:mod:`authgate.proxy.workers.supervisor`) for ``reload`` and ``stats``. ``SIGTERM``, or the control
channel closing because the supervisor died, makes it stop accepting, drain in-flight
requests (bounded by ``drain_timeout``) and exit 0. ``SIGINT`` and ``SIGHUP`` are ignored:
they reach the whole process group from a terminal, and the supervisor decides.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import uvloop

from authgate.config import ConfigError, GatewayConfig, load_gateway_config
from authgate.plugins.access_record import AccessRecord, Observer
from authgate.plugins.registry import plugin_schemas
from authgate.plugins.services import PluginServices
from authgate.proxy.added_headers import DEFAULT_HEADERS
from authgate.proxy.runtime import Runtime, RuntimeHolder
from authgate.proxy.server.listener import HttpServer
from authgate.proxy.start import ProxySettings, start_server
from authgate.proxy.tls import ServerTls, TlsFiles, TlsSetupError

__all__ = ["WorkerOptions", "run_worker"]


@dataclass(frozen=True)
class WorkerOptions:
    """What the supervisor tells a worker on its command line."""

    snapshot: Path
    version: int
    host: str
    port: int
    control_fd: int
    drain_timeout: float
    trusted_ips: tuple[str, ...] = ()
    headers: str = DEFAULT_HEADERS
    tls: TlsFiles | None = None
    tls_host: str = "127.0.0.1"
    tls_port: int = 8443


class _RequestCounter:
    """Observer counting requests for ``/status`` (a plain integer add)."""

    def __init__(self) -> None:
        self.total = 0

    def __call__(self, record: AccessRecord) -> None:
        self.total += 1


class _Worker:
    def __init__(self, options: WorkerOptions, observers: Sequence[Observer]) -> None:
        self.options = options
        self.counter = _RequestCounter()
        self.observers: list[Observer] = [self.counter, *observers]
        self.version = options.version
        self.stop = asyncio.Event()
        self.tls = ServerTls(options.tls) if options.tls is not None else None
        # One per process: every reload's runtime gets these, so plugin caches live on.
        self.services = PluginServices()

    def load(self, snapshot: Path) -> Runtime:
        config: GatewayConfig = load_gateway_config(snapshot, plugin_schemas())
        return Runtime.build(config, self.services, observers=self.observers)

    async def serve(self) -> int:
        options = self.options
        runtime = self.load(options.snapshot)
        if self.tls is not None:
            self.tls.use_certificates(runtime.config)
        holder = RuntimeHolder(runtime)
        settings = ProxySettings(trusted_ips=options.trusted_ips, headers=options.headers)
        server = await start_server(
            holder,
            options.host,
            options.port,
            settings=settings,
            reuse_port=True,
            tls=self.tls,
            tls_host=options.tls_host,
            tls_port=options.tls_port,
        )
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, self.stop.set)
        sock = socket.socket(fileno=options.control_fd)
        reader, writer = await asyncio.open_connection(sock=sock)
        control = loop.create_task(self._control(reader, writer, holder, server))
        writer.write(orjson.dumps({"op": "ready", "version": self.version}) + b"\n")
        await self.stop.wait()
        await server.drain(options.drain_timeout)
        holder.close()
        control.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await control
        writer.close()
        return 0

    async def _control(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        holder: RuntimeHolder,
        server: HttpServer,
    ) -> None:
        try:
            while line := await reader.readline():
                message = orjson.loads(line)
                reply = self._handle(message, holder, server)
                writer.write(orjson.dumps({"id": message.get("id"), **reply}) + b"\n")
        except (OSError, orjson.JSONDecodeError):
            pass
        # End of file: the supervisor is gone, so this worker must not outlive it.
        self.stop.set()

    def _handle(
        self, message: dict[str, Any], holder: RuntimeHolder, server: HttpServer
    ) -> dict[str, Any]:
        op = message.get("op")
        if op == "reload":
            try:
                runtime = self.load(Path(message["snapshot"]))
            except ConfigError as exc:
                return {"ok": False, "error": str(exc)}
            except Exception as exc:
                # A process boundary: whatever broke, the supervisor rolls back and reports.
                return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
            if self.tls is not None:
                # New handshakes get the new config's certificates (unchanged ones are reused).
                try:
                    self.tls.use_certificates(runtime.config)
                except TlsSetupError as exc:
                    return {"ok": False, "error": str(exc)}
            holder.swap(runtime)
            self.version = int(message["version"])
            self._reload_tls()
            return {"ok": True, "version": self.version}
        if op == "stats":
            return {
                "ok": True,
                "version": self.version,
                "requests": self.counter.total,
                "connections_active": server.connections,
                # Upstream id -> target id -> HEALTHY/UNHEALTHY: health is per worker.
                "upstream_health": holder.current.health(),
            }
        return {"ok": False, "error": f"unknown op {op!r}"}

    def _reload_tls(self) -> None:
        """New handshakes get the certificate as it is on disk now (the supervisor checked it)."""
        if self.tls is None:
            return
        try:
            self.tls.reload()
        except TlsSetupError as exc:
            print(f"authgate worker {os.getpid()}: {exc}; still serving the previous certificate",
                  file=sys.stderr, flush=True)  # fmt: skip


def run_worker(
    options: WorkerOptions, observers: Sequence[Observer], on_exit: Callable[[], None]
) -> int:
    """Serve until told to stop; returns the process exit code."""
    # Ctrl-C and a terminal hang-up reach the whole process group; the supervisor decides.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        return uvloop.run(_Worker(options, observers).serve())
    except (OSError, ConfigError, TlsSetupError) as exc:
        print(f"authgate worker {os.getpid()}: {exc}", file=sys.stderr, flush=True)
        return 1
    finally:
        on_exit()
