"""Interop: the same browser login through the gateway, against an OpenID Provider that is not
ours — panva's oidc-provider (OpenID Certified), installed from npm by ``npm ci`` and run on
loopback. Its access tokens are opaque, it rotates refresh tokens at every use, it requires
PKCE, and it asks the user to confirm RP-initiated logout: all of it must just work.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from e2e_harness import OP_EMAIL, OP_PASSWORD, GatewayThread, OffsetClock, StartOp, route_config

from authgate.testing.browser import RequestLog
from authgate.testing.third_party_op import ThirdPartyOp

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

pytestmark = pytest.mark.browser

ACCESS_TOKEN_TTL = 300


@dataclass
class Interop:
    op: ThirdPartyOp
    gateway: GatewayThread
    clock: OffsetClock

    @property
    def bar(self) -> str:
        return self.gateway.base + "/bar"


@contextmanager
def _interop(start_op: StartOp, echo_port: int) -> Iterator[Interop]:
    """A gateway (own clock) and an oidc-provider that knows it, with /bar, /form and /."""
    clock = OffsetClock()
    gateway = GatewayThread(clock, host="localhost")
    client_id, client_secret = "authgate-gateway", secrets.token_urlsafe(24)
    op = start_op(
        client_id, client_secret, [gateway.base + "/bar", gateway.base + "/form"],
        [gateway.base + "/"],
        access_token_ttl=ACCESS_TOKEN_TTL,
    )  # fmt: skip
    bar = {
        "issuer": op.issuer,
        "client_id": [client_id],
        "client_secret": [client_secret],
        "auth_methods": ["authorization_code", "session"],
        "redirect_uri": [gateway.base + "/bar"],
        "scopes": ["openid", "email", "profile"],
        "session_secret": secrets.token_urlsafe(32),
        "upstream_id_token_header": "x-id-token",
        "upstream_headers_claims": ["email"],
        "upstream_headers_names": ["x-user-email"],
        "logout_uri_suffix": "/logout",
        "logout_methods": ["GET", "POST"],
        "logout_redirect_uri": [gateway.base + "/"],
        "logout_revoke": True,
        "upstream_refresh_token_header": "x-refresh-token",
    }
    # The default redirect_uri is the route's own URL (Kong): http://localhost:<port>/form.
    form_post = {k: v for k, v in bar.items() if k != "redirect_uri"} | {
        "response_mode": "form_post"
    }
    try:
        gateway.start(route_config(echo_port, {"/bar": bar, "/form": form_post, "/": None}))
        yield Interop(op, gateway, clock)
    finally:
        gateway.stop()


@pytest.fixture(scope="module")
def interop(start_op: StartOp, echo_port: int) -> Iterator[Interop]:
    with _interop(start_op, echo_port) as running:
        yield running


def _echo(page: Page) -> dict[str, Any]:
    """What the echo upstream got for the page's URL, as JSON (the page itself shows it for a
    person, tokens shortened): the same URL fetched with the browser's cookies."""
    assert page.get_by_text("Signed in as").is_visible(), "the echo page of a signed-in user"
    answer = page.request.get(page.url, headers={"accept": "application/json"})
    assert answer.status == 200, answer.status
    echo: dict[str, Any] = answer.json()
    return echo


def _echo_headers(page: Page) -> dict[str, list[str]]:
    echo = _echo(page)
    assert echo["path"] == "/"
    seen: dict[str, list[str]] = {}
    for name, value in echo["headers"]:
        seen.setdefault(name.lower(), []).append(value)
    return seen


def _active(interop: Interop, token: str) -> bool:
    """RFC 7662 introspection at the OP, as the gateway's client."""
    client = interop.op.client
    answer = httpx.post(
        interop.op.issuer + "/token/introspection", data={"token": token},
        auth=(client.client_id, client.client_secret), timeout=10,
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    return bool(answer.json()["active"])


def _sign_in_at(interop: Interop, page: Page, url: str) -> None:
    """Open ``url``, sign in at the OP and wait until the browser is back on its path."""
    page.goto(url)
    assert page.url.startswith(interop.op.issuer + "/interaction/"), page.url
    page.get_by_label("Email").fill(OP_EMAIL)
    page.get_by_label("Password").fill(OP_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    path = url.partition("?")[0]
    page.wait_for_url(lambda now: now.partition("?")[0] == path)


def _sign_in(interop: Interop, page: Page) -> dict[str, list[str]]:
    _sign_in_at(interop, page, interop.bar)
    return _echo_headers(page)


def test_browser_signs_in_through_the_gateway_at_a_third_party_op_and_reloads_locally(
    interop: Interop, context: BrowserContext
) -> None:
    page = context.new_page()
    page.goto(interop.bar)
    page.get_by_label("Email").fill(OP_EMAIL)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text() == "Invalid email or password."
    page.get_by_label("Password").fill(OP_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(interop.bar)
    headers = _echo_headers(page)
    assert headers["x-user-email"] == [OP_EMAIL]
    assert headers["authorization"][0].startswith("Bearer ")
    assert headers["x-id-token"][0].count(".") == 2
    authorize = [p for m, p in interop.op.requests() if p == "/auth"]
    assert authorize, "the browser went through the OP's authorization endpoint"

    seen = len(interop.op.requests())
    browser_requests = RequestLog()
    context.on("request", browser_requests)
    response = page.reload()
    assert response is not None
    assert response.status == 200
    assert interop.op.requests()[seen:] == []
    assert browser_requests.to(interop.op.issuer) == []


def test_a_deep_link_keeps_its_exact_query_through_a_login_at_the_third_party_op(
    interop: Interop, context: BrowserContext
) -> None:
    """redirect_uri is /bar; the login starts on /bar/page with encoded and repeated args."""
    query = "q=1&q=2&x=a%20b&e=%2F%3F%26&empty=&flag"
    page = context.new_page()
    _sign_in_at(interop, page, f"{interop.bar}/page?{query}")
    assert page.url == f"{interop.bar}/page?{query}"
    echo = _echo(page)
    assert (echo["path"], echo["query"]) == ("/page", query)


def test_rotating_refresh_token_of_the_third_party_op_refreshes_the_session_silently(
    interop: Interop, context: BrowserContext
) -> None:
    page = context.new_page()
    before = _sign_in(interop, page)["authorization"]
    refreshes = len([p for m, p in interop.op.requests() if (m, p) == ("POST", "/token")])
    interop.clock.advance(ACCESS_TOKEN_TTL - 10)
    browser_requests = RequestLog()
    context.on("request", browser_requests)
    page.reload()
    assert _echo_headers(page)["authorization"] != before
    token_posts = [p for m, p in interop.op.requests() if (m, p) == ("POST", "/token")]
    assert len(token_posts) == refreshes + 1
    assert browser_requests.to(interop.op.issuer) == []

    interop.clock.advance(ACCESS_TOKEN_TTL - 10)  # the rotated refresh token works as well
    response = page.reload()
    assert response is not None
    assert response.status == 200
    assert browser_requests.to(interop.op.issuer) == []


def test_logout_ends_the_session_at_the_third_party_op_too(
    interop: Interop, context: BrowserContext
) -> None:
    page = context.new_page()
    headers = _sign_in(interop, page)
    access_token = headers["authorization"][0].removeprefix("Bearer ")
    refresh_token = headers["x-refresh-token"][0]
    assert _active(interop, access_token)
    assert _active(interop, refresh_token)
    page.goto(interop.bar + "/logout")
    assert page.url.startswith(interop.op.issuer + "/session/end"), page.url
    # The OP's own session still lives (the user has not confirmed yet): only the gateway's
    # logout_revoke can have made the tokens inactive by now.
    assert not _active(interop, access_token), "logout_revoke revoked the access token"
    assert not _active(interop, refresh_token), "logout_revoke revoked the refresh token"
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(interop.gateway.base + "/")
    assert "session" not in {c["name"] for c in context.cookies(interop.gateway.base)}

    page.goto(interop.bar)
    assert page.url.startswith(interop.op.issuer + "/interaction/")
    assert page.get_by_label("Password").is_visible()


def test_form_post_response_mode_of_the_third_party_op_completes_the_login(
    interop: Interop, context: BrowserContext
) -> None:
    page = context.new_page()
    callbacks: list[str] = []
    page.on("request", lambda r: callbacks.append(r.method) if "/form" in r.url else None)
    page.goto(interop.gateway.base + "/form?x=1")
    page.get_by_label("Email").fill(OP_EMAIL)
    page.get_by_label("Password").fill(OP_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(interop.gateway.base + "/form*")
    assert "POST" in callbacks, "the OP posted the code to the gateway (response_mode=form_post)"
    assert _echo_headers(page)["x-user-email"] == [OP_EMAIL]


def test_parallel_requests_racing_a_rotating_refresh_share_one_refresh_and_stay_signed_in(
    interop: Interop, context: BrowserContext
) -> None:
    page = context.new_page()
    _sign_in(interop, page)
    token_posts = len([p for m, p in interop.op.requests() if (m, p) == ("POST", "/token")])
    interop.clock.advance(ACCESS_TOKEN_TTL - 10)
    statuses = page.evaluate(
        """async () => Promise.all([...Array(8).keys()].map(
               async (n) => (await fetch('/bar/part/' + n)).status))"""
    )
    assert statuses == [200] * 8
    after = len([p for m, p in interop.op.requests() if (m, p) == ("POST", "/token")])
    assert after == token_posts + 1, "one refresh for the whole burst (single flight)"
    response = page.reload()
    assert response is not None
    assert response.status == 200, "the session survived the rotation race"


def test_cancel_at_the_third_party_op_shows_a_clear_page_and_try_again_starts_over(
    interop: Interop, context: BrowserContext
) -> None:
    page = context.new_page()
    page.goto(interop.bar)
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url))
    with page.expect_response(lambda r: r.url.startswith(interop.bar + "?")) as callback:
        page.get_by_role("button", name="Cancel").click()
    assert "error=access_denied" in callback.value.url
    assert 400 <= callback.value.status < 500
    assert page.url.startswith(interop.bar), "no loop back to the OP"
    assert len([url for url in seen if url.startswith(interop.op.issuer + "/auth")]) == 1
    assert page.get_by_role("heading", name="Sign-in refused").is_visible()
    assert page.get_by_role("link", name="Try again").is_visible()

    page.get_by_role("link", name="Try again").click()
    page.wait_for_url(interop.op.issuer + "/interaction/**")
    assert page.get_by_label("Password").is_visible()


def test_refresh_token_revoked_at_the_op_ends_the_session_with_a_fresh_login(
    interop: Interop, context: BrowserContext
) -> None:
    page = context.new_page()
    refresh_token = _sign_in(interop, page)["x-refresh-token"][0]
    client = interop.op.client
    revoked = httpx.post(
        interop.op.issuer + "/token/revocation", data={"token": refresh_token},
        auth=(client.client_id, client.client_secret), timeout=10,
    )  # fmt: skip
    assert revoked.status_code == 200
    interop.clock.advance(ACCESS_TOKEN_TTL - 10)
    browser_requests = RequestLog()
    context.on("request", browser_requests)
    response = page.goto(interop.bar)
    assert browser_requests.to(interop.op.issuer + "/auth"), "refused refresh: a fresh login"
    assert response is not None
    assert response.status == 200, "the OP still knows the user: straight back, no error"
    assert _echo_headers(page)["x-refresh-token"] != [refresh_token]


def test_op_down_keeps_a_still_valid_token_working_then_answers_503_not_a_login_loop(
    start_op: StartOp, echo_port: int, context: BrowserContext
) -> None:
    with _interop(start_op, echo_port) as own:
        page = context.new_page()
        _sign_in(own, page)
        own.op.stop()
        own.clock.advance(ACCESS_TOKEN_TTL - 10)  # refresh due, the OP unreachable
        kept = page.reload()
        assert kept is not None
        assert kept.status == 200, "the access token has not expired yet: keep serving"

        own.clock.advance(20)  # now it has
        refused = page.reload()
        assert refused is not None
        assert refused.status == 503
        assert page.url == own.bar, "no redirect to the unreachable OP"
