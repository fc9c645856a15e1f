"""The workshop in a real browser: headless Debian chromium (Playwright) opens the gateway's
``/bar``, signs in on the embedded IdP's hosted page as the demo user seeded from
``examples/workshop/idp.yaml``, and lands back on ``/bar`` in front of the echo upstream.

The gateway (real data plane, in a thread) and the IdP (uvicorn, in a thread) share one fake
clock, so idle and absolute session expiry and token refresh need no sleeping. The browser
talks to the gateway as ``localhost`` and to the IdP as ``127.0.0.1``: two hosts, two cookie
jars, as in a real deployment.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import pytest
from e2e_harness import CountingIdp, GatewayThread, route_config

from authgate.idp.storage.seed import seed_workshop
from authgate.idp.storage.store import IdpStore
from authgate.testing.browser import RequestLog
from authgate.testing.screenshots import save_screenshot

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "examples" / "workshop" / "idp.yaml"
IDLE = 900  # Kong's default session_idling_timeout
ABSOLUTE = 8 * 3600  # session_absolute_timeout of one test (Kong's default: 86400)


@dataclass
class Workshop:
    idp: CountingIdp
    gateway: GatewayThread
    pool_id: str
    client_id: str
    email: str
    password: str
    echo_port: int
    bar_config: dict[str, Any]

    def configure(self, **changes: Any) -> None:
        """Reload the gateway with /bar's config changed by ``changes``."""
        routes = {"/bar": {**self.bar_config, **changes}, "/": None}
        self.gateway.reload(route_config(self.echo_port, routes))

    @property
    def bar(self) -> str:
        return self.gateway.base + "/bar"

    @property
    def idp_base(self) -> str:
        return self.idp.base


def _bar_config(workshop_url: str, issuer: str, facts: dict[str, Any]) -> dict[str, Any]:
    """The workshop's /bar protection, with browser login (Kong field names)."""
    return {
        "issuer": issuer,
        "client_id": [facts["client_id"]],
        "client_secret": [facts["client_secret"]],
        "auth_methods": ["authorization_code", "session"],
        "redirect_uri": [workshop_url + "/bar"],
        "scopes": ["openid", "email", "profile"],
        "session_secret": secrets.token_urlsafe(32),
        "preserve_query_args": True,
        "upstream_id_token_header": "x-id-token",
        "upstream_headers_claims": ["email"],
        "upstream_headers_names": ["x-user-email"],
        "logout_uri_suffix": "/logout",
        "logout_methods": ["GET", "POST"],
        "logout_redirect_uri": [workshop_url + "/"],
    }


@pytest.fixture(scope="module")
def workshop(tmp_path_factory: pytest.TempPathFactory, echo_port: int) -> Iterator[Workshop]:
    state = tmp_path_factory.mktemp("workshop")
    idp = CountingIdp(f"sqlite:///{state / 'idp.db'}").start()
    gateway = GatewayThread(idp.clock, host="localhost")
    try:
        facts = idp.run(lambda store: seed_workshop(store, SPEC, gateway.base, state_dir=state))
        bar = _bar_config(gateway.base, idp.issuer(facts["pool_id"]), facts)
        gateway.start(route_config(echo_port, {"/bar": bar, "/": None}))
        user = facts["user"]
        yield Workshop(
            idp, gateway, facts["pool_id"], facts["client_id"], user["username"],
            user["password"], echo_port, bar,
        )  # fmt: skip
    finally:
        gateway.stop()
        idp.stop()


def _fill_hosted_form(page: Page, email: str, password: str) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def _echo(page: Page) -> dict[str, Any]:
    """What the echo upstream got for the page's URL, as JSON (the page itself shows it for a
    person, tokens shortened): the same URL fetched with the browser's cookies."""
    assert page.get_by_text("Signed in as").is_visible(), "the echo page of a signed-in user"
    answer = page.request.get(page.url, headers={"accept": "application/json"})
    assert answer.status == 200, answer.status
    data: dict[str, Any] = answer.json()
    return data


def _headers(echo: dict[str, Any]) -> dict[str, list[str]]:
    seen: dict[str, list[str]] = {}
    for name, value in echo["headers"]:
        seen.setdefault(name.lower(), []).append(value)
    return seen


def _sign_in(workshop: Workshop, page: Page, path: str = "/bar") -> dict[str, Any]:
    """Open ``path``, sign in on the hosted page, return the echo once back on the gateway."""
    page.goto(workshop.gateway.base + path)
    assert page.url.startswith(workshop.idp_base), page.url
    _fill_hosted_form(page, workshop.email, workshop.password)
    page.wait_for_url(workshop.gateway.base + "/**")
    return _echo(page)


def _session_cookies(context: BrowserContext, workshop: Workshop) -> dict[str, dict[str, Any]]:
    return {c["name"]: dict(c) for c in context.cookies(workshop.gateway.base)}


def test_workshop_sign_in_on_the_hosted_page_lands_on_bar_with_the_identity(
    workshop: Workshop, context: BrowserContext
) -> None:
    page = context.new_page()
    first = page.goto(workshop.bar)
    assert first is not None
    assert page.url.startswith(f"{workshop.idp_base}/{workshop.pool_id}/login"), page.url
    assert page.get_by_role("heading", name="Sign in").is_visible()

    _fill_hosted_form(page, workshop.email, workshop.password)
    page.wait_for_url(workshop.bar)
    echo = _echo(page)
    headers = _headers(echo)
    assert echo["path"] == "/", "Kong's strip_path (default true) removes /bar"
    assert headers["x-user-email"] == [workshop.email]
    assert headers["authorization"][0].startswith("Bearer ey")
    assert headers["x-id-token"][0].count(".") == 2
    upstream_cookies = "; ".join(headers.get("cookie", []))
    assert "session=" not in upstream_cookies, "the gateway's cookies never reach the upstream"

    cookies = _session_cookies(context, workshop)
    assert cookies["session"]["httpOnly"] is True
    assert cookies["session"]["sameSite"] == "Lax"
    assert not [name for name in cookies if name.startswith("authorization")], cookies


def test_reload_of_a_signed_in_page_makes_no_idp_round_trip(
    workshop: Workshop, context: BrowserContext
) -> None:
    page = context.new_page()
    _sign_in(workshop, page)
    requests = RequestLog()
    context.on("request", requests)
    served = len(workshop.idp.requests)

    response = page.reload()
    assert response is not None
    assert response.status == 200
    assert _echo(page)["path"] == "/"
    assert requests.to(workshop.idp_base) == []
    assert workshop.idp.requests[served:] == [], "the gateway did not call the IdP either"


def test_two_tabs_signing_in_at_once_both_land_on_their_own_page(
    workshop: Workshop, context: BrowserContext
) -> None:
    tabs = [context.new_page(), context.new_page()]
    for number, tab in enumerate(tabs):
        tab.goto(f"{workshop.bar}?tab={number}")
        assert tab.get_by_role("heading", name="Sign in").is_visible()
    pending = [c for c in _session_cookies(context, workshop) if c.startswith("authorization")]
    assert len(pending) == 2, "each login keeps its own state cookie"
    for tab in tabs:
        tab.get_by_label("Email").fill(workshop.email)
        tab.get_by_label("Password").fill(workshop.password)
    for tab in tabs:
        tab.get_by_role("button", name="Sign in").click()
    for number, tab in enumerate(tabs):
        tab.wait_for_url(f"{workshop.bar}?tab={number}")
        assert _echo(tab)["query"] == f"tab={number}"
    for tab in tabs:
        response = tab.reload()
        assert response is not None
        assert response.status == 200


def test_deep_link_keeps_its_path_and_query_string_through_the_login(
    workshop: Workshop, context: BrowserContext
) -> None:
    page = context.new_page()
    echo = _sign_in(workshop, page, "/bar/reports/2024?q=a%20b&sort=desc&sort=asc")
    assert echo["path"] == "/reports/2024"
    assert parse_qs(echo["query"]) == {"q": ["a b"], "sort": ["desc", "asc"]}
    assert urlsplit(page.url).path == "/bar/reports/2024"


def test_wrong_password_on_the_hosted_page_shows_an_error_and_then_signs_in(
    workshop: Workshop, context: BrowserContext
) -> None:
    page = context.new_page()
    page.goto(workshop.bar)
    _fill_hosted_form(page, workshop.email, "Not-the-password-1")
    assert page.get_by_role("alert").inner_text() == "Incorrect username or password."
    assert page.url.startswith(workshop.idp_base)
    page.get_by_label("Password").fill(workshop.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(workshop.bar)
    assert _echo(page)["path"] == "/"


def test_idle_session_ends_after_the_idling_timeout_and_the_next_visit_logs_in_again(
    workshop: Workshop, context: BrowserContext
) -> None:
    page = context.new_page()
    _sign_in(workshop, page)
    workshop.idp.clock.advance(IDLE - 60)
    response = page.reload()
    assert response is not None
    assert response.status == 200, "still inside the idle window"

    workshop.idp.clock.advance(IDLE + 1)
    requests = RequestLog()
    context.on("request", requests)
    page.reload()
    assert requests.to(f"{workshop.idp_base}/{workshop.pool_id}/oauth2/authorize"), (
        "an idle session sends the browser back to the IdP"
    )


def test_absolute_timeout_ends_even_an_active_session(
    workshop: Workshop, context: BrowserContext
) -> None:
    workshop.configure(session_absolute_timeout=ABSOLUTE)
    try:
        page = context.new_page()
        _sign_in(workshop, page)
        step = IDLE - 100
        elapsed = 0
        while elapsed + step < ABSOLUTE:
            workshop.idp.clock.advance(step)
            elapsed += step
            kept = context.request.get(workshop.bar, max_redirects=0)
            assert kept.status == 200, f"active session refused after {elapsed}s"
        workshop.idp.clock.advance(ABSOLUTE - elapsed + 1)
        requests = RequestLog()
        context.on("request", requests)
        page.goto(workshop.bar)
        assert requests.to(f"{workshop.idp_base}/{workshop.pool_id}/oauth2/authorize")
    finally:
        workshop.configure()


def test_expiring_access_token_is_refreshed_silently_without_the_browser_leaving(
    workshop: Workshop, context: BrowserContext
) -> None:
    page = context.new_page()
    before = _headers(_sign_in(workshop, page))["authorization"][0]
    token_calls = len(workshop.idp.paths("/oauth2/token"))
    requests = RequestLog()
    context.on("request", requests)
    lifetime = 3600  # the workshop client's access token validity (Cognito's default)
    for _ in range(lifetime // (IDLE - 100)):
        workshop.idp.clock.advance(IDLE - 100)
        page.reload()
    workshop.idp.clock.advance(lifetime - (lifetime // (IDLE - 100)) * (IDLE - 100) - 10)
    response = page.reload()
    assert response is not None
    assert response.status == 200
    after = _headers(_echo(page))["authorization"][0]
    assert after != before, "the upstream got a fresh access token"
    assert len(workshop.idp.paths("/oauth2/token")) == token_calls + 1, "one refresh"
    assert requests.to(workshop.idp_base) == [], "the browser never went to the IdP"


def test_logout_then_bar_asks_to_sign_in_again(workshop: Workshop, context: BrowserContext) -> None:
    page = context.new_page()
    _sign_in(workshop, page)
    page.goto(workshop.bar + "/logout")
    page.wait_for_url(workshop.gateway.base + "/")
    assert "session" not in _session_cookies(context, workshop)

    page.goto(workshop.bar)
    assert page.url.startswith(workshop.idp_base)
    assert page.get_by_role("heading", name="Sign in").is_visible()
    assert page.get_by_label("Password").is_visible(), "the IdP's own session ended too"


def test_tampered_session_cookie_leads_to_a_fresh_login_not_an_error(
    workshop: Workshop, context: BrowserContext
) -> None:
    page = context.new_page()
    _sign_in(workshop, page)
    cookie = _session_cookies(context, workshop)["session"]
    value = cookie["value"]
    middle = len(value) // 2
    tampered = value[:middle] + ("A" if value[middle] != "A" else "B") + value[middle + 1 :]
    context.add_cookies([{**cookie, "value": tampered}])  # type: ignore[list-item]
    requests = RequestLog()
    context.on("request", requests)

    response = page.goto(workshop.bar)
    assert response is not None
    assert requests.to(f"{workshop.idp_base}/{workshop.pool_id}/oauth2/authorize")
    page.wait_for_url(workshop.bar)  # the IdP still knows the browser: straight back
    assert response.status == 200
    assert _echo(page)["path"] == "/"
    assert _session_cookies(context, workshop)["session"]["value"] != tampered


def test_background_fetch_without_a_session_gets_401_not_a_login_redirect(
    workshop: Workshop, context: BrowserContext
) -> None:
    page = context.new_page()
    page.goto(workshop.gateway.base + "/")
    status = page.evaluate("async () => (await fetch('/bar/data', {redirect: 'manual'})).status")
    assert status == 401


def test_session_larger_than_one_cookie_is_chunked_kept_by_the_browser_and_fully_cleared(
    workshop: Workshop, context: BrowserContext
) -> None:
    email, password = "many.groups@example.com", "Many-Groups-Pass-5"
    groups = [f"department-{n:02d}-with-a-rather-long-group-name" for n in range(60)]

    async def big_user(store: IdpStore) -> None:
        attrs = {"email": email, "email_verified": "true", "given_name": "Big",
                 "family_name": "Tokens"}  # fmt: skip
        user = await store.users.create(workshop.pool_id, email, attrs, password=password)
        for group in groups:
            await store.groups.create(workshop.pool_id, group)
            await store.groups.add_user(workshop.pool_id, user.username, group)

    workshop.idp.run(big_user)
    page = context.new_page()
    page.goto(workshop.bar)
    _fill_hosted_form(page, email, password)
    page.wait_for_url(workshop.bar)
    assert _headers(_echo(page))["x-user-email"] == [email]

    jar = _session_cookies(context, workshop)
    chunks = sorted(name for name in jar if name.startswith("session"))
    assert len(chunks) >= 2, f"a session this large needs several cookies: {chunks}"
    assert all(len(name) + len(jar[name]["value"]) <= 4096 for name in chunks)
    served = len(workshop.idp.requests)
    response = page.reload()
    assert response is not None
    assert response.status == 200
    assert workshop.idp.requests[served:] == [], "the browser sent every chunk back"

    page.goto(workshop.bar + "/logout")
    page.wait_for_url(workshop.gateway.base + "/")
    left = [name for name in _session_cookies(context, workshop) if name.startswith("session")]
    assert left == [], "logout expires every chunk"


def test_rotated_session_secret_keeps_browsers_signed_in_while_the_old_one_is_a_fallback(
    workshop: Workshop, context: BrowserContext
) -> None:
    page = context.new_page()
    _sign_in(workshop, page)
    old = workshop.bar_config["session_secret"]
    try:
        workshop.configure(session_secret=secrets.token_urlsafe(32), session_secret_fallbacks=[old])
        served = len(workshop.idp.requests)
        response = page.reload()
        assert response is not None
        assert response.status == 200
        assert workshop.idp.requests[served:] == [], "still signed in after the rotation"

        workshop.configure(session_secret=secrets.token_urlsafe(32))  # old secret dropped
        requests = RequestLog()
        context.on("request", requests)
        page.reload()
        assert requests.to(f"{workshop.idp_base}/{workshop.pool_id}/oauth2/authorize")
    finally:
        workshop.configure()


_LOOK = """() => {
  const body = getComputedStyle(document.body);
  const card = getComputedStyle(document.querySelector("main"));
  return {font: body.fontFamily, background: body.backgroundColor, color: body.color,
          card: card.backgroundColor, radius: card.borderRadius, shadow: card.boxShadow,
          width: document.querySelector("main").getBoundingClientRect().width};
}"""


def test_gateway_sign_in_failed_page_has_the_same_look_as_the_idp_pages(
    workshop: Workshop, context: BrowserContext
) -> None:
    page = context.new_page()
    page.set_viewport_size({"width": 800, "height": 600})
    page.goto(workshop.bar)
    assert page.get_by_role("heading", name="Sign in").is_visible()
    idp_look = page.evaluate(_LOOK)
    state = parse_qs(urlsplit(page.url).query)["state"][0]
    page.goto(f"{workshop.bar}?code=not-a-code&state={state}")
    assert page.get_by_role("heading", name="Sign-in failed").is_visible()
    assert page.get_by_role("link", name="Try again").is_visible()
    gateway_look = page.evaluate(_LOOK)
    assert gateway_look == idp_look
    assert "sans-serif" in gateway_look["font"]
    assert 300 < gateway_look["width"] <= 384, "the same card, not the full window"
    save_screenshot(page, "gateway-sign-in-failed.png")


def test_logout_without_logout_redirect_uri_ends_on_signed_out_with_a_way_back_in(
    workshop: Workshop, context: BrowserContext
) -> None:
    workshop.configure(logout_redirect_uri=[])
    try:
        page = context.new_page()
        _sign_in(workshop, page)
        page.goto(workshop.bar + "/logout")
        assert page.url.startswith(workshop.idp_base), "RP-initiated logout at the IdP (Kong)"
        assert page.get_by_role("heading", name="Signed out").is_visible()
        assert page.get_by_text("You are signed out.").is_visible()
        look = page.evaluate(_LOOK)
        assert "sans-serif" in look["font"]
        page.get_by_role("link", name="Sign in again").click()
        page.wait_for_url(f"{workshop.idp_base}/**")
        assert page.get_by_role("heading", name="Sign in").is_visible()
        _fill_hosted_form(page, workshop.email, workshop.password)
        page.wait_for_url(workshop.bar)
        assert _echo(page)["path"] == "/"
    finally:
        workshop.configure()
