"""The hosted login page in a real browser (Playwright + Debian's chromium), headless."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import pytest
from oidc_harness import CALLBACK, IdpServer, Seeded, authorize_params, browser_login, seed, serve

from authgate.testing.screenshots import save_screenshot

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page


@pytest.fixture(scope="module")
def sqlite_idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IdpServer]:
    yield from serve(f"sqlite:///{tmp_path_factory.mktemp('browser') / 'idp.db'}")


@pytest.mark.browser
def test_browser_signs_in_on_the_hosted_page_and_lands_on_the_callback_with_a_code(
    sqlite_idp: IdpServer, chromium_path: str
) -> None:
    from playwright.sync_api import sync_playwright

    seeded = seed(sqlite_idp)
    params = authorize_params(seeded)
    query = "&".join(f"{k}={v}" for k, v in params.items()).replace(" ", "%20")
    url = f"{sqlite_idp.base}{seeded.path('/oauth2/authorize')}?{query}"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium_path, headless=True, args=["--no-sandbox"]
        )
        try:
            page = browser.new_page(viewport={"width": 800, "height": 640})
            callbacks: list[str] = []
            page.route(
                CALLBACK + "**",
                lambda route: (callbacks.append(route.request.url), route.fulfill(body="ok")),
            )
            page.goto(url)
            assert page.get_by_role("heading", name="Sign in").is_visible()
            page.get_by_label("Email").fill(seeded.email)
            page.get_by_label("Password").fill("wrong-Password-1")
            page.get_by_role("button", name="Sign in").click()
            assert page.get_by_role("alert").inner_text() == "Incorrect username or password."
            page.get_by_label("Password").fill(seeded.password)
            save_screenshot(page, "idp-login.png")
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(CALLBACK + "**")
        finally:
            browser.close()
    got = parse_qs(urlsplit(callbacks[-1]).query)
    assert got["state"] == [params["state"]]
    assert got["code"]


PHONE = {"width": 390, "height": 844}


def _open_login(browser: Browser, server: IdpServer, seeded: Seeded, viewport: Any) -> Page:
    params = authorize_params(seeded)
    query = "&".join(f"{k}={v}" for k, v in params.items()).replace(" ", "%20")
    page = browser.new_page(viewport=viewport)
    page.goto(f"{server.base}{seeded.path('/oauth2/authorize')}?{query}")
    return page


@pytest.fixture(scope="module")
def chromium(chromium_path: str) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium_path, headless=True, args=["--no-sandbox"]
        )
        yield browser
        browser.close()


@pytest.mark.browser
def test_login_card_keeps_its_margins_on_a_phone_and_the_email_field_is_an_email_field(
    sqlite_idp: IdpServer, chromium: Browser
) -> None:
    seeded = seed(sqlite_idp)
    page = _open_login(chromium, sqlite_idp, seeded, PHONE)
    card = page.locator("main").bounding_box()
    assert card is not None
    assert card["x"] >= 12, f"card touches the left edge: {card}"
    assert PHONE["width"] - (card["x"] + card["width"]) >= 12, f"card touches the right: {card}"
    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "sans-serif" in font
    assert not font.lower().startswith(("serif", '"times'))
    email = page.get_by_label("Email")
    assert email.get_attribute("type") == "email"
    assert email.get_attribute("autocomplete") == "username"
    assert page.get_by_label("Password").get_attribute("autocomplete") == "current-password"
    shot = save_screenshot(page, "idp-login-phone.png")
    assert shot.stat().st_size > 5000
    page.close()


@pytest.mark.browser
def test_new_password_screen_greets_the_user_by_email_not_by_uuid(
    sqlite_idp: IdpServer, chromium: Browser
) -> None:
    seeded = seed(sqlite_idp, temporary=True)
    page = _open_login(chromium, sqlite_idp, seeded, {"width": 800, "height": 700})
    page.get_by_label("Email").fill(seeded.email)
    page.get_by_label("Password").fill(seeded.password)
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("heading", name="Change password").is_visible()
    greeting = page.locator("p.note").inner_text()
    assert greeting == f"Please enter a new password for {seeded.email}."
    assert seeded.sub not in page.content()
    for label in ("New password", "Enter new password again"):
        assert page.get_by_label(label, exact=True).get_attribute("autocomplete") == "new-password"
    account = page.locator("#account")
    assert account.get_attribute("autocomplete") == "username"
    assert account.input_value() == seeded.email
    page.close()


@pytest.mark.browser
def test_lockout_page_says_how_long_to_wait_from_the_lockout_itself(
    sqlite_idp: IdpServer, chromium: Browser
) -> None:
    seeded = seed(sqlite_idp)
    params = authorize_params(seeded)
    with sqlite_idp.client() as http:
        for _ in range(13):  # the 13th failure in a row locks for 2^8 = 256 s
            sqlite_idp.clock.advance(300)  # past the previous lockout, within the reset window
            wrong = browser_login(http, seeded, params, password="Wrong-pass-1")
            assert "Incorrect username or password." in wrong.text
    page = _open_login(chromium, sqlite_idp, seeded, {"width": 800, "height": 700})

    def attempt() -> str:
        page.get_by_label("Email").fill(seeded.email)
        page.get_by_label("Password").fill(seeded.password)
        page.get_by_role("button", name="Sign in").click()
        return page.get_by_role("alert").inner_text()

    assert attempt() == "Password attempts exceeded. Try again in 5 minutes."
    sqlite_idp.clock.advance(140)
    assert attempt() == "Password attempts exceeded. Try again in 2 minutes."
    sqlite_idp.clock.advance(110)
    assert attempt() == "Password attempts exceeded. Try again in 6 seconds."
    page.close()
