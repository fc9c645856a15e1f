"""RFC 6749 §6 refresh token grant, with Cognito's optional rotation (research/idp.md §1.5).

Without rotation the response has new ID and access tokens only (Cognito). With rotation
every refresh returns a new refresh token valid for the remaining lifetime of the family;
a rotated token used again after the grace period is a replay: the whole family is
revoked (RFC 9700 §4.14.2). ``auth_time`` and ``origin_jti`` stay those of the sign-in
(OIDC Core §12.2).
"""

from __future__ import annotations

from datetime import timedelta

from authgate.idp.protocol.context import IdpContext
from authgate.idp.protocol.grants.token_request import TokenRequest, active_user
from authgate.idp.protocol.oauth_errors import (
    InvalidGrantError,
    InvalidRequestError,
    InvalidScopeError,
)
from authgate.idp.protocol.revocation import revoke_family
from authgate.idp.protocol.token_issuer import IssuedTokens, UserGrant, issue_user_tokens
from authgate.idp.storage.repositories.tokens import RefreshRecord

__all__ = ["REFRESH_FLOW", "refresh_token_grant"]

REFRESH_FLOW = "ALLOW_REFRESH_TOKEN_AUTH"


def _scopes(request: TokenRequest, record: RefreshRecord) -> tuple[str, ...]:
    requested = request.params.get("scope")
    if requested is None:
        return record.scopes
    scopes = tuple(dict.fromkeys(requested.split()))
    # §6: the scope may only narrow what the original grant had.
    if not scopes or not set(scopes) <= set(record.scopes):
        raise InvalidScopeError("scope exceeds the scope originally granted")
    return scopes


async def _check_rotation(ctx: IdpContext, request: TokenRequest, record: RefreshRecord) -> None:
    client = request.client
    now = ctx.now_dt()
    if record.rotated_at is None and await ctx.store.tokens.use_refresh_token(
        record.token_hash, now
    ):
        return
    rotated_at = record.rotated_at or now
    if now - rotated_at > timedelta(seconds=client.rotation_grace_seconds):
        await revoke_family(ctx, client, record.origin_jti)
        raise InvalidGrantError("the refresh token was already used; its family is revoked")


async def refresh_token_grant(ctx: IdpContext, request: TokenRequest) -> IssuedTokens:
    """New tokens for a refresh token."""
    token = request.params.get("refresh_token")
    if token is None:
        raise InvalidRequestError("refresh_token is required")
    client = request.client
    if not client.allows_auth_flow(REFRESH_FLOW):
        raise InvalidGrantError("refresh tokens are not enabled for this client")
    record = await ctx.store.tokens.find_refresh_token(token)
    # Bound to the client (RFC 6749 §10.4): another client's token is simply invalid.
    if record is None or record.client_id != client.client_id:
        raise InvalidGrantError("the refresh token is invalid")
    if record.revoked_at is not None or await ctx.store.tokens.is_revoked(record.origin_jti):
        raise InvalidGrantError("the refresh token has been revoked")
    if record.expires_at <= ctx.now_dt():
        raise InvalidGrantError("the refresh token has expired")
    scopes = _scopes(request, record)
    if client.refresh_token_rotation:
        await _check_rotation(ctx, request, record)
    user = await active_user(ctx, record.pool_id, record.user_sub)
    grant = UserGrant(
        client=client,
        user=user,
        scopes=scopes,
        auth_time=record.auth_time,
        origin_jti=record.origin_jti,
    )
    return await issue_user_tokens(
        ctx,
        grant,
        with_refresh=client.refresh_token_rotation,
        refresh_expires_at=record.expires_at,
        refresh_scopes=record.scopes,
    )
