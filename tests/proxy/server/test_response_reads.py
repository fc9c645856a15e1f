"""Upstream response bodies arrive whole with the head, or over several reads: both relay."""

from __future__ import annotations

import asyncio
from contextlib import closing

import pytest

from authgate.testing.in_process import running_gateway, upstream_config
from authgate.testing.raw_client import parse_responses

FRAMINGS = [
    pytest.param(b"Content-Length: 11\r\n\r\nfirst-", b"half!", "keep", id="content-length"),
    pytest.param(
        b"Transfer-Encoding: chunked\r\n\r\n6\r\nfirst-\r\n",
        b"5\r\nhalf!\r\n0\r\n\r\n",
        "keep",
        id="chunked",
    ),
    pytest.param(b"Connection: close\r\n\r\nfirst-", b"half!", "close", id="until-close"),
]


async def _read_until(reader: asyncio.StreamReader, marker: bytes) -> bytes:
    data = b""
    while marker not in data:
        more = await asyncio.wait_for(reader.read(65536), 5)
        assert more, f"connection closed before {marker!r}: {data!r}"
        data += more
    return data


@pytest.mark.parametrize(("head", "rest", "then"), FRAMINGS)
async def test_body_split_across_upstream_reads_streams_to_the_client(
    head: bytes, rest: bytes, then: str
) -> None:
    release = asyncio.Event()

    async def upstream(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        # The head and the first part of the body in one write, the rest only later.
        writer.write(b"HTTP/1.1 200 OK\r\nX-Up: 1\r\n" + head)
        await writer.drain()
        await release.wait()
        writer.write(rest)
        await writer.drain()
        if then == "close":
            writer.close()

    server = await asyncio.start_server(upstream, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    with closing(server):
        async with running_gateway(upstream_config(port)) as gw:
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", gw.port)
                writer.write(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                # relayed before the upstream sent the rest:
                seen = await _read_until(reader, b"first-")
                assert seen.startswith(b"HTTP/1.1 200 OK\r\n")
                assert b"\r\nx-up: 1\r\n" in seen.lower()
                release.set()
                # the gateway closes: Connection: close
                seen += await asyncio.wait_for(reader.read(), 5)
                [response] = parse_responses(seen)
                assert response.status == 200
                assert response.body == b"first-half!"
                writer.close()
            finally:
                release.set()  # before the drain: the upstream must not hold the connection
