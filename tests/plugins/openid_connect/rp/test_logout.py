"""Logout through a real gateway: Kong's triggers, revocation, RP-initiated and Cognito logout."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from authgate.testing import free_port
from idp.oidc_harness import IdpServer

from ..browser_env import (
    NAV,
    Gateway,
    login,
    plugin_config,
    set_cookies,
    upstream_headers,
)

pytest_plugins = ["plugins.openid_connect.browser_fixtures"]


def _query(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


async def test_logout_ends_the_session_revokes_and_signs_out_at_the_idp(
    gateway: Gateway, idp: IdpServer, echo_port: int
) -> None:
    site, browser = gateway.site, gateway.browser
    page = await login(browser, f"{site.base}/app", site.pool)
    seen = upstream_headers(page)
    id_token, refresh_token = seen["x-id-token"][0], seen["x-refresh-token"][0]
    await gateway.restart(echo_port, {"app": plugin_config(site, logout_revoke=True)})
    response = await browser.get(f"{site.base}/app/logout", headers=NAV)
    assert response.status_code == 302
    location = response.headers["location"]
    assert location.startswith(f"{site.pool.issuer}/logout?")
    assert _query(location) == {
        "client_id": site.pool.client_id,
        "id_token_hint": id_token,
        "post_logout_redirect_uri": f"{site.base}/signed-out",
    }
    assert any(c.startswith("session=;") and "Max-Age=0" in c for c in set_cookies(response))
    at_idp = await browser.get(location)
    assert at_idp.status_code == 302
    assert at_idp.headers["location"] == f"{site.base}/signed-out"
    with idp.client() as http:
        refreshed = http.post(
            site.pool.path("/oauth2/token"),
            data={"grant_type": "refresh_token", "refresh_token": refresh_token},
            auth=(site.pool.client_id, site.pool.client_secret or ""),
        )
    assert refreshed.status_code == 400  # revoked by logout_revoke
    again = await browser.get(f"{site.base}/app", headers=NAV)
    assert again.status_code == 302  # signed out: back to the login page
    assert "/oauth2/authorize?" in again.headers["location"]


async def test_cognito_style_logout(gateway: Gateway) -> None:
    site, browser = gateway.site, gateway.browser
    await login(browser, f"{site.base}/cognito", site.pool)
    response = await browser.get(f"{site.base}/cognito/logout", headers=NAV)
    assert response.status_code == 302
    location = response.headers["location"]
    assert location.startswith(f"{site.pool.issuer}/logout?")
    assert _query(location) == {
        "client_id": site.pool.client_id,
        "logout_uri": f"{site.base}/signed-out",
    }
    at_idp = await browser.get(location)
    assert at_idp.headers["location"] == f"{site.base}/signed-out"


@pytest.mark.parametrize(
    "query",
    [
        "post_logout_redirect_uri=https://evil.example/",
        "logout_redirect_uri=//evil.example",
        "redirect_uri=/%5Cevil.example",
        "return_to=%09//evil.example&rd=https%3A%2F%2Fevil.example",
    ],
)
async def test_logout_targets_come_only_from_configuration(gateway: Gateway, query: str) -> None:
    site, browser = gateway.site, gateway.browser
    await login(browser, f"{site.base}/app", site.pool)
    response = await browser.get(f"{site.base}/app/logout?{query}", headers=NAV)
    assert response.status_code == 302
    target = _query(response.headers["location"])["post_logout_redirect_uri"]
    assert target == f"{site.base}/signed-out"
    assert "evil" not in response.headers["location"]


async def test_logout_methods_are_enforced(gateway: Gateway) -> None:
    site, browser = gateway.site, gateway.browser
    await login(browser, f"{site.base}/app", site.pool)
    # PUT is not in logout_methods: the request is an ordinary proxied one
    put = await browser.put(f"{site.base}/app/logout", headers={"accept": "application/json"})
    assert put.status_code == 200
    assert put.json()["path"] == "/app/logout"
    delete = await browser.delete(f"{site.base}/app/logout")
    assert delete.status_code == 302


async def test_logout_by_post_arg_and_query_arg(
    gateway: Gateway, idp: IdpServer, echo_port: int
) -> None:
    site = gateway.site
    config = plugin_config(
        site, logout_uri_suffix=None, logout_query_arg="signout", logout_post_arg="bye",
        logout_redirect_uri=None,
    )  # fmt: skip
    await gateway.restart(echo_port, {"app": config})
    browser = gateway.browser
    await login(browser, f"{site.base}/app", site.pool)
    ordinary = await browser.post(f"{site.base}/app/form", data={"hello": "1"})
    assert ordinary.status_code == 200
    assert ordinary.json()["body"] == "hello=1"  # the body still reaches the upstream
    by_post = await browser.post(f"{site.base}/app/form", data={"bye": "1"})
    assert by_post.status_code == 302
    assert "post_logout_redirect_uri" not in by_post.headers["location"]
    assert (await browser.get(f"{site.base}/app", headers=NAV)).status_code == 302
    await login(browser, f"{site.base}/app", site.pool)
    by_query = await browser.get(f"{site.base}/app?signout", headers=NAV)
    assert by_query.status_code == 302
    assert by_query.headers["location"].startswith(f"{site.pool.issuer}/logout?")


class _BareDiscovery(BaseHTTPRequestHandler):
    """An OP whose discovery document names only its issuer and an empty JWKS."""

    def do_GET(self) -> None:
        host, port = self.server.server_address[:2]
        issuer = f"http://{host}:{port}/op"
        document = {"keys": []} if self.path.endswith("/jwks") else {
            "issuer": issuer, "jwks_uri": issuer + "/jwks",
        }  # fmt: skip
        body = json.dumps(document).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def bare_op() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), _BareDiscovery)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/op"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


async def test_logout_without_end_session_or_redirect_shows_signed_out_with_sign_in_again(
    gateway: Gateway, echo_port: int, bare_op: str
) -> None:
    site = gateway.site
    config = plugin_config(site, issuer=bare_op, logout_redirect_uri=None)
    await gateway.restart(echo_port, {"app": config})
    response = await gateway.browser.get(f"{site.base}/app/logout", headers=NAV)
    assert response.status_code == 200
    assert "<h1>Signed out</h1>" in response.text
    assert "You are signed out." in response.text
    assert f'<a class="button" href="{site.base}/app">Sign in again</a>' in response.text
    assert "style-src 'sha256-" in response.headers["content-security-policy"]
