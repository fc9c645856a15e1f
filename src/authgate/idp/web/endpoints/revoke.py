"""RFC 7009 token revocation, as Cognito's ``/oauth2/revoke``.

Revoking a refresh token revokes its whole family: every access and ID token issued from
the same sign-in stops being accepted (§2.1 SHOULD). Unknown tokens and tokens of other
clients get 200 and change nothing (§2.2). Access tokens are refused with
``unsupported_token_type`` as Cognito does; a client with revocation disabled gets
``invalid_request``.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from authgate.idp.protocol.client_auth import authenticate_client, parse_client_credentials
from authgate.idp.protocol.context import context
from authgate.idp.protocol.oauth_errors import (
    InvalidRequestError,
    OAuthError,
    UnsupportedTokenTypeError,
    no_store_headers,
)
from authgate.idp.protocol.params import read_form
from authgate.idp.protocol.revocation import revoke_family
from authgate.idp.web.endpoints.cors import CORS_HEADERS
from authgate.idp.web.endpoints.pools import path_pool

__all__ = ["revoke"]


async def _revoke(request: Request) -> None:
    ctx = context(request)
    form = await read_form(request)
    credentials = parse_client_credentials(request.headers.get("authorization"), form)
    client = await authenticate_client(ctx.store, credentials, path_pool(request))
    token = form.get("token")
    if token is None:
        raise InvalidRequestError("token is required")
    if not client.enable_token_revocation:
        raise InvalidRequestError("token revocation is disabled for this client")
    if token.count(".") == 2:
        raise UnsupportedTokenTypeError("only refresh tokens can be revoked")
    record = await ctx.store.tokens.find_refresh_token(token)
    if record is not None and record.client_id == client.client_id:
        await revoke_family(ctx, client, record.origin_jti)


async def revoke(request: Request) -> Response:
    """POST ``/oauth2/revoke``."""
    try:
        await _revoke(request)
    except OAuthError as exc:
        return exc.response()
    return Response(status_code=200, headers={**no_store_headers(), **CORS_HEADERS})
