"""RFC 9112 §9.3 persistent connections: idle keep-alive connections per (host, port, TLS).

:meth:`UpstreamPool.take_idle` hands out the warmest idle connection and
:meth:`UpstreamPool.connect` opens a new one; connect errors (refused, unreachable, TLS
handshake failures) are retried ``retries`` times, the last one becomes a 502 (504 for a
connect timeout).
"""

from __future__ import annotations

import asyncio
import ssl

from authgate.http1.connection import UpstreamConnection
from authgate.http1.errors import UpstreamError

__all__ = ["UpstreamPool"]

MAX_IDLE_PER_KEY = 256
IDLE_TIMEOUT = 60.0


class UpstreamPool:
    """Idle upstream connections ready for reuse (LIFO, so warm ones are used first)."""

    def __init__(
        self, ssl_context: ssl.SSLContext | None = None, idle_timeout: float = IDLE_TIMEOUT
    ) -> None:
        self._idle: dict[tuple[str, int, bool], list[UpstreamConnection]] = {}
        self._ssl = ssl_context or ssl.create_default_context()
        self._idle_timeout = idle_timeout
        self._sweeper: asyncio.TimerHandle | None = None

    def take_idle(self, key: tuple[str, int, bool]) -> UpstreamConnection | None:
        """The most recently used idle connection for ``key`` that is still open, if any."""
        idle = self._idle.get(key)
        if idle:
            loop_time = idle[-1].loop_time()
            while idle:
                conn = idle.pop()
                if conn.closed or loop_time - conn.idle_since > self._idle_timeout:
                    conn.abort()
                    continue
                conn.reused = True
                return conn
        return None

    async def connect(
        self, key: tuple[str, int, bool], connect_timeout: float, retries: int
    ) -> UpstreamConnection:
        """Open a new connection, retrying connect errors ``retries`` times."""
        host, port, tls = key
        loop = asyncio.get_running_loop()
        error = UpstreamError("connect", 502)
        for _ in range(retries + 1):
            try:
                _, protocol = await asyncio.wait_for(
                    loop.create_connection(
                        lambda: UpstreamConnection(key),
                        host,
                        port,
                        ssl=self._ssl if tls else None,
                        server_hostname=host if tls else None,
                    ),
                    connect_timeout,
                )
            except TimeoutError:
                error = UpstreamError("timeout", 504, f"connect to {host}:{port} timed out")
            except ssl.SSLError as exc:
                error = UpstreamError("tls", 502, f"TLS handshake with {host}:{port}: {exc}")
            except OSError as exc:
                error = UpstreamError("connect", 502, f"connect to {host}:{port}: {exc}")
            else:
                return protocol
        raise error

    def release(self, conn: UpstreamConnection) -> None:
        """Return a connection after a complete exchange (or drop it if it can't be reused)."""
        if not conn.reusable:
            conn.abort()
            return
        idle = self._idle.get(conn.key)
        if idle is None:
            idle = self._idle[conn.key] = []
        elif len(idle) >= MAX_IDLE_PER_KEY:
            conn.abort()
            return
        conn.idle_since = conn.loop_time()
        idle.append(conn)
        if self._sweeper is None:
            loop = asyncio.get_running_loop()
            self._sweeper = loop.call_later(self._idle_timeout / 2, self._sweep)

    def _sweep(self) -> None:
        self._sweeper = None
        loop = asyncio.get_running_loop()
        now = loop.time()
        remaining = 0
        for idle in self._idle.values():
            keep = [c for c in idle if not c.closed and now - c.idle_since <= self._idle_timeout]
            for conn in idle:
                if conn not in keep:
                    conn.abort()
            idle[:] = keep
            remaining += len(keep)
        if remaining:
            self._sweeper = loop.call_later(self._idle_timeout / 2, self._sweep)

    def close(self) -> None:
        """Close every idle connection."""
        if self._sweeper is not None:
            self._sweeper.cancel()
            self._sweeper = None
        for idle in self._idle.values():
            for conn in idle:
                conn.abort()
        self._idle.clear()
