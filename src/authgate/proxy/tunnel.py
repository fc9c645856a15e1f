"""RFC 9110 §7.8 Upgrade: after the upstream's 101, bytes flow both ways untouched.

Back-pressure: when one side's socket buffer fills, reading from the other side pauses.
The tunnel ends when either side closes; the other side is then closed too.
"""

from __future__ import annotations

import asyncio

from authgate.http1.connection import UpstreamConnection
from authgate.proxy.server.exchange import Exchange

__all__ = ["Tunnel"]


class Tunnel:
    """Relays raw bytes between a client connection and an upstream connection."""

    def __init__(self, exchange: Exchange, upstream: UpstreamConnection) -> None:
        self._client = exchange.conn
        self._exchange = exchange
        self._upstream = upstream
        self._done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._client_paused = False

    async def run(self) -> None:
        """Relay until either side closes."""
        client, upstream = self._client, self._upstream
        client.tunnel_sink = self._to_upstream
        upstream.tunnel_sink = self._to_client
        client.on_lost = self._finish
        upstream.on_lost = self._finish
        client.on_writable = self._client_writable
        upstream.on_writable = self._upstream_writable
        pending_client = bytes(self._exchange.tunnel_buffer or b"")
        self._exchange.tunnel_buffer = bytearray()
        try:
            if upstream.tunnel_buffer:
                self._to_client(upstream.tunnel_buffer)
            if pending_client:
                self._to_upstream(pending_client)
            if upstream.closed or client.closing:
                self._finish()
            upstream.resume_after_tunnel()
            client.resume_input()
            await self._done
        finally:
            client.on_lost = client.on_writable = None
            upstream.on_lost = upstream.on_writable = None
            upstream.abort()
            client.close()

    def _to_upstream(self, data: bytes) -> None:
        if self._upstream.closed:
            self._finish()
            return
        self._upstream.write(data)

    def _to_client(self, data: bytes) -> None:
        if self._client.closing:
            self._finish()
            return
        self._exchange.bytes_out += len(data)
        self._client.write(data)

    def _client_writable(self, writable: bool) -> None:
        transport = self._upstream.transport
        if transport is not None and not self._upstream.closed:
            if writable:
                transport.resume_reading()
            else:
                transport.pause_reading()

    def _upstream_writable(self, writable: bool) -> None:
        if writable and self._client_paused:
            self._client_paused = False
            self._client.resume_input()
        elif not writable and not self._client_paused:
            self._client_paused = True
            self._client.pause_input()

    def _finish(self) -> None:
        if not self._done.done():
            self._done.set_result(None)
