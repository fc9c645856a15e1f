"""The JSON access log: one line per request, written by an observer of :class:`AccessRecord`.

Lines never carry secrets: no header values at all (so no ``Authorization`` or ``Cookie``),
and of the query string only the parameter *names* (``?code=…&state=…`` is logged as
``"query_keys": ["code", "state"]``).

Lines are buffered for up to :data:`FLUSH_SECONDS` and written with one ``os.write`` per
batch of whole lines: at most :data:`PIPE_BATCH_BYTES` (``PIPE_BUF``) to a pipe or a
terminal, where only writes that small are atomic, and at most :data:`FILE_BATCH_BYTES` to
a regular file opened with ``O_APPEND`` (Linux appends one ``write`` whole). So several
worker processes sharing one file or one pipe never interleave inside a line, and a busy
worker makes one system call per many requests.
"""

from __future__ import annotations

import abc
import asyncio
import os
import stat
from datetime import UTC, datetime
from urllib.parse import unquote

import orjson

from authgate.plugins.access_record import AccessRecord

__all__ = [
    "FILE_BATCH_BYTES",
    "FLUSH_SECONDS",
    "PIPE_BATCH_BYTES",
    "AccessLogWriter",
    "BatchingObserver",
    "access_log_line",
    "open_access_log",
]

FLUSH_SECONDS = 0.05
PIPE_BATCH_BYTES = 4096
FILE_BATCH_BYTES = 64 * 1024
MAX_QUERY_KEYS = 32
MAX_QUERY_KEY_LENGTH = 64


def _query_keys(query: str) -> list[str]:
    """The parameter names of ``query`` (decoded, capped), never their values."""
    if not query:
        return []
    keys: list[str] = []
    for part in query.split("&", MAX_QUERY_KEYS)[:MAX_QUERY_KEYS]:
        if part:
            name = part.partition("=")[0]
            keys.append(unquote(name.replace("+", " "))[:MAX_QUERY_KEY_LENGTH])
    return keys


def access_log_line(record: AccessRecord) -> bytes:
    """One JSON line (ending in ``\\n``) describing ``record``; no header or query values."""
    return orjson.dumps(
        {
            "time": datetime.fromtimestamp(record.started_at, UTC),
            "started_at": int(record.started_at * 1000),
            "request_id": record.request_id,
            "client_ip": record.client_ip,
            "method": record.method,
            "host": record.host,
            "path": record.path,
            "query_keys": _query_keys(record.query),
            "protocol": record.protocol,
            "status": record.status,
            "bytes_in": record.bytes_in,
            "bytes_out": record.bytes_out,
            "route": {"id": record.route_id, "name": record.route_name},
            "service": {"id": record.service_id, "name": record.service_name},
            "consumer": record.consumer,
            "latencies": {
                "request": record.latency_ms,
                "proxy": record.proxy_latency_ms,
                "upstream": record.upstream_latency_ms,
            },
            "upstream_error": record.upstream_error,
        },
        option=orjson.OPT_APPEND_NEWLINE,
    )


class BatchingObserver(abc.ABC):
    """Base of the observers that batch: :meth:`flush` runs ``flush_seconds`` after the first
    unflushed record inside a running event loop, and at once outside one (tests, tools)."""

    def __init__(self, flush_seconds: float) -> None:
        self._flush_seconds = flush_seconds
        self._scheduled = False
        # Looked up once: asyncio.get_running_loop() costs a getpid() system call.
        self._loop: asyncio.AbstractEventLoop | None = None

    @abc.abstractmethod
    def flush(self) -> None:
        """Hand on everything batched so far; must reset ``_scheduled`` to False."""

    def _schedule(self) -> None:
        loop = self._loop
        if loop is None or not loop.is_running():
            try:
                loop = self._loop = asyncio.get_running_loop()
            except RuntimeError:
                self.flush()
                return
        self._scheduled = True
        loop.call_later(self._flush_seconds, self.flush)


class AccessLogWriter(BatchingObserver):
    """An observer appending :func:`access_log_line` output to a file descriptor.

    Inside a running event loop lines wait up to ``flush_seconds`` (or until a batch is
    full); outside one (tests, tools) every line is written at once. Call :meth:`close`
    (or :meth:`flush`) before the process exits.
    """

    def __init__(
        self, fd: int, *, close_fd: bool = False, flush_seconds: float = FLUSH_SECONDS
    ) -> None:
        super().__init__(flush_seconds)
        self._fd = fd
        self._close_fd = close_fd
        regular = stat.S_ISREG(os.fstat(fd).st_mode)
        self._max_batch = FILE_BATCH_BYTES if regular else PIPE_BATCH_BYTES
        self._pending: list[bytes] = []
        self._pending_size = 0

    def __call__(self, record: AccessRecord) -> None:
        line = access_log_line(record)
        if self._pending_size + len(line) > self._max_batch:
            self.flush()
        self._pending.append(line)
        self._pending_size += len(line)
        if not self._scheduled:
            self._schedule()

    def flush(self) -> None:
        """Write every pending line now (one ``write`` call per batch)."""
        self._scheduled = False
        if not self._pending:
            return
        data = b"".join(self._pending)
        self._pending.clear()
        self._pending_size = 0
        view = memoryview(data)
        while view:
            try:
                written = os.write(self._fd, view)
            except OSError:
                # A full disk or a closed pipe loses log lines; it never fails a request.
                return
            view = view[written:]

    def close(self) -> None:
        """Flush, and close the descriptor when this writer opened it."""
        self.flush()
        if self._close_fd:
            os.close(self._fd)
            self._close_fd = False


def open_access_log(target: str) -> AccessLogWriter | None:
    """``"-"`` -> stdout, ``"off"`` -> ``None``, anything else -> a file opened for appending."""
    if target == "off":
        return None
    if target == "-":
        return AccessLogWriter(1)
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o640)
    return AccessLogWriter(fd, close_fd=True)
