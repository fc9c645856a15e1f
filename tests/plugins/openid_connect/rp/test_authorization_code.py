"""Browser login through a real gateway against the real embedded IdP (OIDC Core §3.1)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from idp.oidc_harness import query_of

from ..browser_env import (
    NAV,
    Gateway,
    login,
    new_browser,
    set_cookies,
    sign_in,
    to_idp_login,
    upstream_headers,
)

pytest_plugins = ["plugins.openid_connect.browser_fixtures"]


async def test_browser_login_lands_on_the_deep_link_with_identity_headers(
    gateway: Gateway,
) -> None:
    site, browser = gateway.site, gateway.browser
    first = await browser.get(f"{site.base}/app/reports?year=2024&q=a%20b", headers=NAV)
    assert first.status_code == 302
    authorize = urlsplit(first.headers["location"])
    params = {k: v[0] for k, v in parse_qs(authorize.query).items()}
    assert params["redirect_uri"] == f"{site.base}/app"  # the route's own URL
    assert params["scope"] == "openid email profile"
    assert params["code_challenge_method"] == "S256"  # discovery advertises S256
    assert len(params["state"]) >= 43
    assert params["nonce"]
    [state_cookie] = set_cookies(first)
    assert state_cookie.startswith("authorization_")
    assert "HttpOnly" in state_cookie
    assert "Max-Age=600" in state_cookie
    assert "SameSite" not in state_cookie  # Kong's "Default"
    callback = await sign_in(browser, first.headers["location"], site.pool)
    back = await browser.get(callback, headers=NAV)
    assert back.status_code == 302
    assert back.headers["location"] == f"{site.base}/app/reports?year=2024&q=a%20b"
    cookies = set_cookies(back)
    session = [c for c in cookies if c.startswith("session=")]
    assert session
    assert "HttpOnly" in session[0]
    assert "SameSite=Lax" in session[0]
    assert any(c.startswith("authorization_") and "Max-Age=0" in c for c in cookies)
    page = await browser.get(back.headers["location"], headers=NAV)
    assert page.status_code == 200, page.text
    echoed = page.json()
    assert echoed["path"] == "/app/reports"
    assert parse_qs(echoed["query"]) == {"year": ["2024"], "q": ["a b"]}
    seen = upstream_headers(page)
    assert seen["x-email"] == [site.pool.email]
    assert seen["authorization"][0].startswith("Bearer ey")
    assert seen["x-id-token"][0].count(".") == 2
    assert seen["x-credential-identifier"] == [site.pool.sub]
    cookie_header = "; ".join(seen.get("cookie", []))
    assert "session=" not in cookie_header  # the gateway's cookies stay at the gateway
    assert "authorization_" not in cookie_header
    again = await browser.get(f"{site.base}/app/other", headers=NAV)
    assert again.status_code == 200  # no IdP round trip


async def test_without_preserve_query_args_the_query_is_dropped(gateway: Gateway) -> None:
    site, browser = gateway.site, gateway.browser
    first = await browser.get(f"{site.base}/plain/x?a=1", headers=NAV)
    callback = await sign_in(browser, first.headers["location"], site.pool)
    back = await browser.get(callback, headers=NAV)
    assert back.headers["location"] == f"{site.base}/plain/x"


async def test_two_tabs_logging_in_at_once_both_succeed(gateway: Gateway) -> None:
    site, browser = gateway.site, gateway.browser
    tab_a = await browser.get(f"{site.base}/app/a", headers=NAV)
    tab_b = await browser.get(f"{site.base}/app/b", headers=NAV)
    assert len([c for c in browser.cookies.jar if c.name.startswith("authorization_")]) == 2
    callback_b = await sign_in(browser, tab_b.headers["location"], site.pool)
    callback_a = await sign_in(browser, tab_a.headers["location"], site.pool)  # IdP session
    back_b = await browser.get(callback_b, headers=NAV)
    back_a = await browser.get(callback_a, headers=NAV)
    assert back_b.headers["location"] == f"{site.base}/app/b"
    assert back_a.headers["location"] == f"{site.base}/app/a"
    assert (await browser.get(back_a.headers["location"], headers=NAV)).status_code == 200
    assert (await browser.get(back_b.headers["location"], headers=NAV)).status_code == 200


async def test_pending_logins_are_bounded(gateway: Gateway) -> None:
    site, browser = gateway.site, gateway.browser
    for index in range(12):
        response = await browser.get(f"{site.base}/app/{index}", headers=NAV)
        assert response.status_code == 302
    pending = [c for c in browser.cookies.jar if c.name.startswith("authorization_")]
    assert 0 < len(pending) <= 5


async def test_state_mismatch_is_refused_with_a_page(gateway: Gateway) -> None:
    site, browser = gateway.site, gateway.browser
    first = await browser.get(f"{site.base}/app", headers=NAV)
    callback = await sign_in(browser, first.headers["location"], site.pool)
    query = query_of(callback)
    forged = query["state"][:12] + "x" * 31  # same cookie name, different state
    response = await browser.get(
        f"{site.base}/app?" + urlencode({"code": query["code"], "state": forged}), headers=NAV
    )
    assert response.status_code == 400
    assert "text/html" in response.headers["content-type"]
    assert "expired or was already used" in response.text
    assert "session" not in browser.cookies


async def test_replayed_callback_is_refused_and_does_not_loop(gateway: Gateway) -> None:
    site, browser = gateway.site, gateway.browser
    first = await browser.get(f"{site.base}/app", headers=NAV)
    state_cookies = {c.name: c.value for c in browser.cookies.jar}
    callback = await sign_in(browser, first.headers["location"], site.pool)
    assert (await browser.get(callback, headers=NAV)).status_code == 302
    # the same callback again, from a browser that still has the old state cookie
    async with new_browser() as replay:
        for name, value in state_cookies.items():
            if name.startswith("authorization_"):
                replay.cookies.set(name, value)
        response = await replay.get(callback, headers=NAV)
        assert response.status_code == 401
        assert "code refused" in response.text
        assert not any(c.startswith("session=") for c in set_cookies(response))
    # and from one with no state at all: a page, not a new login
    async with new_browser() as stranger:
        response = await stranger.get(callback, headers=NAV)
        assert response.status_code == 400


async def test_nonce_mismatch_is_refused(gateway: Gateway) -> None:
    site, browser = gateway.site, gateway.browser
    first = await browser.get(f"{site.base}/app", headers=NAV)
    parts = urlsplit(first.headers["location"])
    params = {k: v[0] for k, v in parse_qs(parts.query).items()}
    params["nonce"] = "injected-by-attacker"
    tampered = parts._replace(query=urlencode(params)).geturl()
    callback = await sign_in(browser, tampered, site.pool)
    response = await browser.get(callback, headers=NAV)
    assert response.status_code == 401
    assert "nonce does not match" in response.text
    assert not any(c.startswith("session=") for c in set_cookies(response))


async def test_idp_error_shows_a_page_with_a_way_back(gateway: Gateway) -> None:
    site, browser = gateway.site, gateway.browser
    first = await browser.get(f"{site.base}/app/deep", headers=NAV)
    state = query_of(first.headers["location"])["state"]
    response = await browser.get(
        f"{site.base}/app?error=access_denied&error_description=User%20said%20no&state={state}",
        headers=NAV,
    )
    assert response.status_code == 403
    assert "access_denied" in response.text
    assert "User said no" in response.text
    assert f'href="{site.base}/app/deep"' in response.text
    csp = response.headers["content-security-policy"]
    assert csp.startswith("default-src 'none'; style-src 'sha256-")


async def test_mixed_up_issuer_in_the_callback_is_refused(gateway: Gateway) -> None:
    site, browser = gateway.site, gateway.browser
    first = await browser.get(f"{site.base}/app", headers=NAV)
    callback = await sign_in(browser, first.headers["location"], site.pool)
    query = query_of(callback)
    assert query["iss"] == site.pool.issuer  # RFC 9207
    query["iss"] = "https://evil.example/pool"
    response = await browser.get(f"{site.base}/app?{urlencode(query)}", headers=NAV)
    assert response.status_code == 400
    assert "unexpected issuer" in response.text


async def test_duplicated_state_is_refused(gateway: Gateway) -> None:
    site, browser = gateway.site, gateway.browser
    response = await browser.get(f"{site.base}/app?code=a&state=b&state=c", headers=NAV)
    assert response.status_code == 400
    assert "more than one state" in response.text


async def test_form_post_callback(gateway: Gateway) -> None:
    """response_mode=form_post: the IdP's auto-submitting form, as a browser would POST it.

    The embedded IdP only speaks response_mode=query, so the test asks it for a query response
    and posts the same parameters to the callback itself.
    """
    site, browser = gateway.site, gateway.browser
    first = await browser.get(f"{site.base}/form/page", headers=NAV)
    parts = urlsplit(first.headers["location"])
    params = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert params.pop("response_mode") == "form_post"
    callback = await sign_in(browser, parts._replace(query=urlencode(params)).geturl(), site.pool)
    response = await browser.post(
        f"{site.base}/form", data=query_of(callback), headers={**NAV, "origin": "null"}
    )
    assert response.status_code == 302, response.text
    assert response.headers["location"] == f"{site.base}/form/page"
    page = await browser.get(response.headers["location"], headers=NAV)
    assert page.status_code == 200
    assert page.json()["method"] == "GET"


async def test_login_action_response_returns_the_tokens(gateway: Gateway) -> None:
    site, browser = gateway.site, gateway.browser
    first = await browser.get(f"{site.base}/respond", headers=NAV)
    callback = await sign_in(browser, first.headers["location"], site.pool)
    response = await browser.get(callback, headers=NAV)
    assert response.status_code == 200
    assert set(response.json()) == {"id_token", "access_token", "refresh_token"}
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    "path",
    ["/app//evil.example/x", "/app/\\evil.example", "/app/%09/evil.example", "/app/%0a%0dx"],
)
async def test_deep_links_never_become_off_site_redirects(gateway: Gateway, path: str) -> None:
    site, browser = gateway.site, gateway.browser
    first = await browser.get(f"{site.base}{path}", headers=NAV)
    if first.status_code != 302:
        assert first.status_code in (400, 404), first.text  # refused before any login
        return
    callback = await sign_in(browser, first.headers["location"], site.pool)
    back = await browser.get(callback, headers=NAV)
    location = back.headers["location"]
    assert location.startswith(f"{site.base}/")
    assert urlsplit(location).netloc == f"127.0.0.1:{site.port}"
    assert not any(c in location for c in "\\\t\r\n")


async def test_login_needs_no_more_than_the_route_url_registered(gateway: Gateway) -> None:
    """The IdP accepts the default redirect_uri because it is exactly the route's URL."""
    site, browser = gateway.site, gateway.browser
    first = await browser.get(f"{site.base}/app/very/deep?x=1", headers=NAV)
    page = await to_idp_login(browser, first.headers["location"])
    assert page.status_code == 200  # a login form, not the IdP's "redirect_uri" error page
    assert 'name="password"' in page.text


async def test_login_via_helper_reaches_upstream(gateway: Gateway) -> None:
    page = await login(gateway.browser, f"{gateway.site.base}/app/x", gateway.site.pool)
    assert page.status_code == 200
