"""The hosted NEW_PASSWORD_REQUIRED screen: a user with a temporary password sets a
permanent one (Cognito's ``RespondToAuthChallenge``), then is signed in.

The form carries a signed, three-minute challenge naming the pool, user and client, so
it cannot be used for anyone else or replayed later; the CSRF token is checked first.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from authgate.idp.domain.cognito_errors import CognitoError
from authgate.idp.domain.passwords import PasswordPolicy
from authgate.idp.domain.records import User
from authgate.idp.protocol.authorization_request import AuthorizationRequest
from authgate.idp.protocol.context import IdpContext, context
from authgate.idp.protocol.signed import BadSignature, unsign_value
from authgate.idp.web.endpoints.hosted_forms import (
    NEW_PASSWORD_PURPOSE,
    complete_sign_in,
    read_page_request,
    render_page,
)
from authgate.idp.web.hosted_pages import error_page

__all__ = ["new_password", "new_password_form", "password_rules", "shown_name"]


def shown_name(user: User) -> str:
    """How the screen names the user: the email (what they signed in with in an email pool),
    else the username; never the internal ``sub`` UUID an email pool uses as username."""
    return user.email or user.username


def password_rules(policy: PasswordPolicy) -> list[str]:
    """The pool's password policy as sentences for the form."""
    rules = [f"At least {policy.minimum_length} characters"]
    if policy.require_uppercase:
        rules.append("At least one uppercase letter")
    if policy.require_lowercase:
        rules.append("At least one lowercase letter")
    if policy.require_numbers:
        rules.append("At least one number")
    if policy.require_symbols:
        rules.append("At least one special character")
    return rules


async def new_password_form(
    request: Request,
    ctx: IdpContext,
    auth: AuthorizationRequest,
    challenge: str,
    shown: str,
    *,
    error: str = "",
    status_code: int = 200,
) -> Response:
    """Render the new-password form."""
    pool = await ctx.store.pools.get(auth.client.pool_id)
    return render_page(
        request,
        ctx,
        auth,
        "new_password.html",
        "/login/new-password",
        status_code,
        title="Change password",
        shown_name=shown,
        error=error,
        challenge=challenge,
        rules=password_rules(pool.password_policy),
    )


async def new_password(request: Request) -> Response:
    """POST ``/login/new-password``."""
    ctx = context(request)
    read = await read_page_request(request, ctx, "Your form expired or was not sent by this site.")
    if isinstance(read, Response):
        return read
    loaded, form = read
    challenge = form.get("challenge", "")
    try:
        claims = unsign_value(ctx.settings.secret, NEW_PASSWORD_PURPOSE, challenge, ctx.now())
    except BadSignature:
        return error_page("Your session has expired. Sign in again.", status_code=400)
    if (
        claims.get("pool") != loaded.client.pool_id
        or claims.get("client") != loaded.client.client_id
    ):
        return error_page("Your session has expired. Sign in again.", status_code=400)
    username = claims.get("user", "")
    shown = str(claims.get("shown") or username)
    password, confirm = form.get("new_password", ""), form.get("confirm_password", "")
    if password != confirm:
        return await new_password_form(
            request,
            ctx,
            loaded,
            challenge,
            shown,
            error="Passwords do not match.",
            status_code=400,
        )
    try:
        user = await ctx.store.auth.complete_new_password(
            loaded.client.pool_id, username, password, now=ctx.now_dt()
        )
    except CognitoError as exc:
        return await new_password_form(
            request, ctx, loaded, challenge, shown, error=exc.message, status_code=400
        )
    return await complete_sign_in(ctx, loaded, user)
