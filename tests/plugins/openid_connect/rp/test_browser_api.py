"""Browser navigations go to the login page; API and XHR calls get 401 (rp.md §0.5)."""

from __future__ import annotations

import pytest

from idp.oidc_harness import password_tokens

from ..browser_env import NAV, Gateway, set_cookies

pytest_plugins = ["plugins.openid_connect.browser_fixtures"]


@pytest.mark.parametrize(
    ("method", "headers", "status"),
    [
        ("GET", NAV, 302),
        ("GET", {"accept": "*/*"}, 302),  # curl
        ("GET", {}, 302),
        ("HEAD", NAV, 302),
        ("GET", {**NAV, "x-requested-with": "XMLHttpRequest"}, 401),
        ("GET", {"accept": "application/json"}, 401),
        ("GET", {"accept": "*/*", "sec-fetch-mode": "cors", "sec-fetch-dest": "empty"}, 401),
        ("GET", {"sec-fetch-mode": "navigate", "sec-fetch-dest": "image"}, 401),
        ("POST", NAV, 401),  # a body cannot survive the round trip to the IdP
        ("DELETE", {"accept": "application/json"}, 401),
    ],
)
async def test_only_navigations_are_sent_to_the_login_page(
    gateway: Gateway, method: str, headers: dict[str, str], status: int
) -> None:
    response = await gateway.browser.request(
        method, f"{gateway.site.base}/app/data", headers=headers
    )
    assert response.status_code == status
    if status == 401:
        assert response.headers["www-authenticate"] == 'Bearer realm="authgate"'
        assert response.json()["message"] == "Unauthorized"
        assert not set_cookies(response)  # no login state piles up for background calls
    else:
        assert "/oauth2/authorize?" in response.headers["location"]


async def test_unauth_action_is_configurable(gateway: Gateway) -> None:
    base = gateway.site.base
    assert (await gateway.browser.get(f"{base}/deny", headers=NAV)).status_code == 401
    xhr = {"x-requested-with": "XMLHttpRequest", "accept": "application/json"}
    assert (await gateway.browser.get(f"{base}/always", headers=xhr)).status_code == 302


async def test_api_clients_keep_using_bearer_tokens_on_a_browser_route(
    gateway: Gateway, idp: object
) -> None:
    from idp.oidc_harness import IdpServer

    assert isinstance(idp, IdpServer)
    with idp.client() as http:
        token = password_tokens(http, gateway.site.pool)["access_token"]
    response = await gateway.browser.get(
        f"{gateway.site.base}/app/api", headers={"authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    bad = await gateway.browser.get(
        f"{gateway.site.base}/app/api", headers={**NAV, "authorization": "Bearer x.y.z"}
    )
    assert bad.status_code == 401  # a bad credential is an error, not a login
    assert 'error="invalid_token"' in bad.headers["www-authenticate"]
