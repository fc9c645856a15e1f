"""After login the browser is back on exactly the URL it asked for (path and query), and only
ever on a path of this gateway. A real gateway against the real embedded IdP; the third-party
OP case is in tests/e2e/test_third_party_op_browser.py."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import unquote, urlsplit

import pytest

from authgate.plugins.services import PluginServices
from idp.oidc_harness import IdpServer

from ..browser_env import NAV, Gateway, Site, plugin_config, running_gateway, sign_in

pytest_plugins = ["plugins.openid_connect.browser_fixtures"]


@pytest.fixture
async def web(site: Site, idp: IdpServer, echo_port: int) -> AsyncIterator[Gateway]:
    """``/app`` with an explicit ``redirect_uri`` and ``preserve_query_args`` left unset."""
    app = plugin_config(site, redirect_uri=[f"{site.base}/app"])
    del app["preserve_query_args"]
    services = PluginServices(clock=idp.clock)
    async with running_gateway(site, echo_port, {"app": app}, services) as running:
        yield running


@pytest.mark.parametrize(
    "target",
    [
        "/app/page?q=1",
        "/app/page?q=a%20b&q=c&q=&flag&x=%2F%3F%26%23%3D&y=%E2%9C%93",
        "/app/page?b=2&a=1&b=1&a=0",
        "/app/x?plus=a+b&semi=1;2&path=/x?y&at=@&tilde=~&star=*",
        "/app/a%2Fb/%C3%A9?next=https%3A%2F%2Fevil.example%2F",
        "/app?q=1&q=2",  # the redirect URI itself
        "/app/page",
    ],
)
async def test_login_restores_the_original_path_and_query_exactly(
    web: Gateway, target: str
) -> None:
    site, browser = web.site, web.browser
    first = await browser.get(site.base + target, headers=NAV)
    assert first.status_code == 302, first.text
    assert first.request.url.raw_path.decode() == target  # sent as written
    callback = await sign_in(browser, first.headers["location"], site.pool)
    assert urlsplit(callback).path == "/app"
    back = await browser.get(callback, headers=NAV)
    assert back.status_code == 302, back.text
    assert back.headers["location"] == site.base + target
    page = await browser.get(back.headers["location"], headers=NAV)
    assert page.status_code == 200, page.text
    path, _, query = target.partition("?")
    assert (page.json()["path"], page.json()["query"]) == (unquote(path), query)  # ASGI path


async def test_a_forged_host_at_login_start_cannot_send_the_browser_off_site(
    web: Gateway,
) -> None:
    site, browser = web.site, web.browser
    headers = NAV | {"host": "evil.example"}
    first = await browser.get(f"{site.base}/app/page?q=1", headers=headers)
    assert first.status_code == 302, first.text
    callback = await sign_in(browser, first.headers["location"], site.pool)
    back = await browser.get(callback, headers=NAV)
    assert back.headers["location"] == f"{site.base}/app/page?q=1"
