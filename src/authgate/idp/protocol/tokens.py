"""Cognito-shaped tokens (research/idp.md §1.5), signed RS256 with joserfc (RFC 7515).

ID token: OIDC Core §2 plus Cognito's ``cognito:username``, ``token_use``, ``origin_jti``
and the client's readable attributes; ``at_hash`` per OIDC Core §3.1.3.6. Access token:
Cognito's ``client_id``/``username``/``scope``/``version: 2``; for clients that ask for it,
RFC 9068 §2 on top of that (``typ: at+jwt`` header, ``aud``, ``groups``; Cognito's extra claims
stay, as §2.2.2 allows). Pure functions: the caller passes keys, times and ids.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from joserfc import jwt
from joserfc.jwk import RSAKey

__all__ = [
    "ALGORITHM",
    "RFC9068_TYP",
    "AccessTokenOptions",
    "Subject",
    "access_token_claims",
    "at_hash",
    "client_token_claims",
    "id_token_claims",
    "new_jti",
    "new_opaque_token",
    "sign",
]

ALGORITHM = "RS256"
RFC9068_TYP = "at+jwt"


@dataclass(frozen=True)
class Subject:
    """The authenticated user as the tokens describe them."""

    sub: str
    username: str
    groups: Sequence[str] = ()
    attributes: Mapping[str, Any] = field(default_factory=dict)
    """Claims of the attributes this client may read, already typed for a JWT."""


@dataclass(frozen=True)
class AccessTokenOptions:
    """Shape of the access token: Cognito's (default) or RFC 9068's.

    ``audience`` is the RFC 9068 §3 resource indicator; empty means the client id.
    """

    rfc9068: bool = False
    audience: Sequence[str] = ()

    @property
    def typ(self) -> str:
        """The JWS ``typ`` header: ``at+jwt`` for RFC 9068 (§2.1), none for Cognito."""
        return RFC9068_TYP if self.rfc9068 else ""


def new_jti() -> str:
    """A fresh token id (a UUID, as Cognito's)."""
    return str(uuid.uuid4())


def new_opaque_token(nbytes: int = 48) -> str:
    """A random opaque token (codes, refresh tokens): base64url, only RFC 6749 A.17 chars."""
    return secrets.token_urlsafe(nbytes)


def at_hash(access_token: str) -> str:
    """OIDC Core §3.1.3.6: base64url of the left half of SHA-256 of the access token."""
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode("ascii")


def sign(claims: Mapping[str, Any], kid: str, private_jwk: Mapping[str, Any], typ: str = "") -> str:
    """Sign ``claims`` as a compact JWS with RS256 and ``kid`` in the header."""
    key = RSAKey.import_key(dict(private_jwk))
    header: dict[str, Any] = {"alg": ALGORITHM, "kid": kid}
    if typ:
        header["typ"] = typ
    return jwt.encode(header, dict(claims), key, algorithms=[ALGORITHM], default_type=None)


def access_token_claims(
    *,
    issuer: str,
    client_id: str,
    subject: Subject,
    scopes: Sequence[str],
    auth_time: int,
    origin_jti: str,
    now: int,
    ttl: int,
    options: AccessTokenOptions = AccessTokenOptions(),
) -> dict[str, Any]:
    """Claims of a user's access token, in Cognito's order."""
    claims: dict[str, Any] = {"sub": subject.sub}
    if subject.groups:
        claims["cognito:groups"] = list(subject.groups)
    claims.update(
        {
            "iss": issuer,
            "version": 2,
            "client_id": client_id,
            "origin_jti": origin_jti,
            "event_id": str(uuid.uuid4()),
            "token_use": "access",
            "scope": " ".join(scopes),
            "auth_time": auth_time,
            "exp": now + ttl,
            "iat": now,
            "jti": new_jti(),
            "username": subject.username,
        }
    )
    if options.rfc9068:
        claims["aud"] = _audience(options.audience, client_id)
        if subject.groups:
            claims["groups"] = list(subject.groups)  # RFC 9068 §2.2.3.1
    return claims


def client_token_claims(
    *,
    issuer: str,
    client_id: str,
    scopes: Sequence[str],
    now: int,
    ttl: int,
    options: AccessTokenOptions = AccessTokenOptions(),
) -> dict[str, Any]:
    """Claims of a client_credentials access token: ``sub`` is the client id, no user."""
    claims: dict[str, Any] = {
        "sub": client_id,
        "token_use": "access",
        "scope": " ".join(scopes),
        "auth_time": now,
        "iss": issuer,
        "exp": now + ttl,
        "iat": now,
        "version": 2,
        "jti": new_jti(),
        "client_id": client_id,
    }
    if options.rfc9068:
        claims["aud"] = _audience(options.audience, client_id)
        del claims["auth_time"]  # RFC 9068 §2.2.1: the time a user authenticated; none here
    return claims


def id_token_claims(
    *,
    issuer: str,
    client_id: str,
    subject: Subject,
    auth_time: int,
    origin_jti: str,
    now: int,
    ttl: int,
    nonce: str | None = None,
    access_token: str | None = None,
) -> dict[str, Any]:
    """Claims of an ID token: the user's readable attributes plus the protocol claims."""
    claims: dict[str, Any] = {"sub": subject.sub}
    if subject.groups:
        claims["cognito:groups"] = list(subject.groups)
    claims.update(subject.attributes)
    claims["sub"] = subject.sub
    if access_token is not None:
        claims["at_hash"] = at_hash(access_token)
    claims.update(
        {
            "aud": client_id,
            "event_id": str(uuid.uuid4()),
            "token_use": "id",
            "auth_time": auth_time,
            "iss": issuer,
            "cognito:username": subject.username,
            "exp": now + ttl,
            "iat": now,
            "jti": new_jti(),
            "origin_jti": origin_jti,
        }
    )
    if nonce is not None:
        claims["nonce"] = nonce
    return claims


def _audience(audience: Sequence[str], client_id: str) -> str | list[str]:
    values = list(audience) or [client_id]
    return values[0] if len(values) == 1 else values
