"""OpenID Connect Core 1.0 §3.1.3.7: validation of the ID token from the token endpoint.

No I/O: the caller finds the keys. On top of the JWT checks shared with access tokens
(:mod:`.access_token`: allow-listed ``alg``, key match, ``exp``/``iat``/``nbf`` with leeway,
exact ``iss``), an ID token must name this client in ``aud`` (and in ``azp`` when there are
several audiences or ``azp`` is present), carry the ``nonce`` the login was started with, and
match the access token through ``at_hash`` when it has one (§3.1.3.8 / §3.2.2.9). ``max_age``
logins check ``auth_time`` (§3.1.2.1). On refresh (§12.2) there is no nonce, ``sub`` must not
change.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from authgate.plugins.openid_connect.errors import InvalidTokenError
from authgate.plugins.openid_connect.rs.access_token import (
    Jwk,
    ParsedJwt,
    VerifyPolicy,
    verify_jwt,
)

__all__ = ["IdTokenRules", "at_hash", "validate_id_token"]

_HASHES = {"256": hashlib.sha256, "384": hashlib.sha384, "512": hashlib.sha512}


@dataclass(frozen=True, slots=True)
class IdTokenRules:
    """What this login expects of its ID token."""

    issuers: frozenset[str]
    client_id: str
    algorithms: frozenset[str]
    leeway: int
    nonce: str | None = None
    max_age: int | None = None
    subject: str | None = None


def at_hash(access_token: str, alg: str) -> str:
    """§3.1.3.6: base64url of the left half of the hash of the access token's ASCII octets."""
    digest = _HASHES.get(alg[-3:], hashlib.sha512)(access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode("ascii")


def validate_id_token(
    parsed: ParsedJwt,
    keys: Sequence[Jwk],
    rules: IdTokenRules,
    now: float,
    access_token: str | None,
) -> dict[str, Any]:
    """The claims of a valid ID token; :class:`InvalidTokenError` says what is wrong."""
    policy = VerifyPolicy(
        issuers=rules.issuers,
        algorithms=rules.algorithms,
        leeway=rules.leeway,
        audience=frozenset({rules.client_id}),
        audience_claim=("aud",),
    )
    claims = verify_jwt(parsed, keys, policy, now)
    _check_parties(claims, rules.client_id)
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise InvalidTokenError("ID token has no sub")
    if claims.get("iat") is None:
        raise InvalidTokenError("ID token has no iat")
    if rules.subject is not None and claims["sub"] != rules.subject:
        raise InvalidTokenError("ID token subject changed")
    if rules.nonce is not None:
        nonce = claims.get("nonce")
        if not isinstance(nonce, str) or not hmac.compare_digest(nonce, rules.nonce):
            raise InvalidTokenError("ID token nonce does not match")
    if rules.max_age is not None:
        auth_time = claims.get("auth_time")
        if not isinstance(auth_time, int | float) or isinstance(auth_time, bool):
            raise InvalidTokenError("ID token has no auth_time")
        if now > auth_time + rules.max_age + rules.leeway:
            raise InvalidTokenError("sign-in is older than max_age")
    expected = claims.get("at_hash")
    if (
        expected is not None
        and access_token is not None
        and not (
            isinstance(expected, str)
            and hmac.compare_digest(expected, at_hash(access_token, parsed.alg))
        )
    ):
        raise InvalidTokenError("ID token at_hash does not match the access token")
    return claims


def _check_parties(claims: dict[str, Any], client_id: str) -> None:
    aud = claims.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    if not all(isinstance(a, str) for a in audiences):
        raise InvalidTokenError("ID token audience malformed")
    azp = claims.get("azp")
    if (len(audiences) > 1 or azp is not None) and azp != client_id:
        raise InvalidTokenError("ID token azp is not this client")
