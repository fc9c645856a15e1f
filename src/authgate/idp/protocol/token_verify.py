"""RFC 7519 §7.2 validation of the tokens this IdP issued (access tokens, ID token hints).

The signature is checked against the pool's published JWKS (so tokens signed before a
key rotation keep verifying), with RS256 as the only algorithm, a size cap on the input,
an injected ``now``, and the issuer and ``token_use`` pinned.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from typing import Any

import orjson
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from authgate.idp.protocol.tokens import ALGORITHM

__all__ = ["MAX_TOKEN_CHARS", "TokenRejected", "unverified_issuer", "verify_token"]

MAX_TOKEN_CHARS = 16 * 1024


class TokenRejected(ValueError):
    """The token is malformed, not ours, badly signed, expired, or of the wrong kind."""


def unverified_issuer(token: str) -> str | None:
    """The ``iss`` claim of a JWS, read without checking anything (to pick a pool)."""
    if len(token) > MAX_TOKEN_CHARS or token.count(".") != 2:
        return None
    payload = token.split(".")[1]
    try:
        claims = orjson.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (binascii.Error, ValueError):
        return None
    iss = claims.get("iss") if isinstance(claims, dict) else None
    return iss if isinstance(iss, str) else None


def verify_token(
    token: str,
    public_keys: Sequence[Mapping[str, Any]],
    *,
    issuer: str,
    token_use: str,
    now: int,
    allow_expired: bool = False,
) -> dict[str, Any]:
    """Return the claims of ``token`` if it is a valid ``token_use`` token from ``issuer``."""
    if not token or len(token) > MAX_TOKEN_CHARS or token.count(".") != 2:
        raise TokenRejected("not a compact JWS")
    keys = KeySet.import_key_set({"keys": [dict(k) for k in public_keys]})
    try:
        decoded = jwt.decode(token, keys, algorithms=[ALGORITHM])
    except (JoseError, ValueError) as exc:
        raise TokenRejected(f"signature check failed: {type(exc).__name__}") from None
    claims = decoded.claims
    if claims.get("iss") != issuer:
        raise TokenRejected("issued by another issuer")
    if claims.get("token_use") != token_use:
        raise TokenRejected(f"not an {token_use} token")
    exp = claims.get("exp")
    if not isinstance(exp, int) or isinstance(exp, bool):
        raise TokenRejected("exp is missing")
    if exp <= now and not allow_expired:
        raise TokenRejected("expired")
    return claims
