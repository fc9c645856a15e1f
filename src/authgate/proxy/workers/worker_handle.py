"""The supervisor's side of one worker process: its control channel and readiness.

Protocol (JSON lines over a Unix socket pair; the worker's end is an inherited descriptor):
the worker sends ``{"op": "ready", "version": N}`` once it serves; the supervisor sends
``{"id": K, "op": "reload", "version": N, "snapshot": PATH}`` or ``{"id": K, "op": "stats"}``
and the worker answers ``{"id": K, "ok": true|false, ...}`` (a ``stats`` answer carries
``requests``, ``connections_active`` and ``upstream_health``, the worker's own view of its
balancers' targets). End-of-file on either side
means the other process is gone.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from typing import Any

import orjson

__all__ = ["WorkerHandle"]


class WorkerHandle:
    """The supervisor's side of one worker process and its control channel."""

    def __init__(self, slot: int, process: asyncio.subprocess.Process) -> None:
        self.slot = slot
        self.process = process
        self.pid: int = process.pid
        self.started = time.monotonic()
        self.ready: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._writer: asyncio.StreamWriter | None = None
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._ids = itertools.count(1)
        self._reader_task: asyncio.Task[None] | None = None

    @property
    def serving(self) -> bool:
        """Started, reported ready, and not exited."""
        return (
            self.ready.done()
            and not self.ready.cancelled()
            and self.ready.exception() is None
            and self.process.returncode is None
        )

    def attach(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Start reading the worker's messages from the control channel."""
        self._writer = writer
        self._reader_task = asyncio.get_running_loop().create_task(self._read(reader))

    async def _read(self, reader: asyncio.StreamReader) -> None:
        try:
            while line := await reader.readline():
                message = orjson.loads(line)
                if message.get("op") == "ready" and not self.ready.done():
                    self.ready.set_result(int(message["version"]))
                    continue
                waiter = self._pending.pop(message.get("id", 0), None)
                if waiter is not None and not waiter.done():
                    waiter.set_result(message)
        except (OSError, orjson.JSONDecodeError, ValueError):
            pass
        finally:
            self._fail_pending()

    def _fail_pending(self) -> None:
        gone = ConnectionError(f"worker {self.pid} closed its control channel")
        for waiter in self._pending.values():
            if not waiter.done():
                waiter.set_exception(gone)
        self._pending.clear()
        if not self.ready.done():
            self.ready.set_exception(gone)

    async def request(self, message: dict[str, Any], timeout: float) -> dict[str, Any]:
        """Send one command and wait for its answer; ConnectionError if the worker is gone."""
        if self._writer is None or self._writer.is_closing():
            raise ConnectionError(f"worker {self.pid} is not connected")
        request_id = next(self._ids)
        waiter: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = waiter
        self._writer.write(orjson.dumps({**message, "id": request_id}) + b"\n")
        try:
            return await asyncio.wait_for(waiter, timeout)
        finally:
            self._pending.pop(request_id, None)

    def close(self) -> None:
        """Close the control channel (the worker then drains and exits)."""
        if self._writer is not None:
            self._writer.close()
        if self._reader_task is not None:
            self._reader_task.cancel()
