"""The per-request proxy flow: route, plugins (access, response, log), upstream, access record.

RFC 9110 §7.6 for what an intermediary forwards. Gateway-produced responses (errors, plugin
short-circuits, HTTPS redirects) carry ``Server`` and a response latency and go through the
response phase of the plugins that apply; proxied ones carry ``Via`` and the proxy/upstream
latencies (which, by what names: :mod:`authgate.proxy.added_headers`). A route without
plugins never builds a plugin context.
"""

from __future__ import annotations

import logging
import time

from authgate.http1.errors import UpstreamError
from authgate.http1.fields import first_value
from authgate.http1.pool import UpstreamPool
from authgate.plugins.base import Headers, PluginResponse, RequestBodyError
from authgate.proxy.access_records import log_request
from authgate.proxy.added_headers import AddedHeaders
from authgate.proxy.error_responses import BAD_GATEWAY, NO_ROUTE, error_body
from authgate.proxy.forward import Forwarder
from authgate.proxy.forwarding_headers import (
    SERVER,
    TrustedNetworks,
    request_id_from,
    upstream_request_fields,
    upstream_request_headers,
)
from authgate.proxy.paths import normalize_path
from authgate.proxy.plugin_body import ExchangeBody
from authgate.proxy.router import RouteMatch
from authgate.proxy.runtime import PluginChain, RoutePlan, Runtime, RuntimeHolder
from authgate.proxy.server.connection import ClientBodyError
from authgate.proxy.server.exchange import ClientDisconnected, Exchange
from authgate.proxy.state import RequestState
from authgate.proxy.upstreams.balancer import NO_PEER, NoPeerError

__all__ = ["ProxyApp"]

logger = logging.getLogger("authgate.proxy")
JSON = "application/json; charset=utf-8"
HTTPS_REQUIRED = "Please use HTTPS protocol"
_GATEWAY_FRAMED = ("content-length", "transfer-encoding", "connection")
_HOST_CACHE_SIZE = 1024


def _no_header(name: str) -> str | None:
    return None  # for routers without header rules: they never ask


class ProxyApp:
    """The app the HTTP server core runs for every request."""

    def __init__(
        self,
        holder: RuntimeHolder,
        trusted: TrustedNetworks,
        pool: UpstreamPool,
        added: AddedHeaders,
    ) -> None:
        self._holder = holder
        self._trusted = trusted
        self._added = added
        self._pool = pool
        self._forwarder = Forwarder(pool, added)
        self._hosts: dict[str, tuple[str, str]] = {}

    def close(self) -> None:
        """Close the idle upstream connections (the server calls it when it stops)."""
        self._pool.close()

    async def handle(self, exchange: Exchange) -> None:
        """Answer one request: route, plugins, upstream, access record."""
        runtime = self._holder.current
        state = RequestState(exchange, runtime.config)
        try:
            await self._handle(exchange, runtime, state)
        except ClientDisconnected:
            exchange.close_after = True
            if not exchange.head_sent:
                exchange.status = 499
        except UpstreamError as error:
            state.upstream_error = error.kind
            logger.warning("upstream for request %s failed: %s", state.request_id, error)
            message = BAD_GATEWAY if error.status == 502 else None
            if isinstance(error, NoPeerError):
                message = NO_PEER
            self._late_error(exchange, state, error.status, message, close=False)
        except (ClientBodyError, RequestBodyError) as error:
            close = isinstance(error, ClientBodyError)  # the body stream itself is broken
            self._late_error(exchange, state, error.status, error.message, close)
        except Exception:
            logger.exception("unexpected error handling request %s", state.request_id)
            self._late_error(exchange, state, 500, None, close=True)
        if runtime.observers or state.chain.log:
            log_request(exchange, runtime, state, self._rid(exchange, state))

    async def _handle(self, exchange: Exchange, runtime: Runtime, state: RequestState) -> None:
        if exchange.error is not None:
            status, message = exchange.error
            self._error(exchange, state, status, message)
            return
        raw_path, _, state.query = exchange.target.partition("?")
        path = normalize_path(raw_path)
        if path is None:
            self._error(exchange, state, 400, "Bad request: invalid path")
            return
        state.path = path
        match, bare_host, host = self._route(exchange, runtime, path)
        if match is None:
            if runtime.global_chain.plugins:
                self._begin_plugins(exchange, state, runtime.global_chain, host, [])
            self._error(exchange, state, 404, NO_ROUTE)
            return
        plan = state.plan = runtime.plans[match.route.id]
        state.route, state.service = match.route, match.service
        state.upstream_path = match.upstream_path
        conn = exchange.conn
        trusted = conn.peer_ip in self._trusted
        if plan.https_only and _forwarded_proto(exchange, trusted) != "https":
            if plan.chain.plugins:
                self._begin_plugins(exchange, state, plan.chain, host, [])
            self._https_required(exchange, state, plan, host, trusted)
            return
        matched = match.matched_path
        args = (
            exchange.headers,
            exchange.connection,
            exchange.upgrade,
            trusted,
            (conn.scheme, bare_host, conn.port_text, path),
            conn.peer_ip,
            matched if plan.strip_path and matched and matched != "/" else None,
            exchange.http_version,
            self._added.upstream_request_id,
        )
        if not plan.chain.plugins:
            # Nobody edits the fields: serialize them in the same pass.
            state.fields, state.request_id = upstream_request_fields(*args)
        else:
            headers, state.request_id = upstream_request_headers(*args)
            if match.captures:
                state.captures = dict(match.captures)
            self._begin_plugins(exchange, state, plan.chain, host, headers)
            if await self._plugins_answered(exchange, runtime, state):
                return
        target = plan.target
        if target is None:
            if plan.balanced is not None:
                await self._forwarder.forward_balanced(exchange, state, plan)
                return
            self._error(exchange, state, 503, "no Service for this Route")
            return
        await self._forwarder.forward(exchange, state, plan, target)

    def _route(
        self, exchange: Exchange, runtime: Runtime, path: str
    ) -> tuple[RouteMatch | None, str, str]:
        """The matched route, the Host without its port, and the same lower-cased."""
        raw = exchange.host or ""
        bare, host = self._hosts.get(raw) or self._host_forms(raw)
        headers = exchange.headers
        router = runtime.router
        get_header = (
            (lambda name: first_value(headers, name)) if router.uses_headers else _no_header
        )
        return router.match(exchange.method, host, path, get_header), bare, host

    def _host_forms(self, host: str) -> tuple[str, str]:
        """(Host without its port, the same lower-cased), cached per Host value."""
        bare = _strip_port(host)
        forms = (bare, bare.lower())
        if len(self._hosts) >= _HOST_CACHE_SIZE:
            self._hosts.clear()
        self._hosts[host] = forms
        return forms

    async def _plugins_answered(
        self, exchange: Exchange, runtime: Runtime, state: RequestState
    ) -> bool:
        """Run the access phase; True when a plugin answered instead of the upstream."""
        if runtime.has_consumer_plugins:
            response = await self._consumer_access(runtime, state)
        else:
            response = None
            for access in state.chain.access_calls:
                response = await access(state)
                if response is not None:
                    break
        if response is not None:
            self._plugin_response(exchange, state, response)
            return True
        return False

    def _begin_plugins(
        self,
        exchange: Exchange,
        state: RequestState,
        chain: PluginChain,
        host: str,
        headers: list[tuple[str, str]],
    ) -> None:
        if not state.request_id:
            state.request_id = request_id_from(exchange.headers)
        body = ExchangeBody(exchange.body, exchange.content_length)
        state.begin_plugins(chain, host, headers, body)

    async def _consumer_access(
        self, runtime: Runtime, state: RequestState
    ) -> PluginResponse | None:
        """The access phase when consumer-scoped plugins exist: the chain may switch midway."""
        chain = state.chain
        index = 0
        consumer = state.consumer
        while index < len(chain.access):
            plugin = chain.access[index]
            response = await plugin.access(state)
            if response is not None:
                return response
            index += 1
            if state.consumer is not consumer and state.consumer is not None:
                consumer = state.consumer
                route = state.route
                assert route is not None, "consumer plugins run on routed requests only"
                chain = runtime.consumer_chain(route.id, route.service, consumer.id)
                state.chain = chain
                index = sum(1 for p in chain.access if p.priority >= plugin.priority)
        return None

    def _https_required(
        self, exchange: Exchange, state: RequestState, plan: RoutePlan, host: str, trusted: bool
    ) -> None:
        """Kong's answer to plain http on an https-only route: 426, or a redirect to https."""
        status = plan.redirect_status
        if status == 426:
            headers = Headers.from_lower([("content-type", JSON)])
            self._gateway_response(
                exchange,
                state,
                426,
                headers,
                error_body(426, self._rid(exchange, state), HTTPS_REQUIRED),
            )
            return
        if trusted:
            host = first_value(exchange.headers, "x-forwarded-host") or host
        headers = Headers.from_lower([("location", f"https://{host}{exchange.target}")])
        self._gateway_response(exchange, state, status, headers, b"")

    def _plugin_response(
        self, exchange: Exchange, state: RequestState, response: PluginResponse
    ) -> None:
        headers = response.headers
        for name in _GATEWAY_FRAMED:
            headers.remove(name)
        self._gateway_response(exchange, state, response.status, headers, response.body)

    def _error(
        self,
        exchange: Exchange,
        state: RequestState,
        status: int,
        message: str | None = None,
        close: bool | None = None,
    ) -> None:
        if close if close is not None else (status == 400 or status >= 500):
            exchange.close_after = True  # after a malformed request, trust nothing that follows
        headers = Headers.from_lower([("content-type", JSON)])
        body = error_body(status, self._rid(exchange, state), message)
        self._gateway_response(exchange, state, status, headers, body)

    def _late_error(
        self, exchange: Exchange, state: RequestState, status: int, message: str | None, close: bool
    ) -> None:
        """An error raised while handling: answered if the head is not out yet, else abort."""
        if exchange.head_sent:
            exchange.abort()
            return
        try:
            self._error(exchange, state, status, message, close)
        except ClientDisconnected:
            exchange.close_after = True
            exchange.status = 499
        except Exception:
            logger.exception("could not answer request %s", state.request_id)
            exchange.abort()

    def _gateway_response(
        self, exchange: Exchange, state: RequestState, status: int, headers: Headers, body: bytes
    ) -> None:
        """Send a response the gateway made, after the response phase of its plugins."""
        latency = (time.monotonic() - exchange.started_at) * 1000
        added = self._added
        if added.server:
            headers.set("server", SERVER)
        values = (self._rid(exchange, state), str(int(latency)))
        for name, slot in added.gateway_pairs:
            headers.set(name, values[slot])
        if status == 426:
            headers.add("connection", "Upgrade")
            headers.add("upgrade", "TLS/1.2, HTTP/1.1")
        if state.chain.response:
            state.run_response_phase(status, headers)
            for name in ("content-length", "transfer-encoding"):
                headers.remove(name)
        exchange.respond(status, headers.items(), body)

    def _rid(self, exchange: Exchange, state: RequestState) -> str:
        if not state.request_id:
            state.request_id = request_id_from(exchange.headers)
        return state.request_id


def _forwarded_proto(exchange: Exchange, trusted: bool) -> str:
    """The scheme the client used: X-Forwarded-Proto from a trusted peer, else ours."""
    if trusted:
        proto = first_value(exchange.headers, "x-forwarded-proto")
        if proto:
            return proto.strip().lower()
    return exchange.scheme


def _strip_port(host: str) -> str:
    if host.startswith("["):
        end = host.find("]")
        return host[: end + 1] if end != -1 else host
    return host.partition(":")[0]
