"""The IdP as an ASGI app: ``create_app(store, settings)`` for uvicorn.

One server hosts every pool. Each endpoint is routed under the issuer path
(``/{pool_id}/oauth2/token`` …, what discovery lists) and, as on a Cognito domain, at the
root (``/oauth2/token`` …, the pool then comes from the client). Unexpected errors become
a plain 500 without details; protocol errors are rendered by the endpoints themselves.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from authgate.idp.protocol.context import IdpContext
from authgate.idp.protocol.settings import IdpSettings
from authgate.idp.storage.store import IdpStore
from authgate.idp.web.endpoints.authorize import authorize
from authgate.idp.web.endpoints.discovery import openid_configuration
from authgate.idp.web.endpoints.introspect import introspect
from authgate.idp.web.endpoints.jwks import jwks
from authgate.idp.web.endpoints.login_page import login
from authgate.idp.web.endpoints.logout import logout
from authgate.idp.web.endpoints.new_password import new_password
from authgate.idp.web.endpoints.revoke import revoke
from authgate.idp.web.endpoints.token import token_endpoint
from authgate.idp.web.endpoints.userinfo import userinfo

__all__ = ["create_app"]

log = logging.getLogger("authgate.idp")
Endpoint = Callable[[Request], Coroutine[Any, Any, Response]]


def _both(path: str, endpoint: Endpoint, methods: list[str]) -> list[Route]:
    """``path`` on the domain and under the issuer path."""
    return [
        Route(path, endpoint, methods=methods),
        Route("/{pool_id}" + path, endpoint, methods=methods),
    ]


def _routes(settings: IdpSettings) -> list[Route]:
    get, post, both = ["GET"], ["POST"], ["GET", "POST"]
    routes = [
        Route("/{pool_id}/.well-known/openid-configuration", openid_configuration, methods=get),
        Route("/{pool_id}/.well-known/jwks.json", jwks, methods=get),
        *_both("/oauth2/authorize", authorize, both),
        *_both("/oauth2/token", token_endpoint, post),
        *_both("/oauth2/userInfo", userinfo, both),
        *_both("/oauth2/revoke", revoke, post),
        *_both("/login/new-password", new_password, post),
        *_both("/login", login, both),
        *_both("/logout", logout, both),
    ]
    if settings.introspection:
        routes.extend(_both("/oauth2/introspect", introspect, post))
    return routes


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)


async def _server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return JSONResponse({"error": "server_error"}, status_code=500)


async def _purge(ctx: IdpContext) -> None:
    """One purge of expired codes, sessions and refresh tokens; a database error is logged."""
    try:
        deleted = await ctx.store.tokens.purge_expired(ctx.now_dt())
    except Exception as exc:  # the next round tries again; serving goes on
        first_line = next(iter(str(exc).splitlines()), "")[:200]
        log.warning("purging expired tokens failed: %s: %s", type(exc).__name__, first_line)
        return
    if deleted:
        log.info("purged %d expired codes, sessions and tokens", deleted)


async def _purge_every(ctx: IdpContext, interval: float) -> None:
    """Purge every ``interval`` seconds, so a long-running IdP's tables stay small."""
    while True:
        await asyncio.sleep(interval)
        await _purge(ctx)


def create_app(store: IdpStore, settings: IdpSettings) -> Starlette:
    """The IdP's Starlette app over ``store``."""
    ctx = IdpContext(store=store, settings=settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await _purge(ctx)
        if not settings.purge_interval:
            yield
            return
        task = asyncio.create_task(_purge_every(ctx, settings.purge_interval), name="idp-purge")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    app = Starlette(
        routes=_routes(settings),
        exception_handlers={HTTPException: _http_error, Exception: _server_error},
        lifespan=lifespan,
    )
    app.state.idp = ctx
    return app
