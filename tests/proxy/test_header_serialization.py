"""The serialized fast path writes exactly the fields the editable (plugin) path would send,
and generated request ids are fresh in every process."""

from __future__ import annotations

import os
import re

import pytest

from authgate.http1.framing import encode_fields
from authgate.proxy.added_headers import DEFAULT_HEADERS, KONG_DEFAULT_HEADERS, parse_headers
from authgate.proxy.forwarding_headers import (
    client_response_fields,
    client_response_headers,
    new_request_id,
    upstream_request_fields,
    upstream_request_headers,
)

_FRAMED = frozenset({"host", "content-length", "transfer-encoding"})
_FORWARDED = ("http", "api.example.test", "8000", "/p")

REQUESTS = [
    pytest.param([("host", "a")], None, False, False, None, id="host only"),
    pytest.param(
        [
            ("host", "a"),
            ("connection", "x-secret, close"),
            ("x-secret", "1"),
            ("keep-alive", "timeout=5"),
            ("proxy-authorization", "Basic eA=="),
            ("te", "trailers"),
            ("upgrade", "h2c"),
            ("x-kept", "yes"),
            ("content-length", "3"),
        ],
        "x-secret, close",
        False,
        False,
        None,
        id="hop-by-hop",
    ),
    pytest.param(
        [
            ("host", "a"),
            ("x-forwarded-for", "1.1.1.1"),
            ("x-forwarded-for", "2.2.2.2"),
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "front"),
            ("x-forwarded-prefix", "/front"),
            ("x-real-ip", "9.9.9.9"),
            ("via", "1.0 corp"),
            ("x-request-id", "abc-1"),
            ("expect", "100-continue"),
        ],
        None,
        False,
        True,
        "/strip",
        id="trusted peer",
    ),
    pytest.param(
        [("host", "a"), ("x-forwarded-proto", "https"), ("x-real-ip", "9.9.9.9")],
        None,
        False,
        False,
        "/strip",
        id="untrusted peer",
    ),
    pytest.param(
        [("host", "a"), ("connection", "upgrade"), ("upgrade", "websocket")],
        "upgrade",
        True,
        False,
        None,
        id="websocket",
    ),
]


@pytest.mark.parametrize("kong_id", [False, True], ids=["X-Request-Id", "and X-Kong-Request-Id"])
@pytest.mark.parametrize(("client", "connection", "upgrade", "trusted", "prefix"), REQUESTS)
def test_serialized_upstream_fields_match_the_editable_list(
    client: list[tuple[str, str]],
    connection: str | None,
    upgrade: bool,
    trusted: bool,
    prefix: str | None,
    kong_id: bool,
) -> None:
    client = [*client, ("x-kong-request-id", "client-sent")]
    args = (client, connection, upgrade, trusted, _FORWARDED, "10.0.0.1", prefix, "1.1", kong_id)
    listed, listed_id = upstream_request_headers(*args)
    serialized, serialized_id = upstream_request_fields(*args)
    if listed_id != "abc-1":  # generated: a fresh one per call
        serialized = serialized.replace(serialized_id, listed_id)
    assert serialized == encode_fields(listed, _FRAMED)


RESPONSES = [
    pytest.param([("content-type", "text/plain"), ("content-length", "2")], True, id="plain"),
    pytest.param([("content-length", "2")], False, id="bodiless keeps content-length"),
    pytest.param(
        [
            ("connection", "x-hop, keep-alive"),
            ("x-hop", "1"),
            ("via", "1.1 origin"),
            ("x-request-id", "upstream-made"),
            ("x-kong-proxy-latency", "9"),
            ("proxy-authenticate", "Basic"),
            ("transfer-encoding", "chunked"),
            ("x-kept", "yes"),
        ],
        True,
        id="hop-by-hop",
    ),
    pytest.param([("connection", "via, close"), ("via", "1.1 origin")], True, id="via named"),
]


@pytest.mark.parametrize("setting", [DEFAULT_HEADERS, KONG_DEFAULT_HEADERS, "latency_tokens"])
@pytest.mark.parametrize(("upstream", "has_body"), RESPONSES)
def test_serialized_response_fields_match_the_editable_list(
    upstream: list[tuple[str, str]], has_body: bool, setting: str
) -> None:
    added = parse_headers(setting)
    special, via = added.response_special, added.via
    listed = client_response_headers(upstream, has_body, "1.1", special, via)
    assert client_response_fields(upstream, has_body, "1.1", special, via) == encode_fields(listed)


def test_generated_request_ids_are_128_bit_hex_and_never_repeat() -> None:
    ids = [new_request_id() for _ in range(2000)]  # several 4 KiB random blocks
    assert all(re.fullmatch(r"[0-9a-f]{32}", request_id) for request_id in ids)
    assert len(set(ids)) == len(ids)


def test_a_forked_child_does_not_reuse_the_parents_buffered_ids() -> None:
    new_request_id()  # the parent has a partly used block buffered
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child process
        os.close(read_end)
        os.write(write_end, new_request_id().encode())
        os._exit(0)
    os.close(write_end)
    child_id = os.read(read_end, 64).decode()
    os.close(read_end)
    os.waitpid(pid, 0)
    assert re.fullmatch(r"[0-9a-f]{32}", child_id)
    assert child_id != new_request_id()
