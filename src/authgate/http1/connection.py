"""RFC 9112 client side: one connection to a server, responses parsed with httptools (llhttp).

:class:`UpstreamConnection` sends one request at a time and parses the response head strictly
(bad framing -> 502; more than ``MAX_RESPONSE_HEAD`` bytes or ``MAX_RESPONSE_HEADERS`` fields
-> 502) and its body with back-pressure (:class:`~authgate.http1.body_queue.BodyQueue`). Header
fields are kept as a list of pairs, duplicates included. :mod:`authgate.http1.pool` keeps idle
ones for reuse. Trailer
fields of chunked responses are dropped. One parser and one read-timeout timer serve every
request of a kept-alive connection.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import cast

import httptools

from authgate.http1.back_pressure import WriteBackPressure
from authgate.http1.body_queue import BodyQueue
from authgate.http1.errors import UpstreamError
from authgate.http1.framing import (
    BODY_NONE,
    BODY_UNTIL_CLOSE,
    FramingError,
    response_framing,
)

__all__ = ["UpstreamConnection", "UpstreamResponse"]

MAX_RESPONSE_HEAD = 64 * 1024
MAX_RESPONSE_HEADERS = 200
Informational = Callable[[int, list[tuple[str, str]]], None]


class UpstreamResponse:
    """The head of an upstream response and its body.

    ``whole`` is the entire body when it came in the same read as the head (``b""`` when
    there is none); otherwise ``body`` streams it.
    """

    __slots__ = (
        "body",
        "body_kind",
        "headers",
        "keep_alive",
        "length",
        "status",
        "version",
        "whole",
    )

    def __init__(
        self,
        status: int,
        version: str,
        headers: list[tuple[str, str]],
        body_kind: int,
        length: int,
        keep_alive: bool,
        body: BodyQueue | None = None,
    ) -> None:
        self.status = status
        self.version = version
        self.headers = headers
        self.body_kind = body_kind
        self.length = length
        self.keep_alive = keep_alive
        self.body = body
        self.whole: bytes | None = b"" if body_kind == BODY_NONE else None


class UpstreamConnection(WriteBackPressure):
    """One connection to an upstream; one request/response at a time."""

    def __init__(self, key: tuple[str, int, bool]) -> None:
        self.key = key
        self._loop = asyncio.get_running_loop()
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.reused = False
        self.idle_since = 0.0
        self.write_paused = False
        self.tunnel_sink: Callable[[bytes], None] | None = None
        self.tunnel_buffer = b""
        self.on_lost: Callable[[], None] | None = None
        self.on_writable: Callable[[bool], None] | None = None
        self.on_answer: Callable[[], None] | None = None
        self.request_incomplete = False
        self.started = False
        self._drain_waiter: asyncio.Future[None] | None = None
        self._parser: httptools.HttpResponseParser | None = None
        self._parser_reusable = False
        self._in_head = False
        self._head_waiter: asyncio.Future[UpstreamResponse] | None = None
        self._head: asyncio.Future[UpstreamResponse] | None = None
        self._response: UpstreamResponse | None = None
        self._complete = False
        self._head_request = False
        self._headers: list[tuple[str, str]] = []
        self._parts: list[bytes] = []
        self._head_bytes = 0
        self._informational: Informational | None = None
        self._read_timeout = 60.0
        self._last_activity = 0.0
        self._timer: asyncio.TimerHandle | None = None
        self._reading_paused = False

    # -- asyncio.Protocol ---------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport = cast(asyncio.Transport, transport)
        transport.set_write_buffer_limits(high=256 * 1024)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._stop_timer()
        if self._response is not None and self._response.body is not None:
            if self._response.body_kind == BODY_UNTIL_CLOSE and exc is None:
                self._complete = True
                self._response.body.finish()
            else:
                self._response.body.fail(UpstreamError("reset", 502, "upstream closed mid-body"))
        self._fail_head(UpstreamError("reset", 502, "upstream closed the connection"))
        waiter = self._drain_waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(UpstreamError("reset", 502, "upstream closed the connection"))
        if self.on_lost is not None:
            self.on_lost()

    def eof_received(self) -> bool | None:
        return False

    def data_received(self, data: bytes) -> None:
        self._last_activity = self._loop.time()
        if self.tunnel_sink is not None:
            self.tunnel_sink(data)
            return
        parser = self._parser
        if parser is None or self._complete:
            # Bytes nobody asked for: this connection is out of sync.
            self.abort()
            return
        try:
            parser.feed_data(data)
        except httptools.HttpParserUpgrade as upgrade:
            self._deliver_head()
            self._parser_reusable = False
            self.tunnel_buffer = data[upgrade.args[0] :]
            self._pause_reading()
        except httptools.HttpParserError as error:
            self._deliver_head()
            self._parser_reusable = False
            cause = error.__context__
            if self._complete and self._response is not None:
                self.abort()
                return
            detail = cause.message if isinstance(cause, FramingError) else str(error)
            self._protocol_error(detail)
        else:
            self._deliver_head()

    # -- parser callbacks ----------------------------------------------------------------
    def on_message_begin(self) -> None:
        if self._complete:
            raise FramingError(502, "upstream sent more than one response")
        self._headers = []
        self._head_bytes = 0
        self._in_head = True
        self.started = True

    def on_status(self, status: bytes) -> None:
        self._head_bytes += len(status)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._head_bytes += len(name) + len(value) + 4
        if self._head_bytes > MAX_RESPONSE_HEAD or len(self._headers) >= MAX_RESPONSE_HEADERS:
            raise FramingError(502, "upstream response head too large")
        if self._in_head:
            self._headers.append((name.decode("latin-1").lower(), value.decode("latin-1")))

    def on_headers_complete(self) -> None:
        self._in_head = False
        parser = self._parser
        assert parser is not None
        status = parser.get_status_code()
        version = parser.get_http_version()
        if 100 <= status < 200 and status != 101:
            if self._informational is not None:
                self._informational(status, self._headers)
            return
        kind, length = response_framing(version, status, self._headers, self._head_request)
        response = UpstreamResponse(
            status, version, self._headers, kind, length, bool(parser.should_keep_alive())
        )
        self._response = response
        self._parts = []
        if kind == BODY_NONE and status != 101:
            self._complete = True
        # The head waiter is resolved once this read is parsed: see _deliver_head.
        if self.on_answer is not None and self.refused:
            self.on_answer()
            self._wake_drain()

    def on_body(self, data: bytes) -> None:
        response = self._response
        if response is not None and not self._complete:
            if response.body is not None:
                response.body.feed(data)
            else:
                self._parts.append(data)

    def on_message_complete(self) -> None:
        response = self._response
        if response is None:
            return  # the end of a 1xx
        if not self._complete:
            self._complete = True
            if response.body is not None:
                response.body.finish()

    # -- one request/response ------------------------------------------------------------
    def begin(self, head_request: bool, read_timeout: float, informational: Informational) -> None:
        """Prepare for the response to the request about to be written."""
        if not self._parser_reusable:
            self._parser = httptools.HttpResponseParser(self)
        # llhttp can't be told that a response answers HEAD: a fresh parser after those.
        self._parser_reusable = not head_request
        self._response = None
        self._complete = False
        self._head_request = head_request
        self._informational = informational
        self._read_timeout = read_timeout
        self.request_incomplete = False
        self.started = False
        now = self._last_activity = self._loop.time()
        self._head_waiter = self._head = self._loop.create_future()
        timer = self._timer
        if timer is None or timer.when() > now + read_timeout:
            if timer is not None:
                timer.cancel()
            self._timer = self._loop.call_later(read_timeout, self._on_timer)

    def loop_time(self) -> float:
        """The event loop's clock (what ``idle_since`` is measured in)."""
        return self._loop.time()

    @property
    def answered(self) -> bool:
        """The final response head (status >= 200) has arrived."""
        return self._response is not None

    @property
    def refused(self) -> bool:
        """The upstream answered with an error or ``Connection: close``: it wants no more body.

        RFC 9110 §9.3 / 9112 §9.3: a client seeing such a response while it sends a body
        should stop sending. Other early answers (a full-duplex 200) keep receiving it.
        """
        response = self._response
        return response is not None and (response.status >= 400 or not response.keep_alive)

    def write(self, data: bytes) -> None:
        """Send request bytes."""
        if self.closed or self.transport is None:
            raise UpstreamError("reset", 502, "upstream closed the connection")
        self._last_activity = self._loop.time()
        self.transport.write(data)

    async def drain(self, write_timeout: float) -> None:
        """Wait while the upstream is not reading (write timeout -> 504)."""
        if not self.write_paused:
            return
        waiter = self._drain_waiter
        if waiter is None:
            waiter = self._drain_waiter = self._loop.create_future()
        try:
            await asyncio.wait_for(asyncio.shield(waiter), write_timeout)
        except TimeoutError:
            self.abort()
            raise UpstreamError("timeout", 504, "upstream write timeout") from None

    def response_head(self) -> asyncio.Future[UpstreamResponse]:
        """Await it for the response status and headers (read timeout -> 504).

        The future :meth:`begin` made, not a coroutine: awaiting it directly saves a
        coroutine per request.
        """
        assert self._head is not None
        return self._head

    @property
    def reusable(self) -> bool:
        """The last response was read completely and the upstream keeps the connection."""
        response = self._response
        return (
            not self.closed
            and self._complete
            and not self.request_incomplete
            and response is not None
            and response.keep_alive
            and response.status != 101
            and self.tunnel_sink is None
        )

    def abort(self) -> None:
        """Drop the connection."""
        self.closed = True
        self._stop_timer()
        if self.transport is not None:
            self.transport.abort()

    def resume_after_tunnel(self) -> None:
        """Start reading again once a tunnel has taken over."""
        if self.transport is not None:
            self.transport.resume_reading()

    # -- internals ------------------------------------------------------------------------
    def _pause_reading(self) -> None:
        self._reading_paused = True
        if self.transport is not None and not self.closed:
            self.transport.pause_reading()

    def _resume_reading(self) -> None:
        self._reading_paused = False
        if self.transport is not None and not self.closed:
            self._last_activity = self._loop.time()
            self.transport.resume_reading()

    def _deliver_head(self) -> None:
        """Hand the parsed head to its waiter, with the body whole or as a BodyQueue."""
        response = self._response
        waiter = self._head_waiter
        if response is None or waiter is None:
            return
        self._head_waiter = None
        parts = self._parts
        self._parts = []
        if response.body_kind != BODY_NONE:
            if self._complete:
                response.whole = parts[0] if len(parts) == 1 else b"".join(parts)
            else:
                body = response.body = BodyQueue(self._pause_reading, self._resume_reading)
                for part in parts:
                    body.feed(part)
        if not waiter.done():
            waiter.set_result(response)

    def _wake_drain(self) -> None:
        waiter = self._drain_waiter
        if waiter is not None:
            self._drain_waiter = None
            if not waiter.done():
                waiter.set_result(None)

    def _fail_head(self, error: UpstreamError) -> None:
        waiter = self._head_waiter
        self._head_waiter = None
        if waiter is not None and not waiter.done():
            waiter.set_exception(error)

    def _protocol_error(self, detail: str) -> None:
        error = UpstreamError("invalid_response", 502, detail)
        self._fail_head(error)
        if self._response is not None and self._response.body is not None:
            self._response.body.fail(error)
        self.abort()

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _on_timer(self) -> None:
        # One timer per connection, re-armed here rather than per request; it lapses while
        # the connection is idle and begin() arms it again.
        self._timer = None
        if self.closed or self._complete or self.tunnel_sink is not None:
            return
        now = self._loop.time()
        body = self._response.body if self._response is not None else None
        deadline = self._last_activity + self._read_timeout
        if now < deadline or self._reading_paused:
            self._timer = self._loop.call_later(max(deadline - now, 0.01), self._on_timer)
            return
        error = UpstreamError("timeout", 504, "upstream read timeout")
        self._fail_head(error)
        if body is not None:
            body.fail(error)
        self.abort()
