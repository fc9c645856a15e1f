"""/logout: Cognito's client_id + logout_uri form and OIDC RP-Initiated Logout 1.0."""

from __future__ import annotations

import pytest
from oidc_harness import (
    LOGOUT,
    IdpServer,
    authorize,
    code_flow_tokens,
    query_of,
    seed,
)


def _still_signed_in(http, seeded) -> bool:  # type: ignore[no-untyped-def]
    response = authorize(http, seeded, prompt="none")
    return "code" in query_of(response.headers["location"])


def test_cognito_logout_with_client_id_and_logout_uri_clears_the_session(idp: IdpServer) -> None:
    seeded = seed(idp)
    with idp.client() as http:
        code_flow_tokens(http, seeded)
        assert _still_signed_in(http, seeded)
        response = http.get("/logout", params={"client_id": seeded.client_id, "logout_uri": LOGOUT})
        assert response.status_code == 302
        assert response.headers["location"] == LOGOUT
        assert not _still_signed_in(http, seeded)


def test_rp_initiated_logout_with_id_token_hint_and_state(idp: IdpServer) -> None:
    seeded = seed(idp)
    with idp.client() as http:
        tokens = code_flow_tokens(http, seeded)
        response = http.get(
            seeded.path("/logout"),
            params={
                "id_token_hint": tokens["id_token"],
                "post_logout_redirect_uri": LOGOUT,
                "state": "s 1",
            },
        )
        assert response.status_code == 302
        assert response.headers["location"].startswith(LOGOUT + "?")
        assert query_of(response.headers["location"]) == {"state": "s 1"}
        assert not _still_signed_in(http, seeded)


def test_logout_without_redirect_shows_the_signed_out_page(idp: IdpServer) -> None:
    seeded = seed(idp)
    with idp.client() as http:
        code_flow_tokens(http, seeded)
        response = http.get(seeded.path("/logout"))
        assert response.status_code == 200
        assert "signed out" in response.text
        assert not _still_signed_in(http, seeded)


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/signed-out",
        LOGOUT + "/",
        LOGOUT + "?x=1",
        "HTTP://127.0.0.1:8765/signed-out",
        "http://127.0.0.1:8765/%73igned-out",
        "http://127.0.0.1:8765@evil.example/signed-out",
    ],
)
@pytest.mark.parametrize("parameter", ["logout_uri", "post_logout_redirect_uri"])
def test_logout_never_redirects_to_an_unregistered_url(
    idp: IdpServer, target: str, parameter: str
) -> None:
    seeded = seed(idp)
    with idp.client() as http:
        code_flow_tokens(http, seeded)
        response = http.get("/logout", params={"client_id": seeded.client_id, parameter: target})
        assert response.status_code == 400
        assert "location" not in response.headers
        assert _still_signed_in(http, seeded)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"id_token_hint": "not.a.token", "post_logout_redirect_uri": LOGOUT}, "not"),
        ({"post_logout_redirect_uri": LOGOUT}, "client_id or id_token_hint is required"),
        ({"client_id": "nosuch", "logout_uri": LOGOUT}, "not a client"),
        ({}, "client_id is required"),
    ],
)
def test_invalid_logout_requests_get_an_error_page(
    idp: IdpServer, params: dict[str, str], message: str
) -> None:
    with idp.client() as http:
        response = http.get("/logout", params=params)
    assert response.status_code == 400
    assert message in response.text


def test_id_token_hint_for_another_client_than_client_id_is_refused(idp: IdpServer) -> None:
    seeded = seed(idp)
    other = seed(idp)
    with idp.client() as http:
        tokens = code_flow_tokens(http, seeded)
        response = http.get(
            "/logout",
            params={
                "id_token_hint": tokens["id_token"],
                "client_id": other.client_id,
                "post_logout_redirect_uri": LOGOUT,
            },
        )
    assert response.status_code == 400
