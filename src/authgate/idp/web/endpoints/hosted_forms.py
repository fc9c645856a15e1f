"""What the hosted-UI pages share: reading and rendering their forms, finishing a sign-in."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from authgate.idp.domain.records import User
from authgate.idp.protocol.authorization_request import AuthorizationRequest
from authgate.idp.protocol.code_issuer import redirect_with_code
from authgate.idp.protocol.context import IdpContext
from authgate.idp.protocol.oauth_errors import OAuthError
from authgate.idp.protocol.params import Params, query_params, read_form
from authgate.idp.web.csrf import CSRF_FIELD, CsrfError, render_form, verify_csrf
from authgate.idp.web.endpoints.authorize import hosted_path, load_request
from authgate.idp.web.hosted_pages import error_page
from authgate.idp.web.sso_session import start_session

__all__ = [
    "NEW_PASSWORD_PURPOSE",
    "complete_sign_in",
    "page_action",
    "read_page_request",
    "render_page",
]

NEW_PASSWORD_PURPOSE = "new-password"


def page_action(request: Request, page: str, params: Params) -> str:
    """The URL a hosted form posts to: ``page`` with the authorization request's query."""
    return hosted_path(request, page) + "?" + urlencode(params)


async def read_page_request(
    request: Request, ctx: IdpContext, expired_message: str
) -> tuple[AuthorizationRequest, Params] | Response:
    """The authorization request a hosted page serves and the form posted to it (GET: none).

    Or the error page to show instead: a bad query or form, a POST whose CSRF token does
    not match (403 with ``expired_message``), an authorization request no longer valid.
    """
    try:
        params = query_params(request)
        form = await read_form(request) if request.method == "POST" else {}
    except OAuthError as exc:
        return error_page(exc.description)
    if request.method == "POST":
        try:
            verify_csrf(request, form.get(CSRF_FIELD), ctx.settings)
        except CsrfError:
            return error_page(expired_message, status_code=403)
    loaded = await load_request(request, ctx, params)
    if isinstance(loaded, Response):
        return loaded
    return loaded, form


def render_page(
    request: Request,
    ctx: IdpContext,
    auth: AuthorizationRequest,
    template: str,
    page: str,
    status_code: int,
    **context: Any,
) -> Response:
    """A hosted form ``template`` that posts back to ``page`` with ``auth``'s query."""
    action = page_action(request, page, auth.params)
    return render_form(request, ctx.settings, template, status_code, action=action, **context)


async def complete_sign_in(ctx: IdpContext, auth: AuthorizationRequest, user: User) -> Response:
    """Start the IdP session and send the browser back to the client with a code (303)."""
    auth_time = ctx.now()
    response = await redirect_with_code(ctx, auth, user.sub, auth_time, 303)
    await start_session(ctx, response, auth.client.pool_id, user.sub, auth_time)
    return response
