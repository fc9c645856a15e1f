"""Issue the token response of RFC 6749 §5.1 / OIDC Core §3.1.3.3 for a user or a client.

Builds and signs the access token (Cognito or RFC 9068 shape, per client) and the ID token (when
``openid`` was granted, with ``at_hash``), and stores a new refresh token when asked.
Keys come from the store's rotation timeline: the key that is active at ``now``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from authgate.idp.domain.records import AppClient, KeyUse, User
from authgate.idp.protocol import tokens
from authgate.idp.protocol.context import IdpContext
from authgate.idp.protocol.scopes import readable_claims
from authgate.idp.protocol.tokens import AccessTokenOptions, Subject
from authgate.idp.storage.token_tables import RefreshTokenRow

__all__ = [
    "IssuedTokens",
    "UserGrant",
    "issue_client_tokens",
    "issue_user_tokens",
    "resource_servers",
]


@dataclass(frozen=True)
class UserGrant:
    """What a user's tokens are issued for."""

    client: AppClient
    user: User
    scopes: tuple[str, ...]
    auth_time: int
    origin_jti: str
    nonce: str | None = None


@dataclass(frozen=True)
class IssuedTokens:
    """A successful token response."""

    access_token: str
    expires_in: int
    id_token: str | None = None
    refresh_token: str | None = None
    scope: str | None = None

    def body(self) -> dict[str, Any]:
        """The JSON body of the token response."""
        body: dict[str, Any] = {}
        if self.id_token is not None:
            body["id_token"] = self.id_token
        body["access_token"] = self.access_token
        if self.refresh_token is not None:
            body["refresh_token"] = self.refresh_token
        body["expires_in"] = self.expires_in
        body["token_type"] = "Bearer"
        if self.scope is not None:
            body["scope"] = self.scope
        return body


def resource_servers(scopes: Sequence[str]) -> tuple[str, ...]:
    """The resource server identifiers of the custom scopes (``orders/read`` -> ``orders``)."""
    return tuple(dict.fromkeys(s.rsplit("/", 1)[0] for s in scopes if "/" in s))


async def _sign(
    ctx: IdpContext, pool_id: str, use: KeyUse, claims: dict[str, Any], typ: str = ""
) -> str:
    key = await ctx.store.keys.signing_key(pool_id, use, ctx.now_dt())
    return tokens.sign(claims, key.kid, key.private_jwk, typ=typ)


async def subject_of(ctx: IdpContext, client: AppClient, user: User) -> Subject:
    """The user as the client's tokens describe them (groups and readable attributes)."""
    groups = await ctx.store.groups.of_user(user.pool_id, user.username)
    return Subject(
        sub=user.sub,
        username=user.username,
        groups=tuple(g.name for g in groups),
        attributes=readable_claims(user, client),
    )


async def _store_refresh_token(
    ctx: IdpContext,
    grant: UserGrant,
    expires_at: datetime | None,
    scopes: Sequence[str] | None,
) -> str:
    """A new opaque refresh token for ``grant``, stored (by default for the client's validity)."""
    client = grant.client
    refresh_token = tokens.new_opaque_token()
    created = ctx.now_dt()
    expires = expires_at or created + timedelta(seconds=client.refresh_token_validity.seconds)
    row = RefreshTokenRow(
        pool_id=client.pool_id,
        client_id=client.client_id,
        user_sub=grant.user.sub,
        scopes=list(grant.scopes if scopes is None else scopes),
        auth_time=grant.auth_time,
        origin_jti=grant.origin_jti,
        created_at=created,
        expires_at=expires,
    )
    await ctx.store.tokens.add_refresh_token(refresh_token, row)
    return refresh_token


async def issue_user_tokens(
    ctx: IdpContext,
    grant: UserGrant,
    *,
    with_refresh: bool,
    refresh_expires_at: datetime | None = None,
    refresh_scopes: Sequence[str] | None = None,
) -> IssuedTokens:
    """Access token, ID token (if ``openid``) and optionally a new refresh token."""
    client, now = grant.client, ctx.now()
    issuer = ctx.settings.issuer(client.pool_id)
    subject = await subject_of(ctx, client, grant.user)
    # RFC 9068 §3: a user's token is for the client that asked for it (aud = client_id).
    options = AccessTokenOptions(rfc9068=client.rfc9068_access_tokens)
    access_claims = tokens.access_token_claims(
        issuer=issuer,
        client_id=client.client_id,
        subject=subject,
        scopes=grant.scopes,
        auth_time=grant.auth_time,
        origin_jti=grant.origin_jti,
        now=now,
        ttl=client.access_token_validity.seconds,
        options=options,
    )
    access_token = await _sign(ctx, client.pool_id, KeyUse.ACCESS, access_claims, options.typ)
    id_token = None
    if "openid" in grant.scopes:
        id_claims = tokens.id_token_claims(
            issuer=issuer,
            client_id=client.client_id,
            subject=subject,
            auth_time=grant.auth_time,
            origin_jti=grant.origin_jti,
            now=now,
            ttl=client.id_token_validity.seconds,
            nonce=grant.nonce,
            access_token=access_token,
        )
        id_token = await _sign(ctx, client.pool_id, KeyUse.ID, id_claims)
    refresh_token = None
    if with_refresh:
        refresh_token = await _store_refresh_token(ctx, grant, refresh_expires_at, refresh_scopes)
    return IssuedTokens(
        access_token=access_token,
        expires_in=client.access_token_validity.seconds,
        id_token=id_token,
        refresh_token=refresh_token,
    )


async def issue_client_tokens(
    ctx: IdpContext, client: AppClient, scopes: Sequence[str]
) -> IssuedTokens:
    """A client_credentials access token (no ID token, no refresh token).

    In RFC 9068 format its ``aud`` names the resource servers of the granted scopes.
    """
    options = AccessTokenOptions(
        rfc9068=client.rfc9068_access_tokens, audience=resource_servers(scopes)
    )
    claims = tokens.client_token_claims(
        issuer=ctx.settings.issuer(client.pool_id),
        client_id=client.client_id,
        scopes=scopes,
        now=ctx.now(),
        ttl=client.access_token_validity.seconds,
        options=options,
    )
    access_token = await _sign(ctx, client.pool_id, KeyUse.ACCESS, claims, options.typ)
    return IssuedTokens(access_token=access_token, expires_in=client.access_token_validity.seconds)
