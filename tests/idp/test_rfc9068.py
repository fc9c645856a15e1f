"""RFC 9068 §2 JWT access tokens (opt-in) versus Cognito's shape (default)."""

from __future__ import annotations

from joserfc import jwt
from joserfc.jwk import RSAKey

from authgate.idp import tokens

KEY = RSAKey.generate_key(2048, private=True)
PRIVATE = dict(KEY.as_dict(private=True))
SUBJECT = tokens.Subject(sub="s-1", username="s-1", groups=("admins",))


def _claims(options: tokens.AccessTokenOptions) -> dict[str, object]:
    return tokens.access_token_claims(
        issuer="http://127.0.0.1:9000/us-east-1_X",
        client_id="c1",
        subject=SUBJECT,
        scopes=("openid", "orders/read"),
        auth_time=100,
        origin_jti="o-1",
        now=200,
        ttl=3600,
        options=options,
    )


def test_rfc9068_2_1_opt_in_token_has_at_jwt_type_and_audience() -> None:
    options = tokens.AccessTokenOptions(rfc9068=True, audience=("orders",))
    token = tokens.sign(_claims(options), "kid-1", PRIVATE, typ="at+jwt")
    decoded = jwt.decode(token, KEY, algorithms=["RS256"])
    assert decoded.header == {"alg": "RS256", "kid": "kid-1", "typ": "at+jwt"}
    for claim in ("iss", "exp", "aud", "sub", "client_id", "iat", "jti"):
        assert claim in decoded.claims
    assert decoded.claims["aud"] == "orders"


def test_cognito_access_token_has_no_aud_and_no_typ_by_default() -> None:
    token = tokens.sign(_claims(tokens.AccessTokenOptions()), "kid-1", PRIVATE)
    decoded = jwt.decode(token, KEY, algorithms=["RS256"])
    assert decoded.header == {"alg": "RS256", "kid": "kid-1"}
    assert "aud" not in decoded.claims
    assert decoded.claims["version"] == 2
    assert decoded.claims["cognito:groups"] == ["admins"]
    assert decoded.claims["exp"] == 3800


def test_oidc_core_3_1_3_6_at_hash_vector() -> None:
    # Left half of SHA-256("dNZX1hEZ9wBCzNL40Upu646bdzQA"), base64url (OIDC Core A.3 example).
    assert tokens.at_hash("dNZX1hEZ9wBCzNL40Upu646bdzQA") == "wfgvmE9VxjAudsl9lc6TqA"
