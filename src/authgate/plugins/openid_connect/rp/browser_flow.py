"""The browser side of the plugin, in Kong's order: logout, login callback, session.

Runs before the API credentials of :mod:`..rs.authenticate`; when nothing authenticates a
request, a top-level navigation goes to the login page (:mod:`.login`) and anything else gets
a 401 (:mod:`.browser`). The gateway's own cookies (the session and its chunks, the login
state cookies) never reach the upstream (oauth2-proxy#388). Set-Cookie headers collected
while handling the request are added to whatever response goes back, proxied or not.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from authgate.plugins.base import Headers, PluginResponse, RequestContext
from authgate.plugins.openid_connect.errors import (
    IdpUnavailableError,
    InvalidRequestError,
    InvalidTokenError,
    MissingCredentialsError,
    OidcError,
)
from authgate.plugins.openid_connect.idp_client.grants import (
    InvalidCredentialsError,
    TokenResponse,
    request_tokens,
)
from authgate.plugins.openid_connect.idp_client.refresh import Refresher
from authgate.plugins.openid_connect.rp.authorization_code import callback_params
from authgate.plugins.openid_connect.rp.browser import is_navigation, page
from authgate.plugins.openid_connect.rp.login import LoginFlow
from authgate.plugins.openid_connect.rp.logout_flow import LogoutFlow
from authgate.plugins.openid_connect.rp.request_url import route_path
from authgate.plugins.openid_connect.rp.session import (
    JAR,
    SessionClaims,
    SessionTokens,
    jar_for,
    session_data,
)
from authgate.plugins.openid_connect.rs.authenticate import Authenticator, Identity
from authgate.plugins.openid_connect.rs.bearer import Found
from authgate.plugins.openid_connect.schema import OpenIDConnectConfig
from authgate.sessions import (
    CookieSessionStore,
    CookieSettings,
    Session,
    SessionCodec,
    SessionTimeouts,
    strip_cookies,
)
from authgate.sessions.cookies import chunk_names

__all__ = ["BrowserFlow"]

logger = logging.getLogger("authgate.openid_connect")
MAX_FORM_BYTES = 64 * 1024


class BrowserFlow:
    """Sessions, login and logout of one plugin config (needs ``session_secret``)."""

    def __init__(self, config: OpenIDConnectConfig, auth: Authenticator) -> None:
        assert config.session_secret is not None
        self.config = config
        self.auth = auth
        codec = SessionCodec(
            config.session_secret.get_secret_value(),
            [s.get_secret_value() for s in config.session_secret_fallbacks or ()],
        )
        self.cookie = CookieSettings(
            config.session_cookie_name, path=config.session_cookie_path,
            domain=config.session_cookie_domain, secure=config.session_cookie_secure,
            http_only=config.session_cookie_http_only, same_site=config.session_cookie_same_site,
        )  # fmt: skip
        timeouts = SessionTimeouts(
            float(config.session_idling_timeout),
            float(config.session_rolling_timeout),
            float(config.session_absolute_timeout),
        )
        self.store = CookieSessionStore(codec, self.cookie, timeouts)
        self.claims = SessionClaims()
        self.timeouts = timeouts
        self.login = LoginFlow(config, auth, codec, self.store)
        self.logout = LogoutFlow(config, auth, self.store)
        methods = config.active_methods
        self.can_login = "authorization_code" in methods
        self.sessions = "session" in methods or self.can_login
        self.own_cookies = frozenset(chunk_names(config.session_cookie_name))
        self.state_prefix = config.authorization_cookie_name + "_"
        self.callback_path = (
            urlsplit(config.redirect_uri[0]).path or "/" if config.redirect_uri else None
        )

    async def intercept(
        self, ctx: RequestContext, query: dict[str, list[str]]
    ) -> PluginResponse | Identity | None:
        """A response (logout, callback) or the session's identity, else None."""
        form = None
        if ctx.method == "POST" and (self.logout.needs_form or self._form_callback(ctx)):
            form = await ctx.read_form(MAX_FORM_BYTES)
        if self.logout.enabled and self.logout.matches(ctx, query, form):
            return await self.logout.respond(ctx)
        if self.can_login and ctx.path == (self.callback_path or route_path(ctx)):
            params = form if form is not None and self._form_callback(ctx) else query
            try:
                callback = callback_params(params)
            except InvalidRequestError as error:
                return page(400, "Sign-in failed", error.description, None, ctx.request_id)
            if callback is not None:
                login = self.login.pending_login(ctx, callback)
                if login is not None:
                    return await self.login.complete(ctx, callback, login)
                identity = await self.session(ctx)
                if identity is None:
                    message = "This sign-in response has expired or was already used."
                    return self.login.failed(ctx, 400, message)
                return identity
        return await self.session(ctx) if self.sessions else None

    def _form_callback(self, ctx: RequestContext) -> bool:
        return self.can_login and self.config.response_mode == "form_post"

    async def session(self, ctx: RequestContext) -> Identity | None:
        """The identity of the request's live session, refreshed if needed."""
        jar = jar_for(ctx)
        if self.cookie.name not in jar.cookies:
            return None
        now = self.auth.services.clock()
        session = await self.store.load(jar, now)
        tokens = SessionTokens.of(session) if session is not None else None
        if session is None or tokens is None:
            await self.store.clear(jar, None)
            return None
        if tokens.expiring(now):
            refreshed = await self._refreshed(ctx, session, tokens, now)
            if refreshed is None:
                await self.store.clear(jar, session)
                return None
            tokens = refreshed
        elif self.timeouts.needs_touch(session, now):
            session.last_seen = now
            await self.store.save(jar, session)
        return Identity(
            "session", self.claims.of(tokens), Found("", "session"), tokens.access_token,
            tokens.id_token, tokens.refresh_token,
        )  # fmt: skip

    async def _refreshed(
        self, ctx: RequestContext, session: Session, tokens: SessionTokens, now: float
    ) -> SessionTokens | None:
        if not self.config.refresh_tokens or tokens.refresh_token is None:
            return None if tokens.expired(now) else tokens
        try:
            new = await self._refresh(tokens)
        except (InvalidCredentialsError, InvalidTokenError):
            logger.info("session refresh refused by the IdP; the session ends")
            return None
        except IdpUnavailableError:
            if tokens.expired(now):
                raise
            logger.warning("session refresh failed (IdP unavailable); using the current token")
            return tokens
        session.data = session_data(new, now, previous=tokens)
        session.last_seen = now
        await self.store.save(jar_for(ctx), session)
        return SessionTokens.of(session)

    async def _refresh(self, tokens: SessionTokens) -> TokenResponse:
        auth = self.auth
        metadata = await auth.provider.metadata()
        endpoint = self.config.token_endpoint or metadata.token_endpoint
        client = auth.client
        if endpoint is None or client is None or tokens.refresh_token is None:
            raise InvalidCredentialsError("no token endpoint to refresh at")
        refresh_token = tokens.refresh_token
        subject = tokens.claims.get("sub")

        async def fetch() -> TokenResponse:
            grant = {"grant_type": "refresh_token", "refresh_token": refresh_token}
            new = await request_tokens(
                auth.services.client, endpoint, grant, client,
                timeout=auth.timeout, verify=self.config.ssl_verify,
            )  # fmt: skip
            if new.id_token is not None and tokens.id_token is not None:
                await self.login.verify_id_token(
                    new, None, subject if isinstance(subject, str) else None
                )
            return new

        key = Refresher.key(f"{endpoint} {client.client_id}", refresh_token)
        return await auth.services.refresher.refresh(key, fetch)

    async def unauthenticated(self, ctx: RequestContext, error: OidcError) -> PluginResponse | None:
        """The login redirect for a browser navigation; None: answer 401 as an API."""
        if isinstance(error, IdpUnavailableError) or error.status_code != 401:
            return None
        jar = jar_for(ctx)
        if self.config.unauthorized_destroy_session and self.cookie.name in jar.cookies:
            await self.store.clear(jar, None)
        if not self.can_login or not isinstance(error, MissingCredentialsError):
            return None
        action = self.config.unauth_action
        if action == "deny" or (action == "auto" and not is_navigation(ctx.method, ctx.headers)):
            return None
        return await self.login.start(ctx)

    async def forbidden(self, ctx: RequestContext) -> None:
        """``forbidden_destroy_session``: a 403 ends the session."""
        jar = jar_for(ctx)
        if self.config.forbidden_destroy_session and self.cookie.name in jar.cookies:
            await self.store.clear(jar, None)

    def strip_own_cookies(self, ctx: RequestContext) -> None:
        """Remove the gateway's cookies from what the upstream receives."""
        values = ctx.headers.get_all("cookie")
        if not values:
            return
        kept = strip_cookies(values, self.own_cookies, (self.state_prefix,))
        ctx.headers.remove("cookie")
        for value in kept:
            ctx.headers.add("cookie", value)


def add_set_cookies(ctx: RequestContext, headers: Headers) -> None:
    """Response phase: the Set-Cookie headers collected for this request."""
    jar = ctx.get(JAR)
    if jar is not None and jar.set_cookies:
        for value in jar.set_cookies:
            headers.add("set-cookie", value)
        if headers.get("cache-control") is None:
            headers.set("cache-control", "no-store")
