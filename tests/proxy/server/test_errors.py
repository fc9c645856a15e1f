"""Errors the gateway produces itself: JSON bodies, status codes, upstream failures, timeouts."""

from __future__ import annotations

import asyncio
import socket

import pytest

from authgate.proxy.server.limits import ServerLimits
from authgate.testing.in_process import echo_config, running_gateway, upstream_config
from authgate.testing.raw_client import RawClient, send_raw
from authgate.testing.raw_upstream import RawUpstream, Reply

GET = b"GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"


async def test_unmatched_request_gets_kong_style_404(echo_port: int) -> None:
    async with running_gateway(upstream_config(echo_port, "{name: r, paths: [/api]}")) as gw:
        [response] = await send_raw(gw.port, GET)
        assert response.status == 404
        assert response.header("content-type") == "application/json; charset=utf-8"
        body = response.json()
        assert body == {
            "message": "no Route matched with those values",
            "request_id": response.header("x-request-id"),
        }
        assert gw.records[-1].status == 404
        assert gw.records[-1].upstream_latency_ms is None


async def test_route_without_service_gets_503(echo_port: int) -> None:
    config = '_format_version: "3.0"\nroutes:\n  - name: lonely\n    paths: [/]\n'
    async with running_gateway(config) as gw:
        [response] = await send_raw(gw.port, GET)
        assert response.status == 503
        assert set(response.json()) == {"message", "request_id"}  # type: ignore[arg-type]


async def test_refused_upstream_gets_502_after_retries() -> None:
    async with running_gateway(upstream_config(1, options="    retries: 2\n")) as gw:
        [response] = await send_raw(gw.port, GET)
        assert response.status == 502
        assert response.json() == {
            "message": "An invalid response was received from the upstream server",
            "request_id": response.header("x-request-id"),
        }
        assert gw.records[-1].upstream_error == "connect"


async def test_slow_upstream_gets_504_after_read_timeout(echo_port: int) -> None:
    async with running_gateway(upstream_config(echo_port, options="    read_timeout: 200\n")) as gw:
        request = b"GET /delay/3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        [response] = await send_raw(gw.port, request)
        assert response.status == 504
        assert response.json() == {
            "message": "The upstream server is timing out",
            "request_id": response.header("x-request-id"),
        }
        assert gw.records[-1].upstream_error == "timeout"


async def test_unanswered_connect_gets_504_after_connect_timeout() -> None:
    # A listener that never accepts, with its backlog already full: new SYNs go unanswered.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))
        fillers.append(filler)
    options = "    connect_timeout: 200\n    retries: 1\n"
    try:
        async with running_gateway(upstream_config(port, options=options)) as gw:
            [response] = await send_raw(gw.port, GET)
            assert response.status == 504
            assert gw.records[-1].upstream_error == "timeout"
    finally:
        for sock in [*fillers, listener]:
            sock.close()


INVALID_UPSTREAM_RESPONSES = [
    ("garbage status line", b"HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n"),
    ("not http", b"SSH-2.0-OpenSSH\r\n\r\n"),
    (
        "cl and te",
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    ),
    ("duplicate cl", b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok"),
    ("bad cl", b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n"),
    ("te gzip chunked", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"),
    ("obs-fold", b"HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\nContent-Length: 0\r\n\r\n"),
    ("http/2.0 line", b"HTTP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n"),
    ("huge header", b"HTTP/1.1 200 OK\r\nX: " + b"a" * 70000 + b"\r\nContent-Length: 0\r\n\r\n"),
    ("closed before head", b""),
]


@pytest.mark.parametrize(
    "raw",
    [r for _, r in INVALID_UPSTREAM_RESPONSES],
    ids=[n for n, _ in INVALID_UPSTREAM_RESPONSES],
)
async def test_invalid_upstream_response_gets_502(raw: bytes) -> None:
    async with (
        RawUpstream(lambda r: Reply(raw, then="close")) as upstream,
        running_gateway(upstream_config(upstream.port)) as gw,
    ):
        [response] = await send_raw(gw.port, GET)
        assert response.status == 502
        assert set(response.json()) == {"message", "request_id"}  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "raw",
    [
        b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n",
    ],
    ids=["reset mid body", "bad chunk mid body"],
)
async def test_upstream_failure_mid_response_closes_the_client_connection(raw: bytes) -> None:
    async with (
        RawUpstream(lambda r: Reply(raw, then="abort")) as upstream,
        running_gateway(upstream_config(upstream.port)) as gw,
    ):
        client = await RawClient.connect(gw.port)
        await client.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert await client.closed()
        [response] = await client.read_responses(1)
        assert response.status == 200
        assert not response.complete
        client.close()
        assert gw.records[-1].upstream_error in ("reset", "invalid_response")


@pytest.mark.parametrize(
    ("limits", "partial_request"),
    [
        (ServerLimits(client_header_timeout=0.2), b"GET / HTTP/1.1\r\nHost: x\r\n"),
        (
            ServerLimits(client_body_timeout=0.2),
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc",
        ),
    ],
    ids=["header-timeout", "body-timeout"],
)
async def test_client_too_slow_to_send_the_request_gets_408(
    echo_port: int, limits: ServerLimits, partial_request: bytes
) -> None:
    async with running_gateway(echo_config(echo_port), limits=limits) as gw:
        client = await RawClient.connect(gw.port)
        await client.send(partial_request)
        assert await client.closed()
        [response] = await client.read_responses(1)
        assert response.status == 408
        client.close()


async def test_idle_keep_alive_connection_is_closed_after_keepalive_timeout(echo_port: int) -> None:
    async with running_gateway(
        echo_config(echo_port), limits=ServerLimits(keepalive_timeout=0.2)
    ) as gw:
        client = await RawClient.connect(gw.port)
        await client.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        [response] = await client.read_responses(1)
        assert response.status == 200
        started = asyncio.get_running_loop().time()
        assert await client.closed(timeout=3)
        assert asyncio.get_running_loop().time() - started < 2
        client.close()
