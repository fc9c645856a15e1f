"""OpenID Connect Core 1.0 MUSTs, named after their sections."""

from __future__ import annotations

from typing import Any

import pytest
from joserfc import jwt
from oidc_harness import (
    CALLBACK,
    IdpServer,
    authorize,
    authorize_params,
    code_flow_tokens,
    exchange,
    login_for_code,
    password_tokens,
    query_of,
    seed,
    signing_keys,
)

from authgate.idp.protocol.tokens import at_hash
from authgate.idp.storage.store import IdpStore


def test_oidc_core_3_1_2_6_prompt_none_without_session_returns_login_required(
    idp: IdpServer,
) -> None:
    seeded = seed(idp)
    params = authorize_params(seeded, prompt="none")
    with idp.client() as http:
        response = http.get(seeded.path("/oauth2/authorize"), params=params)
    assert response.status_code == 302
    query = query_of(response.headers["location"])
    assert response.headers["location"].startswith(CALLBACK)
    assert query["error"] == "login_required"
    assert query["state"] == params["state"]


def test_oidc_core_3_1_2_1_prompt_none_with_session_issues_a_code(idp: IdpServer) -> None:
    seeded = seed(idp)
    with idp.client() as http:
        login_for_code(http, seeded)
        response = authorize(http, seeded, prompt="none")
    assert "code" in query_of(response.headers["location"])


def test_oidc_core_3_1_2_1_prompt_login_forces_the_login_form(idp: IdpServer) -> None:
    seeded = seed(idp)
    with idp.client() as http:
        login_for_code(http, seeded)
        response = authorize(http, seeded, prompt="login")
    assert response.status_code == 302
    assert response.headers["location"].startswith(seeded.path("/login?"))


def test_oidc_core_3_1_2_1_max_age_forces_reauthentication_and_auth_time_is_kept(
    idp: IdpServer,
) -> None:
    seeded = seed(idp)
    with idp.client() as http:
        code, _ = login_for_code(http, seeded)
        auth_time = jwt.decode(
            exchange(http, seeded, code).json()["id_token"], signing_keys(idp, seeded)
        ).claims["auth_time"]
        idp.clock.advance(120)
        fresh = authorize(http, seeded, max_age="600")
        stale = authorize(http, seeded, max_age="60")
        code = query_of(fresh.headers["location"])["code"]
        sso_claims = jwt.decode(
            exchange(http, seeded, code).json()["id_token"], signing_keys(idp, seeded)
        ).claims
    assert stale.headers["location"].startswith(seeded.path("/login?"))
    assert sso_claims["auth_time"] == auth_time


def test_oidc_core_3_1_2_1_authorization_endpoint_accepts_post(idp: IdpServer) -> None:
    seeded = seed(idp)
    with idp.client() as http:
        response = http.post(seeded.path("/oauth2/authorize"), data=authorize_params(seeded))
    assert response.status_code == 302
    assert response.headers["location"].startswith(seeded.path("/login?"))


def test_oidc_core_3_1_2_1_unknown_parameters_are_ignored(idp: IdpServer) -> None:
    seeded = seed(idp)
    with idp.client() as http:
        response = authorize(http, seeded, foo="bar", ui_locales="de")
    assert response.headers["location"].startswith(seeded.path("/login?"))


def test_oidc_core_3_1_3_6_at_hash_matches_the_access_token(idp: IdpServer) -> None:
    seeded = seed(idp)
    with idp.client() as http:
        body = code_flow_tokens(http, seeded)
    claims = jwt.decode(body["id_token"], signing_keys(idp, seeded)).claims
    assert claims["at_hash"] == at_hash(body["access_token"])


def test_oidc_core_3_1_3_7_id_token_has_kid_rs256_and_no_nonce_when_not_sent(
    idp: IdpServer,
) -> None:
    seeded = seed(idp)
    with idp.client() as http:
        code, _ = login_for_code(http, seeded)
        token = jwt.decode(
            exchange(http, seeded, code).json()["id_token"], signing_keys(idp, seeded)
        )
    assert token.header["alg"] == "RS256"
    assert token.header["kid"]
    assert "nonce" not in token.claims
    assert token.claims["exp"] == token.claims["iat"] + 3600


def test_oidc_core_5_3_userinfo_get_post_header_and_post_body(idp: IdpServer) -> None:
    seeded = seed(idp)
    tokens = password_tokens(idp.client(), seeded, scope="openid email")
    header = {"Authorization": "Bearer " + tokens["access_token"]}
    with idp.client() as http:
        get = http.get(seeded.path("/oauth2/userInfo"), headers=header)
        post = http.post(seeded.path("/oauth2/userInfo"), headers=header)
        body = http.post(
            seeded.path("/oauth2/userInfo"), data={"access_token": tokens["access_token"]}
        )
    for response in (get, post, body):
        assert response.status_code == 200, response.text
        assert response.json() == {
            "sub": seeded.sub,
            "email": seeded.email,
            "email_verified": True,
            "username": seeded.sub,
        }


@pytest.mark.parametrize(
    ("scope", "present", "absent"),
    [
        ("openid", set(), {"email", "given_name"}),
        ("openid profile", {"given_name"}, {"email"}),
        ("openid email", {"email", "email_verified"}, {"given_name"}),
        ("openid aws.cognito.signin.user.admin", {"email", "given_name"}, set()),
    ],
)
def test_oidc_core_5_4_userinfo_claims_are_gated_by_scope(
    idp: IdpServer, scope: str, present: set[str], absent: set[str]
) -> None:
    seeded = seed(idp)
    tokens = password_tokens(idp.client(), seeded, scope=scope)
    with idp.client() as http:
        claims = http.get(
            seeded.path("/oauth2/userInfo"),
            headers={"Authorization": "Bearer " + tokens["access_token"]},
        ).json()
    assert claims["sub"] == seeded.sub
    assert present <= set(claims)
    assert not absent & set(claims)


def test_rfc6750_3_userinfo_errors(idp: IdpServer) -> None:
    seeded = seed(idp)
    admin_only = password_tokens(idp.client(), seeded, scope="aws.cognito.signin.user.admin")
    with idp.client() as http:
        missing = http.get(seeded.path("/oauth2/userInfo"))
        garbage = http.get(
            seeded.path("/oauth2/userInfo"), headers={"Authorization": "Bearer not.a.jwt"}
        )
        no_openid = http.get(
            seeded.path("/oauth2/userInfo"),
            headers={"Authorization": "Bearer " + admin_only["access_token"]},
        )
        id_token = http.get(
            seeded.path("/oauth2/userInfo"),
            headers={"Authorization": "Bearer " + str(admin_only.get("id_token"))},
        )
    assert missing.status_code == 400
    assert missing.headers["www-authenticate"].startswith('Bearer error="invalid_request"')
    assert garbage.status_code == 401
    assert garbage.headers["www-authenticate"].startswith('Bearer error="invalid_token"')
    assert no_openid.status_code == 403
    assert 'error="insufficient_scope"' in no_openid.headers["www-authenticate"]
    assert id_token.status_code == 401


def test_userinfo_rejects_tokens_of_disabled_users(idp: IdpServer) -> None:
    seeded = seed(idp)
    tokens = password_tokens(idp.client(), seeded)

    async def disable(store: IdpStore) -> Any:
        return await store.users.disable(seeded.pool_id, seeded.email)

    idp.run(disable)
    with idp.client() as http:
        response = http.get(
            seeded.path("/oauth2/userInfo"),
            headers={"Authorization": "Bearer " + tokens["access_token"]},
        )
    assert response.status_code == 401


def test_oidc_core_10_1_1_key_rotation_never_fails_a_valid_token(idp: IdpServer) -> None:
    seeded = seed(idp)
    before = password_tokens(idp.client(), seeded)

    async def rotate(store: IdpStore) -> Any:
        return await store.keys.rotate(seeded.pool_id, idp.clock.now())

    new_keys = idp.run(rotate)
    new_kids = {k.kid for k in new_keys}
    published = signing_keys(idp, seeded)
    old = jwt.decode(before["id_token"], published)  # the old key is still published
    assert old.header["kid"] not in new_kids
    with idp.client() as http:
        assert (
            http.get(
                seeded.path("/oauth2/userInfo"),
                headers={"Authorization": "Bearer " + before["access_token"]},
            ).status_code
            == 200
        )
    during = password_tokens(idp.client(), seeded)  # new keys are published, not active yet
    assert jwt.decode(during["id_token"], published).header["kid"] not in new_kids
    idp.clock.advance(301)
    after = password_tokens(idp.client(), seeded)
    published = signing_keys(idp, seeded)
    assert jwt.decode(after["id_token"], published).header["kid"] in new_kids
    assert jwt.decode(after["access_token"], published).header["kid"] in new_kids
    for tokens in (before, during):
        jwt.decode(tokens["id_token"], published)
        jwt.decode(tokens["access_token"], published)
