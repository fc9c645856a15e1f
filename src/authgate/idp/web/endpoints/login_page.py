"""The hosted login page (Cognito's ``/login``): sign-in form, then the code redirect.

GET shows the form for a valid authorization request; POST checks the CSRF token before
anything else (403 without it), then the password through the store (lockout and
Cognito's messages included). Success starts the one-hour IdP session and redirects with
303 (RFC 9700 §4.12). A user with a temporary password gets the new-password form, see
``new_password.py``. A locked-out user is told how long to wait ("Try again in 4 minutes").
"""

from __future__ import annotations

import math
from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response

from authgate.idp.domain.records import AuthOutcome, User
from authgate.idp.protocol.authorization_request import AuthorizationRequest
from authgate.idp.protocol.context import IdpContext, context
from authgate.idp.protocol.params import Params
from authgate.idp.protocol.signed import sign_value
from authgate.idp.web.endpoints.hosted_forms import (
    NEW_PASSWORD_PURPOSE,
    complete_sign_in,
    read_page_request,
    render_page,
)
from authgate.idp.web.endpoints.new_password import new_password_form, shown_name

__all__ = ["login", "login_form", "wait_words"]

MAX_USERNAME_CHARS = 256
_FORM_EXPIRED = "Your sign-in form expired or was not sent by this site. Go back and try again."


def wait_words(wait: timedelta) -> str:
    """A lockout's remaining time as a person reads it, rounded up: "3 seconds", "4 minutes"."""
    seconds = max(1, math.ceil(wait.total_seconds()))
    if seconds < 60:
        return f"{seconds} second" + ("s" if seconds != 1 else "")
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute" + ("s" if minutes != 1 else "")


async def login_form(
    request: Request,
    ctx: IdpContext,
    auth: AuthorizationRequest,
    *,
    error: str = "",
    username: str = "",
    status_code: int = 200,
) -> Response:
    """Render the sign-in form (with a fresh CSRF token)."""
    pool = await ctx.store.pools.get(auth.client.pool_id)
    return render_page(
        request,
        ctx,
        auth,
        "login.html",
        "/login",
        status_code,
        title="Sign in",
        client_name=auth.client.name,
        error=error,
        username=username,
        username_label="Email" if pool.email_is_username else "Username",
        username_type="email" if pool.email_is_username else "text",
    )


async def _new_password_form(
    request: Request, ctx: IdpContext, auth: AuthorizationRequest, user: User
) -> Response:
    challenge = sign_value(
        ctx.settings.secret,
        NEW_PASSWORD_PURPOSE,
        {
            "pool": user.pool_id,
            "user": user.username,
            "shown": shown_name(user),
            "client": auth.client.client_id,
        },
        ctx.now() + ctx.settings.challenge_ttl,
    )
    return await new_password_form(request, ctx, auth, challenge, shown_name(user))


async def _sign_in(
    request: Request, ctx: IdpContext, auth: AuthorizationRequest, form: Params
) -> Response:
    username = form.get("username", "")[:MAX_USERNAME_CHARS]
    password = form.get("password", "")
    if not username or not password:
        return await login_form(
            request,
            ctx,
            auth,
            error="Username and password are required.",
            username=username,
            status_code=400,
        )
    result = await ctx.store.auth.authenticate(
        auth.client.pool_id, username, password, ctx.now_dt()
    )
    if result.outcome is AuthOutcome.NEW_PASSWORD_REQUIRED and result.user is not None:
        return await _new_password_form(request, ctx, auth, result.user)
    if not result.ok or result.user is None:
        message = result.message
        if result.retry_after is not None:
            message = f"{message}. Try again in {wait_words(result.retry_after)}."
        return await login_form(
            request, ctx, auth, error=message, username=username, status_code=400
        )
    return await complete_sign_in(ctx, auth, result.user)


async def login(request: Request) -> Response:
    """GET or POST ``/login``."""
    ctx = context(request)
    read = await read_page_request(request, ctx, _FORM_EXPIRED)
    if isinstance(read, Response):
        return read
    loaded, form = read
    if request.method == "GET":
        return await login_form(request, ctx, loaded)
    return await _sign_in(request, ctx, loaded, form)
