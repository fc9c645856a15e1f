"""The ``openid-connect`` access phase: everything between the request and the upstream.

Drop client copies of every header this plugin may set; with ``session`` or
``authorization_code`` enabled, handle logout, the login callback and the session first
(:mod:`.rp.browser_flow`); authenticate the first credential found (:mod:`.rs.authenticate`),
apply the claims rules (:mod:`.rs.claims`), map the consumer, then hand tokens, claims and
identity headers to the upstream (:mod:`.rs.headers`). Failures are RFC 6750 §3 responses
(:mod:`.errors`), or the login page for a browser navigation.
"""

from __future__ import annotations

from typing import Any

from authgate.config.entities import Consumer
from authgate.plugins.base import Headers, PluginResponse, RequestContext
from authgate.plugins.openid_connect.errors import (
    ConsumerNotFoundError,
    IdpUnavailableError,
    MissingCredentialsError,
    OidcError,
    render,
)
from authgate.plugins.openid_connect.rp.browser_flow import BrowserFlow
from authgate.plugins.openid_connect.rs.authenticate import Authenticator, Identity, Request
from authgate.plugins.openid_connect.rs.bearer import BEARER_HEADERS, query_params
from authgate.plugins.openid_connect.rs.claims import (
    check_forbidden,
    claim_at,
    required_rules,
)
from authgate.plugins.openid_connect.rs.headers import (
    ALWAYS_STRIPPED,
    CONSUMER_HEADERS,
    STRIPPED_PREFIXES,
    HeaderTarget,
    SpoofableHeaders,
    claim_header_value,
    json_header_value,
    set_consumer_headers,
)
from authgate.plugins.openid_connect.rs.request_credentials import (
    BodyParams,
    hide_credential,
    read_body_params,
)
from authgate.plugins.openid_connect.schema import BROWSER_METHODS, OpenIDConnectConfig
from authgate.plugins.openid_connect.services import OidcServices

__all__ = ["AccessPhase"]


def _target(spec: str | None) -> HeaderTarget | None:
    return HeaderTarget(spec) if spec else None


class AccessPhase:
    """The access phase of one plugin config (what :class:`.plugin.OpenIDConnectPlugin` runs)."""

    def __init__(self, config: OpenIDConnectConfig, services: OidcServices) -> None:
        self.settings = config
        self.auth = Authenticator(config, services)
        self.browser = (
            BrowserFlow(config, self.auth) if config.active_methods & BROWSER_METHODS else None
        )
        self.rules = required_rules(
            [
                ("scopes", config.scopes_claim, config.scopes_required),
                ("audience", config.audience_claim, config.audience_required),
                ("groups", config.groups_claim, config.groups_required),
                ("roles", config.roles_claim, config.roles_required),
            ]
        )
        self.access_target = _target(config.upstream_access_token_header)
        self.id_target = _target(config.upstream_id_token_header)
        self.refresh_target = _target(config.upstream_refresh_token_header)
        self.introspection_target = _target(config.upstream_introspection_header)
        self.userinfo_target = _target(config.upstream_user_info_header)
        self.claim_targets = list(
            zip(
                config.upstream_headers_claims or (),
                config.upstream_headers_names or (),
                strict=True,
            )
        )
        self.spoofable = SpoofableHeaders(self._spoofable_headers(), STRIPPED_PREFIXES)
        # Bearer token headers are credentials: read first, stripped once authenticated.
        self.credential_copies = SpoofableHeaders(BEARER_HEADERS)
        self.reads_body = _reads_body(config)
        # Consumer headers are stripped up front; unless a token or claim header of this
        # config has the same name, nothing can have set one again before they are set.
        self.consumer_headers_cleared = not (self._target_names() & set(CONSUMER_HEADERS))
        access = self.access_target
        # Kong's defaults: the client's `Authorization: Bearer` is what the upstream gets.
        self.bearer_passthrough = (
            access is not None and access.name == "authorization" and access.prefix == "Bearer "
        )

    def _target_names(self) -> set[str]:
        targets = [
            self.access_target,
            self.id_target,
            self.refresh_target,
            self.introspection_target,
            self.userinfo_target,
        ]
        names = {t.name for t in targets if t is not None}
        names.update(name.lower() for _, name in self.claim_targets)
        return names

    def _spoofable_headers(self) -> frozenset[str]:
        """Every header this plugin may set in any config, minus the credential headers."""
        names = self._target_names()
        names.update(ALWAYS_STRIPPED)
        names -= {"authorization", *BEARER_HEADERS}
        return frozenset(names)

    async def access(self, ctx: RequestContext) -> PluginResponse | None:
        """None to proxy the request (identity headers set), else the response to send."""
        settings = self.settings
        self.spoofable.strip(ctx.headers)
        if not settings.run_on_preflight and _preflight(ctx):
            self.credential_copies.strip(ctx.headers)
            return None
        try:
            identity, body = await self._identify(ctx)
        except OidcError as error:
            browser = self.browser
            if browser is not None:
                try:
                    login = await browser.unauthenticated(ctx, error)
                except OidcError as failure:
                    return self._render(ctx, failure)
                if login is not None:
                    return login
            anonymous = settings.anonymous
            if (
                anonymous
                and error.status_code == 401
                and not isinstance(error, IdpUnavailableError)
            ):
                self.credential_copies.strip(ctx.headers)
                self._anonymous(ctx, anonymous)
                return None
            return self._render(ctx, error)
        if isinstance(identity, PluginResponse):
            return identity
        try:
            for rule in self.rules:
                rule.check(identity.claims)
            check_forbidden(identity.claims, settings.claims_forbidden or ())
            consumer = self._consumer(ctx, identity.claims)
        except OidcError as error:
            if self.browser is not None and identity.method == "session":
                await self.browser.forbidden(ctx)
            return self._render(ctx, error)
        self._strip_credential_copies(ctx.headers, identity)
        in_place = self._token_in_place(ctx.headers, identity)
        if settings.hide_credentials and not in_place:
            hide_credential(ctx, identity.found.source, body)
        self._upstream_headers(ctx, identity, in_place)
        credential = claim_at(identity.claims, settings.credential_claim)
        set_consumer_headers(
            ctx.headers,
            consumer,
            credential if isinstance(credential, str) else None,
            False,
            cleared=self.consumer_headers_cleared,
        )
        if consumer is not None:
            ctx.consumer = consumer
        ctx.credential = identity.method
        return None

    async def _identify(
        self, ctx: RequestContext
    ) -> tuple[Identity | PluginResponse, BodyParams | None]:
        """The browser flow's answer or identity, else the first API credential's identity.

        Also the parsed request body when credentials were looked for in it.
        """
        query = query_params(ctx.query)
        identity: Identity | PluginResponse | None = None
        body = None
        if self.browser is not None:
            identity = await self.browser.intercept(ctx, query)
            self.browser.strip_own_cookies(ctx)
        if identity is None:
            # No Content-Type: neither a form nor JSON, so nothing to search (every GET).
            if self.reads_body and "content-type" in ctx.headers:
                body = await read_body_params(ctx)
            params = body.params if body is not None else None
            identity = await self.auth.authenticate(Request(ctx.headers, query, params))
        if identity is None:
            raise MissingCredentialsError("no credentials found")
        return identity, body

    def _render(self, ctx: RequestContext, error: OidcError) -> PluginResponse:
        settings = self.settings
        return render(
            error,
            ctx.request_id,
            settings.unauthorized_error_message,
            settings.forbidden_error_message,
            display_errors=settings.display_errors,
            expose_error_code=settings.expose_error_code,
        )

    def _anonymous(self, ctx: RequestContext, reference: str) -> None:
        consumer = ctx.config.consumer_index.find(reference, ("id", "username"))
        # The config loader refuses an ``anonymous`` that names no consumer.
        assert consumer is not None, f"anonymous consumer {reference!r} is not in the config"
        set_consumer_headers(
            ctx.headers, consumer, None, True, cleared=self.consumer_headers_cleared
        )
        ctx.consumer = consumer
        return None

    def _consumer(self, ctx: RequestContext, claims: dict[str, Any]) -> Consumer | None:
        settings = self.settings
        if settings.consumer_claim is None:
            return None
        value = claim_at(claims, settings.consumer_claim)
        consumer = None
        if isinstance(value, str):
            consumer = ctx.config.consumer_index.find(
                value,
                settings.consumer_by,
                username_ignore_case=settings.by_username_ignore_case,
            )
        if consumer is None and not settings.consumer_optional:
            raise ConsumerNotFoundError("no consumer matches the token")
        return consumer

    def _strip_credential_copies(self, headers: Headers, identity: Identity) -> None:
        """Drop ``X-Access-Token``-style headers, except the credential itself when it stays."""
        kind, _, name = identity.found.source.partition(":")
        keep = name if kind == "header" and not self.settings.hide_credentials else None
        self.credential_copies.strip(headers, keep)

    def _token_in_place(self, headers: Headers, identity: Identity) -> bool:
        """The client's one ``Authorization: Bearer`` header is exactly what goes upstream.

        Then ``hide_credentials`` would remove it and the access token header would set the
        same value again; both are skipped and the header stays as it is.
        """
        token = identity.access_token
        return (
            self.bearer_passthrough
            and token is not None
            and identity.found.source == "header:authorization"
            and identity.found.value == token
            and headers.get_all("authorization") == ["Bearer " + token]
        )

    def _upstream_headers(self, ctx: RequestContext, identity: Identity, in_place: bool) -> None:
        headers = ctx.headers
        pairs = [
            (None if in_place else self.access_target, identity.access_token),
            (self.id_target, identity.id_token),
            (self.refresh_target, identity.refresh_token),
        ]
        for target, token in pairs:
            if target is not None and token is not None:
                target.set(headers, token)
        if self.introspection_target is not None and identity.introspection is not None:
            self.introspection_target.set(headers, json_header_value(identity.introspection))
        if self.userinfo_target is not None and identity.userinfo is not None:
            self.userinfo_target.set(headers, json_header_value(identity.userinfo))
        for claim, name in self.claim_targets:
            value = claim_header_value(identity.claims.get(claim))
            if value is not None:
                headers.set(name, value)


def _preflight(ctx: RequestContext) -> bool:
    return (
        ctx.method == "OPTIONS"
        and "origin" in ctx.headers
        and "access-control-request-method" in ctx.headers
    )


def _reads_body(config: OpenIDConnectConfig) -> bool:
    """Whether an enabled method looks for its credential in the request body."""
    methods = config.active_methods
    lists = [
        (bool(methods & {"bearer", "introspection", "userinfo"}), config.bearer_token_param_type),
        ("refresh_token" in methods, config.refresh_token_param_type),
        ("password" in methods, config.password_param_type),
        ("client_credentials" in methods, config.client_credentials_param_type),
    ]
    return any(enabled and "body" in types for enabled, types in lists)
