"""HTTP/1.1 semantics through the proxy: keep-alive, pipelining, HTTP/1.0, HEAD, 1xx, 204/304,
Expect: 100-continue and chunked bodies both ways (real sockets, real echo upstream)."""

from __future__ import annotations

import asyncio

import orjson

from authgate.testing.in_process import Gateway, running_gateway, upstream_config
from authgate.testing.raw_client import RawClient, send_raw
from authgate.testing.raw_upstream import RawUpstream, Reply, SeenRequest


def _get(path: str, extra: str = "") -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: example.test\r\n{extra}\r\n".encode()


async def test_keep_alive_serves_several_requests_on_one_connection(gateway: Gateway) -> None:
    client = await RawClient.connect(gateway.port)
    try:
        for count in (1, 2, 3):
            await client.send(_get(f"/n{count}"))
            responses = await client.read_responses(count)
            assert [r.status for r in responses] == [200] * count
        assert not client.writer.is_closing()
    finally:
        client.close()


async def test_pipelined_requests_are_answered_in_order(gateway: Gateway) -> None:
    client = await RawClient.connect(gateway.port)
    try:
        await client.send(_get("/delay/0.2") + _get("/first") + _get("/second"))
        responses = await client.read_responses(3)
        paths = [orjson.loads(r.body)["path"] for r in responses]
        assert paths == ["/delay/0.2", "/first", "/second"]
    finally:
        client.close()


async def test_http10_client_gets_connection_closed_without_keep_alive(gateway: Gateway) -> None:
    [response] = await send_raw(gateway.port, b"GET /old HTTP/1.0\r\n\r\n")
    assert response.status == 200
    assert response.header("connection") == "close"
    assert response.header("transfer-encoding") is None


async def test_http10_keep_alive_keeps_the_connection(gateway: Gateway) -> None:
    client = await RawClient.connect(gateway.port)
    try:
        await client.send(b"GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        [first] = await client.read_responses(1)
        assert first.header("connection") == "keep-alive"
        await client.send(b"GET /b HTTP/1.0\r\n\r\n")
        responses = await client.read_responses(2)
        assert responses[1].status == 200
        assert await client.closed()
    finally:
        client.close()


async def test_http10_client_gets_streamed_body_close_delimited(gateway: Gateway) -> None:
    [response] = await send_raw(gateway.port, b"GET /stream/3 HTTP/1.0\r\n\r\n")
    assert response.status == 200
    assert response.header("transfer-encoding") is None
    assert response.body.count(b"\n") == 3


async def test_streamed_response_is_chunked_to_http11_clients(gateway: Gateway) -> None:
    [response] = await send_raw(gateway.port, _get("/stream/5", "Connection: close\r\n"))
    assert response.header("transfer-encoding") == "chunked"
    assert [orjson.loads(line)["line"] for line in response.body.splitlines()] == list(range(5))


async def test_head_response_has_headers_but_no_body(gateway: Gateway) -> None:
    client = await RawClient.connect(gateway.port)
    try:
        await client.send(b"HEAD /bytes/1000 HTTP/1.1\r\nHost: x\r\n\r\n" + _get("/after"))
        while client.buffer.count(b"\r\n\r\n") < 2:
            client.buffer += await asyncio.wait_for(client.reader.read(65536), 5)
        head, rest = client.buffer.split(b"\r\n\r\n", 1)
        assert head.startswith(b"HTTP/1.1 200")
        assert b"\r\ncontent-length: 1000" in head.lower()
        # The next response follows right after the head: no body bytes in between.
        assert rest.startswith(b"HTTP/1.1 200")
    finally:
        client.close()


async def test_204_and_304_have_no_body(gateway: Gateway) -> None:
    for code in (204, 304):
        client = await RawClient.connect(gateway.port)
        try:
            await client.send(_get(f"/status/{code}") + _get("/next"))
            responses = await client.read_responses(2)
            assert [r.status for r in responses] == [code, 200]
            assert responses[0].body == b""
            assert responses[0].header("transfer-encoding") is None
        finally:
            client.close()


async def test_chunked_request_body_reaches_the_upstream(gateway: Gateway) -> None:
    body = b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
    request = (
        b"POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
        b"Connection: close\r\n\r\n" + body
    )
    [response] = await send_raw(gateway.port, request)
    echoed = response.json()
    assert isinstance(echoed, dict)
    assert echoed["body"] == "hello world"


async def test_expect_100_continue_is_answered_before_the_body_is_sent(gateway: Gateway) -> None:
    client = await RawClient.connect(gateway.port)
    try:
        await client.send(
            b"POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"
        )
        interim = await asyncio.wait_for(client.reader.readuntil(b"\r\n\r\n"), 5)
        assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
        await client.send(b"hello")
        [response] = await client.read_responses(1)
        assert response.status == 200
        echoed = response.json()
        assert isinstance(echoed, dict)
        assert echoed["body"] == "hello"
        assert all(name != "expect" for name, _ in echoed["headers"])
    finally:
        client.close()


async def test_expect_100_continue_is_not_sent_when_the_body_is_not_read(
    gateway: Gateway,
) -> None:
    gateway.load(
        """
        _format_version: "3.0"
        services:
          - name: s
            url: http://127.0.0.1:1
            routes: [{name: r, paths: [/only]}]
        """
    )
    client = await RawClient.connect(gateway.port)
    try:
        await client.send(
            b"POST /elsewhere HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
            b"Expect: 100-continue\r\n\r\n"
        )
        [response] = await client.read_responses(1)
        assert response.status == 404
        assert not client.buffer.startswith(b"HTTP/1.1 100")
    finally:
        client.close()


async def test_informational_responses_are_forwarded_before_the_final_one() -> None:
    def early_hints_then_ok(request: SeenRequest) -> Reply:
        return Reply(
            b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"
            + b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
        )

    async with (
        RawUpstream(early_hints_then_ok) as upstream,
        running_gateway(upstream_config(upstream.port)) as gw,
    ):
        data = await send_raw(gw.port, _get("/", "Connection: close\r\n"))
        assert [r.status for r in data] == [103, 200]
        assert data[0].header("link") == "</a.css>; rel=preload"
        assert data[1].body == b"ok"


async def test_upstream_keep_alive_connection_is_reused() -> None:
    async with (
        RawUpstream() as upstream,
        running_gateway(upstream_config(upstream.port)) as gw,
    ):
        for _ in range(3):
            [response] = await send_raw(gw.port, _get("/", "Connection: close\r\n"))
            assert response.status == 200
        assert len(upstream.requests) == 3
        assert upstream.connections == 1


async def test_stale_upstream_connection_is_retried_on_a_new_one() -> None:
    def close_after_reply(request: SeenRequest) -> Reply:
        return Reply(then="close")

    async with (
        RawUpstream(close_after_reply) as upstream,
        running_gateway(upstream_config(upstream.port)) as gw,
    ):
        for _ in range(3):
            [response] = await send_raw(gw.port, _get("/", "Connection: close\r\n"))
            assert response.status == 200
        assert len(upstream.requests) == 3
