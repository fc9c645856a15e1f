"""Checking an access token this IdP issued, for userInfo and introspection (RFC 6750 §3,
RFC 7662 §2.2): signature against the pool's JWKS, issuer, expiry, ``token_use``, family
revocation, and that the user still exists and is enabled (Cognito's "expired, disabled,
or deleted")."""

from __future__ import annotations

from typing import Any

from authgate.idp.domain.cognito_errors import CognitoError
from authgate.idp.domain.records import User
from authgate.idp.protocol.context import IdpContext
from authgate.idp.protocol.token_verify import TokenRejected, unverified_issuer, verify_token

__all__ = ["ValidAccessToken", "validate_access_token"]


class ValidAccessToken:
    """A verified access token: its claims, pool and (for user tokens) the user."""

    def __init__(self, pool_id: str, claims: dict[str, Any], user: User | None) -> None:
        self.pool_id = pool_id
        self.claims = claims
        self.user = user

    @property
    def scopes(self) -> tuple[str, ...]:
        """The granted scopes."""
        scope = self.claims.get("scope", "")
        return tuple(scope.split()) if isinstance(scope, str) else ()


def _pool_of(ctx: IdpContext, token: str) -> str:
    issuer = unverified_issuer(token)
    prefix = ctx.settings.public_url + "/"
    if issuer is None or not issuer.startswith(prefix) or "/" in issuer[len(prefix) :]:
        raise TokenRejected("not issued here")
    return issuer[len(prefix) :]


async def validate_access_token(
    ctx: IdpContext, token: str, pool_id: str | None = None
) -> ValidAccessToken:
    """The verified token, or TokenRejected; ``pool_id`` pins the pool when known."""
    token_pool = _pool_of(ctx, token)
    if pool_id is not None and token_pool != pool_id:
        raise TokenRejected("issued by another pool")
    try:
        keys = await ctx.store.keys.published(token_pool, ctx.now_dt())
    except CognitoError:
        raise TokenRejected("unknown pool") from None
    claims = verify_token(
        token, keys, issuer=ctx.settings.issuer(token_pool), token_use="access", now=ctx.now()
    )
    origin_jti = claims.get("origin_jti")
    if isinstance(origin_jti, str) and await ctx.store.tokens.is_revoked(origin_jti):
        raise TokenRejected("revoked")
    if "username" not in claims:
        return ValidAccessToken(token_pool, claims, None)
    user = await ctx.store.users.find(token_pool, str(claims.get("sub", "")))
    if user is None or not user.enabled:
        raise TokenRejected("the user is disabled or deleted")
    return ValidAccessToken(token_pool, claims, user)
