"""OIDC Core §5.3 UserInfo endpoint (GET and POST) with RFC 6750 bearer tokens.

The token may come in the Authorization header or, on POST, as the ``access_token`` form
parameter (RFC 6750 §2.2), not both. It must carry ``openid``; the claims released are
those the granted scopes name (OIDC Core §5.4) among the attributes the client may read;
``aws.cognito.signin.user.admin`` releases all of them, as in Cognito. Booleans are JSON
booleans (OIDC Core §5.1), not Cognito's strings.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from authgate.idp.protocol.access_tokens import validate_access_token
from authgate.idp.protocol.context import context
from authgate.idp.protocol.oauth_errors import (
    InsufficientScopeError,
    InvalidRequestError,
    InvalidTokenError,
)
from authgate.idp.protocol.params import Params, has_form_body, read_form
from authgate.idp.protocol.scopes import claims_for_scopes, readable_claims
from authgate.idp.protocol.token_verify import TokenRejected
from authgate.idp.web.endpoints.cors import cors_json
from authgate.idp.web.endpoints.pools import path_pool

__all__ = ["bearer_token", "userinfo"]

_EXPIRED = "Access token is expired, disabled, or deleted, or the user has globally signed out."


def bearer_token(authorization: str | None, form: Params) -> str:
    """The bearer token from the header or the form body (RFC 6750 §2.1-2.2)."""
    in_body = form.get("access_token")
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise InvalidRequestError("Bad OAuth2 request at UserInfo Endpoint")
        if in_body is not None:
            raise InvalidRequestError("send the token in one place only")
        return value.strip()
    if in_body is None:
        raise InvalidRequestError("Bad OAuth2 request at UserInfo Endpoint")
    return in_body


async def _claims(request: Request) -> dict[str, object]:
    ctx = context(request)
    form = await read_form(request) if has_form_body(request) else {}
    token = bearer_token(request.headers.get("authorization"), form)
    try:
        valid = await validate_access_token(ctx, token, path_pool(request))
    except TokenRejected:
        raise InvalidTokenError(_EXPIRED) from None
    if valid.user is None or "openid" not in valid.scopes:
        raise InsufficientScopeError("the access token does not have the openid scope")
    client = await ctx.store.clients.find(str(valid.claims.get("client_id", "")))
    if client is None:
        raise InvalidTokenError(_EXPIRED)
    claims = claims_for_scopes(readable_claims(valid.user, client), valid.scopes)
    return {"sub": valid.user.sub, **claims, "username": valid.user.username}


async def userinfo(request: Request) -> Response:
    """GET or POST ``/oauth2/userInfo``."""
    return await cors_json(_claims(request), lambda exc: exc.bearer_response())
