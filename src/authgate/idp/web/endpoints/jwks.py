"""RFC 7517 JWK Set at ``{issuer}/.well-known/jwks.json``: both RS256 keys of the pool.

Pending keys are published before they sign anything and retired keys stay until their
tokens have expired (OIDC Core §10.1.1), so RPs that cache the set never meet an unknown
``kid`` for a valid token.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from authgate.idp.protocol.context import context
from authgate.idp.web.endpoints.cors import CACHED_CORS_HEADERS
from authgate.idp.web.endpoints.pools import pool_or_404

__all__ = ["jwks"]


async def jwks(request: Request) -> Response:
    """GET ``/{pool_id}/.well-known/jwks.json``."""
    ctx = context(request)
    pool_id = await pool_or_404(request, ctx)
    keys = await ctx.store.keys.published(pool_id, ctx.now_dt())
    return JSONResponse({"keys": keys}, headers=CACHED_CORS_HEADERS)
