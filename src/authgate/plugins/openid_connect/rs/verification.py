"""The JWT verification of one plugin config: its policy, its keys, its cache of verified claims.

The policy needs the discovered issuer, so it is built on first use; its fingerprint keys the
cache of verified claims (:mod:`..idp_client.token_cache`), so a token verified under one
issuer, audience or key source is never a hit under another.
"""

from __future__ import annotations

import hashlib
from typing import Any

from joserfc.jwk import OctKey

from authgate.plugins.openid_connect.errors import InvalidTokenError
from authgate.plugins.openid_connect.idp_client.provider import Provider
from authgate.plugins.openid_connect.idp_client.token_cache import KeyPrefix, cache_key
from authgate.plugins.openid_connect.rs.access_token import (
    ASYMMETRIC_ALGORITHMS,
    HMAC_ALGORITHMS,
    VerifyPolicy,
    parse_jwt,
    verify_jwt,
)
from authgate.plugins.openid_connect.rs.bearer import is_b64token
from authgate.plugins.openid_connect.schema import OpenIDConnectConfig
from authgate.plugins.openid_connect.services import OidcServices

__all__ = ["JwtVerifier"]


class JwtVerifier:
    """Verifies JWTs under one config's allow-listed algorithms, issuers, audience and keys."""

    def __init__(
        self, config: OpenIDConnectConfig, services: OidcServices, provider: Provider
    ) -> None:
        self.config = config
        self.services = services
        self.provider = provider
        algorithms = set(ASYMMETRIC_ALGORITHMS)
        if config.enable_hs_signatures:
            algorithms |= HMAC_ALGORITHMS
        self.algorithms = frozenset(algorithms)
        self.current: VerifyPolicy | None = None
        """The policy once built (:meth:`policy`), else None."""
        self._verified_keys: KeyPrefix | None = None

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

    async def policy(self) -> VerifyPolicy:
        """The verification policy (needs the discovered issuer)."""
        if self.current is None:
            metadata = await self.provider.metadata()
            config = self.config
            self.current = VerifyPolicy(
                issuers=frozenset({metadata.issuer, *(config.issuers_allowed or ())}),
                algorithms=self.algorithms,
                leeway=config.leeway,
                audience=frozenset(config.audience or ()),
                audience_claim=tuple(config.audience_claim),
                key_source=self._key_source(),
            )
            self._verified_keys = KeyPrefix(self.current.fingerprint)
        return self.current

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
        return await self.verify_uncached(token, b64token=is_b64token(token))

    async def verify_uncached(self, token: str, *, b64token: bool) -> dict[str, Any]:
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
