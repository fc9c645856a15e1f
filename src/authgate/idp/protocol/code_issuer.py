"""RFC 6749 §4.1.2 authorization response: store a code bound to the request, redirect.

The code is 384 random bits (RFC 6749 §10.10), kept only as a SHA-256 digest, valid five
minutes (Cognito), bound to client, redirect URI, scopes, nonce, PKCE challenge and the
sign-in's ``auth_time``. The response carries ``state`` verbatim and ``iss`` (RFC 9207).
"""

from __future__ import annotations

from datetime import timedelta

from starlette.responses import RedirectResponse

from authgate.idp.protocol.authorization_request import AuthorizationRequest, add_query
from authgate.idp.protocol.context import IdpContext
from authgate.idp.protocol.tokens import new_jti, new_opaque_token
from authgate.idp.storage.token_tables import AuthorizationCodeRow

__all__ = ["redirect_with_code"]


async def redirect_with_code(
    ctx: IdpContext, request: AuthorizationRequest, user_sub: str, auth_time: int, status: int
) -> RedirectResponse:
    """Issue a code for ``user_sub`` and redirect the browser back to the client."""
    code = new_opaque_token()
    now = ctx.now_dt()
    row = AuthorizationCodeRow(
        pool_id=request.client.pool_id,
        client_id=request.client.client_id,
        user_sub=user_sub,
        redirect_uri=request.redirect_uri,
        scopes=list(request.scopes),
        nonce=request.nonce,
        code_challenge=request.code_challenge,
        auth_time=auth_time,
        origin_jti=new_jti(),
        created_at=now,
        expires_at=now + timedelta(seconds=ctx.settings.code_ttl),
    )
    await ctx.store.tokens.add_code(code, row)
    params = {"code": code}
    if request.state is not None:
        params["state"] = request.state
    params["iss"] = ctx.settings.issuer(request.client.pool_id)
    return RedirectResponse(add_query(request.redirect_uri, params), status_code=status)
