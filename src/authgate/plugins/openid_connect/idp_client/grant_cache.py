"""Kong's ``cache_tokens``: tokens the gateway obtained by the password and client-credentials
grants (RFC 6749 §4.3, §4.4), reused until they expire instead of asking the IdP every time.

- The key is a keyed BLAKE2b-256 (RFC 7693 §2.5 keyed mode, a MAC like HMAC but one call,
  ~1.5 µs against HMAC-SHA256's ~4 µs on every cached request), keyed by
  ``cache_tokens_salt`` (a random per-process secret by default, as Kong's is
  auto-generated), over the grant, token endpoint, client, scopes, the verification policy
  that checked the token, and the presented credentials. The plain credentials are never
  stored, and without the salt a key cannot be recomputed from a guess.
- An entry lives until the token's ``exp`` (or ``expires_in``) less ``leeway``, and at most
  ``cache_ttl`` bounded by ``cache_ttl_min``/``cache_ttl_max`` (Kong's ``bound_ttl``).
- A refusal (wrong password) is cached only with ``cache_ttl_neg`` and then only as a refusal:
  a cached entry never turns a refused credential into a success.
- At most :data:`GRANT_CACHE_MAX_ENTRIES` entries; the least recently used goes first.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from authgate.plugins.openid_connect.idp_client.grants import InvalidCredentialsError, TokenResponse
from authgate.plugins.openid_connect.idp_client.token_cache import TokenCache

__all__ = [
    "GRANT_CACHE_MAX_ENTRIES",
    "CacheTtls",
    "GrantCache",
    "ObtainedTokens",
]

GRANT_CACHE_MAX_ENTRIES = 10_000
SALT_BYTES = 32
_BLAKE2B_MAX_KEY = 64  # RFC 7693 §2.1: kk <= 64 bytes; longer salts are hashed to 64
_SALT_MEMO_MAX = 64  # configured salts seen (one per openid-connect config, at most)


@dataclass(frozen=True, slots=True)
class ObtainedTokens:
    """Tokens the gateway obtained for a client, with the claims they carry."""

    tokens: TokenResponse
    claims: dict[str, Any]


class _Refused:
    """A cached refusal of the token endpoint (only with ``cache_ttl_neg``)."""

    __slots__ = ()


_REFUSED = _Refused()


@dataclass(frozen=True, slots=True)
class CacheTtls:
    """Kong's ``cache_ttl``, ``cache_ttl_min``, ``cache_ttl_max`` and ``cache_ttl_neg``."""

    default: float
    maximum: float | None = None
    negative: float = 0.0

    @classmethod
    def of(
        cls,
        ttl: float,
        minimum: float | None = None,
        maximum: float | None = None,
        negative: float | None = None,
    ) -> CacheTtls:
        """Kong's ``get_ttl_opts``: min is lowered to max, and both bound the default."""
        maximum = maximum or None  # 0 means "no bound", as in Kong
        minimum = minimum or None
        if maximum is not None and minimum is not None and minimum > maximum:
            minimum = maximum
        if maximum is not None:
            ttl = min(ttl, maximum)
        if minimum is not None:
            ttl = max(ttl, minimum)
        return cls(ttl, maximum, negative or 0.0)

    def expiry(self, exp: object, now: float, leeway: float = 0.0) -> float:
        """When an entry for a token expiring at ``exp`` (epoch seconds or None) must go.

        Never later than ``exp - leeway``: a cached token is never handed out expired.
        """
        until = now + self.default
        if isinstance(exp, int | float) and not isinstance(exp, bool):
            until = min(until, float(exp) - leeway)
        return until


class GrantCache:
    """Obtained tokens (and, with a negative ttl, refusals) under salted credential hashes."""

    def __init__(
        self, clock: Callable[[], float], max_entries: int = GRANT_CACHE_MAX_ENTRIES
    ) -> None:
        self._clock = clock
        self._salt = secrets.token_bytes(SALT_BYTES)
        self._salts: dict[str, bytes] = {}
        self._entries: TokenCache[ObtainedTokens | _Refused] = TokenCache(
            clock, max_entries, lru=True
        )

    def key(self, salt: str | None, context: str, credentials: tuple[str, ...]) -> bytes:
        """Keyed BLAKE2b-256 (key: ``salt``, else this process's random salt) of the context
        and the secrets, NUL-separated."""
        message = "\x00".join((context, *credentials)).encode("utf-8", "surrogatepass")
        key = self._salt_key(salt) if salt else self._salt
        return hashlib.blake2b(message, key=key, digest_size=32).digest()

    def _salt_key(self, salt: str) -> bytes:
        key = self._salts.get(salt)
        if key is None:
            key = salt.encode("utf-8", "surrogatepass")
            if len(key) > _BLAKE2B_MAX_KEY:
                key = hashlib.blake2b(key, digest_size=_BLAKE2B_MAX_KEY).digest()
            if len(self._salts) >= _SALT_MEMO_MAX:
                self._salts.clear()
            self._salts[salt] = key
        return key

    def get(self, key: bytes) -> ObtainedTokens | None:
        """The cached tokens; a cached refusal raises :class:`InvalidCredentialsError`."""
        entry = self._entries.get(key)
        if isinstance(entry, _Refused):
            raise InvalidCredentialsError("grant refused (cached)")
        return entry

    def put(self, key: bytes, obtained: ObtainedTokens, expires_at: float) -> None:
        """Keep ``obtained`` until ``expires_at`` (replaces a cached refusal)."""
        self._entries.put(key, obtained, expires_at)

    def refuse(self, key: bytes, ttls: CacheTtls) -> None:
        """Remember a refusal for ``cache_ttl_neg`` seconds (not at all when it is 0)."""
        if ttls.negative > 0:
            self._entries.put(key, _REFUSED, self._clock() + ttls.negative)

    def __len__(self) -> int:
        return len(self._entries)

    def keys(self) -> list[bytes]:
        """The stored keys (for tests that check no plain secret is kept)."""
        return self._entries.keys()
