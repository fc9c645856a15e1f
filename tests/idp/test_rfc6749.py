"""RFC 6749 MUSTs of the authorization and token endpoints, named after their sections."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from oidc_harness import (
    CALLBACK,
    IdpServer,
    Seeded,
    add_client,
    authorize,
    authorize_params,
    code_flow_tokens,
    exchange,
    login_for_code,
    pkce_pair,
    query_of,
    seed,
    signing_keys,
)

from authgate.idp.domain.records import ResourceServerScope
from authgate.idp.storage.store import IdpStore


def _token(http: httpx.Client, seeded: Seeded, data: dict[str, str], **kw: Any) -> httpx.Response:
    return http.post(seeded.path("/oauth2/token"), data=data, **kw)


def _refresh(http: httpx.Client, seeded: Seeded, token: str, client: Any = None) -> httpx.Response:
    client_id = client.client_id if client else seeded.client_id
    secret = client.client_secret if client else seeded.client_secret
    return _token(
        http,
        seeded,
        {"grant_type": "refresh_token", "refresh_token": token},
        auth=(client_id, secret),
    )


def _userinfo(http: httpx.Client, seeded: Seeded, access_token: str) -> httpx.Response:
    return http.get(
        seeded.path("/oauth2/userInfo"), headers={"Authorization": f"Bearer {access_token}"}
    )


def test_rfc6749_4_1_2_code_is_single_use_and_reuse_revokes_tokens(idp: IdpServer) -> None:
    seeded = seed(idp)
    with idp.client() as http:
        code, _ = login_for_code(http, seeded)
        first = exchange(http, seeded, code)
        assert first.status_code == 200
        tokens = first.json()
        assert _userinfo(http, seeded, tokens["access_token"]).status_code == 200
        replay = exchange(http, seeded, code)
        assert replay.status_code == 400
        assert replay.json()["error"] == "invalid_grant"
        revoked = _userinfo(http, seeded, tokens["access_token"])
        assert revoked.status_code == 401
        assert 'error="invalid_token"' in revoked.headers["www-authenticate"]
        assert _refresh(http, seeded, tokens["refresh_token"]).json()["error"] == "invalid_grant"


def test_rfc6749_4_1_2_code_expires_after_five_minutes(idp: IdpServer) -> None:
    seeded = seed(idp)
    with idp.client() as http:
        code, _ = login_for_code(http, seeded)
        idp.clock.advance(301)
        response = exchange(http, seeded, code)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_rfc6749_4_1_3_code_of_client_a_is_refused_to_client_b_and_stays_usable_by_a(
    idp: IdpServer,
) -> None:
    seeded = seed(idp)
    other = add_client(seeded)
    with idp.client() as http:
        code, _ = login_for_code(http, seeded)
        stolen = _token(
            http,
            seeded,
            {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK},
            auth=(other.client_id, other.client_secret),
        )
        assert stolen.status_code == 400
        assert stolen.json()["error"] == "invalid_grant"
        assert exchange(http, seeded, code).status_code == 200


def test_rfc6749_4_1_3_redirect_uri_must_equal_the_authorization_request(idp: IdpServer) -> None:
    seeded = seed(idp)
    with idp.client() as http:
        code, _ = login_for_code(http, seeded)
        response = exchange(http, seeded, code, redirect_uri=CALLBACK + "/")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


OPEN_REDIRECTS = [
    "https://evil.example/callback",
    "//evil.example/callback",
    CALLBACK + "/",
    CALLBACK + "x",
    CALLBACK + "?next=https://evil.example",
    CALLBACK + "#frag",
    "HTTP://127.0.0.1:8765/callback",
    "http://127.0.0.1:8765/Callback",
    "http://127.0.0.1:8765/%63allback",
    "http://127.0.0.1:8765@evil.example/callback",
    "http://127.0.0.1:8765/callback/../evil",
    "http://127.0.0.1:8766/callback",
    "http://localhost:8765/callback",
    " " + CALLBACK,
]


@pytest.mark.parametrize("redirect_uri", OPEN_REDIRECTS)
def test_rfc6749_4_1_2_1_unregistered_redirect_uri_gets_an_error_page_never_a_redirect(
    idp: IdpServer, redirect_uri: str
) -> None:
    seeded = seed(idp)
    with idp.client() as http:
        response = authorize(http, seeded, redirect_uri=redirect_uri)
    assert response.status_code == 400
    assert "location" not in response.headers
    assert "not registered" in response.text
    assert response.headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"client_id": "nosuchclient"}, "not a client of this user pool"),
        ({"client_id": ""}, "not a client of this user pool"),
        ({"redirect_uri": ""}, "redirect_uri parameter is missing"),
    ],
)
def test_rfc6749_4_1_2_1_bad_client_id_or_missing_redirect_uri_gets_an_error_page(
    idp: IdpServer, change: dict[str, str], message: str
) -> None:
    seeded = seed(idp)
    with idp.client() as http:
        response = authorize(http, seeded, **change)
    assert response.status_code == 400
    assert "location" not in response.headers
    assert message in response.text


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"response_type": ""}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": "openid phone"}, "invalid_scope"),
        ({"scope": "email"}, "invalid_scope"),
        ({"code_challenge": "x" * 43, "code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge_method": "S256"}, "invalid_request"),
        ({"request": "eyJhbGciOiJub25lIn0.e30."}, "request_not_supported"),
        ({"request_uri": "https://example.com/r"}, "request_uri_not_supported"),
        ({"prompt": "none login"}, "invalid_request"),
        ({"max_age": "-1"}, "invalid_request"),
        ({"response_mode": "form_post"}, "invalid_request"),
    ],
)
def test_rfc6749_4_1_2_1_other_errors_redirect_to_the_client_with_state(
    idp: IdpServer, change: dict[str, str], error: str
) -> None:
    seeded = seed(idp)
    params = authorize_params(seeded, **change)
    with idp.client() as http:
        response = http.get(seeded.path("/oauth2/authorize"), params=params)
    assert response.status_code == 302
    location = response.headers["location"]
    assert location.startswith(CALLBACK + "?")
    query = query_of(location)
    assert query["error"] == error
    assert query["state"] == params["state"]
    assert query["iss"] == seeded.issuer
    assert "code" not in query


def test_rfc6749_4_1_2_state_is_echoed_byte_for_byte(idp: IdpServer) -> None:
    seeded = seed(idp)
    state = "ä/+= &?" + "x" * 1000
    with idp.client() as http:
        code_params = authorize_params(seeded, state=state)
        response = http.get(
            seeded.path("/oauth2/authorize"), params={**code_params, "prompt": "none"}
        )
    assert query_of(response.headers["location"])["state"] == state


def test_rfc6749_4_1_2_1_unauthorized_client_when_code_flow_not_allowed(idp: IdpServer) -> None:
    seeded = seed(idp, allowed_oauth_flows=(), allowed_scopes=())
    with idp.client() as http:
        response = authorize(http, seeded, scope="")
    assert response.status_code == 302
    assert query_of(response.headers["location"])["error"] == "unauthorized_client"


def test_rfc6749_5_2_invalid_client_with_basic_auth_is_401_with_www_authenticate(
    idp: IdpServer,
) -> None:
    seeded = seed(idp)
    with idp.client() as http:
        code, _ = login_for_code(http, seeded)
        data = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK}
        basic = _token(http, seeded, data, auth=(seeded.client_id, "wrong-secret"))
        post = _token(
            http, seeded, {**data, "client_id": seeded.client_id, "client_secret": "wrong"}
        )
        unknown = _token(http, seeded, data, auth=("nosuchclient", "x"))
        missing = _token(http, seeded, data)
        assert exchange(http, seeded, code).status_code == 200
    assert basic.status_code == 401
    assert basic.headers["www-authenticate"].startswith("Basic ")
    assert basic.json()["error"] == "invalid_client"
    assert post.status_code == 401
    assert "www-authenticate" not in post.headers
    assert unknown.status_code == 401
    assert missing.status_code == 401


def test_rfc6749_2_3_1_client_secret_post_is_accepted(idp: IdpServer) -> None:
    seeded = seed(idp)
    with idp.client() as http:
        code, _ = login_for_code(http, seeded)
        response = _token(
            http,
            seeded,
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": CALLBACK,
                "client_id": seeded.client_id,
                "client_secret": seeded.client_secret or "",
            },
        )
    assert response.status_code == 200


def test_rfc6749_2_3_two_client_authentication_methods_at_once_are_refused(idp: IdpServer) -> None:
    seeded = seed(idp)
    with idp.client() as http:
        response = _token(
            http,
            seeded,
            {"grant_type": "client_credentials", "client_secret": seeded.client_secret or ""},
            auth=(seeded.client_id, seeded.client_secret),
        )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


@pytest.mark.parametrize(
    ("body", "headers", "error"),
    [
        ("grant_type=magic", {}, "unsupported_grant_type"),
        ("code=x", {}, "invalid_request"),
        ("grant_type=authorization_code&grant_type=password", {}, "invalid_request"),
        ('{"grant_type": "password"}', {"content-type": "application/json"}, "invalid_request"),
        ("grant_type=authorization_code&redirect_uri=x", {}, "invalid_request"),
    ],
)
def test_rfc6749_5_2_malformed_token_requests_get_json_errors(
    idp: IdpServer, body: str, headers: dict[str, str], error: str
) -> None:
    seeded = seed(idp)
    request_headers = {"content-type": "application/x-www-form-urlencoded", **headers}
    with idp.client() as http:
        response = http.post(
            seeded.path("/oauth2/token"),
            content=body,
            headers=request_headers,
            auth=(seeded.client_id, seeded.client_secret or ""),
        )
    assert response.status_code == 400
    assert response.json()["error"] == error
    assert response.headers["cache-control"] == "no-store"


def test_rfc6749_6_refresh_keeps_auth_time_and_returns_no_new_refresh_token(
    idp: IdpServer,
) -> None:
    from joserfc import jwt

    seeded = seed(idp)
    with idp.client() as http:
        code, _ = login_for_code(http, seeded, nonce="abc")
        tokens = exchange(http, seeded, code).json()
        idp.clock.advance(600)
        refreshed = _refresh(http, seeded, tokens["refresh_token"])
    assert refreshed.status_code == 200
    body = refreshed.json()
    assert "refresh_token" not in body
    before = jwt.decode(tokens["id_token"], signing_keys(idp, seeded)).claims
    after = jwt.decode(body["id_token"], signing_keys(idp, seeded)).claims
    assert after["auth_time"] == before["auth_time"]
    assert after["iat"] == before["iat"] + 600
    assert after["sub"] == before["sub"]
    assert after["aud"] == before["aud"]
    assert "nonce" not in after


def test_rfc6749_10_4_refresh_token_of_client_a_is_invalid_for_client_b(idp: IdpServer) -> None:
    seeded = seed(idp)
    other = add_client(seeded)
    with idp.client() as http:
        tokens = code_flow_tokens(http, seeded)
        stolen = _refresh(http, seeded, tokens["refresh_token"], client=other)
        assert stolen.status_code == 400
        assert stolen.json()["error"] == "invalid_grant"
        assert _refresh(http, seeded, tokens["refresh_token"]).status_code == 200


def test_refresh_rotation_returns_new_token_and_reuse_revokes_the_family(idp: IdpServer) -> None:
    seeded = seed(idp, refresh_token_rotation=True, rotation_grace_seconds=10)
    with idp.client() as http:
        code, _ = login_for_code(http, seeded)
        first = exchange(http, seeded, code).json()["refresh_token"]
        second = _refresh(http, seeded, first).json()["refresh_token"]
        assert second != first
        idp.clock.advance(5)
        retry = _refresh(http, seeded, first)
        assert retry.status_code == 200  # within the grace period
        idp.clock.advance(30)
        replay = _refresh(http, seeded, first)
        assert replay.status_code == 400
        assert replay.json()["error"] == "invalid_grant"
        assert _refresh(http, seeded, second).json()["error"] == "invalid_grant"


def test_rfc6749_4_4_client_credentials_grants_only_custom_scopes(idp: IdpServer) -> None:
    seeded = seed(idp)

    async def make(store: IdpStore) -> Any:
        await store.resource_servers.create(
            seeded.pool_id,
            "orders",
            "Orders",
            [ResourceServerScope("read", "read"), ResourceServerScope("write", "write")],
        )
        return await store.clients.create(
            seeded.pool_id,
            "machine",
            __import__("oidc_harness").client_settings(
                callback_urls=(),
                logout_urls=(),
                allowed_oauth_flows=("client_credentials",),
                allowed_scopes=("orders/read",),
            ),
            generate_secret=True,
        )

    machine = idp.run(make)
    auth = (machine.client_id, machine.client_secret)
    with idp.client() as http:
        ok = _token(http, seeded, {"grant_type": "client_credentials"}, auth=auth)
        too_much = _token(
            http, seeded, {"grant_type": "client_credentials", "scope": "orders/write"}, auth=auth
        )
        openid = _token(
            http, seeded, {"grant_type": "client_credentials", "scope": "openid"}, auth=auth
        )
        user_client = _token(
            http,
            seeded,
            {"grant_type": "client_credentials"},
            auth=(seeded.client_id, seeded.client_secret),
        )
    assert ok.status_code == 200, ok.text
    body = ok.json()
    assert set(body) == {"access_token", "expires_in", "token_type"}
    from joserfc import jwt

    claims = jwt.decode(body["access_token"], signing_keys(idp, seeded)).claims
    assert claims["sub"] == machine.client_id == claims["client_id"]
    assert claims["scope"] == "orders/read"
    assert too_much.json()["error"] == "invalid_scope"
    assert openid.json()["error"] == "invalid_scope"
    assert user_client.json()["error"] == "unauthorized_client"


def test_password_grant_only_for_clients_with_allow_user_password_auth(idp: IdpServer) -> None:
    seeded = seed(idp)
    locked = add_client(seeded, "nopassword", explicit_auth_flows=("ALLOW_REFRESH_TOKEN_AUTH",))
    data = {
        "grant_type": "password",
        "username": seeded.email,
        "password": seeded.password,
        "scope": "openid email",
    }
    with idp.client() as http:
        ok = _token(http, seeded, data, auth=(seeded.client_id, seeded.client_secret))
        refused = _token(http, seeded, data, auth=(locked.client_id, locked.client_secret))
        wrong = _token(
            http,
            seeded,
            {**data, "password": "Nope-nope-1"},
            auth=(seeded.client_id, seeded.client_secret),
        )
    assert ok.status_code == 200
    assert {"id_token", "access_token", "refresh_token"} <= set(ok.json())
    assert refused.json()["error"] == "unauthorized_client"
    assert wrong.status_code == 400
    assert wrong.json() == {
        "error": "invalid_grant",
        "error_description": "Incorrect username or password.",
    }


def test_public_client_must_use_pkce_and_authenticates_with_client_id_only(
    idp: IdpServer,
) -> None:
    seeded = seed(idp, secret=False)
    verifier, challenge = pkce_pair()
    with idp.client() as http:
        without = authorize(http, seeded)
        assert query_of(without.headers["location"])["error"] == "invalid_request"
        code, _ = login_for_code(
            http, seeded, code_challenge=challenge, code_challenge_method="S256"
        )
        data = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": CALLBACK,
            "client_id": seeded.client_id,
        }
        with_secret = _token(http, seeded, {**data, "client_secret": "guess"})
        assert with_secret.status_code == 401
        ok = _token(http, seeded, {**data, "code_verifier": verifier})
    assert ok.status_code == 200, ok.text


def test_domain_routes_find_the_pool_from_the_client(idp: IdpServer) -> None:
    seeded = seed(idp)
    with idp.client() as http:
        code, _ = login_for_code(http, seeded)
        response = http.post(
            "/oauth2/token",
            data={"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK},
            auth=(seeded.client_id, seeded.client_secret or ""),
        )
        assert response.status_code == 200
        info = http.get(
            "/oauth2/userInfo",
            headers={"Authorization": "Bearer " + response.json()["access_token"]},
        )
    assert info.status_code == 200
    assert info.json()["sub"] == seeded.sub


def test_client_of_another_pool_is_unknown_under_this_issuer_path(idp: IdpServer) -> None:
    seeded, other = seed(idp), seed(idp)
    with idp.client() as http:
        response = http.get(other.path("/oauth2/authorize"), params=authorize_params(seeded))
        token = http.post(
            other.path("/oauth2/token"),
            data={"grant_type": "client_credentials"},
            auth=(seeded.client_id, seeded.client_secret or ""),
        )
    assert response.status_code == 400
    assert "location" not in response.headers
    assert token.status_code == 401
