"""Which pool a request is for: from the issuer path (``/{pool_id}/...``) or, on the
Cognito-style domain routes (``/oauth2/...``), from the client it names."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request

from authgate.idp.domain.cognito_errors import CognitoError
from authgate.idp.domain.records import AppClient
from authgate.idp.protocol.context import IdpContext

__all__ = ["MAX_ID_CHARS", "find_client", "path_pool", "pool_or_404"]

MAX_ID_CHARS = 128


def path_pool(request: Request) -> str | None:
    """The pool id in the URL path, or None on the domain routes."""
    pool_id = request.path_params.get("pool_id")
    return pool_id if isinstance(pool_id, str) else None


async def pool_or_404(request: Request, ctx: IdpContext) -> str:
    """The pool id in the path, or a 404 if there is no such pool."""
    pool_id = path_pool(request)
    if pool_id is None or len(pool_id) > MAX_ID_CHARS:
        raise HTTPException(404, "no such user pool")
    try:
        await ctx.store.pools.get(pool_id)
    except CognitoError:
        raise HTTPException(404, "no such user pool") from None
    return pool_id


async def find_client(request: Request, ctx: IdpContext, client_id: str | None) -> AppClient | None:
    """The app client ``client_id`` if it exists and belongs to the pool in the path (if any)."""
    if not client_id or len(client_id) > MAX_ID_CHARS:
        return None
    client = await ctx.store.clients.find(client_id)
    if client is None:
        return None
    pool_id = path_pool(request)
    if pool_id is not None and client.pool_id != pool_id:
        return None
    return client
