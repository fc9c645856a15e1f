"""Silent refresh of session tokens: single flight, rotation races, refusal (rp.md §0.3)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from authgate.plugins.services import PluginServices
from idp.oidc_harness import IdpServer

from ..browser_env import (
    NAV,
    Gateway,
    Site,
    login,
    make_site,
    plugin_config,
    running_gateway,
    set_cookies,
    upstream_headers,
)

pytest_plugins = ["plugins.openid_connect.browser_fixtures"]


@pytest.fixture(scope="module")
def rotating(idp: IdpServer) -> Site:
    return make_site(idp, refresh_token_rotation=True, rotation_grace_seconds=0)


@pytest.fixture
async def gateway(rotating: Site, idp: IdpServer, echo_port: int) -> AsyncIterator[Gateway]:
    config = plugin_config(rotating, session_idling_timeout=0, session_rolling_timeout=0)
    services = PluginServices(clock=idp.clock)
    async with running_gateway(rotating, echo_port, {"rotate": config}, services) as running:
        yield running


def _cookies(browser: httpx.AsyncClient) -> dict[str, str]:
    return {c.name: c.value for c in browser.cookies.jar if c.name.startswith("session")}


def _bearer(response: httpx.Response) -> str:
    return upstream_headers(response)["authorization"][0]


async def test_concurrent_requests_refresh_once_and_all_succeed(
    gateway: Gateway, idp: IdpServer
) -> None:
    site, browser = gateway.site, gateway.browser
    page = await login(browser, f"{site.base}/rotate", site.pool)
    first_token = _bearer(page)
    old_cookies = _cookies(browser)
    idp.clock.advance(3600 - 10)  # the access token expires in 10 s: refresh first
    before = gateway.services.refresher.requests
    responses = await asyncio.gather(
        *(browser.get(f"{site.base}/rotate/{i}", headers=NAV) for i in range(8))
    )
    assert [r.status_code for r in responses] == [200] * 8
    assert gateway.services.refresher.requests == before + 1
    tokens = {_bearer(r) for r in responses}
    assert len(tokens) == 1
    assert tokens != {first_token}
    assert all(any(c.startswith("session=") for c in set_cookies(r)) for r in responses)
    # a request that raced with the refresh still carries the old (rotated) refresh token
    async with httpx.AsyncClient(timeout=20, cookies=old_cookies) as late:
        response = await late.get(f"{site.base}/rotate/late", headers=NAV)
        assert response.status_code == 200
        assert _bearer(response) in tokens
    assert gateway.services.refresher.requests == before + 1
    # the next expiry refreshes again with the new refresh token
    idp.clock.advance(3600)
    again = await browser.get(f"{site.base}/rotate", headers=NAV)
    assert again.status_code == 200
    assert gateway.services.refresher.requests == before + 2


async def test_refresh_refused_by_the_idp_ends_the_session(
    gateway: Gateway, idp: IdpServer
) -> None:
    site, browser = gateway.site, gateway.browser
    page = await login(browser, f"{site.base}/rotate", site.pool)
    refresh_token = upstream_headers(page)["x-refresh-token"][0]
    with idp.client() as http:
        revoked = http.post(
            site.pool.path("/oauth2/revoke"), data={"token": refresh_token},
            auth=(site.pool.client_id, site.pool.client_secret or ""),
        )  # fmt: skip
        assert revoked.status_code == 200
    idp.clock.advance(3600)
    response = await browser.get(f"{site.base}/rotate", headers=NAV)
    assert response.status_code == 302
    assert "/oauth2/authorize?" in response.headers["location"]
    assert any(c.startswith("session=;") for c in set_cookies(response))


async def test_without_refresh_tokens_an_expired_session_logs_in_again(
    rotating: Site, idp: IdpServer, echo_port: int
) -> None:
    config = plugin_config(rotating, refresh_tokens=False, session_idling_timeout=0)
    services = PluginServices(clock=idp.clock)
    async with running_gateway(rotating, echo_port, {"rotate": config}, services) as running:
        await login(running.browser, f"{rotating.base}/rotate", rotating.pool)
        idp.clock.advance(3500)
        ok = await running.browser.get(f"{rotating.base}/rotate", headers=NAV)
        assert ok.status_code == 200
        idp.clock.advance(200)
        expired = await running.browser.get(f"{rotating.base}/rotate", headers=NAV)
        assert expired.status_code == 302
        assert running.services.refresher.requests == 0
