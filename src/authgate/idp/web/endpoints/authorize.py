"""OIDC Core §3.1.2 / RFC 6749 §4.1.1 authorization endpoint (GET and POST).

With a live IdP session that satisfies ``prompt`` and ``max_age`` the code is issued at
once (single sign-on); otherwise the browser goes to the hosted login page with the same
parameters, or, for ``prompt=none``, back to the client with ``login_required``.
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from authgate.idp.domain.records import UserStatus
from authgate.idp.protocol.authorization_request import (
    AuthorizationRequest,
    ClientRedirectError,
    InvalidClientPageError,
    add_query,
    validate_authorization_request,
)
from authgate.idp.protocol.code_issuer import redirect_with_code
from authgate.idp.protocol.context import IdpContext, context
from authgate.idp.protocol.oauth_errors import LoginRequiredError, OAuthError
from authgate.idp.protocol.params import Params, query_params, read_form
from authgate.idp.storage.repositories.tokens import SessionRecord
from authgate.idp.web.endpoints.pools import find_client, path_pool
from authgate.idp.web.hosted_pages import error_page
from authgate.idp.web.sso_session import current_session

__all__ = ["authorize", "hosted_path", "load_request", "redirect_error"]


def hosted_path(request: Request, page: str) -> str:
    """The hosted-UI path on the same route family as ``request`` (issuer path or domain)."""
    pool_id = path_pool(request)
    return f"/{pool_id}{page}" if pool_id is not None else page


def redirect_error(ctx: IdpContext, error: ClientRedirectError, pool_id: str) -> Response:
    """Send an authorization error back to the client (RFC 6749 §4.1.2.1)."""
    params = error.error.redirect_params(error.state)
    params["iss"] = ctx.settings.issuer(pool_id)
    return RedirectResponse(add_query(error.redirect_uri, params), status_code=302)


async def load_request(
    request: Request, ctx: IdpContext, params: Params
) -> AuthorizationRequest | Response:
    """The validated request, or the error page / error redirect to answer with."""
    client = await find_client(request, ctx, params.get("client_id"))
    try:
        return validate_authorization_request(client, params)
    except InvalidClientPageError as exc:
        return error_page(str(exc))
    except ClientRedirectError as exc:
        assert client is not None
        return redirect_error(ctx, exc, client.pool_id)


async def _usable_session(
    ctx: IdpContext, auth: AuthorizationRequest, session: SessionRecord | None
) -> SessionRecord | None:
    if session is None or "login" in auth.prompt:
        return None
    if auth.max_age is not None and ctx.now() - session.auth_time > auth.max_age:
        return None
    user = await ctx.store.users.find(session.pool_id, session.user_sub)
    if user is None or not user.enabled or user.status is not UserStatus.CONFIRMED:
        return None
    return session


async def authorize(request: Request) -> Response:
    """GET or POST ``/oauth2/authorize``."""
    ctx = context(request)
    try:
        params = query_params(request) if request.method == "GET" else await read_form(request)
    except OAuthError as exc:
        return error_page(exc.description)
    loaded = await load_request(request, ctx, params)
    if isinstance(loaded, Response):
        return loaded
    pool_id = loaded.client.pool_id
    session = await _usable_session(ctx, loaded, await current_session(request, ctx, pool_id))
    if session is not None:
        return await redirect_with_code(ctx, loaded, session.user_sub, session.auth_time, 302)
    if "none" in loaded.prompt:
        error = ClientRedirectError(
            LoginRequiredError("no active session"), loaded.redirect_uri, loaded.state
        )
        return redirect_error(ctx, error, pool_id)
    login = hosted_path(request, "/login") + "?" + urlencode(params)
    return RedirectResponse(login, status_code=302)
