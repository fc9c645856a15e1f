"""The hosted login page in a real browser (Playwright + Debian's chromium), headless."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from oidc_harness import CALLBACK, IdpServer, authorize_params, seed, serve

from authgate.testing.screenshots import save_screenshot


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
