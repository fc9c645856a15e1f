"""RFC 7009 token revocation (Cognito's /oauth2/revoke), named after its sections."""

from __future__ import annotations

from oidc_harness import (
    IdpServer,
    add_client,
    code_flow_tokens,
    seed,
)


def _revoke(http, seeded, token, auth=None):  # type: ignore[no-untyped-def]
    return http.post(
        seeded.path("/oauth2/revoke"),
        data={"token": token},
        auth=auth or (seeded.client_id, seeded.client_secret),
    )


def test_rfc7009_2_1_revoking_a_refresh_token_revokes_its_access_tokens(idp: IdpServer) -> None:
    seeded = seed(idp)
    with idp.client() as http:
        tokens = code_flow_tokens(http, seeded)
        response = _revoke(http, seeded, tokens["refresh_token"])
        assert response.status_code == 200
        assert response.content == b""
        info = http.get(
            seeded.path("/oauth2/userInfo"),
            headers={"Authorization": "Bearer " + tokens["access_token"]},
        )
        refresh = http.post(
            seeded.path("/oauth2/token"),
            data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
            auth=(seeded.client_id, seeded.client_secret),
        )
    assert info.status_code == 401
    assert refresh.json()["error"] == "invalid_grant"


def test_rfc7009_2_2_unknown_token_gets_200(idp: IdpServer) -> None:
    seeded = seed(idp)
    with idp.client() as http:
        assert _revoke(http, seeded, "not-a-token").status_code == 200


def test_rfc7009_2_2_1_access_token_is_unsupported_token_type(idp: IdpServer) -> None:
    seeded = seed(idp)
    with idp.client() as http:
        tokens = code_flow_tokens(http, seeded)
        response = _revoke(http, seeded, tokens["access_token"])
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_token_type"


def test_rfc7009_2_1_another_clients_refresh_token_is_not_revoked(idp: IdpServer) -> None:
    seeded = seed(idp)
    other = add_client(seeded)
    with idp.client() as http:
        tokens = code_flow_tokens(http, seeded)
        response = _revoke(
            http, seeded, tokens["refresh_token"], auth=(other.client_id, other.client_secret)
        )
        assert response.status_code == 200
        refresh = http.post(
            seeded.path("/oauth2/token"),
            data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
            auth=(seeded.client_id, seeded.client_secret),
        )
    assert refresh.status_code == 200


def test_rfc7009_2_1_client_authentication_and_token_are_required(idp: IdpServer) -> None:
    seeded = seed(idp)
    with idp.client() as http:
        bad_auth = _revoke(http, seeded, "x", auth=(seeded.client_id, "wrong"))
        no_token = http.post(
            seeded.path("/oauth2/revoke"), data={}, auth=(seeded.client_id, seeded.client_secret)
        )
    assert bad_auth.status_code == 401
    assert bad_auth.json()["error"] == "invalid_client"
    assert no_token.status_code == 400
    assert no_token.json()["error"] == "invalid_request"


def test_revocation_disabled_on_the_client_is_invalid_request(idp: IdpServer) -> None:
    seeded = seed(idp, enable_token_revocation=False)
    with idp.client() as http:
        response = _revoke(http, seeded, "whatever")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
