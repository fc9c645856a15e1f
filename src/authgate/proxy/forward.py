"""Sending one request to its upstream and relaying the response (RFC 9110 §7.6, RFC 9112 §6).

Request and response bodies are streamed through :class:`~authgate.http1.body_queue.BodyQueue`
with back-pressure both ways; a body a plugin buffered or replaced goes in one piece with its
Content-Length. Upstream failures before the response started raise
:class:`~authgate.http1.errors.UpstreamError` (the app answers 502/504); after that,
the client connection is closed (a status line can't be taken back). An upstream that answers
before it has read the whole request body (e.g. 413) gets that answer relayed, even when it
then closes the connection.
"""

from __future__ import annotations

import time

from authgate.http1.body_queue import BodyQueue
from authgate.http1.connection import UpstreamConnection, UpstreamResponse
from authgate.http1.errors import UpstreamError
from authgate.http1.fields import first_value
from authgate.http1.framing import BODY_LENGTH, BODY_NONE, LAST_CHUNK, chunk, encode_fields
from authgate.http1.pool import UpstreamPool
from authgate.plugins.base import Headers
from authgate.proxy.added_headers import AddedHeaders
from authgate.proxy.forwarding_headers import (
    client_response_fields,
    client_response_headers,
    via_value,
)
from authgate.proxy.runtime import BalancedService, RoutePlan, UpstreamTarget
from authgate.proxy.server.exchange import Exchange
from authgate.proxy.state import RequestState
from authgate.proxy.tunnel import Tunnel
from authgate.proxy.upstreams.balancer import NoPeerError, hash_value
from authgate.proxy.upstreams.target_health import Outcome, TargetHealth, passive_outcome

__all__ = ["Forwarder"]

# Never taken from the (plugin-editable) field list: the gateway frames the request itself.
_FRAMED = frozenset({"host", "content-length", "transfer-encoding"})
_RESPONSE_FRAMED = frozenset({"content-length", "transfer-encoding", "connection"})


class Forwarder:
    """Proxies exchanges to upstream targets over a shared connection pool.

    ``added`` says which Via, request id, latency and status headers responses get.
    """

    def __init__(self, pool: UpstreamPool, added: AddedHeaders) -> None:
        self._pool = pool
        self._added = added

    async def forward(
        self,
        exchange: Exchange,
        state: RequestState,
        plan: RoutePlan,
        target: UpstreamTarget,
        connected: UpstreamConnection | None = None,
    ) -> None:
        """Proxy ``exchange`` (over ``connected`` if given); UpstreamError when the upstream
        fails before the response."""
        sent_at = time.monotonic()
        state.proxy_latency_ms = (sent_at - exchange.started_at) * 1000
        conn, response = await self._exchange(exchange, state, plan, target, connected)
        state.upstream_latency_ms = (time.monotonic() - sent_at) * 1000
        if response.status == 101:
            if not exchange.upgrade:
                conn.abort()
                raise UpstreamError("invalid_response", 502, "101 to a request without Upgrade")
            await self._tunnel(exchange, state, conn, response)
            return
        try:
            if not self._start_response(exchange, state, response):
                await self._relay_body(exchange, response)
        except UpstreamError as error:
            state.upstream_error = error.kind
            conn.abort()
            exchange.abort()
            return
        except BaseException:
            conn.abort()
            raise
        if not exchange.finished:
            exchange.end()
        self._pool.release(conn)

    async def forward_balanced(
        self, exchange: Exchange, state: RequestState, plan: RoutePlan
    ) -> None:
        """Proxy ``exchange`` to a target of the plan's upstream.

        Connect errors are retried on the next target, up to the service's ``retries``;
        every outcome is counted by the passive health checks.
        """
        balanced = plan.balanced
        assert balanced is not None
        balancer = balanced.balancer
        passive = balancer.upstream.healthchecks.passive
        key = _hash_key(exchange, state, balanced) if balanced.hashed else None
        tried: list[int] = []
        error: UpstreamError | None = None
        for _ in range(balanced.retries + 1):
            index = balancer.pick(key, tried)
            if index < 0:
                break
            peer, target = balancer.peers[index], balanced.targets[index]
            conn = await self._connect_peer(balanced, index)
            if isinstance(conn, UpstreamError):
                error = conn
                tried.append(index)
                continue
            peer.in_flight += 1
            try:
                await self.forward(exchange, state, plan, target, conn)
            except UpstreamError as failed:
                _count(peer.health, passive_outcome(passive, None, failed.kind))
                raise
            finally:
                peer.in_flight -= 1
            _count(peer.health, passive_outcome(passive, exchange.status, state.upstream_error))
            return
        raise error or NoPeerError(balancer.name)

    async def _connect_peer(
        self, balanced: BalancedService, index: int
    ) -> UpstreamConnection | UpstreamError:
        """A connection to one target, or the connect error (counted against its health)."""
        target = balanced.targets[index]
        conn = self._pool.take_idle(target.key)
        if conn is not None:
            return conn
        try:
            return await self._pool.connect(target.key, target.connect_timeout, 0)
        except UpstreamError as error:
            peer = balanced.balancer.peers[index]
            passive = balanced.balancer.upstream.healthchecks.passive
            _count(peer.health, passive_outcome(passive, None, error.kind))
            return error

    async def _exchange(
        self,
        exchange: Exchange,
        state: RequestState,
        plan: RoutePlan,
        target: UpstreamTarget,
        connected: UpstreamConnection | None,
    ) -> tuple[UpstreamConnection, UpstreamResponse]:
        buffered = state.body
        # Only a request without a body (none sent, none set by a plugin) is sent again.
        replayable = exchange.body is None and (buffered is None or buffered.whole is None)
        payload, stream, chunked = self._payload(exchange, state, plan, target)
        pool = self._pool
        while True:
            conn = (
                connected
                or pool.take_idle(target.key)
                or await pool.connect(target.key, target.connect_timeout, target.retries)
            )
            connected = None
            conn.begin(exchange.head_request, target.read_timeout, exchange.send_informational)
            try:
                conn.write(payload)
                if stream is not None and not await _send_body(
                    stream, chunked, conn, target.write_timeout
                ):
                    conn.request_incomplete = True
                return conn, await conn.response_head()
            except UpstreamError as error:
                if conn.answered:
                    # It answered before reading everything, then failed or closed: relay it.
                    conn.request_incomplete = True
                    return conn, await conn.response_head()
                conn.abort()
                # A kept-alive connection the upstream closed meanwhile: retry once on a new one.
                if conn.reused and error.kind == "reset" and replayable:
                    continue
                raise
            except BaseException:
                conn.abort()
                raise

    def _payload(
        self, exchange: Exchange, state: RequestState, plan: RoutePlan, target: UpstreamTarget
    ) -> tuple[bytes, BodyQueue | None, bool]:
        """The request bytes to write first, the body still to stream and whether chunked."""
        queue = exchange.body
        buffered = state.body
        whole = buffered.whole if buffered is not None else None
        if (
            whole is None
            and queue is not None
            and queue.done
            and not (buffered and buffered.prefix)
        ):
            # The body arrived with its head: one write for both, with a Content-Length.
            whole = queue.take_complete()
        stream: BodyQueue | None = None
        chunked = False
        if whole is not None:
            payload = self._request_head(exchange, state, plan, target, len(whole)) + whole
        elif queue is not None:
            stream = queue
            chunked = exchange.content_length is None
            payload = self._request_head(exchange, state, plan, target, exchange.content_length)
            if buffered is not None and buffered.prefix:
                prefix = bytes(buffered.prefix)
                payload += chunk(prefix) if chunked else prefix
        else:
            payload = self._request_head(exchange, state, plan, target, None)
        return payload, stream, chunked

    def _request_head(
        self,
        exchange: Exchange,
        state: RequestState,
        plan: RoutePlan,
        target: UpstreamTarget,
        body_length: int | None,
    ) -> bytes:
        fields = state.fields
        edited = fields is None  # plugins hold the fields and may have changed them
        if fields is None:
            headers = state.headers.items()
            host = first_value(headers, "host") if plan.preserve_host else None
            fields = encode_fields(headers, _FRAMED)
        else:
            host = exchange.host if plan.preserve_host else None
        query = state.query
        uri = f"{state.upstream_path}?{query}" if query else state.upstream_path
        if body_length is not None:
            framing = f"content-length: {body_length}\r\n"
        elif exchange.body is not None:
            framing = "transfer-encoding: chunked\r\n"
        else:
            framing = ""
        if edited and (_breaks(uri) or (host is not None and _breaks(host))):
            # Plugins may rewrite the path, query and Host: never let one split the head.
            # (The method comes from the parser and the service's Host from the validated
            # config: neither can hold CR or LF.)
            raise ValueError("a start line or framing field holds CR or LF")
        host_line = f"host: {host}\r\n" if host else target.host_line
        return f"{exchange.method} {uri} HTTP/1.1\r\n{host_line}{fields}{framing}\r\n".encode(
            "latin-1", "replace"
        )

    def _start_response(
        self, exchange: Exchange, state: RequestState, response: UpstreamResponse
    ) -> bool:
        """Send the response head (with the body when it already arrived whole)."""
        kind = response.body_kind
        has_body = kind != BODY_NONE
        length = response.length if kind == BODY_LENGTH else None
        body = response.body
        added = self._added
        status = response.status
        upstream_ms = int(state.upstream_latency_ms or 0)
        proxy_ms = int(state.proxy_latency_ms or 0)
        if not state.chain.response:
            fields = client_response_fields(
                response.headers, has_body, response.version, added.response_special, added.via
            )
            whole = response.whole if body is None else body.take_complete()
            exchange.start_response_fields(
                status,
                fields + added.proxied(state.request_id, status, upstream_ms, proxy_ms),
                length,
                has_body,
                whole,
            )
            return whole is not None
        headers = client_response_headers(
            response.headers, has_body, response.version, added.response_special, added.via
        )
        values = (state.request_id, str(status), str(upstream_ms), str(proxy_ms))
        headers += [(name, values[slot]) for name, slot in added.proxied_pairs]
        edited = Headers.from_lower(headers)
        state.run_response_phase(response.status, edited)
        headers = [kv for kv in edited.items() if kv[0] not in _RESPONSE_FRAMED]
        whole = response.whole if body is None else body.take_complete()
        exchange.start_response(response.status, headers, length, has_body, whole)
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
        state: RequestState,
        conn: UpstreamConnection,
        response: UpstreamResponse,
    ) -> None:
        added = self._added
        ids = added.request_ids
        via = ", ".join(v for k, v in response.headers if k == "via") or None
        headers = [kv for kv in response.headers if kv[0] != "via" and kv[0] not in ids]
        if added.via:
            headers.append(("via", via_value(response.version, via)))
        elif via is not None:
            headers.append(("via", via))
        headers += [(name, state.request_id) for name in ids]
        exchange.start_response(101, headers, None, has_body=False)
        await Tunnel(exchange, conn).run()
        exchange.end()


async def _send_body(
    queue: BodyQueue, chunked: bool, conn: UpstreamConnection, write_timeout: float
) -> bool:
    """Stream the rest of the request body; False when the upstream refused it midway."""
    conn.on_answer = queue.interrupt
    try:
        while True:
            data = await queue.read()
            if conn.refused:
                return False
            if not data:
                break
            conn.write(chunk(data) if chunked else data)
            await conn.drain(write_timeout)
            if conn.refused:
                return False
    finally:
        conn.on_answer = None
    if chunked:
        conn.write(LAST_CHUNK)
    return True


def _hash_key(exchange: Exchange, state: RequestState, balanced: BalancedService) -> str | None:
    """The consistent-hashing input: client IP, a request header (as plugins left it, values
    concatenated as in Kong) or the consumer's id."""
    if state.fields is None:  # as plugins left them
        headers = state.headers

        def header(name: str) -> str | None:
            return "".join(headers.get_all(name)) or None

    else:
        raw = exchange.headers

        def header(name: str) -> str | None:
            return "".join(v for k, v in raw if k == name) or None

    consumer = state.consumer.id if state.consumer is not None else None
    upstream = balanced.balancer.upstream
    return hash_value(upstream, exchange.conn.peer_ip, header, consumer)


def _count(health: TargetHealth, outcome: tuple[Outcome, int] | None) -> None:
    if outcome is not None:
        health.record(*outcome)


def _breaks(text: str) -> bool:
    """Whether ``text`` holds a CR or LF (it would split the request head)."""
    return "\r" in text or "\n" in text
