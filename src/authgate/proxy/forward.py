"""Sending one request to its upstream and relaying the response (RFC 9110 §7.6, RFC 9112 §6).

Request and response bodies are streamed through :class:`~authgate.proxy.bodies.BodyQueue`
with back-pressure both ways; upstream failures map to 502/504 before the response started,
and to closing the client connection after (a status line can't be taken back).
"""

from __future__ import annotations

import logging
import time

from authgate.plugins.base import Headers, RequestContext
from authgate.proxy.errors import BAD_GATEWAY, UpstreamError, error_body
from authgate.proxy.exchange import Exchange
from authgate.proxy.headers import SERVER, strip_hop_by_hop, via_value
from authgate.proxy.http import BODY_LENGTH, BODY_NONE, LAST_CHUNK, chunk, encode_head
from authgate.proxy.pool import UpstreamPool
from authgate.proxy.runtime import PluginChain, UpstreamTarget
from authgate.proxy.tunnel import Tunnel
from authgate.proxy.upstream import UpstreamConnection, UpstreamResponse

__all__ = ["Forwarder", "ProxyOutcome"]

logger = logging.getLogger("authgate.proxy")
JSON = "application/json; charset=utf-8"


class ProxyOutcome:
    """Latencies and the upstream error of one proxied request (for the access record)."""

    __slots__ = ("proxy_latency_ms", "upstream_error", "upstream_latency_ms")

    def __init__(self) -> None:
        self.proxy_latency_ms: float | None = None
        self.upstream_latency_ms: float | None = None
        self.upstream_error: str | None = None


class Forwarder:
    """Proxies exchanges to upstream targets over a shared connection pool."""

    def __init__(self, pool: UpstreamPool) -> None:
        self._pool = pool

    async def forward(
        self,
        exchange: Exchange,
        ctx: RequestContext,
        target: UpstreamTarget,
        chain: PluginChain,
        outcome: ProxyOutcome,
    ) -> None:
        """Proxy ``exchange``; answers 502/504 itself when the upstream fails first."""
        sent_at = time.monotonic()
        outcome.proxy_latency_ms = (sent_at - exchange.started_at) * 1000
        try:
            conn, response = await self._exchange(exchange, ctx, target)
        except UpstreamError as error:
            outcome.upstream_error = error.kind
            logger.warning("upstream %s:%s failed: %s", target.host, target.port, error)
            self._upstream_error(exchange, ctx, error.status)
            return
        received_at = time.monotonic()
        outcome.upstream_latency_ms = (received_at - sent_at) * 1000
        if response.status == 101:
            await self._tunnel(exchange, ctx, conn, response, outcome)
            return
        try:
            complete = self._start_response(exchange, ctx, chain, response, outcome)
            if not complete:
                await self._relay_body(exchange, response)
        except UpstreamError as error:
            outcome.upstream_error = error.kind
            conn.abort()
            exchange.abort()
            return
        except BaseException:
            conn.abort()
            raise
        if not exchange.finished:
            exchange.end()
        self._pool.release(conn)

    async def _exchange(
        self, exchange: Exchange, ctx: RequestContext, target: UpstreamTarget
    ) -> tuple[UpstreamConnection, UpstreamResponse]:
        head = self._request_head(exchange, ctx, target)
        while True:
            conn = await self._pool.acquire(
                target.host, target.port, target.tls, target.connect_timeout, target.retries
            )
            conn.begin(exchange.head_request, target.read_timeout, exchange.send_informational)
            try:
                conn.write(head)
                if exchange.body is not None:
                    await self._send_body(exchange, conn, target.write_timeout)
                return conn, await conn.response_head()
            except UpstreamError as error:
                conn.abort()
                # A kept-alive connection the upstream closed meanwhile: retry once on a new one.
                if conn.reused and error.kind == "reset" and exchange.body is None:
                    continue
                raise
            except BaseException:
                conn.abort()
                raise

    def _request_head(
        self, exchange: Exchange, ctx: RequestContext, target: UpstreamTarget
    ) -> bytes:
        headers = [kv for kv in ctx.headers.items() if kv[0] not in ("content-length", "host")]
        host = ctx.headers.get("host") if ctx.route.preserve_host else None
        headers.insert(0, ("host", host or target.host_header))
        if exchange.body is not None:
            if exchange.content_length is not None:
                headers.append(("content-length", str(exchange.content_length)))
            else:
                headers.append(("transfer-encoding", "chunked"))
        query = "?" + ctx.query if ctx.query else ""
        line = f"{exchange.method} {ctx.upstream_path}{query} HTTP/1.1\r\n"
        return encode_head(line.encode("latin-1", "replace"), headers)

    async def _send_body(
        self, exchange: Exchange, conn: UpstreamConnection, write_timeout: float
    ) -> None:
        body = exchange.body
        assert body is not None
        chunked = exchange.content_length is None
        while True:
            data = await body.read()
            if not data:
                break
            conn.write(chunk(data) if chunked else data)
            await conn.drain(write_timeout)
        if chunked:
            conn.write(LAST_CHUNK)

    def _start_response(
        self,
        exchange: Exchange,
        ctx: RequestContext,
        chain: PluginChain,
        response: UpstreamResponse,
        outcome: ProxyOutcome,
    ) -> bool:
        """Send the response head (with the body when it already arrived whole)."""
        headers = response.headers
        strip_hop_by_hop(headers)
        has_body = response.body_kind != BODY_NONE
        length: int | None = None
        if has_body:
            headers[:] = [kv for kv in headers if kv[0] != "content-length"]
            if response.body_kind == BODY_LENGTH:
                length = response.length
        via = ", ".join(v for k, v in headers if k == "via")
        result = Headers.from_lower([kv for kv in headers if kv[0] not in ("via", "x-request-id")])
        result.add("via", via_value("1.1", via))
        result.add("x-request-id", ctx.request_id)
        result.add("x-authgate-upstream-latency", str(int(outcome.upstream_latency_ms or 0)))
        result.add("x-authgate-proxy-latency", str(int(outcome.proxy_latency_ms or 0)))
        for plugin in chain.response:
            plugin.response(ctx, response.status, result)
        if exchange.body is not None and not exchange.body.done:
            exchange.close_after = True
        body = response.body
        whole = b"" if body is None else body.take_complete()
        exchange.start_response(response.status, result.items(), length, has_body, whole)
        return whole is not None

    async def _relay_body(self, exchange: Exchange, response: UpstreamResponse) -> None:
        body = response.body
        if body is None:
            return
        while True:
            data = await body.read()
            if not data:
                return
            exchange.write(data)
            await exchange.drain()

    async def _tunnel(
        self,
        exchange: Exchange,
        ctx: RequestContext,
        conn: UpstreamConnection,
        response: UpstreamResponse,
        outcome: ProxyOutcome,
    ) -> None:
        if not exchange.upgrade:
            conn.abort()
            outcome.upstream_error = "invalid_response"
            self._upstream_error(exchange, ctx, 502)
            return
        headers = [kv for kv in response.headers if kv[0] not in ("via", "x-request-id")]
        headers.append(("via", via_value("1.1", _joined(response.headers, "via"))))
        headers.append(("x-request-id", ctx.request_id))
        exchange.start_response(101, headers, None, has_body=False)
        await Tunnel(exchange, conn).run()
        exchange.end()

    def _upstream_error(self, exchange: Exchange, ctx: RequestContext, status: int) -> None:
        message = BAD_GATEWAY if status == 502 else None
        headers = [
            ("content-type", JSON),
            ("server", SERVER),
            ("x-request-id", ctx.request_id),
            (
                "x-authgate-response-latency",
                str(int((time.monotonic() - exchange.started_at) * 1000)),
            ),
        ]
        if exchange.body is not None and not exchange.body.done:
            exchange.close_after = True
        exchange.respond(status, headers, error_body(status, ctx.request_id, message))


def _joined(headers: list[tuple[str, str]], name: str) -> str:
    return ", ".join(v for k, v in headers if k == name)
