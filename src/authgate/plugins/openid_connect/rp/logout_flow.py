"""The logout request end to end: end the session, revoke its tokens, leave via the IdP.

Protocol pieces are in :mod:`.logout`; this module reads the config and the discovered
endpoints. The browser ends at (first that applies): the IdP's end-session endpoint (RP-
Initiated Logout, or Cognito's ``/logout`` derived from the authorization endpoint's origin for
Cognito issuers), else ``logout_redirect_uri``, else a "You are signed out"
page whose "Sign in again" link goes to the route's own URL (Kong answers this case with an
empty 200).
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from authgate.plugins.base import PluginResponse, RequestContext
from authgate.plugins.openid_connect.idp_client.client_auth import ClientCredentials
from authgate.plugins.openid_connect.idp_client.discovery import Metadata
from authgate.plugins.openid_connect.rp.browser import page, redirect
from authgate.plugins.openid_connect.rp.logout import (
    end_session_url,
    is_cognito_issuer,
    is_logout,
    revoke,
)
from authgate.plugins.openid_connect.rp.request_url import route_url
from authgate.plugins.openid_connect.rp.session import SessionTokens, jar_for
from authgate.plugins.openid_connect.rs.authenticate import Authenticator
from authgate.plugins.openid_connect.schema import OpenIDConnectConfig
from authgate.sessions import SessionStore

__all__ = ["LogoutFlow"]


class LogoutFlow:
    """Kong's logout for one plugin config."""

    def __init__(
        self, config: OpenIDConnectConfig, auth: Authenticator, store: SessionStore
    ) -> None:
        self.config = config
        self.auth = auth
        self.store = store
        self.enabled = bool(
            config.logout_uri_suffix or config.logout_query_arg or config.logout_post_arg
        )
        self.needs_form = bool(config.logout_post_arg) and "POST" in config.logout_methods

    def matches(
        self,
        ctx: RequestContext,
        query: Mapping[str, list[str]],
        form: Mapping[str, list[str]] | None,
    ) -> bool:
        """Whether this request logs out."""
        config = self.config
        return is_logout(
            ctx.method, ctx.path, query, form, methods=config.logout_methods,
            uri_suffix=config.logout_uri_suffix, query_arg=config.logout_query_arg,
            post_arg=config.logout_post_arg,
        )  # fmt: skip

    async def respond(self, ctx: RequestContext) -> PluginResponse:
        """End the session and send the browser on (see module docstring)."""
        config, auth = self.config, self.auth
        jar = jar_for(ctx)
        session = await self.store.load(jar, auth.services.clock())
        tokens = SessionTokens.of(session) if session is not None else None
        await self.store.clear(jar, session)
        metadata = await auth.provider.metadata()
        if tokens is not None and config.logout_revoke and auth.client is not None:
            await self._revoke(tokens, metadata, auth.client)
        after = config.logout_redirect_uri[0] if config.logout_redirect_uri else None
        endpoint, cognito = self._end_session(metadata)
        if endpoint is not None and auth.client is not None:
            return redirect(
                end_session_url(
                    endpoint, cognito=cognito, client_id=auth.client.client_id,
                    id_token=tokens.id_token if tokens is not None else None,
                    post_logout_redirect_uri=after,
                )
            )  # fmt: skip
        if after is not None:
            return redirect(after)
        return page(
            200, "Signed out", "You are signed out.", route_url(ctx), ctx.request_id,
            link_text="Sign in again",
        )  # fmt: skip

    def _end_session(self, metadata: Metadata) -> tuple[str | None, bool]:
        config = self.config
        style = config.logout_style
        cognito = style == "cognito" or (style == "auto" and is_cognito_issuer(metadata.issuer))
        endpoint = config.end_session_endpoint or metadata.end_session_endpoint
        if endpoint is None and cognito:
            authorize = config.authorization_endpoint or metadata.authorization_endpoint
            if authorize is not None:
                parts = urlsplit(authorize)
                endpoint = f"{parts.scheme}://{parts.netloc}/logout"
        return endpoint, cognito

    async def _revoke(
        self, tokens: SessionTokens, metadata: Metadata, client: ClientCredentials
    ) -> None:
        config = self.config
        endpoint = config.revocation_endpoint or metadata.revocation_endpoint
        if endpoint is None:
            return
        chosen = []
        if config.logout_revoke_refresh_token and tokens.refresh_token is not None:
            chosen.append((tokens.refresh_token, "refresh_token"))
        if config.logout_revoke_access_token:
            chosen.append((tokens.access_token, "access_token"))
        if config.revocation_endpoint_auth_method is not None:
            client = ClientCredentials(
                client.client_id, client.secret, config.revocation_endpoint_auth_method
            )
        await revoke(
            self.auth.services.client, endpoint, chosen, client,
            param_name=config.revocation_token_param_name, timeout=self.auth.timeout,
            verify=config.ssl_verify,
        )  # fmt: skip
