"""The grant cache's rules without sockets: Kong's ttl bounds, LRU eviction, salted keys."""

from __future__ import annotations

import pytest

from authgate.plugins.openid_connect.idp_client.grant_cache import (
    CacheTtls,
    GrantCache,
    ObtainedTokens,
)
from authgate.plugins.openid_connect.idp_client.grants import InvalidCredentialsError, TokenResponse

from .test_token_cache import Clock

NOW = 1_000.0


@pytest.mark.parametrize(
    ("ttl", "minimum", "maximum", "exp", "leeway", "until"),
    [
        (3600, None, None, None, 0, NOW + 3600),  # no exp: cache_ttl
        (3600, None, None, NOW + 300, 0, NOW + 300),  # the token's exp wins
        (3600, None, None, NOW + 300, 60, NOW + 240),  # less leeway
        (3600, None, 60, NOW + 300, 0, NOW + 60),  # cache_ttl_max caps
        (30, 120, None, None, 0, NOW + 120),  # cache_ttl_min raises cache_ttl
        (30, 120, None, NOW + 50, 0, NOW + 50),  # ... but never past exp
        (30, 120, 60, None, 0, NOW + 60),  # min above max is lowered to max (Kong)
        (3600, 0, 0, None, 0, NOW + 3600),  # 0 means no bound
    ],
)
def test_entry_lifetime_follows_kongs_ttl_bounds(
    ttl: float,
    minimum: float | None,
    maximum: float | None,
    exp: float | None,
    leeway: float,
    until: float,
) -> None:
    assert CacheTtls.of(ttl, minimum, maximum).expiry(exp, NOW, leeway) == until


def _tokens(name: str) -> ObtainedTokens:
    return ObtainedTokens(TokenResponse(access_token=name, expires_in=3600), {})


def test_the_least_recently_used_entry_goes_first() -> None:
    cache = GrantCache(Clock(), max_entries=2)
    a, b, c = (cache.key(None, "ctx", (name,)) for name in "abc")
    cache.put(a, _tokens("a"), 5_000)
    cache.put(b, _tokens("b"), 5_000)
    assert cache.get(a) is not None  # a is now the most recently used
    cache.put(c, _tokens("c"), 5_000)
    assert cache.get(b) is None
    assert cache.get(a) is not None
    assert cache.get(c) is not None


def test_keys_depend_on_the_salt_and_a_refusal_is_never_a_success() -> None:
    clock = Clock()
    one, other = GrantCache(clock), GrantCache(clock)
    secret = ("alice", "pw")
    assert one.key(None, "ctx", secret) != other.key(None, "ctx", secret)  # random salts
    assert one.key("salt", "ctx", secret) == other.key("salt", "ctx", secret)
    assert one.key("salt", "ctx", secret) != one.key("pepper", "ctx", secret)
    key = one.key(None, "ctx", secret)
    one.refuse(key, CacheTtls.of(3600))  # no negative ttl: nothing is stored
    assert one.get(key) is None
    one.refuse(key, CacheTtls.of(3600, negative=10))
    with pytest.raises(InvalidCredentialsError):
        one.get(key)
    clock.now += 10
    assert one.get(key) is None


def test_a_salt_longer_than_a_blake2b_key_still_separates_and_repeats() -> None:
    clock = Clock()
    one, other = GrantCache(clock), GrantCache(clock)
    long_a, long_b = "s" * 100 + "a", "s" * 100 + "b"  # RFC 7693 keys stop at 64 bytes
    secret = ("client", "secret")
    assert one.key(long_a, "ctx", secret) == other.key(long_a, "ctx", secret)
    assert one.key(long_a, "ctx", secret) != one.key(long_b, "ctx", secret)
    assert len(one.key(long_a, "ctx", secret)) == 32
