"""Discovery and JWKS (OIDC Discovery §3-4, RFC 7517) over real HTTP."""

from __future__ import annotations

from oidc_harness import IdpServer, seed

REQUIRED = (
    "issuer",
    "authorization_endpoint",
    "token_endpoint",
    "jwks_uri",
    "response_types_supported",
    "subject_types_supported",
    "id_token_signing_alg_values_supported",
)


def test_oidc_discovery_4_3_issuer_equals_fetch_prefix_and_lists_issuer_path_endpoints(
    idp: IdpServer,
) -> None:
    seeded = seed(idp)
    with idp.client() as http:
        response = http.get(seeded.path("/.well-known/openid-configuration"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    doc = response.json()
    assert all(doc.get(name) for name in REQUIRED)
    assert doc["issuer"] == seeded.issuer
    for name in (
        "authorization_endpoint",
        "token_endpoint",
        "userinfo_endpoint",
        "revocation_endpoint",
        "introspection_endpoint",
        "end_session_endpoint",
    ):
        assert doc[name].startswith(seeded.issuer + "/")
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"]
    assert set(doc["grant_types_supported"]) >= {
        "authorization_code",
        "refresh_token",
        "client_credentials",
    }
    assert doc["token_endpoint_auth_methods_supported"] == [
        "client_secret_basic",
        "client_secret_post",
    ]
    assert "openid" in doc["scopes_supported"]
    assert "cognito:username" in doc["claims_supported"]


def test_jwks_publishes_two_distinct_rs256_keys(idp: IdpServer) -> None:
    seeded = seed(idp)
    with idp.client() as http:
        keys = http.get(seeded.path("/.well-known/jwks.json")).json()["keys"]
    assert len(keys) == 2
    assert len({k["kid"] for k in keys}) == 2
    assert all(k["alg"] == "RS256" and k["kty"] == "RSA" and k["use"] == "sig" for k in keys)
    assert all("d" not in k for k in keys)


def test_unknown_pool_discovery_and_jwks_are_404(idp: IdpServer) -> None:
    with idp.client() as http:
        for path in (
            "/us-east-1_nope/.well-known/openid-configuration",
            "/us-east-1_nope/.well-known/jwks.json",
        ):
            response = http.get(path)
            assert response.status_code == 404
            assert response.json() == {"error": "no such user pool"}
