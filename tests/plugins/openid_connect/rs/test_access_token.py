"""RFC 7519 §7.2 verification table: every way a JWT must be refused, and what passes."""

from __future__ import annotations

import time
from typing import Any

import pytest

from authgate.plugins.openid_connect.errors import InvalidTokenError
from authgate.plugins.openid_connect.idp_client.jwks import KeySet, parse_jwks
from authgate.plugins.openid_connect.rs.access_token import (
    ASYMMETRIC_ALGORITHMS,
    HMAC_ALGORITHMS,
    MAX_TOKEN_BYTES,
    VerifyPolicy,
    parse_jwt,
    verify_jwt,
)
from authgate.testing import tokens as t

NOW = time.time()
PUBLIC = parse_jwks(
    {
        "keys": [
            t.RSA.as_dict(private=False),
            t.EC.as_dict(private=False),
            t.ED.as_dict(private=False),
        ]
    }
)
KEYS = KeySet(PUBLIC)


def claims(**overrides: Any) -> dict[str, Any]:
    """Claims issued at ``NOW``, the instant every check runs at, not at collection time."""
    return t.claims(**{"iat": int(NOW), "exp": int(NOW) + 3600, **overrides})


def policy(**overrides: Any) -> VerifyPolicy:
    values: dict[str, Any] = {
        "issuers": frozenset({t.ISSUER}),
        "algorithms": ASYMMETRIC_ALGORITHMS,
        "leeway": 0,
        "audience": frozenset(),
        "audience_claim": ("aud",),
    }
    values.update(overrides)
    return VerifyPolicy(**values)


def _junk_in_signature(token: str) -> str:
    """A character base64 decoders may skip, inside an otherwise valid signature."""
    head, payload, signature = token.split(".")
    return f"{head}.{payload}.{signature[:8]}!{signature[8:]}"


def check(token: str, rules: VerifyPolicy | None = None) -> dict[str, Any]:
    rules = rules or policy()
    parsed = parse_jwt(token, rules.algorithms)
    return verify_jwt(parsed, KEYS.find(parsed.kid), rules, NOW)


@pytest.mark.parametrize(
    ("token", "rules", "reason"),
    [
        (t.sign(claims(exp=int(NOW) - 1)), None, "token expired"),
        (t.sign(claims(exp=None)), None, "token has no exp"),
        (t.sign(claims(exp="tomorrow")), None, "token exp is not a number"),
        (t.sign(claims(nbf=int(NOW) + 60)), None, "token not valid yet"),
        (t.sign(claims(iat=int(NOW) + 60)), None, "token issued in the future"),
        (t.sign(claims(iss="https://evil.example/pool")), None, "token issuer not accepted"),
        (t.sign(claims(iss=t.ISSUER + "/")), None, "token issuer not accepted"),
        (t.sign(claims(iss=[t.ISSUER])), None, "token issuer not accepted"),
        (
            t.sign(claims(aud="other-api")),
            policy(audience=frozenset({"my-api"})),
            "token audience not accepted",
        ),
        (
            t.sign(claims(client_id="client-b")),
            policy(audience=frozenset({"client-a"}), audience_claim=("client_id",)),
            "token audience not accepted",
        ),
        (t.unsigned(claims()), None, "signing algorithm not allowed"),
        (t.hs256_with_public_key(claims()), None, "signing algorithm not allowed"),
        (
            t.hs256_with_public_key(claims()),
            policy(algorithms=ASYMMETRIC_ALGORITHMS | HMAC_ALGORITHMS),
            "no key matches the token",
        ),
        (t.sign(claims(), t.RSA_ANY_ALG, "PS256"), None, "no key matches the token"),
        (t.sign(claims(), t.EC384_SAME_KID, "ES384"), None, "no key matches the token"),
        (t.sign(claims(), t.OTHER_RSA), None, "signature verification failed"),
        (t.tamper(t.sign(claims()), scope="admin"), None, "signature verification failed"),
        (t.sign(claims(), typ="JOSE+JSON"), None, "token type not accepted"),
        (t.sign(claims(pad="x" * MAX_TOKEN_BYTES)), None, "token too large"),
        ("a.b", None, "malformed token"),
        ("!!!.e30.sig", None, "malformed token"),
        (t.sign(claims()) + "=", None, "malformed token"),
        (_junk_in_signature(t.sign(claims())), None, "malformed token"),
    ],
    ids=[
        "expired", "no-exp", "exp-not-number", "nbf-future", "iat-future", "wrong-iss",
        "iss-trailing-slash", "iss-array", "wrong-aud", "cognito-wrong-client-id", "alg-none",
        "hs256-with-rsa-public-key", "hs256-enabled-still-no-rsa-key", "rsa-key-as-ps256",
        "ec-curve-mismatch", "unknown-signer-same-kid", "tampered-payload", "bad-typ",
        "oversized", "two-parts", "bad-base64", "padded-signature", "junk-in-signature",
    ],
)  # fmt: skip
def test_token_is_refused(token: str, rules: VerifyPolicy | None, reason: str) -> None:
    with pytest.raises(InvalidTokenError) as caught:
        check(token, rules)
    assert caught.value.description == reason


@pytest.mark.parametrize(
    ("token", "rules"),
    [
        (t.sign(claims()), None),
        (t.sign(claims(), typ="at+jwt"), None),
        (t.sign(claims(), typ="JWT"), None),
        (t.sign(claims(), t.EC, "ES256"), None),
        (t.sign(claims(), t.ED, "EdDSA"), None),
        (t.sign(claims(exp=int(NOW) - 5)), policy(leeway=10)),
        (t.sign(claims(aud=["x", "my-api"])), policy(audience=frozenset({"my-api"}))),
        (
            t.sign(claims()),
            policy(audience=frozenset({"client-a"}), audience_claim=("client_id",)),
        ),
        (
            t.sign(claims(iss="https://second.example")),
            policy(issuers=frozenset({t.ISSUER, "https://second.example"})),
        ),
    ],
    ids=[
        "rs256", "typ-at-jwt", "typ-JWT", "es256", "eddsa", "leeway", "aud-array",
        "cognito-client-id-audience", "issuers-allowed",
    ],
)  # fmt: skip
def test_token_is_accepted(token: str, rules: VerifyPolicy | None) -> None:
    assert check(token, rules)["sub"] == "user-1"


def test_private_and_encryption_keys_are_never_used_for_verification() -> None:
    private = t.RSA.as_dict(private=True)
    encryption = {**t.EC.as_dict(private=False), "use": "enc"}
    assert parse_jwks({"keys": [private, encryption, {"kty": "oct", "k": "c2VjcmV0"}]}) == []


def test_jwks_without_keys_array_is_an_error() -> None:
    with pytest.raises(ValueError, match="no keys array"):
        parse_jwks({"keys": "nope"})
