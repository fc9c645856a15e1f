"""What the proxy knows about one request while it runs: route, plugins, upstream outcome."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from authgate.plugins.base import Headers, RequestContext
from authgate.proxy.runtime import EMPTY_CHAIN, PluginChain

if TYPE_CHECKING:
    from authgate.proxy.plugin_body import ExchangeBody
    from authgate.proxy.runtime import RoutePlan

__all__ = ["RequestState"]

logger = logging.getLogger("authgate.proxy")


class RequestState:
    """One request's proxy state (the access record and the log phase read it too).

    ``fields`` are the fields for the upstream, already serialized, when no plugin runs;
    with plugins they live in ``ctx.headers``. ``plan`` is the
    matched route's. Latencies are milliseconds.
    """

    __slots__ = (
        "body",
        "chain",
        "ctx",
        "fields",
        "path",
        "plan",
        "proxy_latency_ms",
        "query",
        "request_id",
        "response_failed",
        "route",
        "service",
        "upstream_error",
        "upstream_latency_ms",
        "upstream_path",
    )

    def __init__(self) -> None:
        self.request_id = ""
        self.path = ""
        self.query = ""
        self.upstream_path = "/"
        self.route: object = None
        self.service: object = None
        self.plan: RoutePlan | None = None
        self.chain: PluginChain = EMPTY_CHAIN
        self.ctx: RequestContext | None = None
        self.fields = ""
        self.body: ExchangeBody | None = None
        self.proxy_latency_ms: float | None = None
        self.upstream_latency_ms: float | None = None
        self.upstream_error: str | None = None
        self.response_failed = False

    def run_response_phase(self, status: int, headers: Headers) -> None:
        """Run the chain's ``response`` phase; a failing plugin's exception propagates.

        After a failure the phase is skipped, so the 500 that follows is sent as is.
        """
        ctx = self.ctx
        if ctx is None or self.response_failed:
            return
        for plugin in self.chain.response:
            try:
                plugin.response(ctx, status, headers)
            except Exception:
                self.response_failed = True
                logger.error("plugin %s failed in the response phase", plugin.name)
                raise
