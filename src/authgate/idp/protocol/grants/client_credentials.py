"""RFC 6749 §4.4 client credentials grant, limited to custom scopes as in Cognito.

Only confidential clients that allow the ``client_credentials`` OAuth flow; only
resource-server scopes (``<identifier>/<name>``); no scope means all of the client's
custom scopes. The response is an access token only (§4.4.3: no refresh token).
"""

from __future__ import annotations

from authgate.idp.protocol.context import IdpContext
from authgate.idp.protocol.grants.token_request import TokenRequest
from authgate.idp.protocol.oauth_errors import InvalidScopeError, UnauthorizedClientError
from authgate.idp.protocol.token_issuer import IssuedTokens, issue_client_tokens

__all__ = ["client_credentials_grant"]


async def client_credentials_grant(ctx: IdpContext, request: TokenRequest) -> IssuedTokens:
    """An access token for the client itself."""
    client = request.client
    if not client.has_secret or "client_credentials" not in client.allowed_oauth_flows:
        raise UnauthorizedClientError("the client may not use client_credentials")
    custom = [s for s in client.allowed_scopes if "/" in s]
    requested = request.params.get("scope")
    if requested is None:
        scopes = custom
    else:
        scopes = list(dict.fromkeys(requested.split()))
        not_allowed = [s for s in scopes if s not in custom]
        if not_allowed:
            raise InvalidScopeError(
                f"scope not allowed for client_credentials: {' '.join(not_allowed)}"
            )
    if not scopes:
        raise InvalidScopeError("the client has no custom scopes to grant")
    return await issue_client_tokens(ctx, client, scopes)
