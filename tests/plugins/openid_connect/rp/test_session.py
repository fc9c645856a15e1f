"""Session cookies through a real gateway: chunking, timeouts, tampering, fixation, stripping."""

from __future__ import annotations

from typing import Any

import pytest

from authgate.plugins.services import PluginServices
from idp.oidc_harness import IdpServer

from ..browser_env import (
    NAV,
    Gateway,
    login,
    make_site,
    plugin_config,
    running_gateway,
    set_cookies,
    start_gateway,
    upstream_headers,
)

pytest_plugins = ["plugins.openid_connect.browser_fixtures"]


def _session_cookies(gateway: Gateway) -> dict[str, str]:
    return {c.name: c.value for c in gateway.browser.cookies.jar if c.name.startswith("session")}


async def test_session_over_4kb_is_chunked_and_reassembled(idp: IdpServer, echo_port: int) -> None:
    groups = tuple(f"group-with-a-rather-long-name-number-{i:03d}" for i in range(90))
    big = make_site(idp)
    from idp.oidc_harness import seed

    big.pool = seed(
        idp, groups=groups,
        callback_urls=(f"{big.base}/app",), logout_urls=(f"{big.base}/signed-out",),
    )  # fmt: skip
    services = PluginServices(clock=idp.clock)
    async with running_gateway(big, echo_port, {"app": plugin_config(big)}, services) as running:
        first = await running.browser.get(f"{big.base}/app", headers=NAV)
        from ..browser_env import sign_in

        callback = await sign_in(running.browser, first.headers["location"], big.pool)
        back = await running.browser.get(callback, headers=NAV)
        chunks = [c for c in set_cookies(back) if c.startswith("session")]
        assert len(chunks) >= 3
        assert {c.partition("=")[0] for c in chunks} >= {"session", "session2", "session3"}
        assert all(len(c.encode()) < 4096 for c in chunks)
        page = await running.browser.get(f"{big.base}/app", headers=NAV)
        assert page.status_code == 200
        seen = upstream_headers(page)
        assert "session" not in "; ".join(seen.get("cookie", []))


async def test_upstream_keeps_its_own_cookies(gateway: Gateway) -> None:
    await login(gateway.browser, f"{gateway.site.base}/app", gateway.site.pool)
    gateway.browser.cookies.set("app_pref", "dark")
    gateway.browser.cookies.set("authorization", "the-app-uses-this-name-too")
    page = await gateway.browser.get(f"{gateway.site.base}/app", headers=NAV)
    cookie = "; ".join(upstream_headers(page)["cookie"])
    assert "app_pref=dark" in cookie
    assert "authorization=the-app-uses-this-name-too" in cookie
    assert "session=" not in cookie


@pytest.mark.parametrize(
    "damage",
    [
        lambda v: v[:-6] + ("AAAAAA" if not v.endswith("AAAAAA") else "BBBBBB"),
        lambda v: v[: len(v) // 2],
        lambda v: "garbage",
        lambda v: "",
    ],
    ids=["tampered", "truncated", "garbage", "empty"],
)
async def test_broken_session_cookie_means_a_fresh_login_never_a_500(
    gateway: Gateway, damage: object
) -> None:
    site = gateway.site
    await login(gateway.browser, f"{site.base}/app", site.pool)
    value = _session_cookies(gateway)["session"]
    gateway.browser.cookies.clear()
    assert callable(damage)
    gateway.browser.cookies.set("session", damage(value), domain="127.0.0.1")
    response = await gateway.browser.get(f"{site.base}/app", headers=NAV)
    assert response.status_code == 302
    assert "/oauth2/authorize" in response.headers["location"]
    api = await gateway.browser.get(f"{site.base}/app", headers={"accept": "application/json"})
    assert api.status_code == 401


@pytest.mark.parametrize(
    "cookies",
    [
        {"session": "garbage"},
        {"session": "3.garbage", "session2": "more-garbage", "session3": "even-more"},
    ],
    ids=["one-cookie", "chunked"],
)
@pytest.mark.parametrize("accept", [NAV, {"accept": "application/json"}], ids=["page", "api"])
async def test_garbage_session_cookie_is_cleared_once_per_cookie_name(
    gateway: Gateway, cookies: dict[str, str], accept: dict[str, str]
) -> None:
    site = gateway.site
    for name, value in cookies.items():
        gateway.browser.cookies.set(name, value, domain="127.0.0.1")
    response = await gateway.browser.get(f"{site.base}/app", headers=accept)
    assert response.status_code in (302, 401)
    clearing = [c for c in set_cookies(response) if c.startswith("session")]
    names = [c.partition("=")[0] for c in clearing]
    assert sorted(names) == sorted(cookies), clearing
    assert all("Max-Age=0" in c for c in clearing)


async def _status_after_restart(
    gateway: Gateway, idp: IdpServer, echo_port: int, app: dict[str, Any]
) -> int:
    """Log in, restart the gateway with route config ``app`` and replay the session cookies."""
    site = gateway.site
    await login(gateway.browser, f"{site.base}/app", site.pool)
    cookies = _session_cookies(gateway)
    await gateway.close()
    running = await start_gateway(site, echo_port, {"app": app}, PluginServices(clock=idp.clock))
    gateway.server = running.server
    gateway.browser = running.browser
    for name, value in cookies.items():
        running.browser.cookies.set(name, value)
    response = await running.browser.get(f"{site.base}/app", headers=NAV)
    return response.status_code


async def test_session_from_another_secret_is_not_accepted(
    gateway: Gateway, idp: IdpServer, echo_port: int
) -> None:
    other = plugin_config(gateway.site, session_secret="another-secret-entirely-0123456789abcdef")
    assert await _status_after_restart(gateway, idp, echo_port, other) == 302


async def test_rotated_secret_keeps_existing_sessions(
    gateway: Gateway, idp: IdpServer, echo_port: int
) -> None:
    site = gateway.site
    rotated = plugin_config(
        site, session_secret="the-new-secret-after-rotation-0123456789",
        session_secret_fallbacks=[plugin_config(site)["session_secret"]],
    )  # fmt: skip
    assert await _status_after_restart(gateway, idp, echo_port, rotated) == 200


async def test_idle_session_expires(gateway: Gateway, idp: IdpServer) -> None:
    site = gateway.site
    await login(gateway.browser, f"{site.base}/short", site.pool)
    idp.clock.advance(250)
    assert (await gateway.browser.get(f"{site.base}/short", headers=NAV)).status_code == 200
    idp.clock.advance(250)  # used 250 s ago: still alive (idle limit 300)
    assert (await gateway.browser.get(f"{site.base}/short", headers=NAV)).status_code == 200
    idp.clock.advance(301)
    expired = await gateway.browser.get(f"{site.base}/short", headers=NAV)
    assert expired.status_code == 302
    assert any(c.startswith("session=;") and "Max-Age=0" in c for c in set_cookies(expired))


async def test_absolute_timeout_ends_even_an_active_session(
    gateway: Gateway, idp: IdpServer
) -> None:
    site = gateway.site
    await login(gateway.browser, f"{site.base}/short", site.pool)
    for _ in range(4):
        idp.clock.advance(240)
        assert (await gateway.browser.get(f"{site.base}/short", headers=NAV)).status_code == 200
    idp.clock.advance(100)  # 1060 s after login, absolute limit 1000
    assert (await gateway.browser.get(f"{site.base}/short", headers=NAV)).status_code == 302


async def test_preset_session_cookie_is_never_adopted(gateway: Gateway) -> None:
    site = gateway.site
    planted = "attacker-chosen-session-value"
    gateway.browser.cookies.set("session", planted, domain="127.0.0.1")
    gateway.browser.cookies.set("session2", "leftover", domain="127.0.0.1")
    first = await gateway.browser.get(f"{site.base}/app", headers=NAV)
    assert first.status_code == 302
    page = await login(gateway.browser, f"{site.base}/app", site.pool)
    assert page.status_code == 200
    cookies = _session_cookies(gateway)
    assert cookies["session"] != planted
    assert "session2" not in cookies


async def test_session_cookie_flags_follow_the_config(
    gateway: Gateway, idp: IdpServer, echo_port: int
) -> None:
    """session_cookie_secure and session_cookie_same_site reach the Set-Cookie header."""
    site = gateway.site
    await gateway.close()
    secure = plugin_config(site, session_cookie_secure=True, session_cookie_same_site="Strict")
    running = await start_gateway(site, echo_port, {"app": secure}, PluginServices(clock=idp.clock))
    gateway.server, gateway.browser = running.server, running.browser
    first = await running.browser.get(f"{site.base}/app", headers=NAV)
    from ..browser_env import sign_in

    callback = await sign_in(running.browser, first.headers["location"], site.pool)
    back = await running.browser.get(callback, headers=NAV)
    [cookie] = [c for c in set_cookies(back) if c.startswith("session=")]
    assert cookie.endswith("; Secure; HttpOnly; SameSite=Strict")
