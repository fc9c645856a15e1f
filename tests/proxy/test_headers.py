"""What the proxy does to headers, both ways (echo upstream shows what it received)."""

from __future__ import annotations

import re

import pytest

from authgate import __version__
from authgate.proxy.start import ProxySettings
from authgate.testing.in_process import Gateway, echo_config, running_gateway, upstream_config
from authgate.testing.raw_client import RawResponse, send_get
from authgate.testing.raw_upstream import RawUpstream, Reply

VIA = f"1.1 authgate/{__version__}"


def _echo_headers(response: RawResponse) -> list[tuple[str, str]]:
    echoed = response.json()
    assert isinstance(echoed, dict)
    return [(k, v) for k, v in echoed["headers"]]


def _values(headers: list[tuple[str, str]], name: str) -> list[str]:
    return [v for k, v in headers if k == name]


async def _through(port: int, headers: str, path: str = "/h") -> RawResponse:
    return await send_get(port, path, headers, host="api.example.test:8000")


async def test_hop_by_hop_headers_are_removed_towards_the_upstream(gateway: Gateway) -> None:
    response = await _through(
        gateway.port,
        "Connection: X-Secret, close\r\nX-Secret: 1\r\nKeep-Alive: timeout=5\r\n"
        "Proxy-Authorization: Basic eA==\r\nProxy-Foo: 1\r\nTE: trailers\r\n"
        "Trailer: X-T\r\nUpgrade: h2c\r\nX-Kept: yes\r\n",
    )
    names = {k for k, _ in _echo_headers(response)}
    for dropped in (
        "x-secret",
        "keep-alive",
        "proxy-authorization",
        "proxy-foo",
        "te",
        "trailer",
        "upgrade",
    ):
        assert dropped not in names
    assert "x-kept" in names


async def test_hop_by_hop_headers_are_removed_towards_the_client() -> None:
    reply = Reply(
        b"HTTP/1.1 200 OK\r\nConnection: X-Internal\r\nX-Internal: 1\r\n"
        b"Keep-Alive: timeout=9\r\nProxy-Authenticate: Basic\r\nX-Kept: 1\r\n"
        b"Content-Length: 2\r\n\r\nok"
    )
    async with (
        RawUpstream(lambda r: reply) as upstream,
        running_gateway(upstream_config(upstream.port)) as gw,
    ):
        response = await _through(gw.port, "")
        names = {k for k, _ in response.headers}
        assert not names & {"x-internal", "keep-alive", "proxy-authenticate"}
        assert response.header("x-kept") == "1"
        assert response.header("connection") == "close"


async def test_untrusted_client_forwarded_values_are_replaced(gateway: Gateway) -> None:
    response = await _through(
        gateway.port,
        "X-Forwarded-For: 10.9.9.9\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: evil\r\n"
        "X-Forwarded-Port: 443\r\nX-Forwarded-Path: /x\r\nX-Forwarded-Prefix: /p\r\n"
        "X-Real-IP: 10.9.9.9\r\n",
        path="/h/a",
    )
    headers = _echo_headers(response)
    assert _values(headers, "x-forwarded-for") == ["10.9.9.9, 127.0.0.1"]
    assert _values(headers, "x-forwarded-proto") == ["http"]
    assert _values(headers, "x-forwarded-host") == ["api.example.test"]
    assert _values(headers, "x-forwarded-port") == [str(gateway.port)]
    assert _values(headers, "x-forwarded-path") == ["/h/a"]
    assert _values(headers, "x-forwarded-prefix") == []
    assert _values(headers, "x-real-ip") == ["127.0.0.1"]


async def test_trusted_client_forwarded_values_are_kept(echo_port: int) -> None:
    async with running_gateway(
        echo_config(echo_port), ProxySettings(trusted_ips=["127.0.0.0/8"])
    ) as gw:
        response = await _through(
            gw.port,
            "X-Forwarded-For: 10.9.9.9\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: front\r\n"
            "X-Forwarded-Port: 443\r\nX-Forwarded-Prefix: /api\r\nX-Real-IP: 10.9.9.9\r\n",
        )
        headers = _echo_headers(response)
        assert _values(headers, "x-forwarded-for") == ["10.9.9.9, 127.0.0.1"]
        assert _values(headers, "x-forwarded-proto") == ["https"]
        assert _values(headers, "x-forwarded-host") == ["front"]
        assert _values(headers, "x-forwarded-port") == ["443"]
        assert _values(headers, "x-forwarded-prefix") == ["/api"]
        assert _values(headers, "x-real-ip") == ["10.9.9.9"]


async def test_stripped_prefix_is_sent_as_x_forwarded_prefix(echo_port: int) -> None:
    async with running_gateway(upstream_config(echo_port, "{name: r, paths: [/api]}")) as gw:
        response = await _through(gw.port, "", path="/api/items")
        echoed = response.json()
        assert isinstance(echoed, dict)
        assert echoed["path"] == "/items"
        assert _values(_echo_headers(response), "x-forwarded-prefix") == ["/api"]


@pytest.mark.parametrize(("preserve", "expected"), [(False, None), (True, "api.example.test:8000")])
async def test_host_is_the_service_host_unless_preserve_host(
    echo_port: int, preserve: bool, expected: str | None
) -> None:
    route = f"{{name: r, paths: [/], preserve_host: {str(preserve).lower()}}}"
    async with running_gateway(upstream_config(echo_port, route)) as gw:
        response = await _through(gw.port, "")
        assert _values(_echo_headers(response), "host") == [expected or f"127.0.0.1:{echo_port}"]


async def test_via_is_appended_both_ways(gateway: Gateway) -> None:
    response = await _through(gateway.port, "Via: 1.0 corp-proxy\r\n")
    assert _values(_echo_headers(response), "via") == [f"1.0 corp-proxy, {VIA}"]
    assert response.header("via") == VIA


async def test_sane_request_id_is_propagated_both_ways(gateway: Gateway) -> None:
    response = await _through(gateway.port, "X-Request-Id: abc-123\r\n")
    assert _values(_echo_headers(response), "x-request-id") == ["abc-123"]
    assert response.header("x-request-id") == "abc-123"
    assert gateway.records[-1].request_id == "abc-123"


@pytest.mark.parametrize(
    "supplied", ["", "X-Request-Id: has space\r\n", f"X-Request-Id: {'a' * 300}\r\n"]
)
async def test_missing_or_insane_request_id_is_replaced_by_a_generated_one(
    gateway: Gateway, supplied: str
) -> None:
    response = await _through(gateway.port, supplied)
    generated = response.header("x-request-id")
    assert generated is not None
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    assert _values(_echo_headers(response), "x-request-id") == [generated]


async def test_proxied_response_has_proxy_and_upstream_latency(gateway: Gateway) -> None:
    response = await _through(gateway.port, "")
    assert response.header(
        "x-authgate-proxy-latency",
    ).isdigit()  # type: ignore[union-attr]
    assert response.header("x-authgate-upstream-latency").isdigit()  # type: ignore[union-attr]
    assert response.header("x-authgate-response-latency") is None
    assert response.header("server") != f"authgate/{__version__}"


async def test_gateway_response_has_server_and_response_latency(echo_port: int) -> None:
    async with running_gateway(upstream_config(echo_port, "{name: r, paths: [/only]}")) as gw:
        response = await _through(gw.port, "")
        assert response.status == 404
        assert response.header("server") == f"authgate/{__version__}"
        assert response.header("x-authgate-response-latency").isdigit()  # type: ignore[union-attr]
        assert response.header("x-authgate-proxy-latency") is None
        assert response.header("via") is None


async def test_underscore_and_dash_header_names_stay_separate(gateway: Gateway) -> None:
    response = await _through(gateway.port, "X_User: mallory\r\nX-User: alice\r\n")
    headers = _echo_headers(response)
    assert _values(headers, "x_user") == ["mallory"]
    assert _values(headers, "x-user") == ["alice"]
