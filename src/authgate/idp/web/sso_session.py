"""The hosted UI's single sign-on session: one cookie per pool, one hour (Cognito's limit).

The cookie holds a random id; the database keeps its SHA-256 with the user and
``auth_time``, so logout and expiry are enforced server-side. The cookie is HttpOnly,
``SameSite=Lax`` (``Strict`` would break ``prompt=none`` top-level redirects) and
``Secure`` when the public URL is https.
"""

from __future__ import annotations

import secrets

from starlette.requests import Request
from starlette.responses import Response

from authgate.idp.protocol.context import IdpContext
from authgate.idp.storage.repositories.tokens import SessionRecord

__all__ = [
    "SESSION_COOKIE_PREFIX",
    "cookie_name",
    "current_session",
    "end_session",
    "start_session",
]

SESSION_COOKIE_PREFIX = "authgate-idp-"
_MAX_COOKIE_CHARS = 128


def cookie_name(pool_id: str) -> str:
    """The session cookie of ``pool_id`` (pool ids are valid cookie-name characters)."""
    return SESSION_COOKIE_PREFIX + pool_id


def _session_id(request: Request, pool_id: str) -> str | None:
    value = request.cookies.get(cookie_name(pool_id))
    if not value or len(value) > _MAX_COOKIE_CHARS:
        return None
    return value


async def current_session(request: Request, ctx: IdpContext, pool_id: str) -> SessionRecord | None:
    """The live sign-in of this browser in ``pool_id``, if any."""
    session_id = _session_id(request, pool_id)
    if session_id is None:
        return None
    return await ctx.store.tokens.find_session(session_id, pool_id, ctx.now_dt())


async def start_session(
    ctx: IdpContext, response: Response, pool_id: str, user_sub: str, auth_time: int
) -> None:
    """Record a sign-in and set its cookie on ``response``."""
    session_id = secrets.token_urlsafe(32)
    ttl = ctx.settings.session_ttl
    await ctx.store.tokens.add_session(session_id, pool_id, user_sub, auth_time, ctx.now_dt(), ttl)
    response.set_cookie(
        cookie_name(pool_id),
        session_id,
        max_age=ttl,
        path="/",
        httponly=True,
        samesite="lax",
        secure=ctx.settings.secure_cookies,
    )


async def end_session(request: Request, ctx: IdpContext, response: Response, pool_id: str) -> None:
    """Forget this browser's sign-in in ``pool_id`` and clear its cookie."""
    session_id = _session_id(request, pool_id)
    if session_id is not None:
        await ctx.store.tokens.delete_session(session_id)
    response.delete_cookie(
        cookie_name(pool_id),
        path="/",
        httponly=True,
        samesite="lax",
        secure=ctx.settings.secure_cookies,
    )
