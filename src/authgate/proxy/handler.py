"""The per-request proxy flow: route, plugins (access, response, log), upstream, access record.

RFC 9110 §7.6 for what an intermediary forwards. Gateway-produced responses (errors and plugin
short-circuits) carry ``Server`` and ``X-Authgate-Response-Latency``; proxied ones carry ``Via``
and the proxy/upstream latency headers.
"""

from __future__ import annotations

import logging
import time

from authgate.plugins.base import Headers, PluginResponse, RequestContext
from authgate.proxy.connection import ClientBodyError
from authgate.proxy.errors import NO_ROUTE, error_body
from authgate.proxy.exchange import ClientDisconnected, Exchange
from authgate.proxy.forward import Forwarder, ProxyOutcome
from authgate.proxy.headers import (
    SERVER,
    TrustedNetworks,
    forwarded_headers,
    request_id_from,
    strip_hop_by_hop,
    via_value,
)
from authgate.proxy.paths import normalize_path
from authgate.proxy.pool import UpstreamPool
from authgate.proxy.records import AccessRecord
from authgate.proxy.runtime import EMPTY_CHAIN, PluginChain, Runtime, RuntimeHolder

__all__ = ["ProxyApp"]

logger = logging.getLogger("authgate.proxy")
JSON = "application/json; charset=utf-8"


class _State:
    """What the log phase and the access record need to know about one request."""

    __slots__ = ("chain", "ctx", "outcome", "path", "query", "request_id", "route", "service")

    def __init__(self, request_id: str) -> None:
        self.request_id = request_id
        self.path = ""
        self.query = ""
        self.route: object = None
        self.service: object = None
        self.ctx: RequestContext | None = None
        self.chain: PluginChain = EMPTY_CHAIN
        self.outcome = ProxyOutcome()


class ProxyApp:
    """The app the HTTP server core runs for every request."""

    def __init__(self, holder: RuntimeHolder, trusted: TrustedNetworks, pool: UpstreamPool) -> None:
        self._holder = holder
        self._trusted = trusted
        self._forwarder = Forwarder(pool)

    async def __call__(self, exchange: Exchange) -> None:
        runtime = self._holder.current
        state = _State(request_id_from(exchange.headers))
        try:
            await self._handle(exchange, runtime, state)
        except ClientDisconnected:
            exchange.close_after = True
            if not exchange.head_sent:
                exchange.status = 499
        except ClientBodyError as error:
            self._body_error(exchange, state, error)
        except Exception:
            logger.exception("unexpected error handling request %s", state.request_id)
            if exchange.head_sent:
                exchange.abort()
            else:
                self._error(exchange, state, 500)
        self._log(exchange, runtime, state)

    async def _handle(self, exchange: Exchange, runtime: Runtime, state: _State) -> None:
        if exchange.error is not None:
            status, message = exchange.error
            self._error(exchange, state, status, message)
            return
        raw_path, _, state.query = exchange.target.partition("?")
        path = normalize_path(raw_path) if raw_path.startswith("/") else None
        if path is None:
            self._error(exchange, state, 400, "Bad request: invalid path")
            return
        state.path = path
        host = _host_without_port(exchange.headers)
        match = runtime.router.match(
            exchange.method, host, path, lambda name: _header(exchange.headers, name)
        )
        if match is None:
            self._error(exchange, state, 404, NO_ROUTE)
            return
        state.route, state.service = match.route, match.service
        state.chain = runtime.chain(match.route.id)
        ctx = self._context(exchange, state, host, runtime.config)
        ctx.route, ctx.service, ctx.upstream_path = match.route, match.service, match.upstream_path
        ctx.captures = dict(match.captures)
        self._prepare_upstream_headers(exchange, ctx, match.matched_path)
        if state.chain.access:
            response = await self._access(runtime, state, ctx)
            if response is not None:
                self._plugin_response(exchange, state, response)
                return
        if match.service is None:
            self._error(exchange, state, 503, "no Service for this Route")
            return
        target = runtime.targets[match.service.id]
        await self._forwarder.forward(exchange, ctx, target, state.chain, state.outcome)

    def _context(
        self, exchange: Exchange, state: _State, host: str, config: object
    ) -> RequestContext:
        ctx = RequestContext(
            request_id=state.request_id,
            method=exchange.method,
            path=state.path,
            query=state.query,
            headers=Headers.from_lower(exchange.headers),
            client_ip=exchange.peer_ip,
            scheme=exchange.scheme,
            host=host,
            port=exchange.server_port,
            http_version=exchange.http_version,
            started_at=exchange.started_wall,
            config=config,
        )
        state.ctx = ctx
        return ctx

    def _prepare_upstream_headers(
        self, exchange: Exchange, ctx: RequestContext, matched_path: str | None
    ) -> None:
        headers = ctx.headers.items()
        strip_hop_by_hop(headers, keep_upgrade=exchange.upgrade)
        client_host = _header(headers, "host") or ctx.host
        prefix = None
        route = ctx.route
        if matched_path and route is not None and route.strip_path and matched_path != "/":
            prefix = matched_path
        forwarded_headers(
            headers,
            trusted=exchange.peer_ip in self._trusted,
            peer_ip=exchange.peer_ip,
            scheme=exchange.scheme,
            host=_strip_port(client_host),
            port=exchange.server_port,
            path=ctx.path,
            prefix=prefix,
        )
        via = ", ".join(v for k, v in headers if k == "via")
        kept = [kv for kv in headers if kv[0] not in ("via", "x-request-id", "expect")]
        kept.append(("via", via_value(exchange.http_version, via)))
        kept.append(("x-request-id", ctx.request_id))
        if exchange.upgrade:
            kept = [kv for kv in kept if kv[0] != "connection"]
            kept.append(("connection", "upgrade"))
        headers[:] = kept

    async def _access(
        self, runtime: Runtime, state: _State, ctx: RequestContext
    ) -> PluginResponse | None:
        chain = state.chain
        index = 0
        consumer = ctx.consumer
        while index < len(chain.access):
            plugin = chain.access[index]
            response = await plugin.access(ctx)
            if response is not None:
                return response
            index += 1
            if ctx.consumer is not consumer and runtime.has_consumer_plugins:
                consumer = ctx.consumer
                route = ctx.route
                chain = runtime.consumer_chain(route.id, route.service, consumer.id)
                state.chain = chain
                index = sum(1 for p in chain.access if p.priority >= plugin.priority)
        return None

    def _plugin_response(self, exchange: Exchange, state: _State, response: PluginResponse) -> None:
        headers = response.headers
        self._gateway_headers(exchange, state, headers)
        self._respond(exchange, state, response.status, headers, response.body)

    def _error(
        self, exchange: Exchange, state: _State, status: int, message: str | None = None
    ) -> None:
        headers = Headers.from_lower([("content-type", JSON)])
        if status == 400 or status >= 500:
            exchange.close_after = True  # after a malformed request, trust nothing that follows
        self._gateway_headers(exchange, state, headers)
        self._respond(
            exchange, state, status, headers, error_body(status, state.request_id, message)
        )

    def _body_error(self, exchange: Exchange, state: _State, error: ClientBodyError) -> None:
        exchange.close_after = True
        if exchange.head_sent:
            exchange.abort()
            return
        try:
            self._error(exchange, state, error.status, error.message)
        except ClientDisconnected:
            exchange.status = 499

    def _gateway_headers(self, exchange: Exchange, state: _State, headers: Headers) -> None:
        latency = (time.monotonic() - exchange.started_at) * 1000
        headers.set("server", SERVER)
        headers.set("x-request-id", state.request_id)
        headers.set("x-authgate-response-latency", str(int(latency)))
        headers.remove("content-length")
        headers.remove("transfer-encoding")
        headers.remove("connection")

    def _respond(
        self, exchange: Exchange, state: _State, status: int, headers: Headers, body: bytes
    ) -> None:
        ctx = state.ctx
        if ctx is not None:
            for plugin in state.chain.response:
                plugin.response(ctx, status, headers)
        exchange.close_after = exchange.close_after or _unread_body(exchange)
        exchange.respond(status, headers.items(), body)

    def _log(self, exchange: Exchange, runtime: Runtime, state: _State) -> None:
        now = time.monotonic()
        outcome = state.outcome
        route, service = state.route, state.service
        ctx = state.ctx
        consumer = ctx.consumer if ctx is not None else None
        record = AccessRecord(
            request_id=state.request_id,
            started_at=exchange.started_wall,
            client_ip=exchange.peer_ip,
            method=exchange.method,
            host=_header(exchange.headers, "host") or "",
            path=state.path or exchange.target.partition("?")[0],
            query=state.query,
            protocol=f"HTTP/{exchange.http_version}",
            status=exchange.status or 499,
            bytes_in=exchange.body_bytes_in,
            bytes_out=exchange.bytes_out,
            route_id=getattr(route, "id", None),
            route_name=getattr(route, "name", None),
            service_id=getattr(service, "id", None),
            service_name=getattr(service, "name", None),
            latency_ms=(now - exchange.started_at) * 1000,
            proxy_latency_ms=outcome.proxy_latency_ms,
            upstream_latency_ms=outcome.upstream_latency_ms,
            upstream_error=outcome.upstream_error,
            consumer=getattr(consumer, "username", None) or getattr(consumer, "id", None),
        )
        if ctx is not None:
            for plugin in state.chain.log:
                try:
                    plugin.log(ctx, record)
                except Exception:
                    logger.exception("plugin %s failed in the log phase", plugin.name)
        if runtime.observers:
            runtime.observe(record)


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    for key, value in headers:
        if key == name:
            return value
    return None


def _strip_port(host: str) -> str:
    if host.startswith("["):
        end = host.find("]")
        return host[: end + 1] if end != -1 else host
    return host.partition(":")[0]


def _host_without_port(headers: list[tuple[str, str]]) -> str:
    host = _header(headers, "host") or ""
    return _strip_port(host).lower()


def _unread_body(exchange: Exchange) -> bool:
    return exchange.body is not None and not exchange.body.done
