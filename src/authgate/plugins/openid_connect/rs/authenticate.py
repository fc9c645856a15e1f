"""Kong's credential search: bearer JWT → introspection → userinfo → refresh_token → password →
client_credentials (research/rp.md §2.1); the first credential found decides.

``session`` and ``authorization_code`` run in :mod:`..rp.browser_flow` before this; ``kong_oauth2``
is accepted in ``auth_methods`` but not run (docs/openid-connect.md). Every result carries the
claims used for authorization and where the credential was found, so ``hide_credentials``
removes exactly that. JWT checks are in :mod:`.verification`, the grants in :mod:`.token_grants`.
"""

from __future__ import annotations

from typing import Any

from authgate.plugins.openid_connect.errors import InvalidTokenError
from authgate.plugins.openid_connect.idp_client.client_auth import ClientCredentials
from authgate.plugins.openid_connect.idp_client.grant_cache import CacheTtls
from authgate.plugins.openid_connect.idp_client.provider import Provider, ProviderSettings
from authgate.plugins.openid_connect.idp_client.token_cache import KeyPrefix, cache_key, cached
from authgate.plugins.openid_connect.rs.access_token import (
    VerifyPolicy,
    looks_like_jwt,
    unverified_claims,
)
from authgate.plugins.openid_connect.rs.bearer import Found, check_token, find_param, locate_bearer
from authgate.plugins.openid_connect.rs.identity import Identity, Request
from authgate.plugins.openid_connect.rs.introspection import check_introspection, introspect
from authgate.plugins.openid_connect.rs.token_grants import TokenGrants
from authgate.plugins.openid_connect.rs.userinfo import fetch_userinfo
from authgate.plugins.openid_connect.rs.verification import JwtVerifier
from authgate.plugins.openid_connect.schema import OpenIDConnectConfig
from authgate.plugins.openid_connect.services import OidcServices

__all__ = ["Authenticator", "Identity", "Request", "client_credentials"]


def client_credentials(config: OpenIDConnectConfig) -> ClientCredentials | None:
    """The gateway's own client at the IdP (``client_id[1]``, its secret and auth method)."""
    if not config.client_id:
        return None
    secret = config.client_secret[0].get_secret_value() if config.client_secret else None
    method = config.token_endpoint_auth_method or (
        config.client_auth[0] if config.client_auth else "client_secret_basic"
    )
    return ClientCredentials(config.client_id[0].get_secret_value(), secret, method)


class Authenticator:
    """Runs the enabled auth methods of one plugin config."""

    def __init__(self, config: OpenIDConnectConfig, services: OidcServices) -> None:
        self.config = config
        self.services = services
        self.methods = config.active_methods
        self.provider: Provider = services.provider(
            ProviderSettings(
                issuer=config.issuer,
                jwks_endpoint=config.jwks_endpoint,
                extra_jwks_uris=tuple(config.extra_jwks_uris or ()),
                rediscovery_lifetime=float(config.rediscovery_lifetime),
                timeout=config.timeout / 1000,
                ssl_verify=config.ssl_verify,
            )
        )
        self.client = client_credentials(config)
        self.verifier = JwtVerifier(config, services, self.provider)
        self.algorithms = self.verifier.algorithms
        self.timeout = config.timeout / 1000
        self.ttls = CacheTtls.of(
            config.cache_ttl, config.cache_ttl_min, config.cache_ttl_max, config.cache_ttl_neg
        )
        self.grants = TokenGrants(self.verifier, self.client, self.ttls)
        self._introspected_keys: tuple[str, KeyPrefix] | None = None
        self._bearer_jwt = "bearer" in self.methods

    async def policy(self) -> VerifyPolicy:
        """The verification policy (needs the discovered issuer)."""
        return await self.verifier.policy()

    async def authenticate(self, request: Request) -> Identity | None:
        """The identity behind the request's first credential, None if there is none."""
        config, methods = self.config, self.methods
        if methods & {"bearer", "introspection", "userinfo"}:
            found = locate_bearer(
                request.headers,
                request.query,
                request.body,
                config.bearer_token_param_type,
                config.bearer_token_cookie_name,
            )
            if found is not None:
                return await self._token(found)
        if "refresh_token" in methods:
            name = config.refresh_token_param_name or "refresh_token"
            found = find_param(
                request.headers, request.query, request.body, config.refresh_token_param_type, name
            )
            if found is not None:
                return await self.grants.refresh(found)
        return await self.grants.search(request)

    # -- tokens the client presented -----------------------------------------------------
    async def _token(self, found: Found) -> Identity:
        token, methods = found.value, self.methods
        if self._bearer_jwt and looks_like_jwt(token):
            claims = self.verifier.cached_claims(token)
            if claims is None:
                claims = await self.verifier.verify_uncached(
                    check_token(found).value, b64token=True
                )
            identity = Identity("bearer", claims, found, access_token=token)
            if self.config.introspect_jwt_tokens:
                identity.introspection = await self._introspect(token)
            return identity
        check_token(found)
        if "introspection" in methods:
            document = await self._introspect(token)
            return Identity("introspection", document, found, token, introspection=document)
        if "userinfo" in methods:
            document = await self._userinfo(token)
            return Identity("userinfo", document, found, token, userinfo=document)
        raise InvalidTokenError("token is not a JWT")

    async def _introspect(self, token: str) -> dict[str, Any]:
        metadata = self.provider.current_metadata() or await self.provider.metadata()
        endpoint = self.config.introspection_endpoint or metadata.introspection_endpoint
        client = self.client
        if endpoint is None or client is None:
            raise InvalidTokenError("token cannot be introspected")
        policy = self.verifier.current or await self.verifier.policy()
        config = self.config
        memo = self._introspected_keys
        if memo is None or memo[0] != endpoint:
            text = f"introspect {endpoint} {client.client_id} {policy.fingerprint}"
            memo = self._introspected_keys = (endpoint, KeyPrefix(text))

        async def fetch() -> dict[str, Any]:
            document = await introspect(
                self.services.client, endpoint, token, client,
                hint=config.introspection_hint, param_name=config.introspection_token_param_name,
                timeout=self.timeout, verify=config.ssl_verify,
            )  # fmt: skip
            now = self.services.clock()
            return check_introspection(
                document, config.introspection_check_active, policy.issuers, now
            )

        cache = self.services.introspected if config.cache_introspection else None
        return await cached(cache, memo[1].key(token), fetch, self._claims_expiry)

    def _claims_expiry(self, claims: dict[str, Any]) -> float:
        return self.ttls.expiry(claims.get("exp"), self.services.clock())

    async def _userinfo(self, token: str) -> dict[str, Any]:
        metadata = await self.provider.metadata()
        endpoint = self.config.userinfo_endpoint or metadata.userinfo_endpoint
        if endpoint is None:
            raise InvalidTokenError("token cannot be checked at a userinfo endpoint")

        async def fetch() -> dict[str, Any]:
            return await fetch_userinfo(
                self.services.client,
                endpoint,
                token,
                timeout=self.timeout,
                verify=self.config.ssl_verify,
            )

        def expires_at(_document: dict[str, Any]) -> float:
            # Read without verification: only ever used to cache *less* long.
            expires = unverified_claims(token).get("exp")
            return self.ttls.expiry(expires, self.services.clock())

        cache = self.services.userinfo if self.config.cache_user_info else None
        return await cached(cache, cache_key(f"userinfo {endpoint}", token), fetch, expires_at)
