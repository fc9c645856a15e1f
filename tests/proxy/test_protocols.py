"""route.protocols: an https-only route hit over plain http gets Kong's 426 or a redirect."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from authgate.proxy.server import ServerSettings
from proxy.gateway import Gateway, start_gateway
from proxy.raw_upstream import RawUpstream
from proxy.wire import RawResponse, send_raw


@pytest.fixture
async def upstream() -> AsyncIterator[tuple[RawUpstream, int]]:
    raw = RawUpstream()
    port = await raw.start()
    yield raw, port
    raw.close()


def _config(port: int, route: str) -> str:
    return (
        '_format_version: "3.0"\n'
        f"services:\n  - name: s\n    url: http://127.0.0.1:{port}\n"
        f"    routes: [{route}]\n"
    )


async def _gateway(port: int, route: str, trusted: bool = False) -> Gateway:
    settings = ServerSettings(trusted_ips=["127.0.0.0/8"] if trusted else [])
    return await start_gateway(_config(port, route), settings)


async def _get(gw: Gateway, target: str = "/api/x?a=1&b=2", headers: str = "") -> RawResponse:
    host = "Api.Example.TEST:8000"
    request = f"GET {target} HTTP/1.1\r\nHost: {host}\r\n{headers}Connection: close\r\n\r\n"
    [response] = await send_raw(gw.port, request.encode())
    return response


async def test_https_only_route_over_http_gets_426_please_use_https(
    upstream: tuple[RawUpstream, int],
) -> None:
    raw, port = upstream
    gw = await _gateway(port, "{name: r, paths: [/api], protocols: [https]}")
    try:
        response = await _get(gw)
        assert response.status == 426
        assert response.json() == {
            "message": "Please use HTTPS protocol",
            "request_id": response.header("x-request-id"),
        }
        assert "upgrade" in [
            t.strip().lower() for t in ",".join(response.header_all("connection")).split(",")
        ]
        assert response.header("upgrade") == "TLS/1.2, HTTP/1.1"
        assert raw.requests == []
        assert gw.records[-1].status == 426
    finally:
        await gw.server.drain(1)


@pytest.mark.parametrize("status", [301, 302, 307, 308])
async def test_https_only_route_redirects_to_https_with_the_configured_status(
    upstream: tuple[RawUpstream, int], status: int
) -> None:
    raw, port = upstream
    gw = await _gateway(
        port,
        f"{{name: r, paths: [/api], protocols: [https], https_redirect_status_code: {status}}}",
    )
    try:
        response = await _get(gw, "/api/../api/x?a=1&b=2")
        assert response.status == status
        # Kong: "https://" .. host (no port) .. the request URI as the client sent it.
        assert response.header("location") == "https://api.example.test/api/../api/x?a=1&b=2"
        assert response.body == b""
        assert raw.requests == []
    finally:
        await gw.server.drain(1)


async def test_https_forwarded_by_a_trusted_proxy_counts_as_https(
    upstream: tuple[RawUpstream, int],
) -> None:
    raw, port = upstream
    gw = await _gateway(port, "{name: r, paths: [/api], protocols: [https]}", trusted=True)
    try:
        response = await _get(gw, headers="X-Forwarded-Proto: https\r\n")
        assert response.status == 200
        assert raw.requests[0].header("x-forwarded-proto") == "https"
    finally:
        await gw.server.drain(1)


async def test_https_claimed_by_an_untrusted_client_does_not_count(
    upstream: tuple[RawUpstream, int],
) -> None:
    raw, port = upstream
    gw = await _gateway(port, "{name: r, paths: [/api], protocols: [https]}")
    try:
        response = await _get(gw, headers="X-Forwarded-Proto: https\r\n")
        assert response.status == 426
        assert raw.requests == []
    finally:
        await gw.server.drain(1)


async def test_redirect_uses_the_trusted_forwarded_host(upstream: tuple[RawUpstream, int]) -> None:
    _, port = upstream
    gw = await _gateway(
        port,
        "{name: r, paths: [/api], protocols: [https], https_redirect_status_code: 308}",
        trusted=True,
    )
    try:
        response = await _get(gw, "/api", "X-Forwarded-Host: front.example:8443\r\n")
        assert response.status == 308
        assert response.header("location") == "https://front.example:8443/api"
    finally:
        await gw.server.drain(1)


@pytest.mark.parametrize("protocols", ["[http, https]", "[http]"])
async def test_routes_accepting_http_are_proxied(
    upstream: tuple[RawUpstream, int], protocols: str
) -> None:
    raw, port = upstream
    gw = await _gateway(port, f"{{name: r, paths: [/api], protocols: {protocols}}}")
    try:
        assert (await _get(gw)).status == 200
        assert len(raw.requests) == 1
    finally:
        await gw.server.drain(1)
