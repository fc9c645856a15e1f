"""RFC 7662 token introspection (an authgate extension: Cognito has none).

The caller must authenticate as a confidential client (§2.1). Only tokens of the
caller's own pool can be active; anything expired, revoked, malformed, unknown or from
another pool is ``{"active": false}`` (§2.2), never an error that reveals why.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from authgate.idp.domain.records import AppClient
from authgate.idp.protocol.access_tokens import validate_access_token
from authgate.idp.protocol.client_auth import authenticate_client, parse_client_credentials
from authgate.idp.protocol.context import IdpContext, context
from authgate.idp.protocol.oauth_errors import (
    InvalidClientError,
    InvalidRequestError,
    OAuthError,
    no_store_headers,
)
from authgate.idp.protocol.params import read_form
from authgate.idp.protocol.token_verify import TokenRejected
from authgate.idp.web.endpoints.pools import path_pool

__all__ = ["introspect"]

_INACTIVE: dict[str, Any] = {"active": False}
_ACCESS_FIELDS = ("scope", "client_id", "username", "exp", "iat", "sub", "iss", "jti", "aud")


async def _access_token(ctx: IdpContext, client: AppClient, token: str) -> dict[str, Any] | None:
    try:
        valid = await validate_access_token(ctx, token, client.pool_id)
    except TokenRejected:
        return None
    result: dict[str, Any] = {"active": True, "token_type": "Bearer"}
    result.update({k: valid.claims[k] for k in _ACCESS_FIELDS if k in valid.claims})
    result["token_use"] = "access"
    return result


async def _refresh_token(ctx: IdpContext, client: AppClient, token: str) -> dict[str, Any] | None:
    record = await ctx.store.tokens.find_refresh_token(token)
    if record is None or record.pool_id != client.pool_id:
        return None
    now = ctx.now_dt()
    if record.revoked_at is not None or record.expires_at <= now:
        return None
    if await ctx.store.tokens.is_revoked(record.origin_jti):
        return None
    owner = await ctx.store.clients.find(record.client_id)
    if record.rotated_at is not None:
        grace = owner.rotation_grace_seconds if owner is not None else 0
        if (now - record.rotated_at).total_seconds() > grace:
            return None
    user = await ctx.store.users.find(record.pool_id, record.user_sub)
    if user is None or not user.enabled:
        return None
    return {
        "active": True,
        "token_type": "refresh_token",
        "scope": " ".join(record.scopes),
        "client_id": record.client_id,
        "username": user.username,
        "sub": user.sub,
        "iss": ctx.settings.issuer(record.pool_id),
        "exp": int(record.expires_at.timestamp()),
    }


async def _introspect(request: Request) -> dict[str, Any]:
    ctx = context(request)
    form = await read_form(request)
    credentials = parse_client_credentials(request.headers.get("authorization"), form)
    client = await authenticate_client(ctx.store, credentials, path_pool(request))
    if not client.has_secret:
        raise InvalidClientError("introspection requires a confidential client")
    token = form.get("token")
    if token is None:
        raise InvalidRequestError("token is required")
    if token.count(".") == 2:
        return await _access_token(ctx, client, token) or _INACTIVE
    return await _refresh_token(ctx, client, token) or _INACTIVE


async def introspect(request: Request) -> Response:
    """POST ``/oauth2/introspect``."""
    try:
        body = await _introspect(request)
    except OAuthError as exc:
        return exc.response()
    return JSONResponse(body, headers=no_store_headers())
