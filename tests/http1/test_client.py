"""The one-shot HTTP/1.1 client against real sockets on loopback: fields, caps, reuse, TLS."""

from __future__ import annotations

import asyncio
import ssl
from pathlib import Path

import pytest

from authgate.http1.client import HttpClient
from authgate.http1.errors import UpstreamError
from authgate.testing.certs import self_signed
from authgate.testing.raw_upstream import RawUpstream, Reply, SeenRequest


def _reply(data: bytes, then: str = "keep") -> RawUpstream:
    return RawUpstream(lambda request: Reply(data, then))


async def test_duplicate_response_fields_are_kept_in_order() -> None:
    data = b"HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 2\r\n\r\nok"
    async with _reply(data) as upstream:
        client = HttpClient()
        response = await client.request("GET", f"http://127.0.0.1:{upstream.port}/x?y=1")
        client.close()
    assert (response.status, response.body) == (200, b"ok")
    assert response.header_values("Set-Cookie") == ["a=1", "b=2"]
    assert upstream.requests[0].target == "/x?y=1"


async def test_request_carries_host_user_agent_fields_and_length() -> None:
    async with RawUpstream() as upstream:
        port = upstream.port
        client = HttpClient(user_agent="authgate-test")
        await client.request(
            "POST",
            f"http://127.0.0.1:{upstream.port}/token",
            headers=[("content-type", "application/x-www-form-urlencoded"), ("x-a", "1")],
            body=b"grant_type=client_credentials",
        )
        client.close()
    seen: SeenRequest = upstream.requests[0]
    assert seen.method == "POST"
    assert seen.header("host") == f"127.0.0.1:{port}"
    assert seen.header("user-agent") == "authgate-test"
    assert seen.header("content-length") == str(len(b"grant_type=client_credentials"))
    assert seen.body == b"grant_type=client_credentials"


async def test_chunked_and_close_delimited_bodies_are_read_whole() -> None:
    chunked = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
    )
    until_close = b"HTTP/1.1 200 OK\r\n\r\nuntil close"
    client = HttpClient()
    async with _reply(chunked) as upstream:
        response = await client.request("GET", f"http://127.0.0.1:{upstream.port}/")
        assert response.body == b"abcde"
    async with _reply(until_close, then="close") as upstream:
        response = await client.request("GET", f"http://127.0.0.1:{upstream.port}/")
        assert response.body == b"until close"
    client.close()


async def test_kept_alive_connection_is_reused() -> None:
    async with RawUpstream() as upstream:
        client = HttpClient()
        for _ in range(3):
            await client.request("GET", f"http://127.0.0.1:{upstream.port}/")
        client.close()
    assert upstream.connections == 1


async def test_pooled_connection_closed_by_the_server_is_retried_on_a_new_one() -> None:
    answers = iter(["close", "keep"])
    upstream = RawUpstream(lambda request: Reply(then=next(answers, "keep")))
    async with upstream:
        client = HttpClient()
        await client.request("GET", f"http://127.0.0.1:{upstream.port}/")
        await asyncio.sleep(0.05)
        response = await client.request("GET", f"http://127.0.0.1:{upstream.port}/")
        client.close()
    assert response.body == b"ok"
    assert upstream.connections == 2


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        (b"HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n" + b"x" * 2000, "over 1000 bytes"),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            + b"200\r\n"
            + b"x" * 512
            + b"\r\n"
            + b"200\r\n"
            + b"x" * 512
            + b"\r\n0\r\n\r\n",
            "over 1000 bytes",
        ),
        (
            b"HTTP/1.1 200 OK\r\n" + b"X-A: b\r\n" * 201 + b"Content-Length: 0\r\n\r\n",
            "head too large",
        ),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nok", "Content-Length"),
    ],
    ids=["length-over-cap", "chunked-over-cap", "too-many-fields", "bad-framing"],
)
async def test_responses_over_the_caps_or_badly_framed_fail(data: bytes, detail: str) -> None:
    async with _reply(data) as upstream:
        client = HttpClient(max_body=1000)
        with pytest.raises(UpstreamError) as caught:
            await client.request("GET", f"http://127.0.0.1:{upstream.port}/")
        client.close()
    assert detail.lower() in str(caught.value).lower()
    assert not caught.value.unreachable


async def test_a_server_that_does_not_answer_times_out() -> None:
    hold = asyncio.Event()
    async with RawUpstream(lambda request: Reply(hold=hold)) as upstream:
        client = HttpClient()
        with pytest.raises(UpstreamError) as caught:
            await client.request("GET", f"http://127.0.0.1:{upstream.port}/", timeout=0.2)
        hold.set()
        client.close()
    assert (caught.value.kind, caught.value.unreachable) == ("timeout", True)


async def test_a_closed_port_is_unreachable() -> None:
    upstream = RawUpstream()
    port = await upstream.start()
    upstream.close()
    await asyncio.sleep(0.01)
    with pytest.raises(UpstreamError) as caught:
        await HttpClient().request("GET", f"http://127.0.0.1:{port}/")
    assert (caught.value.kind, caught.value.unreachable) == ("connect", True)


async def test_https_is_verified_against_the_ca_file(tmp_path: Path) -> None:
    files = self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(files.cert, files.key)
    upstream = RawUpstream()
    port = await upstream.start(tls=context)
    try:
        trusting = HttpClient(ca_file=str(files.cert))
        response = await trusting.request("GET", f"https://127.0.0.1:{port}/")
        assert response.body == b"ok"
        with pytest.raises(UpstreamError) as caught:
            await HttpClient().request("GET", f"https://localhost:{port}/")
        assert (caught.value.kind, caught.value.unreachable) == ("tls", True)
        unverified = await HttpClient().request("GET", f"https://127.0.0.1:{port}/", verify=False)
        assert unverified.body == b"ok"
        trusting.close()
    finally:
        upstream.close()


def test_only_http_urls_are_accepted() -> None:
    with pytest.raises(UpstreamError, match="not an http"):
        asyncio.run(HttpClient().request("GET", "ftp://127.0.0.1/"))
