"""RFC 6749 §4.1.3 authorization code grant, with RFC 7636 §4.6 PKCE verification.

The code must exist, belong to the client, be unexpired, unused, and be redeemed with the
same redirect_uri and the PKCE verifier for its challenge (or none if it had none: no
downgrade). A second redemption fails and revokes everything the code produced (§4.1.2).
"""

from __future__ import annotations

from authgate.idp.protocol import pkce
from authgate.idp.protocol.context import IdpContext
from authgate.idp.protocol.grants.token_request import TokenRequest, active_user
from authgate.idp.protocol.oauth_errors import InvalidGrantError, InvalidRequestError
from authgate.idp.protocol.revocation import revoke_family
from authgate.idp.protocol.token_issuer import IssuedTokens, UserGrant, issue_user_tokens

__all__ = ["authorization_code_grant"]


async def authorization_code_grant(ctx: IdpContext, request: TokenRequest) -> IssuedTokens:
    """Exchange a code for tokens."""
    code, redirect_uri = request.params.get("code"), request.params.get("redirect_uri")
    if code is None:
        raise InvalidRequestError("code is required")
    if redirect_uri is None:
        raise InvalidRequestError("redirect_uri is required")
    record = await ctx.store.tokens.find_code(code)
    if record is None or record.client_id != request.client.client_id:
        raise InvalidGrantError("the authorization code is invalid")
    if record.used:
        await revoke_family(ctx, request.client, record.origin_jti)
        raise InvalidGrantError("the authorization code was already used")
    if record.expires_at <= ctx.now_dt():
        raise InvalidGrantError("the authorization code has expired")
    if redirect_uri != record.redirect_uri:
        raise InvalidGrantError("redirect_uri does not match the authorization request")
    try:
        pkce.verify(record.code_challenge, request.params.get("code_verifier"))
    except pkce.PkceError as exc:
        raise InvalidGrantError(str(exc)) from None
    if not await ctx.store.tokens.use_code(code, ctx.now_dt()):
        await revoke_family(ctx, request.client, record.origin_jti)
        raise InvalidGrantError("the authorization code was already used")
    user = await active_user(ctx, record.pool_id, record.user_sub)
    grant = UserGrant(
        client=request.client,
        user=user,
        scopes=record.scopes,
        auth_time=record.auth_time,
        origin_jti=record.origin_jti,
        nonce=record.nonce,
    )
    return await issue_user_tokens(ctx, grant, with_refresh=True)
