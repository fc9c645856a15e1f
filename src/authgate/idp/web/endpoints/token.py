"""RFC 6749 §3.2 token endpoint: client authentication, then the grant named by grant_type.

Successful responses are §5.1 JSON with ``Cache-Control: no-store``; errors are §5.2
JSON (``invalid_client`` as 401, with ``WWW-Authenticate`` when Basic was used). CORS is
open, as Cognito's token endpoint is.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from authgate.idp.protocol.client_auth import authenticate_client, parse_client_credentials
from authgate.idp.protocol.context import IdpContext, context
from authgate.idp.protocol.grants.authorization_code import authorization_code_grant
from authgate.idp.protocol.grants.client_credentials import client_credentials_grant
from authgate.idp.protocol.grants.password import password_grant
from authgate.idp.protocol.grants.refresh_token import refresh_token_grant
from authgate.idp.protocol.grants.token_request import TokenRequest
from authgate.idp.protocol.oauth_errors import (
    InvalidRequestError,
    UnsupportedGrantTypeError,
)
from authgate.idp.protocol.params import read_form
from authgate.idp.protocol.token_issuer import IssuedTokens
from authgate.idp.web.endpoints.cors import cors_json
from authgate.idp.web.endpoints.pools import path_pool

__all__ = ["GRANTS", "token_endpoint"]

Grant = Callable[[IdpContext, TokenRequest], Awaitable[IssuedTokens]]
GRANTS: dict[str, Grant] = {
    "authorization_code": authorization_code_grant,
    "refresh_token": refresh_token_grant,
    "client_credentials": client_credentials_grant,
    "password": password_grant,
}


async def _token(request: Request) -> dict[str, Any]:
    ctx = context(request)
    form = await read_form(request)
    grant_type = form.get("grant_type")
    if grant_type is None:
        raise InvalidRequestError("grant_type is required")
    credentials = parse_client_credentials(request.headers.get("authorization"), form)
    client = await authenticate_client(ctx.store, credentials, path_pool(request))
    grant = GRANTS.get(grant_type)
    if grant is None:
        raise UnsupportedGrantTypeError(f"unsupported grant_type {grant_type[:40]}")
    issued = await grant(ctx, TokenRequest(client=client, params=form))
    return issued.body()


async def token_endpoint(request: Request) -> Response:
    """POST ``/oauth2/token``."""
    return await cors_json(_token(request), lambda exc: exc.response())
