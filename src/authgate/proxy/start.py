"""Starting the proxy in one event loop: the app's settings, its upstream pool, the listener.

:func:`start_server` builds what the proxy app owns (the upstream pool, the trusted networks,
the added-headers setting) and hands the app to the server core
(:func:`authgate.proxy.server.listener.listen`), which closes it when it stops.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field

from authgate.http1.pool import UpstreamPool
from authgate.proxy.added_headers import DEFAULT_HEADERS, parse_headers
from authgate.proxy.app import ProxyApp
from authgate.proxy.forwarding_headers import TrustedNetworks
from authgate.proxy.runtime import RuntimeHolder
from authgate.proxy.server.limits import ServerLimits
from authgate.proxy.server.listener import HttpServer, listen
from authgate.proxy.tls import ServerTls

__all__ = ["ProxySettings", "start_server"]


@dataclass
class ProxySettings:
    """What the proxy app does with requests, beside the routes (which the runtime holds)."""

    trusted_ips: Sequence[str] = field(default_factory=tuple)
    """CIDRs whose X-Forwarded-* and X-Real-IP values are kept (empty: trust nobody)."""
    upstream_ssl_context: ssl.SSLContext | None = None
    """Verification context for https services (default: the system trust store)."""
    upstream_idle_timeout: float = 60.0
    """How long an idle upstream keep-alive connection is kept."""
    headers: str = DEFAULT_HEADERS
    """Kong's ``headers`` setting: which Server/Via/latency/request-id headers are added
    (:mod:`authgate.proxy.added_headers`; parsed once, at start)."""


async def start_server(
    holder: RuntimeHolder,
    host: str,
    port: int,
    *,
    settings: ProxySettings | None = None,
    limits: ServerLimits | None = None,
    reuse_port: bool = False,
    sock: socket.socket | None = None,
    tls: ServerTls | None = None,
    tls_host: str = "127.0.0.1",
    tls_port: int = 0,
) -> HttpServer:
    """Listen on ``host:port`` (or ``sock``) and proxy with ``holder``'s current runtime.

    With ``tls``, https is served on ``tls_host:tls_port`` too, by the same proxy.
    """
    settings = settings or ProxySettings()
    added = parse_headers(settings.headers)  # ValueError before anything listens
    pool = UpstreamPool(settings.upstream_ssl_context, settings.upstream_idle_timeout)
    app = ProxyApp(holder, TrustedNetworks(settings.trusted_ips), pool, added)
    return await listen(
        app,
        host,
        port,
        limits=limits,
        reuse_port=reuse_port,
        sock=sock,
        tls=tls.listener if tls is not None else None,
        tls_host=tls_host,
        tls_port=tls_port,
    )
