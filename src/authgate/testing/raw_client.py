"""Raw HTTP/1.1 on a socket for tests: send exact bytes, parse what comes back with httptools."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

import httptools
import orjson


@dataclass
class RawResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes = b""
    complete: bool = False

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key == name.lower():
                return value
        return None

    def header_all(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k == name.lower()]

    def json(self) -> object:
        return orjson.loads(self.body)


@dataclass
class _Collector:
    head_request: bool = False
    responses: list[RawResponse] = field(default_factory=list)
    parser: httptools.HttpResponseParser | None = None
    _headers: list[tuple[str, str]] = field(default_factory=list)
    _body: bytearray = field(default_factory=bytearray)

    def on_message_begin(self) -> None:
        self._headers = []
        self._body = bytearray()

    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers.append((name.decode("latin-1").lower(), value.decode("latin-1")))

    def on_headers_complete(self) -> None:
        assert self.parser is not None
        status = self.parser.get_status_code()
        self.responses.append(RawResponse(status, self._headers))

    def on_body(self, body: bytes) -> None:
        self._body += body

    def on_message_complete(self) -> None:
        self.responses[-1].body = bytes(self._body)
        self.responses[-1].complete = True


def parse_responses(data: bytes) -> list[RawResponse]:
    """Every response in ``data`` (a close-delimited last body counts as complete)."""
    collector = _Collector()
    collector.parser = httptools.HttpResponseParser(collector)
    with contextlib.suppress(httptools.HttpParserUpgrade):
        collector.parser.feed_data(data)
    if collector.responses and not collector.responses[-1].complete:
        collector.responses[-1].body = bytes(collector._body)
    return collector.responses


async def exchange_raw(port: int, payload: bytes, timeout: float = 5.0) -> bytes:
    """Send ``payload``, half-close, and read until the gateway closes."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(payload)
        await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()
        return await asyncio.wait_for(reader.read(), timeout)
    finally:
        writer.close()


async def send_raw(port: int, payload: bytes, timeout: float = 5.0) -> list[RawResponse]:
    """Send ``payload`` and parse every response until the connection closes."""
    return parse_responses(await exchange_raw(port, payload, timeout))


async def send_get(port: int, target: str, headers: str = "", host: str = "x") -> RawResponse:
    """One ``GET target`` on its own connection; ``headers`` are whole CRLF-ended lines."""
    request = f"GET {target} HTTP/1.1\r\nHost: {host}\r\n{headers}Connection: close\r\n\r\n"
    [response] = await send_raw(port, request.encode())
    return response


class RawClient:
    """A kept-open connection for keep-alive and pipelining tests."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.buffer = b""

    @classmethod
    async def connect(cls, port: int) -> RawClient:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        return cls(reader, writer)

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def read_responses(self, count: int, timeout: float = 5.0) -> list[RawResponse]:
        """Read until ``count`` complete responses arrived."""

        async def loop() -> list[RawResponse]:
            while True:
                responses = parse_responses(self.buffer)
                if len([r for r in responses if r.complete]) >= count:
                    return responses
                chunk = await self.reader.read(65536)
                if not chunk:
                    return responses
                self.buffer += chunk

        return await asyncio.wait_for(loop(), timeout)

    async def closed(self, timeout: float = 5.0) -> bool:
        """True when the gateway closed the connection (after any pending bytes)."""

        async def loop() -> bool:
            while True:
                chunk = await self.reader.read(65536)
                if not chunk:
                    return True
                self.buffer += chunk

        try:
            return await asyncio.wait_for(loop(), timeout)
        except (ConnectionResetError, BrokenPipeError):
            return True

    def close(self) -> None:
        self.writer.close()
