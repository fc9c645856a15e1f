"""Kong's credential search: bearer JWT → introspection → userinfo → refresh_token → password →
client_credentials (research/rp.md §2.1); the first credential found decides.

``session`` and ``authorization_code`` run in :mod:`..rp.browser_flow` before this; ``kong_oauth2``
is accepted in ``auth_methods`` but not run (docs/openid-connect.md). Every result carries the
claims used for authorization and where the credential was found, so ``hide_credentials``
removes exactly that.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from joserfc.jwk import OctKey

from authgate.plugins.base import Headers
from authgate.plugins.openid_connect.errors import InvalidTokenError
from authgate.plugins.openid_connect.idp_client.client_auth import ClientCredentials
from authgate.plugins.openid_connect.idp_client.grant_cache import CacheTtls, ObtainedTokens
from authgate.plugins.openid_connect.idp_client.grants import (
    InvalidCredentialsError,
    request_tokens,
)
from authgate.plugins.openid_connect.idp_client.provider import Provider, ProviderSettings
from authgate.plugins.openid_connect.idp_client.token_cache import KeyPrefix, cache_key
from authgate.plugins.openid_connect.rs.access_token import (
    ASYMMETRIC_ALGORITHMS,
    HMAC_ALGORITHMS,
    VerifyPolicy,
    looks_like_jwt,
    parse_jwt,
    unverified_claims,
    verify_jwt,
)
from authgate.plugins.openid_connect.rs.bearer import (
    Found,
    check_token,
    find_pair,
    find_param,
    is_b64token,
    locate_bearer,
)
from authgate.plugins.openid_connect.rs.introspection import check_introspection, introspect
from authgate.plugins.openid_connect.rs.userinfo import fetch_userinfo
from authgate.plugins.openid_connect.schema import OpenIDConnectConfig
from authgate.plugins.openid_connect.services import OidcServices

__all__ = ["Authenticator", "Identity"]


@dataclass(slots=True)
class Identity:
    """A successful authentication."""

    method: str
    claims: dict[str, Any]
    found: Found
    access_token: str | None = field(default=None, repr=False)
    id_token: str | None = field(default=None, repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    introspection: dict[str, Any] | None = None
    userinfo: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Request:
    """The request pieces credentials are read from."""

    headers: Headers
    query: Mapping[str, list[str]]
    body: Mapping[str, list[str]] | None


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
        self.client = self._client_credentials()
        algorithms = set(ASYMMETRIC_ALGORITHMS)
        if config.enable_hs_signatures:
            algorithms |= HMAC_ALGORITHMS
        self.algorithms = frozenset(algorithms)
        self.timeout = config.timeout / 1000
        salt = config.cache_tokens_salt
        self._salt = salt.get_secret_value() if salt is not None else None
        self.ttls = CacheTtls.of(
            config.cache_ttl, config.cache_ttl_min, config.cache_ttl_max, config.cache_ttl_neg
        )
        self._policy: VerifyPolicy | None = None
        self._verified_keys: KeyPrefix | None = None
        self._introspected_keys: tuple[str, KeyPrefix] | None = None
        self._bearer_jwt = "bearer" in self.methods

    def _key_source(self) -> str:
        """Where verification keys come from: JWKS locations and a digest of HMAC secrets."""
        config = self.config
        settings = self.provider.settings
        secrets = b""
        if config.enable_hs_signatures:
            digest = hashlib.sha256()
            for secret in config.client_secret or ():
                digest.update(secret.get_secret_value().encode() + b"\x00")
            secrets = digest.digest()
        return repr((settings.issuer, settings.jwks_endpoint, settings.extra_jwks_uris, secrets))

    def _client_credentials(self) -> ClientCredentials | None:
        config = self.config
        if not config.client_id:
            return None
        secret = config.client_secret[0].get_secret_value() if config.client_secret else None
        method = config.token_endpoint_auth_method or (
            config.client_auth[0] if config.client_auth else "client_secret_basic"
        )
        return ClientCredentials(config.client_id[0].get_secret_value(), secret, method)

    async def policy(self) -> VerifyPolicy:
        """The verification policy (needs the discovered issuer)."""
        if self._policy is None:
            metadata = await self.provider.metadata()
            config = self.config
            self._policy = VerifyPolicy(
                issuers=frozenset({metadata.issuer, *(config.issuers_allowed or ())}),
                algorithms=self.algorithms,
                leeway=config.leeway,
                audience=frozenset(config.audience or ()),
                audience_claim=tuple(config.audience_claim),
                key_source=self._key_source(),
            )
            self._verified_keys = KeyPrefix(self._policy.fingerprint)
        return self._policy

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
                return await self._refresh(found)
        return await self._grants(request)

    async def _grants(self, request: Request) -> Identity | None:
        config, methods = self.config, self.methods
        if "password" in methods:
            pair = find_pair(
                request.headers,
                request.query,
                request.body,
                config.password_param_type,
                ("username", "password"),
            )
            if pair is not None:
                basic = "client_credentials" in methods and pair[2] == "header:authorization"
                if basic and (known := await self._client_grant(*pair, cached_only=True)):
                    return known  # a client's pair: skip the password grant it would fail
                try:
                    return await self._password(*pair)
                except InvalidCredentialsError:
                    # `curl -u client_id:secret` reaches here first, as in Kong's order.
                    if not basic:
                        raise
        if "client_credentials" in methods:
            pair = find_pair(
                request.headers,
                request.query,
                request.body,
                config.client_credentials_param_type,
                ("client_id", "client_secret"),
            )
            if pair is not None:
                return await self._client_grant(*pair)
        return None

    # -- tokens the client presented -----------------------------------------------------
    async def _token(self, found: Found) -> Identity:
        token, methods = found.value, self.methods
        if self._bearer_jwt and looks_like_jwt(token):
            claims = self.cached_claims(token)
            if claims is None:
                claims = await self._verify(check_token(found).value, b64token=True)
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

    def cached_claims(self, token: str) -> dict[str, Any] | None:
        """The claims of ``token`` when it was verified under this policy and has not expired.

        Looked up before the token is parsed: only tokens that were parsed, verified and
        passed the RFC 6750 b64token check under the same policy fingerprint are cached.
        """
        keys = self._verified_keys
        if keys is None:
            return None
        return self.services.verified.get(keys.key(token))

    async def verify(self, token: str) -> dict[str, Any]:
        """A JWT's verified claims (cached per token and verification policy)."""
        claims = self.cached_claims(token)
        if claims is not None:
            return claims
        return await self._verify(token, b64token=is_b64token(token))

    async def _verify(self, token: str, *, b64token: bool) -> dict[str, Any]:
        """A cache miss: parse, find the key, verify; cache the result (see cached_claims)."""
        parsed = parse_jwt(token, self.algorithms)
        policy = await self.policy()
        if parsed.alg in HMAC_ALGORITHMS:
            keys = self._hmac_keys()
        else:
            keys = list(await self.provider.keys_for(parsed.kid))
        if not keys:
            raise InvalidTokenError("signing key not found")
        claims = verify_jwt(parsed, keys, policy, self.services.clock())
        if b64token:  # a later hit skips the bearer token check (check_token)
            key = cache_key(policy.fingerprint, token)
            self.services.verified.put(key, claims, float(claims["exp"]) + policy.leeway)
        return claims

    def _hmac_keys(self) -> list[Any]:
        return [OctKey.import_key(s.get_secret_value()) for s in self.config.client_secret or ()]

    async def _introspect(self, token: str) -> dict[str, Any]:
        metadata = self.provider.current_metadata() or await self.provider.metadata()
        endpoint = self.config.introspection_endpoint or metadata.introspection_endpoint
        client = self.client
        if endpoint is None or client is None:
            raise InvalidTokenError("token cannot be introspected")
        policy = self._policy or await self.policy()
        config, cache = self.config, self.services.introspected
        memo = self._introspected_keys
        if memo is None or memo[0] != endpoint:
            text = f"introspect {endpoint} {client.client_id} {policy.fingerprint}"
            memo = self._introspected_keys = (endpoint, KeyPrefix(text))
        key = memo[1].key(token)
        if config.cache_introspection:
            cached = cache.get(key)
            if cached is not None:
                return cached
        document = await introspect(
            self.services.client, endpoint, token, client,
            hint=config.introspection_hint, param_name=config.introspection_token_param_name,
            timeout=self.timeout, verify=config.ssl_verify,
        )  # fmt: skip
        now = self.services.clock()
        claims = check_introspection(
            document, config.introspection_check_active, policy.issuers, now
        )
        if config.cache_introspection:
            cache.put(key, claims, self.ttls.expiry(claims.get("exp"), now))
        return claims

    async def _userinfo(self, token: str) -> dict[str, Any]:
        metadata = await self.provider.metadata()
        endpoint = self.config.userinfo_endpoint or metadata.userinfo_endpoint
        if endpoint is None:
            raise InvalidTokenError("token cannot be checked at a userinfo endpoint")
        cache = self.services.userinfo
        key = cache_key(f"userinfo {endpoint}", token)
        if self.config.cache_user_info:
            cached = cache.get(key)
            if cached is not None:
                return cached
        document = await fetch_userinfo(
            self.services.client,
            endpoint,
            token,
            timeout=self.timeout,
            verify=self.config.ssl_verify,
        )
        if self.config.cache_user_info:
            # Read without verification: only ever used to cache *less* long.
            expires = unverified_claims(token).get("exp")
            cache.put(key, document, self.ttls.expiry(expires, self.services.clock()))
        return document

    # -- credentials traded at the token endpoint ----------------------------------------------
    async def _refresh(self, found: Found) -> Identity:
        grant = {"grant_type": "refresh_token", "refresh_token": found.value}
        obtained = await self._obtain(grant, self.client, (found.value,))
        identity = self._obtained_identity("refresh_token", obtained, found)
        # Without rotation (Cognito) the presented refresh token stays the valid one.
        identity.refresh_token = identity.refresh_token or found.value
        return identity

    async def _password(self, username: str, password: str, source: str) -> Identity:
        grant = {"grant_type": "password", "username": username, "password": password}
        if self.config.scopes:
            grant["scope"] = " ".join(self.config.scopes)
        obtained = await self._obtain(grant, self.client, (username, password))
        return self._obtained_identity("password", obtained, Found(username, source))

    async def _client_grant(
        self, client_id: str, secret: str, source: str, *, cached_only: bool = False
    ) -> Identity | None:
        grant = {"grant_type": "client_credentials"}
        # `openid` names an end user; a client-credentials token has none (Cognito refuses it).
        scopes = [s for s in self.config.scopes or () if s != "openid"]
        if scopes:
            grant["scope"] = " ".join(scopes)
        method = self.client.method if self.client is not None else "client_secret_basic"
        caller = ClientCredentials(client_id, secret, method)
        secrets = (client_id, secret)
        if cached_only:
            if (known := await self._cached(grant, caller, secrets)) is None:
                return None
            return self._obtained_identity("client_credentials", known, Found(client_id, source))
        obtained = await self._obtain(grant, caller, secrets, own_client=False)
        return self._obtained_identity("client_credentials", obtained, Found(client_id, source))

    def _obtained_identity(self, method: str, obtained: ObtainedTokens, found: Found) -> Identity:
        tokens = obtained.tokens
        return Identity(
            method, obtained.claims, found, tokens.access_token, tokens.id_token,
            tokens.refresh_token,
        )  # fmt: skip

    async def _grant_key(
        self, grant: dict[str, str], credentials: ClientCredentials | None, secrets: tuple[str, ...]
    ) -> tuple[str, ClientCredentials, bytes]:
        """The token endpoint, the client and the :mod:`..idp_client.grant_cache` key of a grant."""
        if credentials is None:
            raise InvalidCredentialsError("no client configured")
        metadata = await self.provider.metadata()
        endpoint = self.config.token_endpoint or metadata.token_endpoint
        if endpoint is None:
            raise InvalidCredentialsError("the provider has no token endpoint")
        policy = self._policy or await self.policy()
        context = (
            f"{grant['grant_type']} {endpoint} {credentials.client_id} {grant.get('scope', '')}"
            f" {policy.fingerprint}"
        )
        return endpoint, credentials, self.services.obtained.key(self._salt, context, secrets)

    async def _cached(
        self, grant: dict[str, str], credentials: ClientCredentials | None, secrets: tuple[str, ...]
    ) -> ObtainedTokens | None:
        """The cached result of ``grant``, if any (a cached refusal raises)."""
        if not self.config.cache_tokens:
            return None
        return self.services.obtained.get((await self._grant_key(grant, credentials, secrets))[2])

    async def _obtain(
        self,
        grant: dict[str, str],
        credentials: ClientCredentials | None,
        secrets: tuple[str, ...],
        *,
        own_client: bool = True,
    ) -> ObtainedTokens:
        """Kong's ``cache_tokens`` (:mod:`..idp_client.grant_cache`) before the token endpoint."""
        endpoint, client, key = await self._grant_key(grant, credentials, secrets)
        cache, caching = self.services.obtained, self.config.cache_tokens
        if caching and (cached := cache.get(key)) is not None:
            return cached
        try:
            tokens = await request_tokens(
                self.services.client, endpoint, grant, client,
                timeout=self.timeout, verify=self.config.ssl_verify, own_client=own_client,
            )  # fmt: skip
        except InvalidCredentialsError:
            if caching:
                cache.refuse(key, self.ttls)
            raise
        claims: dict[str, Any] = {"scope": tokens.scope} if tokens.scope else {}
        if looks_like_jwt(tokens.access_token):
            claims = await self.verify(tokens.access_token)
        obtained = ObtainedTokens(tokens, claims)
        if caching:
            now = self.services.clock()
            exp = claims.get("exp")
            if exp is None and tokens.expires_in is not None:
                exp = now + tokens.expires_in
            leeway = self._policy.leeway if self._policy is not None else 0
            cache.put(key, obtained, self.ttls.expiry(exp, now, leeway))
        return obtained
