"""Request smuggling defences (RFC 9112 §6.3, §11.2): a corpus of ambiguous requests.

Every payload follows a valid ``GET /first`` on the same connection and hides a
``GET /smuggled`` after its own framing. The gateway must answer the first request, reject
the ambiguous one with the status in the table, close the connection, and the upstream must
have seen exactly one request: ``/first``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from authgate.testing.in_process import Gateway, running_gateway, upstream_config
from authgate.testing.raw_client import send_raw
from authgate.testing.raw_upstream import RawUpstream

FIRST = b"GET /first HTTP/1.1\r\nHost: x\r\n\r\n"
SMUGGLED = b"GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"


def _post(headers: bytes, body: bytes = b"0\r\n\r\n", line: bytes = b"POST / HTTP/1.1") -> bytes:
    return line + b"\r\nHost: x\r\n" + headers + b"\r\n" + body + SMUGGLED


CORPUS: list[tuple[str, bytes, int]] = [
    ("cl then te", _post(b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"), 400),
    ("te then cl", _post(b"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n"), 400),
    ("duplicate equal cl", _post(b"Content-Length: 5\r\nContent-Length: 5\r\n"), 400),
    ("duplicate differing cl", _post(b"Content-Length: 5\r\nContent-Length: 6\r\n"), 400),
    ("cl list", _post(b"Content-Length: 5, 5\r\n"), 400),
    ("negative cl", _post(b"Content-Length: -5\r\n"), 400),
    ("cl with plus", _post(b"Content-Length: +5\r\n"), 400),
    ("hex cl", _post(b"Content-Length: 0x5\r\n"), 400),
    ("cl with space inside", _post(b"Content-Length: 1 2\r\n"), 400),
    ("te gzip then chunked", _post(b"Transfer-Encoding: gzip, chunked\r\n"), 400),
    ("te chunked then gzip", _post(b"Transfer-Encoding: chunked, gzip\r\n"), 400),
    ("te identity", _post(b"Transfer-Encoding: identity\r\n"), 400),
    ("te xchunked", _post(b"Transfer-Encoding: xchunked\r\n"), 400),
    ("te twice", _post(b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"), 400),
    ("te with vertical tab", _post(b"Transfer-Encoding: chunked\x0b\r\n"), 400),
    ("te on http/1.0", _post(b"Transfer-Encoding: chunked\r\n", line=b"POST / HTTP/1.0"), 400),
    ("space before colon", _post(b"Transfer-Encoding : chunked\r\n"), 400),
    ("obs-fold te", _post(b"Transfer-Encoding:\r\n chunked\r\n"), 400),
    ("obs-fold other header", _post(b"X-A: 1\r\n folded\r\nContent-Length: 5\r\n"), 400),
    ("bad chunk size", _post(b"Transfer-Encoding: chunked\r\n", b"zz\r\nhello\r\n0\r\n\r\n"), 400),
    (
        "chunk size overflow",
        _post(b"Transfer-Encoding: chunked\r\n", b"f" * 20 + b"\r\nx\r\n"),
        400,
    ),
    (
        "chunk size space",
        _post(b"Transfer-Encoding: chunked\r\n", b"5 \r\nhello\r\n0\r\n\r\n"),
        400,
    ),
    ("chunk bare lf", _post(b"Transfer-Encoding: chunked\r\n", b"5\nhello\n0\n\n"), 400),
    (
        "chunk data too long",
        _post(b"Transfer-Encoding: chunked\r\n", b"2\r\nhello\r\n0\r\n\r\n"),
        400,
    ),
    ("bare lf headers", b"POST / HTTP/1.1\nHost: x\nContent-Length: 5\n\nhello" + SMUGGLED, 400),
    ("bare cr header", b"GET / HTTP/1.1\r\nHost: x\rX: y\r\n\r\n" + SMUGGLED, 400),
    ("nul in header value", b"GET / HTTP/1.1\r\nHost: x\r\nX: a\x00b\r\n\r\n" + SMUGGLED, 400),
    ("missing host", b"GET / HTTP/1.1\r\nX: y\r\n\r\n" + SMUGGLED, 400),
    ("two hosts", b"GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n" + SMUGGLED, 400),
    ("http/0.9", b"GET /\r\n\r\n" + SMUGGLED, 505),
    ("http/2.0 line", b"GET / HTTP/2.0\r\nHost: x\r\n\r\n" + SMUGGLED, 505),
    ("connect", b"CONNECT x:443 HTTP/1.1\r\nHost: x:443\r\n\r\n" + SMUGGLED, 405),
    ("absolute form", b"GET http://evil/ HTTP/1.1\r\nHost: x\r\n\r\n" + SMUGGLED, 400),
    ("space in target", b"GET /a b HTTP/1.1\r\nHost: x\r\n\r\n" + SMUGGLED, 400),
    ("bad percent escape", b"GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n" + SMUGGLED, 400),
    ("header too large", b"GET / HTTP/1.1\r\nHost: x\r\nX: " + b"a" * 40000 + b"\r\n\r\n", 431),
    ("too many headers", b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X: 1\r\n" * 150 + b"\r\n", 431),
    ("whitespace before first header", b"GET / HTTP/1.1\r\n Host: x\r\n\r\n" + SMUGGLED, 400),
]


@pytest.fixture
async def counted() -> AsyncIterator[tuple[Gateway, RawUpstream]]:
    async with (
        RawUpstream() as upstream,
        running_gateway(upstream_config(upstream.port)) as gw,
    ):
        yield gw, upstream


@pytest.mark.parametrize(
    ("payload", "status"), [(p, s) for _, p, s in CORPUS], ids=[n for n, _, _ in CORPUS]
)
async def test_ambiguous_request_is_rejected_and_never_reaches_the_upstream(
    counted: tuple[Gateway, RawUpstream], payload: bytes, status: int
) -> None:
    gw, upstream = counted
    responses = await send_raw(gw.port, FIRST + payload)
    assert [r.status for r in responses] == [200, status]
    rejected = responses[1].json()
    assert isinstance(rejected, dict)
    assert set(rejected) == {"message", "request_id"}
    assert responses[1].header("content-type") == "application/json; charset=utf-8"
    assert responses[1].header("connection") == "close"
    assert [r.target for r in upstream.requests] == ["/first"]
