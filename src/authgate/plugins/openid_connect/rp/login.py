"""The browser login: send the browser to the IdP, take the callback, start the session.

OpenID Connect Core 1.0 §3.1 (authorization code flow) on top of :mod:`.authorization_code`
and :mod:`..rs.id_token`. Failures a user can hit (expired or replayed callback, state mismatch,
``error=access_denied``, a refused code) end on a small page with a "Try again" link, never in
a redirect loop; each consumes the login's state cookie.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

import orjson

from authgate.plugins.base import PluginResponse, RequestContext
from authgate.plugins.openid_connect.errors import IdpUnavailableError, InvalidTokenError
from authgate.plugins.openid_connect.idp_client.grants import InvalidCredentialsError, TokenResponse
from authgate.plugins.openid_connect.rp.authorization_code import (
    MAX_PENDING_LOGINS,
    CallbackParams,
    LoginState,
    authorization_url,
    redeem,
    state_cookie_name,
)
from authgate.plugins.openid_connect.rp.browser import page, redirect
from authgate.plugins.openid_connect.rp.request_url import restore_url, return_url, route_url
from authgate.plugins.openid_connect.rp.session import jar_for, session_data
from authgate.plugins.openid_connect.rs.access_token import parse_jwt
from authgate.plugins.openid_connect.rs.authenticate import Authenticator
from authgate.plugins.openid_connect.rs.id_token import IdTokenRules, validate_id_token
from authgate.plugins.openid_connect.schema import OpenIDConnectConfig
from authgate.sessions import CookieJar, CookieSettings, Session, SessionCodec, SessionStore

__all__ = ["LoginFlow"]

logger = logging.getLogger("authgate.openid_connect")


class LoginFlow:
    """Starts logins and completes callbacks for one plugin config."""

    def __init__(
        self,
        config: OpenIDConnectConfig,
        auth: Authenticator,
        codec: SessionCodec,
        store: SessionStore,
    ) -> None:
        self.config = config
        self.auth = auth
        self.codec = codec
        self.store = store
        self.cookie = CookieSettings(
            config.authorization_cookie_name,
            path=config.authorization_cookie_path,
            domain=config.authorization_cookie_domain,
            secure=config.authorization_cookie_secure,
            http_only=config.authorization_cookie_http_only,
            same_site=config.authorization_cookie_same_site,
        )

    def redirect_uri(self, ctx: RequestContext) -> str:
        """The callback URL: ``redirect_uri`` or the route's own URL."""
        return self.config.redirect_uri[0] if self.config.redirect_uri else route_url(ctx)

    # -- starting a login -----------------------------------------------------------------
    async def start(self, ctx: RequestContext) -> PluginResponse:
        """Remember this login in its own cookie and send the browser to the IdP."""
        config = self.config
        metadata = await self.auth.provider.metadata()
        endpoint = config.authorization_endpoint or metadata.authorization_endpoint
        client = self.auth.client
        if endpoint is None or client is None:
            raise IdpUnavailableError("the provider has no authorization endpoint", 502)
        pkce = config.require_proof_key_for_code_exchange
        if pkce is None:
            pkce = "S256" in metadata.code_challenge_methods
        now = self.auth.services.clock()
        login = LoginState.new(
            self.redirect_uri(ctx), return_url(ctx, config.preserve_query_args), now, pkce
        )
        jar = jar_for(ctx)
        self._prune(jar, now)
        name = state_cookie_name(self.cookie.name, login.state)
        sealed = self.codec.seal(login.dumps(), name)
        jar.put(self.cookie, name, sealed, config.authorization_rolling_timeout)
        return redirect(
            authorization_url(
                endpoint, client.client_id, login, scopes=config.scopes or ["openid"],
                response_mode=config.response_mode, use_nonce=config.verify_nonce,
                max_age=config.max_age,
            )
        )  # fmt: skip

    def _pending(self, jar: CookieJar) -> list[tuple[float, str]]:
        prefix = self.cookie.name + "_"
        found = []
        for name, value in list(jar.cookies.items())[: 4 * MAX_PENDING_LOGINS]:
            if name.startswith(prefix):
                raw = self.codec.open(value, name)
                login = LoginState.loads(raw) if raw is not None else None
                found.append((login.created_at if login is not None else 0.0, name))
        return sorted(found)

    def _prune(self, jar: CookieJar, now: float) -> None:
        """Drop expired or unreadable login cookies, and the oldest beyond the limit."""
        pending = self._pending(jar)
        alive = now - self.config.authorization_rolling_timeout
        keep = [p for p in pending if p[0] > alive][-(MAX_PENDING_LOGINS - 1) :]
        for entry in pending:
            if entry not in keep:
                jar.delete(self.cookie, entry[1])

    # -- the callback ---------------------------------------------------------------------
    def pending_login(self, ctx: RequestContext, params: CallbackParams) -> LoginState | None:
        """The login this callback belongs to (its cookie is consumed), or None."""
        config = self.config
        jar = jar_for(ctx)
        name = state_cookie_name(self.cookie.name, params.state)
        value = jar.cookies.get(name)
        if value is None:
            return None
        jar.delete(self.cookie, name)
        raw = self.codec.open(value, name)
        login = LoginState.loads(raw) if raw is not None else None
        now = self.auth.services.clock()
        if login is None or now - login.created_at >= config.authorization_rolling_timeout:
            return None
        return login if login.matches(params.state) else None

    def failed(self, ctx: RequestContext, status: int, message: str) -> PluginResponse:
        """The page shown when a login cannot complete."""
        return page(status, "Sign-in failed", message, route_url(ctx), ctx.request_id)

    async def complete(
        self, ctx: RequestContext, params: CallbackParams, login: LoginState
    ) -> PluginResponse:
        """Redeem the code, validate the ID token, start the session, do ``login_action``."""
        metadata = await self.auth.provider.metadata()
        if params.iss is not None and params.iss != metadata.issuer:
            return self.failed(ctx, 400, "The response came from an unexpected issuer.")
        if params.error is not None:
            description = params.error_description or ""
            logger.info("login refused by the IdP: %s", params.error)
            message = f"The identity provider refused the sign-in ({params.error})."
            if description:
                message += f" {description}"
            return page(403, "Sign-in refused", message, login.return_to, ctx.request_id)
        if not params.code:
            return self.failed(ctx, 400, "The response carries no authorization code.")
        try:
            tokens = await self._redeem(params.code, login)
            claims = await self._id_token(tokens, login)
        except InvalidCredentialsError:
            return self.failed(ctx, 401, "The sign-in could not be completed (code refused).")
        except InvalidTokenError as error:
            logger.warning("login rejected: %s", error.description)
            return self.failed(ctx, 401, f"The sign-in was rejected: {error.description}.")
        now = self.auth.services.clock()
        session = Session.new(session_data(tokens, now), now)
        await self.store.save(jar_for(ctx), session)
        logger.info("login completed for sub %s", claims.get("sub"))
        return self._login_action(ctx, login, tokens)

    async def _redeem(self, code: str, login: LoginState) -> TokenResponse:
        metadata = await self.auth.provider.metadata()
        endpoint = self.config.token_endpoint or metadata.token_endpoint
        client = self.auth.client
        if endpoint is None or client is None:
            raise IdpUnavailableError("the provider has no token endpoint", 502)
        return await redeem(
            self.auth.services.client, endpoint, code, login, client,
            timeout=self.auth.timeout, verify=self.config.ssl_verify,
        )  # fmt: skip

    async def _id_token(self, tokens: TokenResponse, login: LoginState) -> dict[str, Any]:
        if tokens.id_token is None:
            raise InvalidTokenError("the token response has no ID token (scope openid?)")
        return await self.verify_id_token(tokens, login.nonce if self.config.verify_nonce else None)

    async def verify_id_token(
        self, tokens: TokenResponse, nonce: str | None, subject: str | None = None
    ) -> dict[str, Any]:
        """Validate ``tokens.id_token`` per OIDC Core §3.1.3.7 (or §12.2 with ``subject``)."""
        assert tokens.id_token is not None
        config, auth = self.config, self.auth
        parsed = parse_jwt(tokens.id_token, auth.algorithms)
        keys = list(await auth.provider.keys_for(parsed.kid))
        policy = await auth.policy()
        assert auth.client is not None
        rules = IdTokenRules(
            issuers=policy.issuers, client_id=auth.client.client_id, algorithms=auth.algorithms,
            leeway=config.leeway, nonce=nonce, max_age=config.max_age if subject is None else None,
            subject=subject,
        )  # fmt: skip
        if not keys:
            raise InvalidTokenError("ID token signing key not found")
        return validate_id_token(parsed, keys, rules, auth.services.clock(), tokens.access_token)

    def _login_action(
        self, ctx: RequestContext, login: LoginState, tokens: TokenResponse
    ) -> PluginResponse:
        config = self.config
        if config.login_action == "upstream":
            return redirect(restore_url(ctx, login.return_to))
        chosen: set[str] = set(config.login_tokens or ())
        if "tokens" in chosen:
            chosen |= {"id_token", "access_token", "refresh_token"}
        values = {
            "id_token": tokens.id_token,
            "access_token": tokens.access_token,
            "refresh_token": tokens.refresh_token,
        }
        given = {k: v for k, v in values.items() if k in chosen and v is not None}
        if config.login_action == "response":
            response = PluginResponse(200, body=orjson.dumps(given))
            response.headers.set("content-type", "application/json; charset=utf-8")
            response.headers.set("cache-control", "no-store")
            return response
        assert config.login_redirect_uri
        target = config.login_redirect_uri[0]
        if config.login_redirect_mode == "query":
            return redirect(target + ("&" if "?" in target else "?") + urlencode(given))
        return redirect(target.partition("#")[0] + "#" + urlencode(given))
