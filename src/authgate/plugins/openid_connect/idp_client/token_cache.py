"""A bounded cache of verification results, keyed by token hash **and** the verifying config.

lua-resty-openidc#399 and mod_auth_openidc's 2026 fix: a token validated for one issuer and
audience must not be a cache hit where another issuer or audience applies, so every key
includes the fingerprint of the configuration that produced the result. Entries never
outlive the token's ``exp`` (nor ``max_ttl``); the oldest entries go first when full (the least
recently used with ``lru=True``).
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Generic, Protocol, TypeVar

__all__ = ["DEFAULT_MAX_ENTRIES", "CacheStore", "KeyPrefix", "TokenCache", "cache_key", "cached"]

DEFAULT_MAX_ENTRIES = 10_000
V = TypeVar("V")


def cache_key(fingerprint: str, *secrets: str) -> bytes:
    """SHA-256 over the config fingerprint and the secret parts (tokens, passwords).

    The plain secrets are never stored: only this digest is.
    """
    digest = hashlib.sha256(fingerprint.encode())
    for part in secrets:
        digest.update(b"\x00")
        digest.update(part.encode("utf-8", "surrogatepass"))
    return digest.digest()


class KeyPrefix:
    """:func:`cache_key` for one fixed fingerprint, with the fingerprint encoded once."""

    __slots__ = ("_prefix",)

    def __init__(self, fingerprint: str) -> None:
        self._prefix = fingerprint.encode() + b"\x00"

    def key(self, secret: str) -> bytes:
        """The same digest as ``cache_key(fingerprint, secret)``."""
        return hashlib.sha256(self._prefix + secret.encode("utf-8", "surrogatepass")).digest()


class TokenCache(Generic[V]):
    """Values with an absolute expiry, at most ``max_entries`` of them.

    Eviction is FIFO, or LRU with ``lru`` (a hit then moves the entry to the young end).
    """

    def __init__(
        self,
        clock: Callable[[], float],
        max_entries: int = DEFAULT_MAX_ENTRIES,
        *,
        lru: bool = False,
    ) -> None:
        self._clock = clock
        self._max = max_entries
        self._lru = lru
        self._entries: OrderedDict[bytes, tuple[float, V]] = OrderedDict()

    def get(self, key: bytes) -> V | None:
        """The value, or None when absent or expired (an expired entry is dropped)."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires_at, value = entry
        if self._clock() >= expires_at:
            del self._entries[key]
            return None
        if self._lru:
            self._entries.move_to_end(key)
        return value

    def put(self, key: bytes, value: V, expires_at: float) -> None:
        """Keep ``value`` until ``expires_at`` (epoch seconds); already expired: not stored."""
        if expires_at <= self._clock():
            return
        entries = self._entries
        entries[key] = (expires_at, value)
        entries.move_to_end(key)
        while len(entries) > self._max:
            entries.popitem(last=False)

    def discard(self, key: bytes) -> None:
        """Forget ``key``."""
        self._entries.pop(key, None)

    def keys(self) -> list[bytes]:
        """The stored keys, oldest first."""
        return list(self._entries)

    def __len__(self) -> int:
        return len(self._entries)


class CacheStore(Protocol[V]):
    """What :func:`cached` needs of a cache (a :class:`TokenCache`, the grant cache)."""

    def get(self, key: bytes, /) -> V | None: ...

    def put(self, key: bytes, value: V, expires_at: float, /) -> None: ...


async def cached(
    store: CacheStore[V] | None,
    key: bytes,
    fetch: Callable[[], Awaitable[V]],
    expires_at: Callable[[V], float],
) -> V:
    """``store``'s value for ``key``, else ``fetch()``'s, kept until ``expires_at(value)``.

    With ``store`` None (caching disabled) every call fetches. A store's ``get`` may raise
    (the grant cache's remembered refusals); so may ``fetch``, and then nothing is stored.
    """
    if store is not None and (hit := store.get(key)) is not None:
        return hit
    value = await fetch()
    if store is not None:
        store.put(key, value, expires_at(value))
    return value
