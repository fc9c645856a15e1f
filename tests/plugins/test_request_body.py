"""Plugins reading and replacing the request body (ctx.read_body / read_form / set_body),
through the real gateway to a raw upstream that records exactly what it received."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import ClassVar, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field

from authgate.plugins.base import Plugin, PluginResponse, RequestBodyTooLarge, RequestContext
from authgate.plugins.registry import register
from proxy.gateway import Gateway, start_gateway
from proxy.raw_upstream import RawUpstream, SeenRequest
from proxy.wire import RawClient, send_raw

FORM = "application/x-www-form-urlencoded"


class BodyProbeConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    mode: Literal["form", "raw", "hide", "lenient", "replace"] = Field(
        description="What the probe does with the body."
    )
    limit: int = Field(default=1024, description="Limit passed to read_body/read_form.")


@register
class BodyProbe(Plugin):
    """Reads the body like an authentication plugin would and reports what it saw."""

    name: ClassVar[str] = "test-body-probe"
    priority: ClassVar[int] = 1000
    Config: ClassVar[type[BaseModel]] = BodyProbeConfig

    async def access(self, ctx: RequestContext) -> PluginResponse | None:
        config = self.config
        assert isinstance(config, BodyProbeConfig)
        if config.mode == "raw":
            body = await ctx.read_body(config.limit)
            ctx.headers.set("x-probe-length", str(len(body)))
        elif config.mode == "form":
            fields = await ctx.read_form(config.limit)
            user = "not-a-form" if fields is None else ",".join(fields.get("username", []))
            ctx.headers.set("x-probe-user", user)
            ctx.headers.set("x-probe-consumer", ctx.headers.get("x-consumer-id") or "-")
        elif config.mode == "hide":
            fields = await ctx.read_form(config.limit)
            assert fields is not None
            fields.pop("client_secret", None)
            ctx.set_form(fields)
        elif config.mode == "replace":
            ctx.set_body(b"replaced")
        else:
            try:
                await ctx.read_body(config.limit)
            except RequestBodyTooLarge:
                ctx.headers.set("x-probe-too-large", "yes")
        return None


@pytest.fixture
async def upstream() -> AsyncIterator[tuple[RawUpstream, int]]:
    raw = RawUpstream()
    port = await raw.start()
    yield raw, port
    raw.close()


async def _gateway(port: int, mode: str, limit: int = 1024) -> Gateway:
    return await start_gateway(
        '_format_version: "3.0"\n'
        f"services:\n  - name: s\n    url: http://127.0.0.1:{port}\n"
        "    routes: [{name: r, paths: [/]}]\n"
        f"plugins:\n  - name: test-body-probe\n    config: {{mode: {mode}, limit: {limit}}}\n"
    )


def _post(body: bytes, content_type: str = FORM, extra: str = "") -> bytes:
    head = (
        f"POST /token?x=1 HTTP/1.1\r\nHost: api\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\n{extra}Connection: close\r\n\r\n"
    )
    return head.encode() + body


def _chunked_post(chunks: list[bytes], trailers: bytes = b"") -> bytes:
    encoded = b"".join(b"%x\r\n%b\r\n" % (len(c), c) for c in chunks)
    return (
        (
            f"POST /token HTTP/1.1\r\nHost: api\r\nContent-Type: {FORM}\r\n"
            "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        ).encode()
        + encoded
        + b"0\r\n"
        + trailers
        + b"\r\n"
    )


async def _only_request(upstream: RawUpstream) -> SeenRequest:
    [seen] = upstream.requests
    return seen


async def test_plugin_reads_form_field_and_the_body_still_reaches_the_upstream(
    upstream: tuple[RawUpstream, int],
) -> None:
    raw, port = upstream
    gw = await _gateway(port, "form")
    try:
        body = b"grant_type=password&username=alice%40example.com&password=s3cret"
        [response] = await send_raw(gw.port, _post(body))
        assert response.status == 200
        seen = await _only_request(raw)
        assert seen.header("x-probe-user") == "alice@example.com"
        assert seen.body == body
        assert seen.header("content-length") == str(len(body))
        assert seen.target == "/token?x=1"
    finally:
        await gw.server.drain(1)


async def test_chunked_body_read_by_a_plugin_goes_upstream_with_a_content_length(
    upstream: tuple[RawUpstream, int],
) -> None:
    raw, port = upstream
    gw = await _gateway(port, "form")
    try:
        request = _chunked_post([b"username=bob", b"&password=pw"])
        [response] = await send_raw(gw.port, request)
        assert response.status == 200
        seen = await _only_request(raw)
        assert seen.header("x-probe-user") == "bob"
        assert seen.body == b"username=bob&password=pw"
        assert seen.header("content-length") == "24"
        assert seen.header("transfer-encoding") is None
    finally:
        await gw.server.drain(1)


async def test_non_form_body_gives_no_form_fields(upstream: tuple[RawUpstream, int]) -> None:
    raw, port = upstream
    gw = await _gateway(port, "form")
    try:
        body = b'{"username": "carol"}'
        [response] = await send_raw(gw.port, _post(body, "application/json"))
        assert response.status == 200
        seen = await _only_request(raw)
        assert seen.header("x-probe-user") == "not-a-form"
        assert seen.body == body
    finally:
        await gw.server.drain(1)


async def test_request_without_body_reads_as_empty(upstream: tuple[RawUpstream, int]) -> None:
    raw, port = upstream
    gw = await _gateway(port, "raw")
    try:
        [response] = await send_raw(
            gw.port, b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
        )
        assert response.status == 200
        seen = await _only_request(raw)
        assert seen.header("x-probe-length") == "0"
        assert seen.header("content-length") is None
        assert seen.header("transfer-encoding") is None
    finally:
        await gw.server.drain(1)


async def test_hide_credentials_removes_a_field_from_the_form_sent_upstream(
    upstream: tuple[RawUpstream, int],
) -> None:
    raw, port = upstream
    gw = await _gateway(port, "hide")
    try:
        body = b"grant_type=client_credentials&client_id=app&client_secret=hunter2&scope=a+b"
        [response] = await send_raw(gw.port, _post(body))
        assert response.status == 200
        seen = await _only_request(raw)
        assert seen.body == b"grant_type=client_credentials&client_id=app&scope=a+b"
        assert seen.header("content-length") == str(len(seen.body))
    finally:
        await gw.server.drain(1)


async def test_replaced_body_is_sent_even_when_the_client_body_was_never_read(
    upstream: tuple[RawUpstream, int],
) -> None:
    raw, port = upstream
    gw = await _gateway(port, "replace")
    try:
        client = await RawClient.connect(gw.port)
        body = b"a" * 5000
        await client.send(_post(body).replace(b"Connection: close\r\n", b""))
        await client.send(b"GET /next HTTP/1.1\r\nHost: a\r\n\r\n")
        responses = await client.read_responses(2)
        assert [r.status for r in responses] == [200, 200]
        assert [r.body for r in raw.requests] == [b"replaced", b"replaced"]
        assert raw.requests[0].header("content-length") == "8"
        client.close()
    finally:
        await gw.server.drain(1)


@pytest.mark.parametrize("announced", [True, False], ids=["content-length", "chunked"])
async def test_body_over_the_limit_gets_413_and_never_reaches_the_upstream(
    upstream: tuple[RawUpstream, int], announced: bool
) -> None:
    raw, port = upstream
    gw = await _gateway(port, "raw", limit=100)
    try:
        body = b"x" * 300
        request = _post(body) if announced else _chunked_post([body[:150], body[150:]])
        [response] = await send_raw(gw.port, request)
        assert response.status == 413
        assert response.json() == {
            "message": "Request size limit exceeded",
            "request_id": response.header("x-request-id"),
        }
        assert raw.requests == []
    finally:
        await gw.server.drain(1)


async def test_announced_oversized_body_gets_413_without_100_continue(
    upstream: tuple[RawUpstream, int],
) -> None:
    _, port = upstream
    gw = await _gateway(port, "raw", limit=100)
    try:
        client = await RawClient.connect(gw.port)
        await client.send(
            f"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: {10 << 20}\r\n"
            "Expect: 100-continue\r\n\r\n".encode()
        )
        [response] = await client.read_responses(1)
        assert response.status == 413
        assert response.header("connection") == "close"
        assert not client.buffer.startswith(b"HTTP/1.1 100")
        client.close()
    finally:
        await gw.server.drain(1)


async def test_expect_100_continue_is_answered_when_a_plugin_reads_the_body(
    upstream: tuple[RawUpstream, int],
) -> None:
    raw, port = upstream
    gw = await _gateway(port, "form")
    try:
        client = await RawClient.connect(gw.port)
        await client.send(
            f"POST / HTTP/1.1\r\nHost: a\r\nContent-Type: {FORM}\r\nContent-Length: 10\r\n"
            "Expect: 100-continue\r\n\r\n".encode()
        )
        interim = await asyncio.wait_for(client.reader.readuntil(b"\r\n\r\n"), 5)
        assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
        await client.send(b"username=z")
        [response] = await client.read_responses(1)
        assert response.status == 200
        assert (await _only_request(raw)).header("x-probe-user") == "z"
        client.close()
    finally:
        await gw.server.drain(1)


@pytest.mark.parametrize("announced", [True, False], ids=["content-length", "chunked"])
async def test_plugin_that_tolerates_a_large_body_still_forwards_all_of_it(
    upstream: tuple[RawUpstream, int], announced: bool
) -> None:
    raw, port = upstream
    gw = await _gateway(port, "lenient", limit=1000)
    try:
        body = bytes(range(256)) * 1024  # 256 KiB: read partly, then streamed
        pieces = [body[i : i + 10000] for i in range(0, len(body), 10000)]
        request = _post(body) if announced else _chunked_post(pieces)
        [response] = await send_raw(gw.port, request)
        assert response.status == 200
        seen = await _only_request(raw)
        assert seen.header("x-probe-too-large") == "yes"
        assert seen.body == body
        if announced:
            assert seen.header("content-length") == str(len(body))
        else:
            assert seen.header("transfer-encoding") == "chunked"
    finally:
        await gw.server.drain(1)


async def test_trailer_fields_never_become_headers_a_plugin_or_the_upstream_sees(
    upstream: tuple[RawUpstream, int],
) -> None:
    raw, port = upstream
    gw = await _gateway(port, "form")
    try:
        request = _chunked_post([b"username=eve"], trailers=b"X-Consumer-ID: admin\r\n")
        [response] = await send_raw(gw.port, request)
        assert response.status == 200
        seen = await _only_request(raw)
        assert seen.header("x-probe-consumer") == "-"
        assert seen.header("x-consumer-id") is None
        assert seen.body == b"username=eve"
    finally:
        await gw.server.drain(1)
