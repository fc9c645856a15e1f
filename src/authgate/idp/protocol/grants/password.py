"""RFC 6749 §4.3 resource owner password grant: an authgate extension, not Cognito's.

Cognito offers username/password only through ``InitiateAuth USER_PASSWORD_AUTH``; here
the same rule applies at the token endpoint: only clients with ALLOW_USER_PASSWORD_AUTH.
Lockout and Cognito's messages come from the store's ``authenticate``. RFC 9700 §2.4 says
not to use this grant; it exists for the Kong workshop's ``password`` auth method.
"""

from __future__ import annotations

from authgate.idp.domain.records import AuthOutcome
from authgate.idp.protocol.context import IdpContext
from authgate.idp.protocol.grants.token_request import TokenRequest
from authgate.idp.protocol.oauth_errors import (
    InvalidGrantError,
    InvalidRequestError,
    UnauthorizedClientError,
    UnsupportedGrantTypeError,
)
from authgate.idp.protocol.scopes import authorize_scopes
from authgate.idp.protocol.token_issuer import IssuedTokens, UserGrant, issue_user_tokens
from authgate.idp.protocol.tokens import new_jti

__all__ = ["PASSWORD_FLOW", "password_grant"]

PASSWORD_FLOW = "ALLOW_USER_PASSWORD_AUTH"


async def password_grant(ctx: IdpContext, request: TokenRequest) -> IssuedTokens:
    """Tokens for a username and password."""
    if not ctx.settings.password_grant:
        raise UnsupportedGrantTypeError("the password grant is disabled")
    client = request.client
    if not client.allows_auth_flow(PASSWORD_FLOW):
        raise UnauthorizedClientError("the client does not allow ALLOW_USER_PASSWORD_AUTH")
    username, password = request.params.get("username"), request.params.get("password")
    if username is None or password is None:
        raise InvalidRequestError("username and password are required")
    scopes = authorize_scopes(request.params.get("scope"), client)
    result = await ctx.store.auth.authenticate(client.pool_id, username, password, ctx.now_dt())
    if result.outcome is AuthOutcome.NEW_PASSWORD_REQUIRED:
        raise InvalidGrantError("a new password is required: sign in through the hosted login page")
    if not result.ok or result.user is None:
        raise InvalidGrantError(result.message or "Incorrect username or password.")
    grant = UserGrant(
        client=client,
        user=result.user,
        scopes=scopes,
        auth_time=ctx.now(),
        origin_jti=new_jti(),
    )
    return await issue_user_tokens(ctx, grant, with_refresh=True)
