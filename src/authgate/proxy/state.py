"""The one scope of a request: the plugin-facing context plus what only the proxy needs."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from authgate.plugins.base import Headers, RequestContext
from authgate.proxy.runtime import EMPTY_CHAIN, PluginChain

if TYPE_CHECKING:
    from authgate.config import GatewayConfig
    from authgate.proxy.plugin_body import ExchangeBody
    from authgate.proxy.runtime import RoutePlan
    from authgate.proxy.server.exchange import Exchange

__all__ = ["RequestState"]

logger = logging.getLogger("authgate.proxy")


class RequestState(RequestContext):
    """One request, as the proxy and (through the base class) its plugins see it.

    Plugins get this very object as their :class:`RequestContext`: the path, query,
    upstream path, route and service they change are the ones the proxy forwards, with no
    copy in either direction. The rest is the proxy's own: ``chain`` stays empty until the
    plugins' context is complete (:meth:`begin_plugins`), so no phase sees a half-built
    request. ``fields`` holds the upstream fields already serialized when no plugin runs
    (none can edit them); it is None once plugins hold them in ``headers``. ``plan`` is the
    matched route's. Latencies are milliseconds.
    """

    __slots__ = (
        "body",
        "chain",
        "fields",
        "plan",
        "proxy_latency_ms",
        "response_failed",
        "upstream_error",
        "upstream_latency_ms",
    )

    def __init__(self, exchange: Exchange, config: GatewayConfig) -> None:
        conn = exchange.conn
        super().__init__(
            request_id="",
            method=exchange.method,
            path="",
            query="",
            headers=Headers.from_lower([]),
            client_ip=conn.peer_ip,
            scheme=conn.scheme,
            host="",
            port=conn.server_port,
            http_version=exchange.http_version,
            config=config,
            started_at=exchange.started_wall,
        )
        self.plan: RoutePlan | None = None
        self.chain: PluginChain = EMPTY_CHAIN
        self.fields: str | None = None
        self.body: ExchangeBody | None = None
        self.proxy_latency_ms: float | None = None
        self.upstream_latency_ms: float | None = None
        self.upstream_error: str | None = None
        self.response_failed = False

    def begin_plugins(
        self, chain: PluginChain, host: str, headers: list[tuple[str, str]], body: ExchangeBody
    ) -> None:
        """Hand the request to ``chain``: the upstream headers become editable ``headers``."""
        self.host = host
        self.headers = Headers.from_lower(headers)
        self.fields = None
        self.body = body
        self.body_source = body
        self.chain = chain

    def run_response_phase(self, status: int, headers: Headers) -> None:
        """Run the chain's ``response`` phase; a failing plugin's exception propagates.

        After a failure the phase is skipped, so the 500 that follows is sent as is.
        """
        if self.response_failed:
            return
        for plugin in self.chain.response:
            try:
                plugin.response(self, status, headers)
            except Exception:
                self.response_failed = True
                logger.error("plugin %s failed in the response phase", plugin.name)
                raise
