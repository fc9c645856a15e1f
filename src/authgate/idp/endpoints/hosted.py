"""What the hosted-UI pages share: form URLs and finishing a sign-in."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from authgate.idp.authorization_request import AuthorizationRequest
from authgate.idp.code_issuer import redirect_with_code
from authgate.idp.context import IdpContext
from authgate.idp.endpoints.authorize import hosted_path
from authgate.idp.login_session import start_session
from authgate.idp.params import Params
from authgate.idp.records import User

__all__ = ["NEW_PASSWORD_PURPOSE", "complete_sign_in", "page_action"]

NEW_PASSWORD_PURPOSE = "new-password"


def page_action(request: Request, page: str, params: Params) -> str:
    """The URL a hosted form posts to: ``page`` with the authorization request's query."""
    return hosted_path(request, page) + "?" + urlencode(params)


async def complete_sign_in(ctx: IdpContext, auth: AuthorizationRequest, user: User) -> Response:
    """Start the IdP session and send the browser back to the client with a code (303)."""
    auth_time = ctx.now()
    response = await redirect_with_code(ctx, auth, user.sub, auth_time, 303)
    await start_session(ctx, response, auth.client.pool_id, user.sub, auth_time)
    return response
