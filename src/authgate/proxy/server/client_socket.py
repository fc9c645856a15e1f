"""The client socket of an HTTP/1.1 connection (RFC 9112 §9): output with back-pressure,
read pausing (counted, so several reasons can hold it), close and abort.

:class:`~authgate.proxy.server.connection.HttpConnection` adds the parsing and request sequencing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from authgate.http1.back_pressure import WriteBackPressure

__all__ = ["ClientDisconnected", "ClientSocket"]


class ClientDisconnected(Exception):
    """The client went away (or stopped reading) while we were still answering."""


class ClientSocket(WriteBackPressure):
    """Writing to and pausing the client's transport; ``send_timeout`` bounds slow readers.

    ``peer_ip``, ``scheme``, ``server_port`` (and ``port_text``) say who is connected and
    where; ``tunnel_sink`` and ``on_lost`` are an Upgrade tunnel's hooks.
    """

    def __init__(self, send_timeout: float, scheme: str) -> None:
        self._loop = asyncio.get_running_loop()
        self.scheme = scheme
        self.peer_ip = ""
        self.server_port = 0
        self.port_text = "0"
        self.tunnel_sink: Callable[[bytes], None] | None = None
        self.on_lost: Callable[[], None] | None = None
        self._send_timeout = send_timeout
        self.transport: asyncio.Transport | None = None
        self.closing = False
        self.draining = False
        self.write_paused = False
        self.on_writable: Callable[[bool], None] | None = None
        self._drain_waiter: asyncio.Future[None] | None = None
        self._pause_count = 0
        self._last_read = 0.0

    def _writer_gone(self) -> None:
        """Fail a pending :meth:`wait_writable` (the connection is lost)."""
        waiter = self._drain_waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(ClientDisconnected("client closed the connection"))

    def _pause(self) -> None:
        self._pause_count += 1
        if self._pause_count == 1 and self.transport is not None and not self.closing:
            self.transport.pause_reading()

    def _resume(self) -> None:
        self._pause_count -= 1
        if self._pause_count == 0 and self.transport is not None and not self.closing:
            self._last_read = self._loop.time()
            self.transport.resume_reading()

    def write(self, data: bytes) -> None:
        """Queue bytes for the client; raises ClientDisconnected once the socket is gone."""
        if self.closing or self.transport is None:
            raise ClientDisconnected("client closed the connection")
        self.transport.write(data)

    async def wait_writable(self) -> None:
        """Wait until the client has read enough of what we sent (send timeout applies)."""
        if not self.write_paused:
            return
        if self.closing:
            raise ClientDisconnected("client closed the connection")
        waiter = self._drain_waiter
        if waiter is None:
            waiter = self._drain_waiter = self._loop.create_future()
        try:
            await asyncio.wait_for(asyncio.shield(waiter), self._send_timeout)
        except TimeoutError:
            self.abort()
            raise ClientDisconnected("client stopped reading") from None

    def closing_soon(self) -> None:
        """The server is draining: answer what is in flight with ``Connection: close``."""
        self.draining = True

    def close(self) -> None:
        """Close after what is already queued has been sent."""
        self.closing = True
        if self.transport is not None:
            self.transport.close()

    def abort(self) -> None:
        """Close at once, dropping unsent data."""
        self.closing = True
        if self.transport is not None:
            self.transport.abort()

    def pause_input(self) -> None:
        """Stop reading from the client (used by tunnels for back-pressure)."""
        self._pause()

    def resume_input(self) -> None:
        """Undo one :meth:`pause_input`."""
        self._resume()
