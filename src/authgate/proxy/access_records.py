"""The end of one request: its access record, the plugins' log phase, the observers."""

from __future__ import annotations

import logging
import time

from authgate.plugins.access_record import AccessRecord
from authgate.proxy.runtime import Runtime
from authgate.proxy.server.exchange import Exchange
from authgate.proxy.state import RequestState

__all__ = ["log_request"]

logger = logging.getLogger("authgate.proxy")
_PROTOCOLS = {"1.1": "HTTP/1.1", "1.0": "HTTP/1.0"}


def access_record(exchange: Exchange, state: RequestState, request_id: str) -> AccessRecord:
    """What happened to ``exchange``, as observers and the log phase get it."""
    consumer = state.consumer
    plan = state.plan
    version = exchange.http_version
    body = exchange.body
    return AccessRecord(
        request_id=request_id,
        started_at=exchange.started_wall,
        client_ip=exchange.conn.peer_ip,
        method=exchange.method,
        host=exchange.host or "",
        path=state.path or exchange.target.partition("?")[0],
        query=state.query,
        protocol=_PROTOCOLS.get(version) or f"HTTP/{version}",
        status=exchange.status or 499,
        bytes_in=body.received if body is not None else 0,
        bytes_out=exchange.bytes_out,
        route_id=plan.route_id if plan is not None else None,
        route_name=plan.route_name if plan is not None else None,
        service_id=plan.service_id if plan is not None else None,
        service_name=plan.service_name if plan is not None else None,
        latency_ms=(time.monotonic() - exchange.started_at) * 1000,
        proxy_latency_ms=state.proxy_latency_ms,
        upstream_latency_ms=state.upstream_latency_ms,
        upstream_error=state.upstream_error,
        consumer=None if consumer is None else (consumer.username or consumer.id),
    )


def log_request(exchange: Exchange, runtime: Runtime, state: RequestState, request_id: str) -> None:
    """Build the access record, run the plugins' log phase, hand it to the observers."""
    record = access_record(exchange, state, request_id)
    for plugin in state.chain.log:
        try:
            plugin.log(state, record)
        except Exception:
            logger.exception("plugin %s failed in the log phase", plugin.name)
    if runtime.observers:
        runtime.observe(record)
