"""RFC 7636 PKCE at the authorization and token endpoints, named after its sections."""

from __future__ import annotations

import pytest
from oidc_harness import (
    IdpServer,
    authorize_params,
    exchange,
    login_for_code,
    pkce_pair,
    query_of,
    seed,
)

from authgate.idp.protocol import pkce


def test_rfc7636_appendix_b_s256_test_vector() -> None:
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert pkce.s256(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_rfc7636_4_6_wrong_verifier_is_invalid_grant(idp: IdpServer) -> None:
    seeded = seed(idp)
    _, challenge = pkce_pair()
    other_verifier, _ = pkce_pair()
    with idp.client() as http:
        code, _ = login_for_code(
            http, seeded, code_challenge=challenge, code_challenge_method="S256"
        )
        response = exchange(http, seeded, code, code_verifier=other_verifier)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_rfc7636_4_6_code_issued_with_a_challenge_needs_the_verifier(idp: IdpServer) -> None:
    seeded = seed(idp)
    _, challenge = pkce_pair()
    with idp.client() as http:
        code, _ = login_for_code(
            http, seeded, code_challenge=challenge, code_challenge_method="S256"
        )
        response = exchange(http, seeded, code)
    assert response.json()["error"] == "invalid_grant"


def test_rfc9700_4_8_2_verifier_for_a_code_issued_without_challenge_is_refused(
    idp: IdpServer,
) -> None:
    seeded = seed(idp)
    verifier, _ = pkce_pair()
    with idp.client() as http:
        code, _ = login_for_code(http, seeded)
        response = exchange(http, seeded, code, code_verifier=verifier)
    assert response.json()["error"] == "invalid_grant"
    assert "no code_challenge" in response.json()["error_description"]


@pytest.mark.parametrize(
    "change",
    [
        {"code_challenge_method": "plain"},
        {"code_challenge_method": ""},
        {"code_challenge": "short"},
        {"code_challenge": "!" * 43},
    ],
)
def test_rfc7636_4_3_plain_or_malformed_challenge_is_refused(
    idp: IdpServer, change: dict[str, str]
) -> None:
    seeded = seed(idp)
    _, challenge = pkce_pair()
    params = authorize_params(seeded, code_challenge=challenge, code_challenge_method="S256")
    params.update(change)
    params = {k: v for k, v in params.items() if v}
    with idp.client() as http:
        response = http.get(seeded.path("/oauth2/authorize"), params=params)
    assert response.status_code == 302
    assert query_of(response.headers["location"])["error"] == "invalid_request"


@pytest.mark.parametrize("verifier", ["a" * 42, "a" * 129, "a" * 42 + "!"])
def test_rfc7636_4_1_verifier_length_and_charset_are_enforced(verifier: str) -> None:
    with pytest.raises(pkce.PkceError):
        pkce.verify(pkce.s256("a" * 43), verifier)
