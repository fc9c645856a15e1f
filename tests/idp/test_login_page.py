"""The hosted login page: CSRF, session cookie, lockout, the new-password screen."""

from __future__ import annotations

import httpx
import pytest
from oidc_harness import (
    IdpServer,
    authorize,
    authorize_params,
    browser_login,
    challenge_of,
    form_fields,
    login_for_code,
    query_of,
    seed,
)

from authgate.idp.web.sso_session import cookie_name


def _form(http, seeded, params):  # type: ignore[no-untyped-def]
    page = http.get(seeded.path("/login"), params=params)
    assert page.status_code == 200
    return form_fields(page.text)


@pytest.mark.parametrize("csrf", [None, "", "forged-token"])
def test_login_post_without_a_valid_csrf_token_is_403_and_signs_nobody_in(
    idp: IdpServer, csrf: str | None
) -> None:
    seeded = seed(idp)
    params = authorize_params(seeded)
    with idp.client() as http:
        _, action = _form(http, seeded, params)
        data = {"username": seeded.email, "password": seeded.password}
        if csrf is not None:
            data["_csrf"] = csrf
        response = http.post(action, data=data)
        assert response.status_code == 403
        assert "location" not in response.headers
        assert cookie_name(seeded.pool_id) not in response.cookies
        follow = http.get(seeded.path("/oauth2/authorize"), params={**params, "prompt": "none"})
    assert query_of(follow.headers["location"])["error"] == "login_required"


def test_csrf_token_from_another_browser_is_refused(idp: IdpServer) -> None:
    seeded = seed(idp)
    params = authorize_params(seeded)
    with idp.client() as attacker, idp.client() as victim:
        token, action = _form(attacker, seeded, params)
        _form(victim, seeded, params)  # the victim has their own CSRF cookie
        response = victim.post(
            action, data={"username": seeded.email, "password": seeded.password, "_csrf": token}
        )
    assert response.status_code == 403


def test_login_page_is_not_frameable_and_session_cookie_is_httponly_lax(idp: IdpServer) -> None:
    seeded = seed(idp)
    with idp.client() as http:
        page = http.get(seeded.path("/login"), params=authorize_params(seeded))
        done = browser_login(http, seeded, authorize_params(seeded))
    assert page.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"
    assert 'name="username"' in page.text
    assert 'name="password"' in page.text
    assert done.status_code == 303
    cookie = next(
        v
        for k, v in done.headers.multi_items()
        if k == "set-cookie" and v.startswith(cookie_name(seeded.pool_id))
    )
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Max-Age=3600" in cookie
    assert "Secure" not in cookie  # plain-http loopback


def test_idp_session_ends_after_one_hour(idp: IdpServer) -> None:
    seeded = seed(idp)
    with idp.client() as http:
        login_for_code(http, seeded)
        idp.clock.advance(3601)
        response = authorize(http, seeded, prompt="none")
    assert query_of(response.headers["location"])["error"] == "login_required"


def test_lockout_through_the_login_page(idp: IdpServer) -> None:
    seeded = seed(idp)
    params = authorize_params(seeded)
    with idp.client() as http:
        for _ in range(5):
            wrong = browser_login(http, seeded, params, password="Wrong-pass-1")
            assert "Incorrect username or password." in wrong.text
        locked = browser_login(http, seeded, params)
        assert locked.status_code == 400
        assert "Password attempts exceeded" in locked.text
        idp.clock.advance(2)
        ok = browser_login(http, seeded, params)
    assert ok.status_code == 303
    assert "code" in query_of(ok.headers["location"])


def test_new_password_required_screen_sets_a_permanent_password(idp: IdpServer) -> None:
    seeded = seed(idp, temporary=True)
    params = authorize_params(seeded)
    with idp.client() as http:
        screen = browser_login(http, seeded, params)
        assert screen.status_code == 200
        assert "Change password" in screen.text
        csrf, action = form_fields(screen.text)
        challenge = challenge_of(screen.text)

        def submit(new: str, confirm: str, challenge: str = challenge) -> httpx.Response:
            return http.post(
                action,
                data={
                    "_csrf": csrf,
                    "challenge": challenge,
                    "new_password": new,
                    "confirm_password": confirm,
                },
            )

        weak = submit("short", "short")
        assert weak.status_code == 400
        assert "Password did not conform with policy" in weak.text
        mismatch = submit("New-Secret-42", "New-Secret-43")
        assert "Passwords do not match." in mismatch.text
        forged = submit("New-Secret-42", "New-Secret-42", challenge=challenge + "x")
        assert forged.status_code == 400
        done = submit("New-Secret-42", "New-Secret-42")
        assert done.status_code == 303
        assert "code" in query_of(done.headers["location"])
    with idp.client() as http:
        again = browser_login(http, seeded, params, password="New-Secret-42")
    assert again.status_code == 303


def test_new_password_challenge_expires(idp: IdpServer) -> None:
    seeded = seed(idp, temporary=True)
    with idp.client() as http:
        screen = browser_login(http, seeded, authorize_params(seeded))
        csrf, action = form_fields(screen.text)
        idp.clock.advance(181)
        response = http.post(
            action,
            data={
                "_csrf": csrf,
                "challenge": challenge_of(screen.text),
                "new_password": "New-Secret-42",
                "confirm_password": "New-Secret-42",
            },
        )
    assert response.status_code == 400
    assert "expired" in response.text
