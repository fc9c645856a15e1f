"""Sign-out: Cognito's ``/logout`` and OpenID Connect RP-Initiated Logout 1.0 §2-3.

Cognito form: ``client_id`` + ``logout_uri`` (or ``redirect_uri`` + ``response_type`` to
sign in again). Standard form: ``id_token_hint`` and/or ``client_id`` with
``post_logout_redirect_uri`` and ``state``. Either way the browser is only ever sent to a
URL registered as one of the client's logout URLs (exact match; RFC 9700 §4.11); anything
else is an error page. Without a target the signed-out page links to the client's first
registered logout URL ("Sign in again"), when the request names a client. The IdP session
of the pool is cleared; issued tokens are not revoked (as in Cognito; use /oauth2/revoke
for that).
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from authgate.idp.domain.cognito_errors import CognitoError
from authgate.idp.domain.records import AppClient
from authgate.idp.protocol.authorization_request import add_query
from authgate.idp.protocol.context import IdpContext, context
from authgate.idp.protocol.oauth_errors import OAuthError
from authgate.idp.protocol.params import Params, has_form_body, query_params, read_form
from authgate.idp.protocol.token_verify import TokenRejected, unverified_issuer, verify_token
from authgate.idp.web.endpoints.authorize import hosted_path, load_request
from authgate.idp.web.endpoints.pools import find_client, path_pool
from authgate.idp.web.hosted_pages import error_page, render
from authgate.idp.web.sso_session import end_session

__all__ = ["logout"]


class _LogoutRefused(Exception):
    """The logout request is invalid; the message is shown on an error page."""


async def _hint_client(request: Request, ctx: IdpContext, hint: str) -> AppClient:
    issuer = unverified_issuer(hint) or ""
    prefix = ctx.settings.public_url + "/"
    pool_id = issuer[len(prefix) :] if issuer.startswith(prefix) else ""
    if not pool_id or (path_pool(request) not in (None, pool_id)):
        raise _LogoutRefused("The id_token_hint was not issued by this user pool.")
    try:
        keys = await ctx.store.keys.published(pool_id, ctx.now_dt())
        claims = verify_token(
            hint, keys, issuer=issuer, token_use="id", now=ctx.now(), allow_expired=True
        )
    except (CognitoError, TokenRejected):
        raise _LogoutRefused("The id_token_hint is not valid.") from None
    client = await find_client(request, ctx, str(claims.get("aud", "")))
    if client is None:
        raise _LogoutRefused("The id_token_hint names an unknown client.")
    return client


async def _client(request: Request, ctx: IdpContext, params: Params) -> AppClient | None:
    client_id = params.get("client_id")
    hint = params.get("id_token_hint")
    client = await _hint_client(request, ctx, hint) if hint is not None else None
    if client_id is not None:
        named = await find_client(request, ctx, client_id)
        if named is None:
            raise _LogoutRefused("The client_id is not a client of this user pool.")
        if client is not None and named.client_id != client.client_id:
            raise _LogoutRefused("The client_id does not match the id_token_hint.")
        client = named
    return client


def _registered(client: AppClient | None, uri: str) -> AppClient:
    if client is None:
        raise _LogoutRefused("A client_id or id_token_hint is required to redirect after sign-out.")
    if uri not in client.logout_urls:
        raise _LogoutRefused("The logout URL is not registered for this client.")
    return client


async def _target(request: Request, ctx: IdpContext, params: Params) -> tuple[str | None, str]:
    """Where to send the browser afterwards (None: show a page) and the pool to sign out of."""
    client = await _client(request, ctx, params)
    if "logout_uri" in params:
        client = _registered(client, params["logout_uri"])
        return params["logout_uri"], client.pool_id
    if "post_logout_redirect_uri" in params:
        uri = params["post_logout_redirect_uri"]
        client = _registered(client, uri)
        state = params.get("state")
        return (add_query(uri, {"state": state}) if state is not None else uri), client.pool_id
    if "redirect_uri" in params and client is not None:
        loaded = await load_request(request, ctx, params)
        if isinstance(loaded, Response):
            raise _LogoutRefused("The redirect_uri is not registered for this client.")
        return hosted_path(request, "/login") + "?" + urlencode(params), client.pool_id
    pool_id = client.pool_id if client is not None else path_pool(request)
    if pool_id is None:
        raise _LogoutRefused("A client_id is required.")
    return None, pool_id


async def _way_back(request: Request, ctx: IdpContext, params: Params) -> str | None:
    """The link on the signed-out page: the client's first registered logout URL, if any.

    Only a URL the client registered, so the page links nowhere a request could choose.
    """
    client = await _client(request, ctx, params)
    return client.logout_urls[0] if client is not None and client.logout_urls else None


async def logout(request: Request) -> Response:
    """GET or POST ``/logout``."""
    ctx = context(request)
    try:
        params = query_params(request)
        if request.method == "POST" and has_form_body(request):
            params = {**params, **await read_form(request)}
        target, pool_id = await _target(request, ctx, params)
    except OAuthError as exc:
        return error_page(exc.description)
    except _LogoutRefused as exc:
        return error_page(str(exc), title="Sign-out failed")
    response: Response
    if target is None:
        back = await _way_back(request, ctx, params)
        response = render("signed_out.html", title="Signed out", back_url=back)
    else:
        response = RedirectResponse(target, status_code=302)
    await end_session(request, ctx, response, pool_id)
    return response
