"""A real gateway in front of the echo upstream, protected by browser login against the real
embedded IdP, and an httpx "browser" that walks the hosted login page. Shared clock: no sleeps.

Used by test_authorization_code*.py, test_session*.py, test_refresh*.py, test_logout*.py and
test_browser_api*.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import orjson

from authgate.config import load_config_text
from authgate.plugins.openid_connect import OidcServices
from authgate.plugins.registry import plugin_schemas
from authgate.plugins.services import PluginServices
from authgate.proxy.runtime import Runtime, RuntimeHolder
from authgate.proxy.server.listener import HttpServer
from authgate.proxy.start import start_server
from authgate.testing import free_port
from idp.oidc_harness import IdpServer, Seeded, form_fields, seed

SECRET = "browser-login-test-secret-0123456789abcdef"
# A top-level navigation. Accept names text/html, so the gateway treats it as a browser (a
# login redirect, not a 401); it ranks JSON first, so the echo upstream answers with the JSON
# these tests read. A real browser ranks text/html first and gets the echo's page (tests/e2e).
NAV = {
    "accept": "application/json,text/html;q=0.9,*/*;q=0.8",
    "sec-fetch-mode": "navigate",
    "sec-fetch-dest": "document",
}
ROUTES = ("app", "short", "form", "rotate", "respond", "plain", "cognito")


@dataclass
class Site:
    """The gateway's port and the IdP pool whose client knows the gateway's URLs."""

    port: int
    pool: Seeded

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def make_site(idp: IdpServer, **client: Any) -> Site:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    pool = seed(
        idp,
        callback_urls=tuple(f"{base}/{name}" for name in ROUTES),
        logout_urls=(f"{base}/signed-out",),
        **client,
    )
    return Site(port, pool)


def plugin_config(site: Site, **overrides: Any) -> dict[str, Any]:
    pool = site.pool
    config: dict[str, Any] = {
        "issuer": pool.issuer,
        "client_id": [pool.client_id],
        "client_secret": [pool.client_secret],
        "auth_methods": ["authorization_code", "session", "bearer"],
        "scopes": ["openid", "email", "profile"],
        "session_secret": SECRET,
        "preserve_query_args": True,
        "logout_uri_suffix": "/logout",
        "logout_methods": ["GET", "POST", "DELETE"],
        "logout_redirect_uri": [f"{site.base}/signed-out"],
        "upstream_id_token_header": "x-id-token",
        "upstream_refresh_token_header": "x-refresh-token",
        "upstream_headers_claims": ["email"],
        "upstream_headers_names": ["x-email"],
    }
    config.update(overrides)
    return config


def gateway_yaml(echo_port: int, routes: dict[str, dict[str, Any]]) -> str:
    document = {
        "_format_version": "3.0",
        "services": [
            {
                "name": "echo",
                "url": f"http://127.0.0.1:{echo_port}",
                "routes": [
                    {
                        "name": name,
                        "paths": [f"/{name}"],
                        "strip_path": False,
                        "plugins": [{"name": "openid-connect", "config": config}],
                    }
                    for name, config in routes.items()
                ]
                + [{"name": "signed-out", "paths": ["/signed-out"], "strip_path": False}],
            }
        ],
    }
    return orjson.dumps(document).decode()  # JSON is YAML


class Gateway:
    """A running gateway and an httpx client acting as the browser."""

    def __init__(self, server: HttpServer, services: PluginServices, site: Site) -> None:
        self.server = server
        self.plugin_services = services
        self.services = OidcServices.of(services)
        """The plugin's state in ``plugin_services`` (caches, the refresher)."""
        self.site = site
        self.browser = new_browser()

    async def close(self) -> None:
        await self.browser.aclose()
        await self.server.drain(1.0)

    async def restart(self, echo_port: int, routes: dict[str, dict[str, Any]]) -> None:
        """Serve ``routes`` instead, on the same port, keeping the browser and services."""
        await self.server.drain(1.0)
        running = await start_gateway(self.site, echo_port, routes, self.plugin_services)
        await running.browser.aclose()
        self.server = running.server


def new_browser() -> httpx.AsyncClient:
    return httpx.AsyncClient(follow_redirects=False, timeout=20)


async def start_gateway(
    site: Site, echo_port: int, routes: dict[str, dict[str, Any]], services: PluginServices
) -> Gateway:
    config = load_config_text(gateway_yaml(echo_port, routes), plugin_schemas())
    holder = RuntimeHolder(Runtime.build(config, services))
    server = await start_server(holder, "127.0.0.1", site.port)
    return Gateway(server, services, site)


@asynccontextmanager
async def running_gateway(
    site: Site, echo_port: int, routes: dict[str, dict[str, Any]], services: PluginServices
) -> AsyncIterator[Gateway]:
    """:func:`start_gateway` for the ``async with`` body; closed on the way out (also when the
    body fails), whatever server and browser it holds by then."""
    gateway = await start_gateway(site, echo_port, routes, services)
    try:
        yield gateway
    finally:
        await gateway.close()


async def to_idp_login(browser: httpx.AsyncClient, authorize_url: str) -> httpx.Response:
    """Follow the authorize URL to the hosted login page (or straight back, with a session)."""
    response = await browser.get(authorize_url)
    while (
        response.status_code in (302, 303)
        and "/login" in urlsplit(response.headers["location"]).path
    ):
        response = await browser.get(urljoin(str(response.url), response.headers["location"]))
    return response


async def sign_in(
    browser: httpx.AsyncClient, authorize_url: str, pool: Seeded, password: str | None = None
) -> str:
    """Sign in on the hosted page; the callback URL the IdP sends the browser to."""
    page = await to_idp_login(browser, authorize_url)
    if page.status_code == 200:
        csrf, action = form_fields(page.text)
        page = await browser.post(
            urljoin(str(page.url), action),
            data={"username": pool.email, "password": password or pool.password, "_csrf": csrf},
        )
    assert page.status_code in (302, 303), page.text
    return page.headers["location"]


async def login(
    browser: httpx.AsyncClient, url: str, pool: Seeded, headers: dict[str, str] | None = None
) -> httpx.Response:
    """The whole browser login for ``url``; the final response (the page itself)."""
    first = await browser.get(url, headers=headers or NAV)
    assert first.status_code == 302, first.text
    callback = await sign_in(browser, first.headers["location"], pool)
    back = await browser.get(callback, headers=NAV)
    assert back.status_code == 302, back.text
    return await browser.get(back.headers["location"], headers=NAV)


def upstream_headers(response: httpx.Response) -> dict[str, list[str]]:
    seen: dict[str, list[str]] = {}
    for name, value in response.json()["headers"]:
        seen.setdefault(name.lower(), []).append(value)
    return seen


def set_cookies(response: httpx.Response) -> list[str]:
    return response.headers.get_list("set-cookie")
