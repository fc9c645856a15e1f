"""route.protocols: an https-only route hit over plain http gets Kong's 426 or a redirect."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager

import pytest

from authgate.proxy.start import ProxySettings
from authgate.testing.in_process import Gateway, running_gateway, upstream_config
from authgate.testing.raw_client import RawResponse, send_get
from authgate.testing.raw_upstream import RawUpstream


@pytest.fixture
async def upstream() -> AsyncIterator[RawUpstream]:
    async with RawUpstream() as raw:
        yield raw


def _gateway(
    upstream: RawUpstream, route: str, trusted: bool = False
) -> AbstractAsyncContextManager[Gateway]:
    settings = ProxySettings(trusted_ips=["127.0.0.0/8"] if trusted else [])
    return running_gateway(upstream_config(upstream.port, route), settings)


async def _get(gw: Gateway, target: str = "/api/x?a=1&b=2", headers: str = "") -> RawResponse:
    return await send_get(gw.port, target, headers, host="Api.Example.TEST:8000")


async def test_https_only_route_over_http_gets_426_please_use_https(
    upstream: RawUpstream,
) -> None:
    async with _gateway(upstream, "{name: r, paths: [/api], protocols: [https]}") as gw:
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
        assert upstream.requests == []
        assert gw.records[-1].status == 426


@pytest.mark.parametrize("status", [301, 302, 307, 308])
async def test_https_only_route_redirects_to_https_with_the_configured_status(
    upstream: RawUpstream, status: int
) -> None:
    async with _gateway(
        upstream,
        f"{{name: r, paths: [/api], protocols: [https], https_redirect_status_code: {status}}}",
    ) as gw:
        response = await _get(gw, "/api/../api/x?a=1&b=2")
        assert response.status == status
        # Kong: "https://" .. host (no port) .. the request URI as the client sent it.
        assert response.header("location") == "https://api.example.test/api/../api/x?a=1&b=2"
        assert response.body == b""
        assert upstream.requests == []


async def test_https_forwarded_by_a_trusted_proxy_counts_as_https(
    upstream: RawUpstream,
) -> None:
    async with _gateway(
        upstream, "{name: r, paths: [/api], protocols: [https]}", trusted=True
    ) as gw:
        response = await _get(gw, headers="X-Forwarded-Proto: https\r\n")
        assert response.status == 200
        assert upstream.requests[0].header("x-forwarded-proto") == "https"


async def test_https_claimed_by_an_untrusted_client_does_not_count(
    upstream: RawUpstream,
) -> None:
    async with _gateway(upstream, "{name: r, paths: [/api], protocols: [https]}") as gw:
        response = await _get(gw, headers="X-Forwarded-Proto: https\r\n")
        assert response.status == 426
        assert upstream.requests == []


async def test_redirect_uses_the_trusted_forwarded_host(upstream: RawUpstream) -> None:
    async with _gateway(
        upstream,
        "{name: r, paths: [/api], protocols: [https], https_redirect_status_code: 308}",
        trusted=True,
    ) as gw:
        response = await _get(gw, "/api", "X-Forwarded-Host: front.example:8443\r\n")
        assert response.status == 308
        assert response.header("location") == "https://front.example:8443/api"


@pytest.mark.parametrize("protocols", ["[http, https]", "[http]"])
async def test_routes_accepting_http_are_proxied(upstream: RawUpstream, protocols: str) -> None:
    async with _gateway(upstream, f"{{name: r, paths: [/api], protocols: {protocols}}}") as gw:
        assert (await _get(gw)).status == 200
        assert len(upstream.requests) == 1
