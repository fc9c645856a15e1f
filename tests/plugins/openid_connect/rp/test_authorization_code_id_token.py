"""OIDC Core §3.1.3.7 ID token validation: real IdP tokens and crafted ones, table-driven."""

from __future__ import annotations

import time
from typing import Any

import pytest
from joserfc.jwk import KeySet

from authgate.plugins.openid_connect.errors import InvalidTokenError
from authgate.plugins.openid_connect.rs.access_token import ASYMMETRIC_ALGORITHMS, parse_jwt
from authgate.plugins.openid_connect.rs.id_token import IdTokenRules, at_hash, validate_id_token
from authgate.testing import tokens as t
from idp.oidc_harness import IdpServer, add_client, password_tokens, seed

ACCESS = "the-access-token"
NOW = time.time()

pytest_plugins = ["plugins.openid_connect.browser_fixtures"]


def _rules(**overrides: Any) -> IdTokenRules:
    values: dict[str, Any] = {
        "issuers": frozenset({t.ISSUER}),
        "client_id": "client-a",
        "algorithms": ASYMMETRIC_ALGORITHMS,
        "leeway": 0,
        "nonce": "n-1",
    }
    values.update(overrides)
    return IdTokenRules(**values)


def _id_token(**overrides: Any) -> str:
    claims = {
        "iss": t.ISSUER, "sub": "user-1", "aud": "client-a", "nonce": "n-1",
        "iat": int(NOW), "exp": int(NOW) + 3600, "auth_time": int(NOW) - 10,
        "at_hash": at_hash(ACCESS, "RS256"),
    }  # fmt: skip
    claims.update(overrides)
    return t.sign({k: v for k, v in claims.items() if v is not None})


def _validate(token: str, rules: IdTokenRules | None = None) -> dict[str, Any]:
    rules = rules or _rules()
    return validate_id_token(parse_jwt(token, rules.algorithms), [t.RSA], rules, NOW, ACCESS)


def test_a_good_id_token_passes() -> None:
    assert _validate(_id_token())["sub"] == "user-1"


@pytest.mark.parametrize(
    ("overrides", "rules", "reason"),
    [
        ({"aud": "client-b"}, {}, "audience"),
        ({"aud": ["client-a", "client-b"]}, {}, "azp"),
        ({"aud": ["client-a", "client-b"], "azp": "client-b"}, {}, "azp"),
        ({"azp": "client-b"}, {}, "azp"),
        ({"nonce": "n-2"}, {}, "nonce"),
        ({"nonce": None}, {}, "nonce"),
        ({"at_hash": at_hash("another-token", "RS256")}, {}, "at_hash"),
        ({"iss": "https://evil.example/pool"}, {}, "issuer"),
        ({"exp": int(NOW) - 1}, {}, "expired"),
        ({"iat": int(NOW) + 600}, {}, "future"),
        ({"iat": None}, {}, "iat"),
        ({"sub": None}, {}, "sub"),
        ({"auth_time": int(NOW) - 4000}, {"max_age": 3600}, "max_age"),
        ({}, {"subject": "user-2", "nonce": None}, "subject changed"),
    ],
)
def test_bad_id_tokens_are_refused(
    overrides: dict[str, Any], rules: dict[str, Any], reason: str
) -> None:
    with pytest.raises(InvalidTokenError, match=reason):
        _validate(_id_token(**overrides), _rules(**rules))


def test_multiple_audiences_with_our_azp_pass() -> None:
    token = _id_token(aud=["client-a", "api"], azp="client-a")
    assert _validate(token)["azp"] == "client-a"


def test_alg_none_id_token_is_refused() -> None:
    with pytest.raises(InvalidTokenError, match="algorithm"):
        _validate(t.unsigned({"iss": t.ISSUER, "aud": "client-a"}))


def test_id_token_issued_to_another_client_of_the_same_pool_is_refused(idp: IdpServer) -> None:
    pool = seed(idp)
    other = add_client(pool, explicit_auth_flows=("ALLOW_USER_PASSWORD_AUTH",))
    with idp.client() as http:
        theirs = password_tokens(
            http, seed_as(pool, other.client_id, other.client_secret), scope="openid email"
        )
        keys = KeySet.import_key_set(http.get(pool.path("/.well-known/jwks.json")).json())
    rules = IdTokenRules(
        issuers=frozenset({pool.issuer}), client_id=pool.client_id,
        algorithms=ASYMMETRIC_ALGORITHMS, leeway=0,
    )  # fmt: skip
    parsed = parse_jwt(theirs["id_token"], ASYMMETRIC_ALGORITHMS)
    with pytest.raises(InvalidTokenError, match="audience"):
        validate_id_token(parsed, keys.keys, rules, idp.clock(), theirs["access_token"])
    mine = IdTokenRules(
        issuers=rules.issuers, client_id=other.client_id, algorithms=rules.algorithms, leeway=0
    )
    claims = validate_id_token(parsed, keys.keys, mine, idp.clock(), theirs["access_token"])
    assert claims["aud"] == other.client_id  # the same token is fine for its own client


def seed_as(pool: Any, client_id: str, secret: str | None) -> Any:
    from dataclasses import replace

    return replace(pool, client_id=client_id, client_secret=secret)
