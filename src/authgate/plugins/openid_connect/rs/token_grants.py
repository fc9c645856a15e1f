"""Credentials traded at the token endpoint: refresh_token, password, client_credentials.

Kong's ``cache_tokens`` (:mod:`..idp_client.grant_cache`) sits in front of the token endpoint:
a grant's result (or its refusal) is cached under a key of the grant, the endpoint, the client
and the verification policy, salted with ``cache_tokens_salt``.
"""

from __future__ import annotations

from typing import Any

from authgate.plugins.openid_connect.idp_client.client_auth import ClientCredentials
from authgate.plugins.openid_connect.idp_client.grant_cache import CacheTtls, ObtainedTokens
from authgate.plugins.openid_connect.idp_client.grants import (
    InvalidCredentialsError,
    request_tokens,
)
from authgate.plugins.openid_connect.idp_client.token_cache import cached
from authgate.plugins.openid_connect.rs.access_token import looks_like_jwt
from authgate.plugins.openid_connect.rs.bearer import Found, find_pair
from authgate.plugins.openid_connect.rs.identity import Identity, Request
from authgate.plugins.openid_connect.rs.verification import JwtVerifier

__all__ = ["TokenGrants"]


class TokenGrants:
    """The grant-based auth methods of one plugin config."""

    def __init__(
        self, verifier: JwtVerifier, client: ClientCredentials | None, ttls: CacheTtls
    ) -> None:
        self.verifier = verifier
        self.config = verifier.config
        self.services = verifier.services
        self.client = client
        self.ttls = ttls
        self.methods = self.config.active_methods
        self.timeout = self.config.timeout / 1000
        salt = self.config.cache_tokens_salt
        self._salt = salt.get_secret_value() if salt is not None else None

    async def search(self, request: Request) -> Identity | None:
        """A ``password`` or ``client_credentials`` pair in the request, traded for tokens."""
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

    async def refresh(self, found: Found) -> Identity:
        """The tokens a presented refresh token is traded for."""
        grant = {"grant_type": "refresh_token", "refresh_token": found.value}
        obtained = await self._obtain(grant, self.client, (found.value,))
        identity = _identity("refresh_token", obtained, found)
        # Without rotation (Cognito) the presented refresh token stays the valid one.
        identity.refresh_token = identity.refresh_token or found.value
        return identity

    async def _password(self, username: str, password: str, source: str) -> Identity:
        grant = {"grant_type": "password", "username": username, "password": password}
        if self.config.scopes:
            grant["scope"] = " ".join(self.config.scopes)
        obtained = await self._obtain(grant, self.client, (username, password))
        return _identity("password", obtained, Found(username, source))

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
            return _identity("client_credentials", known, Found(client_id, source))
        obtained = await self._obtain(grant, caller, secrets, own_client=False)
        return _identity("client_credentials", obtained, Found(client_id, source))

    async def _grant_key(
        self, grant: dict[str, str], credentials: ClientCredentials | None, secrets: tuple[str, ...]
    ) -> tuple[str, ClientCredentials, bytes]:
        """The token endpoint, the client and the grant cache key of a grant."""
        if credentials is None:
            raise InvalidCredentialsError("no client configured")
        metadata = await self.verifier.provider.metadata()
        endpoint = self.config.token_endpoint or metadata.token_endpoint
        if endpoint is None:
            raise InvalidCredentialsError("the provider has no token endpoint")
        policy = self.verifier.current or await self.verifier.policy()
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
        """Kong's ``cache_tokens`` in front of the token endpoint; refusals are cached too."""
        endpoint, client, key = await self._grant_key(grant, credentials, secrets)
        cache = self.services.obtained if self.config.cache_tokens else None

        async def fetch() -> ObtainedTokens:
            try:
                tokens = await request_tokens(
                    self.services.client, endpoint, grant, client,
                    timeout=self.timeout, verify=self.config.ssl_verify, own_client=own_client,
                )  # fmt: skip
            except InvalidCredentialsError:
                if cache is not None:
                    cache.refuse(key, self.ttls)
                raise
            claims: dict[str, Any] = {"scope": tokens.scope} if tokens.scope else {}
            if looks_like_jwt(tokens.access_token):
                claims = await self.verifier.verify(tokens.access_token)
            return ObtainedTokens(tokens, claims)

        return await cached(cache, key, fetch, self._expires_at)

    def _expires_at(self, obtained: ObtainedTokens) -> float:
        """Until when obtained tokens stay cached: their ``exp`` or ``expires_in``, bounded."""
        now = self.services.clock()
        exp = obtained.claims.get("exp")
        if exp is None and obtained.tokens.expires_in is not None:
            exp = now + obtained.tokens.expires_in
        policy = self.verifier.current
        leeway = policy.leeway if policy is not None else 0
        return self.ttls.expiry(exp, now, leeway)


def _identity(method: str, obtained: ObtainedTokens, found: Found) -> Identity:
    tokens = obtained.tokens
    return Identity(
        method, obtained.claims, found, tokens.access_token, tokens.id_token,
        tokens.refresh_token,
    )  # fmt: skip
