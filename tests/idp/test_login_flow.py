"""The hosted login page over real HTTP: authorize, form, credentials, code, tokens."""

from __future__ import annotations

from joserfc import jwt
from joserfc.jwk import KeySet
from oidc_harness import (  # noqa: F401
    CALLBACK,
    IdpServer,
    authorize_params,
    browser_login,
    exchange,
    form_fields,
    login_for_code,
    pkce_pair,
    query_of,
    seed,
)


def test_full_authorization_code_pkce_login_through_the_hosted_page(idp: IdpServer) -> None:
    seeded = seed(idp, groups=("admins",))
    verifier, challenge = pkce_pair()
    with idp.client() as http:
        code, _params = login_for_code(
            http, seeded, nonce="n-123", code_challenge=challenge, code_challenge_method="S256"
        )
        response = exchange(http, seeded, code, code_verifier=verifier)
        assert response.status_code == 200, response.text
        assert response.headers["cache-control"] == "no-store"
        body = response.json()
        keys = KeySet.import_key_set(http.get(seeded.path("/.well-known/jwks.json")).json())
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    id_token = jwt.decode(body["id_token"], keys, algorithms=["RS256"])
    access = jwt.decode(body["access_token"], keys, algorithms=["RS256"])
    assert id_token.header["kid"] != access.header["kid"]
    claims = id_token.claims
    assert claims["iss"] == seeded.issuer
    assert claims["aud"] == seeded.client_id
    assert claims["sub"] == seeded.sub
    assert claims["token_use"] == "id"
    assert claims["nonce"] == "n-123"
    assert claims["email"] == seeded.email
    assert claims["email_verified"] is True
    assert claims["cognito:groups"] == ["admins"]
    assert claims["cognito:username"] == seeded.sub
    assert claims["origin_jti"] == access.claims["origin_jti"]
    assert access.claims["client_id"] == seeded.client_id
    assert access.claims["token_use"] == "access"
    assert access.claims["version"] == 2
    assert access.claims["scope"] == "openid email profile"
    assert access.claims["username"] == seeded.sub
    assert "aud" not in access.claims
    assert body["refresh_token"]


def test_second_client_signs_in_without_password_through_the_idp_session(idp: IdpServer) -> None:
    seeded = seed(idp)
    with idp.client() as http:
        login_for_code(http, seeded)
        params = authorize_params(seeded)
        again = http.get(seeded.path("/oauth2/authorize"), params=params)
    assert again.status_code == 302
    location = again.headers["location"]
    assert location.startswith(CALLBACK + "?")
    assert query_of(location)["state"] == params["state"]
    assert "code" in query_of(location)


def test_wrong_password_shows_cognito_message_and_no_redirect(idp: IdpServer) -> None:
    seeded = seed(idp)
    with idp.client() as http:
        response = browser_login(http, seeded, authorize_params(seeded), password="Wrong-pass-1")
    assert response.status_code == 400
    assert "Incorrect username or password." in response.text
    assert "location" not in response.headers
