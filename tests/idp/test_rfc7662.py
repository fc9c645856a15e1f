"""RFC 7662 token introspection (an authgate extension), named after its sections."""

from __future__ import annotations

from oidc_harness import (
    IdpServer,
    add_client,
    code_flow_tokens,
    seed,
)


def _introspect(http, seeded, token, auth=None):  # type: ignore[no-untyped-def]
    return http.post(
        seeded.path("/oauth2/introspect"),
        data={"token": token},
        auth=auth or (seeded.client_id, seeded.client_secret),
    )


def test_rfc7662_2_2_active_access_and_refresh_tokens(idp: IdpServer) -> None:
    seeded = seed(idp)
    with idp.client() as http:
        tokens = code_flow_tokens(http, seeded)
        access = _introspect(http, seeded, tokens["access_token"])
        refresh = _introspect(http, seeded, tokens["refresh_token"]).json()
    assert access.status_code == 200
    assert access.headers["cache-control"] == "no-store"
    body = access.json()
    assert body["active"] is True
    assert body["client_id"] == seeded.client_id
    assert body["sub"] == seeded.sub
    assert body["scope"] == "openid email profile"
    assert body["iss"] == seeded.issuer
    assert refresh["active"] is True
    assert refresh["token_type"] == "refresh_token"


def test_rfc7662_2_2_expired_revoked_and_unknown_tokens_are_inactive(idp: IdpServer) -> None:
    seeded = seed(idp)
    with idp.client() as http:
        tokens = code_flow_tokens(http, seeded)
        assert _introspect(http, seeded, "garbage").json() == {"active": False}
        assert _introspect(http, seeded, "a.b.c").json() == {"active": False}
        idp.clock.advance(3601)
        assert _introspect(http, seeded, tokens["access_token"]).json() == {"active": False}
        http.post(
            seeded.path("/oauth2/revoke"),
            data={"token": tokens["refresh_token"]},
            auth=(seeded.client_id, seeded.client_secret),
        )
        assert _introspect(http, seeded, tokens["refresh_token"]).json() == {"active": False}


def test_rfc7662_2_2_tokens_of_another_pool_are_inactive(idp: IdpServer) -> None:
    seeded, other = seed(idp), seed(idp)
    with idp.client() as http:
        tokens = code_flow_tokens(http, seeded)
        for token in (tokens["access_token"], tokens["refresh_token"]):
            response = _introspect(http, other, token)
            assert response.json() == {"active": False}
            response = http.post(
                "/oauth2/introspect",
                data={"token": token},
                auth=(other.client_id, other.client_secret),
            )
            assert response.json() == {"active": False}


def test_rfc7662_2_1_caller_must_authenticate_as_a_confidential_client(idp: IdpServer) -> None:
    seeded = seed(idp)
    public = add_client(seeded, "spa", secret=False)
    with idp.client() as http:
        anonymous = http.post(seeded.path("/oauth2/introspect"), data={"token": "x"})
        wrong = _introspect(http, seeded, "x", auth=(seeded.client_id, "nope"))
        public_call = http.post(
            seeded.path("/oauth2/introspect"), data={"token": "x", "client_id": public.client_id}
        )
    assert anonymous.status_code == 401
    assert wrong.status_code == 401
    assert public_call.status_code == 401
