"""The proxy listener: settings, start-up and graceful drain (RFC 9112 §9.6 tear-down).

``start_server`` wires the HTTP/1.1 server core (:mod:`authgate.proxy.connection`) to the
proxy logic (:mod:`authgate.proxy.handler`) for one event loop (one worker process).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from authgate.http1.pool import UpstreamPool
from authgate.proxy.added_headers import DEFAULT_HEADERS, parse_headers
from authgate.proxy.connection import HttpConnection
from authgate.proxy.handler import ProxyApp
from authgate.proxy.headers import TrustedNetworks
from authgate.proxy.runtime import RuntimeHolder
from authgate.proxy.tls import ServerTls

__all__ = ["ProxyServer", "ServerSettings", "start_server"]


@dataclass
class ServerSettings:
    """Listener limits and timeouts (seconds)."""

    trusted_ips: Sequence[str] = field(default_factory=tuple)
    """CIDRs whose X-Forwarded-* and X-Real-IP values are kept (empty: trust nobody)."""
    client_header_timeout: float = 60.0
    """From the first byte of a request to the end of its head (-> 408)."""
    client_body_timeout: float = 60.0
    """Between two reads of a request body (-> 408, or the connection closes)."""
    keepalive_timeout: float = 75.0
    """How long an idle keep-alive connection stays open."""
    send_timeout: float = 60.0
    """How long a client may leave our response unread before the connection is dropped."""
    max_header_bytes: int = 32 * 1024
    """Request line + headers larger than this get 431."""
    max_headers_count: int = 100
    """More header fields than this get 431."""
    upstream_ssl_context: ssl.SSLContext | None = None
    """Verification context for https services (default: the system trust store)."""
    upstream_idle_timeout: float = 60.0
    """How long an idle upstream keep-alive connection is kept."""
    headers: str = DEFAULT_HEADERS
    """Kong's ``headers`` setting: which Server/Via/latency/request-id headers are added
    (:mod:`authgate.proxy.added_headers`; parsed once, at start)."""


class ProxyServer:
    """A running listener; ``drain`` for graceful shutdown, ``close`` for the abrupt one."""

    def __init__(self, settings: ServerSettings, pool: UpstreamPool) -> None:
        self.settings = settings
        self.pool = pool
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
        tls: ServerTls,
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
            ssl=tls.listener,
            ssl_handshake_timeout=self.settings.client_header_timeout,
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
        self.pool.close()

    def close(self) -> None:
        """Stop at once: close the listeners, every connection and the upstream pool."""
        self._stop_listening()
        for conn in list(self._connections):
            conn.abort()
        self.pool.close()


async def start_server(
    holder: RuntimeHolder,
    host: str,
    port: int,
    *,
    settings: ServerSettings | None = None,
    reuse_port: bool = False,
    sock: socket.socket | None = None,
    tls: ServerTls | None = None,
    tls_host: str = "127.0.0.1",
    tls_port: int = 0,
) -> ProxyServer:
    """Listen on ``host:port`` (or ``sock``) and proxy with ``holder``'s current runtime.

    With ``tls``, https is served on ``tls_host:tls_port`` too, by the same proxy.
    """
    settings = settings or ServerSettings()
    added = parse_headers(settings.headers)  # ValueError before anything listens
    loop = asyncio.get_running_loop()
    pool = UpstreamPool(settings.upstream_ssl_context, settings.upstream_idle_timeout)
    server = ProxyServer(settings, pool)
    app = ProxyApp(holder, TrustedNetworks(settings.trusted_ips), pool, added)

    def factory() -> HttpConnection:
        return HttpConnection(app, settings, server)

    if sock is not None:
        server._server = await loop.create_server(factory, sock=sock, backlog=1024)
    else:
        server._server = await loop.create_server(
            factory, host, port, reuse_port=reuse_port or None, backlog=1024
        )
    if tls is not None:

        def tls_factory() -> HttpConnection:
            return HttpConnection(app, settings, server, scheme="https")

        try:
            await server.listen_tls(tls_factory, tls, tls_host, tls_port, reuse_port=reuse_port)
        except BaseException:
            server.close()
            raise
    return server
