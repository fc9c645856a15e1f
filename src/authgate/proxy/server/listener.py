"""The listener: accepting connections for an app, and graceful drain (RFC 9112 §9.6 tear-down).

:func:`listen` starts an :class:`HttpServer` for one event loop (one worker process) that runs
an :class:`~authgate.proxy.server.app.App` on every connection, plain and (optionally) TLS.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
from collections.abc import Callable

from authgate.proxy.server.app import App
from authgate.proxy.server.connection import HttpConnection
from authgate.proxy.server.limits import ServerLimits

__all__ = ["HttpServer", "listen"]


class HttpServer:
    """A running listener; ``drain`` for graceful shutdown, ``close`` for the abrupt one.

    Both end by closing the app (which closes what it holds, e.g. its upstream pool).
    """

    def __init__(self, limits: ServerLimits, app: App) -> None:
        self.limits = limits
        self.app = app
        self._server: asyncio.Server | None = None
        self._tls_server: asyncio.Server | None = None
        self._connections: set[HttpConnection] = set()
        self._draining = False
        self._closed_event = asyncio.Event()

    @property
    def sockets(self) -> tuple[socket.socket, ...]:
        """The listening sockets."""
        if self._server is None:
            return ()
        return tuple(self._server.sockets)

    @property
    def tls_sockets(self) -> tuple[socket.socket, ...]:
        """The listening sockets of the https port (empty without TLS)."""
        if self._tls_server is None:
            return ()
        return tuple(self._tls_server.sockets)

    def _stop_listening(self) -> None:
        for listener in (self._server, self._tls_server):
            if listener is not None:
                listener.close()

    async def listen_tls(
        self,
        factory: Callable[[], HttpConnection],
        tls: ssl.SSLContext,
        host: str,
        port: int,
        *,
        reuse_port: bool = False,
    ) -> None:
        """Also accept https on ``host:port`` (TLS handshake within the header timeout)."""
        loop = asyncio.get_running_loop()
        self._tls_server = await loop.create_server(
            factory,
            host,
            port,
            ssl=tls,
            ssl_handshake_timeout=self.limits.client_header_timeout,
            reuse_port=reuse_port or None,
            backlog=1024,
        )

    @property
    def connections(self) -> int:
        """Open client connections."""
        return len(self._connections)

    def connection_opened(self, conn: HttpConnection) -> None:
        """Called by each connection when it is accepted."""
        self._connections.add(conn)
        if self._draining:
            conn.close()

    def connection_closed(self, conn: HttpConnection) -> None:
        """Called by each connection when it is gone."""
        self._connections.discard(conn)
        if not self._connections:
            self._closed_event.set()

    async def drain(self, timeout: float) -> None:
        """Stop accepting, let in-flight requests finish, close idle keep-alive connections.

        Connections still busy after ``timeout`` seconds are closed anyway.
        """
        self._draining = True
        self._stop_listening()
        deadline = asyncio.get_running_loop().time() + timeout
        while self._connections:
            for conn in list(self._connections):
                conn.closing_soon()
                if conn.idle:
                    conn.close()
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                break
            self._closed_event.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closed_event.wait(), min(remaining, 0.05))
        for conn in list(self._connections):
            conn.abort()
        self.app.close()

    def close(self) -> None:
        """Stop at once: close the listeners, every connection and the app."""
        self._stop_listening()
        for conn in list(self._connections):
            conn.abort()
        self.app.close()


async def listen(
    app: App,
    host: str,
    port: int,
    *,
    limits: ServerLimits | None = None,
    reuse_port: bool = False,
    sock: socket.socket | None = None,
    tls: ssl.SSLContext | None = None,
    tls_host: str = "127.0.0.1",
    tls_port: int = 0,
) -> HttpServer:
    """Serve ``app`` on ``host:port`` (or ``sock``); with ``tls``, https on ``tls_host:tls_port``
    too, by the same app."""
    limits = limits or ServerLimits()
    loop = asyncio.get_running_loop()
    server = HttpServer(limits, app)

    def factory() -> HttpConnection:
        return HttpConnection(app, limits, server)

    if sock is not None:
        server._server = await loop.create_server(factory, sock=sock, backlog=1024)
    else:
        server._server = await loop.create_server(
            factory, host, port, reuse_port=reuse_port or None, backlog=1024
        )
    if tls is not None:

        def tls_factory() -> HttpConnection:
            return HttpConnection(app, limits, server, scheme="https")

        try:
            await server.listen_tls(tls_factory, tls, tls_host, tls_port, reuse_port=reuse_port)
        except BaseException:
            server.close()
            raise
    return server
