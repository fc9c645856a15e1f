"""One request and its response on a client connection: the interface between the HTTP/1.1
server core (:mod:`authgate.proxy.server.connection`) and the app it runs (the proxy's is
:mod:`authgate.proxy.app`).

RFC 9112 §6 and §9: the exchange decides the response framing (Content-Length, chunked or
close-delimited) from what the handler knows about the body and what the client speaks, and
whether the connection survives a response sent before the request body was read (§9.3:
a small rest is read and discarded, a large one closes the connection).
"""

from __future__ import annotations

import time

from authgate.http1.body_queue import BodyQueue
from authgate.http1.framing import LAST_CHUNK, chunk, encode_fields, encode_head, status_line
from authgate.proxy.server.client_socket import ClientDisconnected, ClientSocket

__all__ = ["DRAIN_LIMIT", "ClientDisconnected", "Exchange"]

DRAIN_LIMIT = 64 * 1024
"""Unread request body bytes the connection reads and discards after an early response."""


class Exchange:
    """A parsed request (head + streaming body) and the methods to answer it."""

    __slots__ = (
        "_chunked",
        "_has_body",
        "body",
        "bytes_out",
        "close_after",
        "conn",
        "connection",
        "content_length",
        "error",
        "finished",
        "head_request",
        "head_sent",
        "headers",
        "host",
        "http_version",
        "keep_alive",
        "method",
        "started_at",
        "started_wall",
        "status",
        "target",
        "tunnel_buffer",
        "upgrade",
    )

    def __init__(
        self,
        conn: ClientSocket,
        method: str,
        target: str,
        http_version: str,
        headers: list[tuple[str, str]],
        keep_alive: bool,
        body: BodyQueue | None,
        upgrade: bool,
        started_at: float,
    ) -> None:
        self.conn = conn
        self.method = method
        self.target = target
        self.http_version = http_version
        self.headers = headers
        self.keep_alive = keep_alive
        self.body = body
        self.upgrade = upgrade
        self.host: str | None = None
        self.connection: str | None = None
        self.content_length: int | None = None
        self.started_at = started_at
        self.started_wall = time.time()
        self.head_request = method == "HEAD"
        self.error: tuple[int, str] | None = None
        self.tunnel_buffer: bytearray | None = bytearray() if upgrade else None
        self.head_sent = False
        self.finished = False
        self.close_after = False
        self.status = 0
        self.bytes_out = 0
        self._chunked = False
        self._has_body = True

    @property
    def peer_ip(self) -> str:
        """The address of the TCP peer."""
        return self.conn.peer_ip

    @property
    def server_port(self) -> int:
        """The local port the request arrived on."""
        return self.conn.server_port

    @property
    def scheme(self) -> str:
        """``http`` or ``https`` as seen by the listener."""
        return self.conn.scheme

    @property
    def body_bytes_in(self) -> int:
        """Request body bytes received so far."""
        return self.body.received if self.body is not None else 0

    @property
    def body_unread(self) -> bool:
        """Part of the request body has not arrived yet."""
        return self.body is not None and not self.body.done

    def send_informational(self, status: int, headers: list[tuple[str, str]]) -> None:
        """Forward a 1xx (other than 101) to an HTTP/1.1 client; dropped for HTTP/1.0."""
        if self.http_version == "1.1" and not self.head_sent:
            self.conn.write(encode_head(status_line(status), headers))

    def start_response(
        self,
        status: int,
        headers: list[tuple[str, str]],
        content_length: int | None,
        has_body: bool = True,
        complete_body: bytes | None = None,
    ) -> None:
        """Send the status line and headers.

        ``content_length`` None means "unknown": chunked for HTTP/1.1 clients, close-delimited
        for HTTP/1.0. ``has_body`` False (HEAD, 204, 304, 101) sends no body framing at all;
        a Content-Length already in ``headers`` is then left as the upstream sent it.
        ``complete_body`` is the whole body when it is already known: head, body and end
        then leave in one write (and the caller must not call :meth:`write`/:meth:`end`).
        """
        self.start_response_fields(
            status, encode_fields(headers), content_length, has_body, complete_body
        )

    def start_response_fields(
        self,
        status: int,
        fields: str,
        content_length: int | None,
        has_body: bool = True,
        complete_body: bytes | None = None,
    ) -> None:
        """:meth:`start_response` with the header fields already serialized.

        ``fields`` is ``name: value\\r\\n`` lines that must hold no other CR or LF.
        """
        if self.head_sent:
            raise RuntimeError("response already started")
        self.head_sent = True
        self.status = status
        self._has_body = has_body = (
            has_body and not self.head_request and status != 204 and status != 304
        )
        conn = self.conn
        if (
            not self.keep_alive
            or conn.closing
            or conn.draining
            or (self.body is not None and not self.body.done and not self._can_discard_body())
        ):
            self.close_after = True
        framing = ""
        if has_body:
            if content_length is not None:
                framing = f"content-length: {content_length}\r\n"
            elif self.http_version == "1.1":
                self._chunked = True
                framing = "transfer-encoding: chunked\r\n"
            else:
                self.close_after = True
        if status == 101:
            pass
        elif self.close_after:
            framing += "connection: close\r\n"
        elif self.http_version == "1.0":
            framing += "connection: keep-alive\r\n"
        head = f"{status_line(status)}{fields}{framing}\r\n".encode("latin-1", "replace")
        self.bytes_out += len(head)
        if complete_body is not None:
            if has_body and complete_body:
                self.bytes_out += len(complete_body)
                head += chunk(complete_body) + LAST_CHUNK if self._chunked else complete_body
            elif self._chunked:
                head += LAST_CHUNK
            self.finished = True
        conn.write(head)

    def _can_discard_body(self) -> bool:
        """Whether the unread rest of the request body is small enough to read and drop."""
        body = self.body
        if body is None or body.failed or body.continue_pending:
            # A client waiting for 100 Continue may never send the body it announced.
            return False
        length = self.content_length
        return length is None or length - body.received <= DRAIN_LIMIT

    def write(self, data: bytes) -> None:
        """Send body bytes (no-op for bodiless responses); raises ClientDisconnected."""
        if not data or not self._has_body:
            return
        self.bytes_out += len(data)
        self.conn.write(chunk(data) if self._chunked else data)

    async def drain(self) -> None:
        """Wait while the client's socket buffer is full (back-pressure)."""
        if self.conn.write_paused:
            await self.conn.wait_writable()

    def end(self) -> None:
        """The response is complete."""
        if self._chunked and self._has_body:
            self.conn.write(LAST_CHUNK)
        self.finished = True

    def respond(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        """A whole response at once."""
        self.start_response(status, headers, len(body), complete_body=body)

    def abort(self) -> None:
        """The response cannot be completed: close the connection so the client notices."""
        self.close_after = True
        self.conn.abort()
