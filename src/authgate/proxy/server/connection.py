"""RFC 9112 HTTP/1.1 server connection: httptools (llhttp) parsing, keep-alive, pipelining,
flow control and client timeouts. Knows nothing about proxying: it hands each parsed request
as an :class:`~authgate.proxy.server.exchange.Exchange` to the app's ``handle``, one at a time,
in order.

Trailer fields of chunked request bodies (RFC 9112 §7.1.2) are parsed, counted against
``max_header_bytes`` and dropped: they never reach the request's headers.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from typing import Protocol, cast

import httptools

from authgate.http1.body_queue import BodyQueue
from authgate.http1.framing import BODY_LENGTH, BODY_NONE, FramingError, request_framing
from authgate.proxy.server.app import App
from authgate.proxy.server.client_socket import ClientSocket
from authgate.proxy.server.exchange import DRAIN_LIMIT, Exchange
from authgate.proxy.server.limits import ServerLimits

__all__ = ["ClientBodyError", "ConnectionTracker", "HttpConnection"]

logger = logging.getLogger("authgate.proxy")

MAX_PIPELINED = 16
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"


class ClientBodyError(Exception):
    """The request body could not be read: bad framing, timeout or a client that left."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class ConnectionTracker(Protocol):
    """What a connection tells its server about its life (for draining)."""

    def connection_opened(self, conn: HttpConnection) -> None: ...
    def connection_closed(self, conn: HttpConnection) -> None: ...


class _TooLarge(Exception):
    pass


class HttpConnection(ClientSocket):
    """One client connection."""

    def __init__(
        self, app: App, settings: ServerLimits, tracker: ConnectionTracker, scheme: str = "http"
    ) -> None:
        super().__init__(settings.send_timeout, scheme)
        self._handle = app.handle
        self._settings = settings
        self._tracker = tracker
        self._parser = httptools.HttpRequestParser(self)
        self._active: Exchange | None = None
        self._task: asyncio.Task[None] | None = None
        self._wakeup: asyncio.Future[None] | None = None
        self._pending: deque[Exchange] = deque()
        self._pipeline_paused = False
        self._parsing: Exchange | None = None
        self._discard_until = -1
        self._broken = False
        self._url = b""
        self._headers: list[tuple[str, str]] = []
        self._head_bytes = 0
        self._in_head = False
        self._head_started = 0.0
        self._idle_since = 0.0
        self._timer: asyncio.TimerHandle | None = None

    # -- asyncio.Protocol ---------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport = cast(asyncio.Transport, transport)
        peer = transport.get_extra_info("peername")
        self.peer_ip = peer[0] if peer else ""
        local = transport.get_extra_info("sockname")
        self.server_port = local[1] if local else 0
        self.port_text = str(self.server_port)
        transport.set_write_buffer_limits(high=256 * 1024)
        self._idle_since = self._loop.time()
        self._arm_timer(self._settings.keepalive_timeout)
        self._tracker.connection_opened(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closing = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._parsing is not None and self._parsing.body is not None:
            self._parsing.body.fail(ClientBodyError(400, "client closed the connection"))
        self._writer_gone()
        if self.on_lost is not None:
            self.on_lost()
        waiter = self._wakeup
        if waiter is not None and not waiter.done():
            waiter.set_result(None)  # the serving task sees ``closing`` and ends
        self._tracker.connection_closed(self)

    def data_received(self, data: bytes) -> None:
        self._last_read = self._loop.time()
        if self.tunnel_sink is not None:
            self.tunnel_sink(data)
            return
        if self._broken:
            return
        upgrading = self._parsing_upgrade_buffer()
        if upgrading is not None:
            upgrading += data
            return
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade as upgrade:
            self._on_upgrade(data[upgrade.args[0] :])
        except httptools.HttpParserCallbackError as error:
            cause = error.__context__
            if isinstance(cause, FramingError):
                self._parse_failed(cause.status, cause.message)
            elif isinstance(cause, _TooLarge):
                self._parse_failed(431, "Request header fields too large")
            else:
                logger.error("request parser callback failed", exc_info=cause)
                self._parse_failed(400, "Bad request")
        except httptools.HttpParserError as error:
            self._parse_failed(400, f"Bad request: {error}")

    def eof_received(self) -> bool | None:
        if self._parsing is not None and self._parsing.body is not None:
            self._parsing.body.fail(ClientBodyError(400, "client closed the connection"))
        # Keep the write side open while a response is still being produced.
        return self._active is not None

    # -- parser callbacks ----------------------------------------------------------------
    def on_message_begin(self) -> None:
        self._url = b""
        self._headers = []
        self._head_bytes = 0
        self._in_head = True
        self._head_started = self._loop.time()
        self._ensure_timer_by(self._head_started + self._settings.client_header_timeout)

    def on_url(self, url: bytes) -> None:
        self._url += url
        self._head_bytes += len(url)
        if self._head_bytes > self._settings.max_header_bytes:
            raise _TooLarge

    def on_header(self, name: bytes, value: bytes) -> None:
        self._head_bytes += len(name) + len(value) + 4
        if not self._in_head:
            # A trailer field: never merged into the headers, only counted.
            if self._head_bytes > self._settings.max_header_bytes:
                raise FramingError(400, "Bad request: trailer section too large")
            return
        if (
            self._head_bytes > self._settings.max_header_bytes
            or len(self._headers) >= self._settings.max_headers_count
        ):
            raise _TooLarge
        self._headers.append((name.decode("latin-1").lower(), value.decode("latin-1")))

    def on_headers_complete(self) -> None:
        self._in_head = False
        parser = self._parser
        version = parser.get_http_version()
        framing = request_framing(version, self._headers)
        kind = framing.kind
        method = parser.get_method().decode("ascii", "replace")
        upgrade = bool(parser.should_upgrade())
        if method == "CONNECT":
            raise FramingError(405, "CONNECT is not supported")
        self._head_bytes = 0  # from here on it counts trailer bytes
        body = None
        if kind != BODY_NONE:
            expect = version == "1.1" and any(
                k == "expect" and v.lower() == "100-continue" for k, v in self._headers
            )
            body = BodyQueue(self._pause, self._resume, self._send_continue if expect else None)
            self._ensure_timer_by(self._loop.time() + self._settings.client_body_timeout)
        exchange = Exchange(
            self,
            method,
            self._url.decode("latin-1"),
            version,
            self._headers,
            bool(parser.should_keep_alive()),
            body,
            upgrade,
            self._head_started,
        )
        exchange.host = framing.host
        exchange.connection = framing.connection
        if kind == BODY_LENGTH:
            exchange.content_length = framing.length
        self._parsing = exchange
        self._enqueue(exchange)

    def on_body(self, data: bytes) -> None:
        exchange = self._parsing
        if exchange is not None and exchange.body is not None:
            exchange.body.feed(data)
            if self._discard_until >= 0 and exchange.body.received > self._discard_until:
                self._discard_until = -1
                self._broken = True
                self.close()

    def on_message_complete(self) -> None:
        exchange = self._parsing
        self._parsing = None
        if exchange is not None and exchange.body is not None:
            exchange.body.finish()
        if self._discard_until >= 0:
            # The unread body of an answered request is gone: ready for the next request.
            self._discard_until = -1
            self._idle_since = self._loop.time()

    # -- request sequencing --------------------------------------------------------------
    def _parsing_upgrade_buffer(self) -> bytearray | None:
        last = self._pending[-1] if self._pending else self._active
        if last is not None and last.tunnel_buffer is not None:
            return last.tunnel_buffer
        return None

    def _on_upgrade(self, rest: bytes) -> None:
        last = self._pending[-1] if self._pending else self._active
        if last is not None and last.tunnel_buffer is not None:
            last.tunnel_buffer += rest
            self._pause()  # nothing more is read until the tunnel (or a refusal) decides

    def _enqueue(self, exchange: Exchange) -> None:
        if self._active is None:
            self._active = exchange
            waiter = self._wakeup
            if waiter is not None:
                self._wakeup = None
                waiter.set_result(None)
            elif self._task is None:
                self._task = self._loop.create_task(self._serve())
            return
        self._pending.append(exchange)
        if len(self._pending) >= MAX_PIPELINED and not self._pipeline_paused:
            self._pipeline_paused = True
            self._pause()

    async def _serve(self) -> None:
        """Run the app for each request in turn: one task per connection, not per request."""
        try:
            while not self.closing:
                exchange = self._active
                if exchange is None:
                    waiter = self._wakeup = self._loop.create_future()
                    await waiter
                    continue
                try:
                    await self._handle(exchange)
                except Exception:
                    logger.exception("request handler failed")
                    exchange.close_after = True
                except BaseException:
                    self.close()
                    raise
                self._finished(exchange)
        finally:
            self._task = self._wakeup = None

    def _parse_failed(self, status: int, message: str) -> None:
        self._broken = True
        self._in_head = False
        parsing = self._parsing
        if parsing is not None and parsing.body is not None:
            parsing.body.fail(ClientBodyError(status, message))
            if self._discard_until >= 0:
                self.close()  # nobody is answering: the body was only being discarded
            return
        exchange = Exchange(self, "GET", "/", "1.1", [], False, None, False, self._loop.time())
        exchange.error = (status, message)
        self._enqueue(exchange)

    def _finished(self, exchange: Exchange) -> None:
        """Tidy up after ``exchange``; make the next pipelined request the active one."""
        self._active = None
        body = exchange.body
        reusable = (
            exchange.finished
            and not exchange.close_after
            and exchange.tunnel_buffer is None
            and not (self._broken and not self._pending)
        )
        if body is not None:
            if reusable and not body.done:
                self._discard_rest(exchange, body)
            else:
                body.release()
        if not reusable or self.transport is None or self.draining:
            self.close()
            return
        self._idle_since = self._loop.time()
        if self._pending:
            self._active = self._pending.popleft()
            if self._pipeline_paused and len(self._pending) < MAX_PIPELINED // 2:
                self._pipeline_paused = False
                self._resume()

    def _discard_rest(self, exchange: Exchange, body: BodyQueue) -> None:
        """Read and drop the rest of an answered request's body (RFC 9112 §9.3)."""
        length = exchange.content_length
        self._discard_until = body.received + DRAIN_LIMIT if length is None else length
        body.discard()

    # -- output ------------------------------------------------------------------------
    def _send_continue(self) -> None:
        exchange = self._active
        body = exchange.body if exchange is not None else None
        if exchange is not None and not exchange.head_sent and body is not None and not body.done:
            self.write(CONTINUE)

    @property
    def idle(self) -> bool:
        """No request in progress or queued and nothing half-received."""
        return (
            self._active is None
            and not self._pending
            and not self._in_head
            and self._discard_until < 0
        )

    # -- timeouts -------------------------------------------------------------------------
    def _arm_timer(self, delay: float) -> None:
        self._timer = self._loop.call_later(max(delay, 0.01), self._on_timer)

    def _ensure_timer_by(self, deadline: float) -> None:
        timer = self._timer
        if timer is None or timer.when() > deadline:
            if timer is not None:
                timer.cancel()
            self._arm_timer(deadline - self._loop.time())

    def _on_timer(self) -> None:
        self._timer = None
        if self.closing:
            return
        now = self._loop.time()
        settings = self._settings
        if self._in_head:
            deadline = self._head_started + settings.client_header_timeout
            if now >= deadline:
                self._parse_failed(408, "Request timeout")
                self._in_head = False
                self._pause()
                return
        elif self._parsing is not None and self._parsing.body is not None:
            deadline = self._last_read + settings.client_body_timeout
            if self._pause_count:
                deadline = now + settings.client_body_timeout
            elif now >= deadline:
                self._parsing.body.fail(ClientBodyError(408, "Request timeout"))
                self._broken = True
                if self._discard_until >= 0:
                    self.close()  # nobody is answering: the body was only being discarded
                return
        elif self._active is None and not self._pending and self.tunnel_sink is None:
            deadline = self._idle_since + settings.keepalive_timeout
            if now >= deadline:
                self.close()
                return
        else:
            deadline = now + min(settings.client_header_timeout, settings.keepalive_timeout)
        self._arm_timer(deadline - now)
