"""Responses that finish before the request body was read (RFC 9112 §9.3, RFC 9110 §15.5.14):
small leftovers are read and discarded so the connection lives on; an upstream's early answer
(413, 401) is relayed, also when it closes the connection afterwards. Trailers are dropped."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import pytest

from authgate.testing.in_process import Gateway, running_gateway, upstream_config
from authgate.testing.raw_client import RawClient, parse_responses, send_raw
from authgate.testing.raw_upstream import RawUpstream, Reply

NEXT = b"GET /only HTTP/1.1\r\nHost: x\r\n\r\n"


def _config(port: int, paths: str = "[/only]") -> str:
    return upstream_config(port, f"{{name: r, paths: {paths}, strip_path: false}}")


@pytest.fixture
async def gateway(echo_port: int) -> AsyncIterator[Gateway]:
    async with running_gateway(_config(echo_port)) as gw:
        yield gw


async def _answered_before_body(gw: Gateway, head: bytes) -> RawClient:
    """Send only a request head to an unrouted path and read the gateway's 404."""
    client = await RawClient.connect(gw.port)
    await client.send(head)
    [response] = await client.read_responses(1)
    assert response.status == 404
    return client


@pytest.mark.parametrize(
    ("head", "rest"),
    [
        (b"POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 10000\r\n\r\n", b"a" * 10000),
        (
            b"POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
            b"1000\r\n" + b"b" * 4096 + b"\r\n0\r\nX-T: 1\r\n\r\n",
        ),
    ],
    ids=["content-length", "chunked"],
)
async def test_small_unread_body_is_discarded_and_the_connection_serves_the_next_request(
    gateway: Gateway, head: bytes, rest: bytes
) -> None:
    client = await _answered_before_body(gateway, head)
    try:
        assert client.buffer.lower().count(b"connection: close") == 0
        await client.send(rest + NEXT)
        responses = await client.read_responses(2)
        assert responses[1].status == 200
        assert responses[1].json()["path"] == "/only"  # type: ignore[index]
    finally:
        client.close()


async def test_large_unread_body_closes_the_connection(gateway: Gateway) -> None:
    head = f"POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: {1 << 20}\r\n\r\n".encode()
    client = await _answered_before_body(gateway, head)
    try:
        assert b"connection: close" in client.buffer.lower()
        assert await client.closed()
    finally:
        client.close()


async def test_unread_chunked_body_beyond_the_discard_limit_closes_the_connection(
    gateway: Gateway,
) -> None:
    head = b"POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    client = await _answered_before_body(gateway, head)
    try:
        piece = b"8000\r\n" + b"c" * 0x8000 + b"\r\n"
        try:
            for _ in range(8):
                await client.send(piece)
            await client.send(b"0\r\n\r\n" + NEXT)
        except ConnectionError:
            pass  # the gateway may close while we are still sending
        assert await client.closed()
        assert len(parse_responses(client.buffer)) == 1
    finally:
        client.close()


@dataclass
class EarlyUpstream:
    """Answers as soon as a request head arrives, before reading any body."""

    answer: bytes
    then_close: bool
    read_body: bool = False
    connections: int = 0
    heads: list[bytes] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)
    server: asyncio.Server | None = None
    _held: list[asyncio.StreamWriter] = field(default_factory=list)

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port: int = self.server.sockets[0].getsockname()[1]
        return port

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.heads.append(await reader.readuntil(b"\r\n\r\n"))
        writer.write(self.answer)
        await writer.drain()
        if self.read_body:  # a full-duplex upstream: answers first, then reads everything
            length = int(self.heads[-1].lower().split(b"content-length: ")[1].split(b"\r\n")[0])
            self.bodies.append(await reader.readexactly(length))
        if self.then_close:
            writer.close()
        else:
            self._held.append(writer)  # keeps the connection open and never reads the body

    def close(self) -> None:
        for writer in self._held:
            writer.close()
        if self.server is not None:
            self.server.close()


@asynccontextmanager
async def _early(
    answer: bytes, then_close: bool, read_body: bool = False
) -> AsyncIterator[tuple[EarlyUpstream, Gateway]]:
    """An :class:`EarlyUpstream` and a gateway in front of it, both shut on the way out."""
    upstream = EarlyUpstream(answer, then_close, read_body)
    port = await upstream.start()
    try:
        async with running_gateway(_config(port, "[/]")) as gw:
            yield upstream, gw
    finally:
        upstream.close()


EARLY = [
    (
        b"HTTP/1.1 413 Payload Too Large\r\nContent-Length: 7\r\nConnection: close\r\n\r\ntoo big",
        True,
    ),
    (b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 4\r\n\r\nnope", False),
]


@pytest.mark.parametrize(("answer", "then_close"), EARLY, ids=["413 then close", "401 kept open"])
async def test_early_upstream_answer_is_relayed_instead_of_a_502(
    answer: bytes, then_close: bool
) -> None:
    async with _early(answer, then_close) as (_, gw):
        client = await RawClient.connect(gw.port)
        await client.send(
            b"PUT /up HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n" + b"d" * 1000
        )
        [response] = await client.read_responses(1)
        status = int(answer.split(b" ")[1])
        assert response.status == status
        assert response.body == answer.split(b"\r\n\r\n")[1]
        assert response.header("connection") == "close"  # most of the body is still unread
        client.close()
        assert gw.records[-1].status == status
        assert gw.records[-1].upstream_error is None


async def test_upstream_connection_that_answered_early_is_not_reused() -> None:
    async with _early(EARLY[1][0], then_close=False) as (upstream, gw):
        for _ in range(2):
            client = await RawClient.connect(gw.port)
            await client.send(
                b"PUT /up HTTP/1.1\r\nHost: x\r\nContent-Length: 20000\r\n\r\n" + b"e" * 100
            )
            [response] = await client.read_responses(1)
            assert response.status == 401
            client.close()
        assert upstream.connections == 2


async def test_early_success_answer_still_receives_the_whole_body() -> None:
    ok = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    async with _early(ok, then_close=False, read_body=True) as (upstream, gw):
        client = await RawClient.connect(gw.port)
        await client.send(b"PUT /up HTTP/1.1\r\nHost: x\r\nContent-Length: 300000\r\n\r\n")
        await client.send(b"f" * 300000)
        [response] = await client.read_responses(1)
        assert response.status == 200
        assert response.header("connection") is None
        assert upstream.bodies == [b"f" * 300000]
        client.close()


def _script(reply: bytes) -> Callable[[object], Reply]:
    return lambda request: Reply(reply)


async def test_trailers_are_dropped_both_ways() -> None:
    reply = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"2\r\nok\r\n0\r\nX-Upstream-Trailer: 1\r\n\r\n"
    )
    async with (
        RawUpstream(_script(reply)) as upstream,
        running_gateway(_config(upstream.port, "[/]")) as gw,
    ):
        request = (
            b"POST /t HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n"
            b"\r\n3\r\nabc\r\n0\r\nX-Client-Trailer: 1\r\n\r\n"
        )
        [response] = await send_raw(gw.port, request)
        assert response.status == 200
        assert response.body == b"ok"
        assert response.header("x-upstream-trailer") is None
        [seen] = upstream.requests
        assert seen.body == b"abc"
        assert seen.header("x-client-trailer") is None


async def test_oversized_trailer_section_is_rejected(gateway: Gateway) -> None:
    trailer = b"X-Pad: " + b"p" * 40000 + b"\r\n"
    request = (
        b"POST /only HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"1\r\na\r\n0\r\n" + trailer + b"\r\n"
    )
    [response] = await send_raw(gateway.port, request)
    assert response.status == 400
