"""Plugins reading and replacing the request body (ctx.read_body / read_form / set_body),
through the real gateway to a raw upstream that records exactly what it received."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from typing import ClassVar, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field

from authgate.plugins.base import Plugin, PluginResponse, RequestBodyTooLarge, RequestContext
from authgate.plugins.registry import register
from authgate.testing.in_process import Gateway, running_gateway, upstream_config
from authgate.testing.raw_client import RawClient, send_raw
from authgate.testing.raw_upstream import RawUpstream, SeenRequest

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
async def upstream() -> AsyncIterator[RawUpstream]:
    async with RawUpstream() as raw:
        yield raw


def _gateway(
    upstream: RawUpstream, mode: str, limit: int = 1024
) -> AbstractAsyncContextManager[Gateway]:
    return running_gateway(
        upstream_config(upstream.port)
        + f"plugins:\n  - name: test-body-probe\n    config: {{mode: {mode}, limit: {limit}}}\n"
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


async def _forwarded(
    upstream: RawUpstream, request: bytes, mode: str, limit: int = 1024
) -> SeenRequest:
    """Send ``request`` through the probe in ``mode``: it is answered 200 and the upstream saw
    exactly one request, this one."""
    async with _gateway(upstream, mode, limit) as gw:
        [response] = await send_raw(gw.port, request)
    assert response.status == 200
    [seen] = upstream.requests
    return seen


async def test_plugin_reads_form_field_and_the_body_still_reaches_the_upstream(
    upstream: RawUpstream,
) -> None:
    body = b"grant_type=password&username=alice%40example.com&password=s3cret"
    seen = await _forwarded(upstream, _post(body), "form")
    assert seen.header("x-probe-user") == "alice@example.com"
    assert seen.body == body
    assert seen.header("content-length") == str(len(body))
    assert seen.target == "/token?x=1"


async def test_chunked_body_read_by_a_plugin_goes_upstream_with_a_content_length(
    upstream: RawUpstream,
) -> None:
    request = _chunked_post([b"username=bob", b"&password=pw"])
    seen = await _forwarded(upstream, request, "form")
    assert seen.header("x-probe-user") == "bob"
    assert seen.body == b"username=bob&password=pw"
    assert seen.header("content-length") == "24"
    assert seen.header("transfer-encoding") is None


async def test_non_form_body_gives_no_form_fields(upstream: RawUpstream) -> None:
    body = b'{"username": "carol"}'
    seen = await _forwarded(upstream, _post(body, "application/json"), "form")
    assert seen.header("x-probe-user") == "not-a-form"
    assert seen.body == body


async def test_request_without_body_reads_as_empty(upstream: RawUpstream) -> None:
    request = b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
    seen = await _forwarded(upstream, request, "raw")
    assert seen.header("x-probe-length") == "0"
    assert seen.header("content-length") is None
    assert seen.header("transfer-encoding") is None


async def test_hide_credentials_removes_a_field_from_the_form_sent_upstream(
    upstream: RawUpstream,
) -> None:
    body = b"grant_type=client_credentials&client_id=app&client_secret=hunter2&scope=a+b"
    seen = await _forwarded(upstream, _post(body), "hide")
    assert seen.body == b"grant_type=client_credentials&client_id=app&scope=a+b"
    assert seen.header("content-length") == str(len(seen.body))


async def test_replaced_body_is_sent_even_when_the_client_body_was_never_read(
    upstream: RawUpstream,
) -> None:
    async with _gateway(upstream, "replace") as gw:
        client = await RawClient.connect(gw.port)
        body = b"a" * 5000
        await client.send(_post(body).replace(b"Connection: close\r\n", b""))
        await client.send(b"GET /next HTTP/1.1\r\nHost: a\r\n\r\n")
        responses = await client.read_responses(2)
        assert [r.status for r in responses] == [200, 200]
        assert [r.body for r in upstream.requests] == [b"replaced", b"replaced"]
        assert upstream.requests[0].header("content-length") == "8"
        client.close()


@pytest.mark.parametrize("announced", [True, False], ids=["content-length", "chunked"])
async def test_body_over_the_limit_gets_413_and_never_reaches_the_upstream(
    upstream: RawUpstream, announced: bool
) -> None:
    async with _gateway(upstream, "raw", limit=100) as gw:
        body = b"x" * 300
        request = _post(body) if announced else _chunked_post([body[:150], body[150:]])
        [response] = await send_raw(gw.port, request)
        assert response.status == 413
        assert response.json() == {
            "message": "Request size limit exceeded",
            "request_id": response.header("x-request-id"),
        }
        assert upstream.requests == []


async def test_announced_oversized_body_gets_413_without_100_continue(
    upstream: RawUpstream,
) -> None:
    async with _gateway(upstream, "raw", limit=100) as gw:
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


async def test_expect_100_continue_is_answered_when_a_plugin_reads_the_body(
    upstream: RawUpstream,
) -> None:
    async with _gateway(upstream, "form") as gw:
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
        [seen] = upstream.requests
        assert seen.header("x-probe-user") == "z"
        client.close()


@pytest.mark.parametrize("announced", [True, False], ids=["content-length", "chunked"])
async def test_plugin_that_tolerates_a_large_body_still_forwards_all_of_it(
    upstream: RawUpstream, announced: bool
) -> None:
    body = bytes(range(256)) * 1024  # 256 KiB: read partly, then streamed
    pieces = [body[i : i + 10000] for i in range(0, len(body), 10000)]
    request = _post(body) if announced else _chunked_post(pieces)
    seen = await _forwarded(upstream, request, "lenient", limit=1000)
    assert seen.header("x-probe-too-large") == "yes"
    assert seen.body == body
    if announced:
        assert seen.header("content-length") == str(len(body))
    else:
        assert seen.header("transfer-encoding") == "chunked"


async def test_trailer_fields_never_become_headers_a_plugin_or_the_upstream_sees(
    upstream: RawUpstream,
) -> None:
    request = _chunked_post([b"username=eve"], trailers=b"X-Consumer-ID: admin\r\n")
    seen = await _forwarded(upstream, request, "form")
    assert seen.header("x-probe-consumer") == "-"
    assert seen.header("x-consumer-id") is None
    assert seen.body == b"username=eve"
