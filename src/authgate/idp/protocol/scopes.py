"""OIDC Core §5.4 scope-to-claims mapping and RFC 6749 §3.3 scope checks for app clients.

Cognito rules kept (research/idp.md §1.2): no ``scope`` means every scope the client is
allowed; ``email``/``phone``/``profile`` need ``openid``; ``aws.cognito.signin.user.admin``
releases every readable attribute. Unlike Cognito, a scope the client is not allowed is an
``invalid_scope`` error rather than silently dropped, so misconfigurations show up.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from authgate.idp.domain.records import AppClient, User
from authgate.idp.protocol.oauth_errors import InvalidScopeError

__all__ = [
    "ADMIN_SCOPE",
    "OIDC_SCOPES",
    "SCOPE_CLAIMS",
    "STANDARD_CLAIMS",
    "authorize_scopes",
    "claims_for_scopes",
    "readable_claims",
]

ADMIN_SCOPE = "aws.cognito.signin.user.admin"
OIDC_SCOPES = ("openid", "email", "phone", "profile")
SCOPE_CLAIMS: Mapping[str, tuple[str, ...]] = {
    "profile": (
        "name",
        "family_name",
        "given_name",
        "middle_name",
        "nickname",
        "preferred_username",
        "profile",
        "picture",
        "website",
        "gender",
        "birthdate",
        "zoneinfo",
        "locale",
        "updated_at",
    ),
    "email": ("email", "email_verified"),
    "phone": ("phone_number", "phone_number_verified"),
    "address": ("address",),
}
STANDARD_CLAIMS = ("sub", *(c for claims in SCOPE_CLAIMS.values() for c in claims))
_BOOLEAN = frozenset({"email_verified", "phone_number_verified"})
_NEEDS_OPENID = frozenset({"email", "phone", "profile"})
MAX_SCOPES = 50


def authorize_scopes(requested: str | None, client: AppClient) -> tuple[str, ...]:
    """The scopes to grant for a user flow (authorization code, password grant)."""
    if requested is None:
        return tuple(client.allowed_scopes)
    scopes = tuple(dict.fromkeys(requested.split()))
    if not scopes or len(scopes) > MAX_SCOPES:
        raise InvalidScopeError("scope is empty or too long")
    not_allowed = [s for s in scopes if s not in client.allowed_scopes]
    if not_allowed:
        raise InvalidScopeError(f"scope not allowed for this client: {' '.join(not_allowed)}")
    if _NEEDS_OPENID.intersection(scopes) and "openid" not in scopes:
        raise InvalidScopeError("the email, phone and profile scopes require openid")
    return scopes


def _typed(name: str, value: str) -> Any:
    if name in _BOOLEAN:
        return value.lower() == "true"
    if name == "updated_at" and value.isdigit():
        return int(value)
    if name == "address":
        return {"formatted": value}
    return value


def readable_claims(user: User, client: AppClient) -> dict[str, Any]:
    """The user's attributes this client may read, typed as OIDC Core §5.1 wants."""
    readable = set(client.read_attributes)
    return {
        name: _typed(name, value)
        for name, value in sorted(user.attributes.items())
        if name != "sub" and (not readable or name in readable)
    }


def claims_for_scopes(claims: Mapping[str, Any], scopes: Sequence[str]) -> dict[str, Any]:
    """The subset of ``claims`` the granted scopes release at the UserInfo endpoint."""
    if ADMIN_SCOPE in scopes:
        return dict(claims)
    released = {c for s in scopes for c in SCOPE_CLAIMS.get(s, ())}
    return {name: value for name, value in claims.items() if name in released}
