"""A scriptable upstream on a real socket: parses requests with httptools, answers raw bytes.

Used for upstream behaviour the echo service can't produce (bad framing, resets, 1xx) and
to count exactly what reached the upstream.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field

import httptools

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


@dataclass
class SeenRequest:
    method: str
    target: str
    headers: list[tuple[str, str]]
    body: bytes = b""

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key == name:
                return value
        return None


@dataclass
class Reply:
    data: bytes = OK
    then: str = "keep"  # keep | close | abort
    hold: asyncio.Event | None = None  # answer only once this is set


Script = Callable[[SeenRequest], Reply]


@dataclass
class RawUpstream:
    script: Script = field(default=lambda request: Reply())
    requests: list[SeenRequest] = field(default_factory=list)
    connections: int = 0
    server: asyncio.Server | None = None

    async def start(self, tls: ssl.SSLContext | None = None) -> int:
        loop = asyncio.get_running_loop()
        self.server = await loop.create_server(lambda: _Conn(self), "127.0.0.1", 0, ssl=tls)
        return self.port

    @property
    def port(self) -> int:
        assert self.server is not None, "the upstream is not started"
        port: int = self.server.sockets[0].getsockname()[1]
        return port

    def close(self) -> None:
        if self.server is not None:
            self.server.close()

    async def __aenter__(self) -> RawUpstream:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.close()


class _Conn(asyncio.Protocol):
    def __init__(self, upstream: RawUpstream) -> None:
        self.upstream = upstream
        self.parser = httptools.HttpRequestParser(self)
        self.transport: asyncio.Transport | None = None
        self.current: SeenRequest | None = None
        self.url = b""
        self._held: asyncio.Task[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.upstream.connections += 1

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            pass
        except httptools.HttpParserError:
            assert self.transport is not None
            self.transport.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            self.transport.close()

    def on_message_begin(self) -> None:
        self.url = b""
        self.current = SeenRequest("", "", [])

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        assert self.current is not None
        self.current.headers.append((name.decode("latin-1").lower(), value.decode("latin-1")))

    def on_headers_complete(self) -> None:
        assert self.current is not None
        self.current.method = self.parser.get_method().decode()
        self.current.target = self.url.decode("latin-1")

    def on_body(self, body: bytes) -> None:
        assert self.current is not None
        self.current.body += body

    def on_message_complete(self) -> None:
        assert self.current is not None
        assert self.transport is not None
        self.upstream.requests.append(self.current)
        reply = self.upstream.script(self.current)
        if reply.hold is None:
            self._answer(reply)
        else:
            self._held = asyncio.get_running_loop().create_task(self._answer_later(reply))

    async def _answer_later(self, reply: Reply) -> None:
        assert reply.hold is not None
        await reply.hold.wait()
        self._answer(reply)

    def _answer(self, reply: Reply) -> None:
        assert self.transport is not None
        self.transport.write(reply.data)
        if reply.then == "close":
            self.transport.close()
        elif reply.then == "abort":
            self.transport.abort()
