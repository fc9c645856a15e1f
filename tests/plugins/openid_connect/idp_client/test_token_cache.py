"""The verified-token cache: keyed by token and verifying config, bounded, never past exp."""

from __future__ import annotations

from authgate.plugins.openid_connect.idp_client.token_cache import KeyPrefix, TokenCache, cache_key
from authgate.plugins.openid_connect.rs.access_token import ASYMMETRIC_ALGORITHMS, VerifyPolicy


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def _policy(audience: str) -> VerifyPolicy:
    return VerifyPolicy(
        frozenset({"https://op"}), ASYMMETRIC_ALGORITHMS, 0, frozenset({audience}), ("aud",)
    )


def test_a_token_verified_for_one_audience_is_not_a_hit_for_another() -> None:
    cache: TokenCache[str] = TokenCache(Clock())
    cache.put(cache_key(_policy("api-1").fingerprint, "tok"), "claims", 2_000)
    assert cache.get(cache_key(_policy("api-1").fingerprint, "tok")) == "claims"
    assert cache.get(cache_key(_policy("api-2").fingerprint, "tok")) is None


def test_entries_expire_at_the_token_exp() -> None:
    clock = Clock()
    cache: TokenCache[str] = TokenCache(clock)
    cache.put(b"k", "v", 1_010)
    clock.now = 1_009.9
    assert cache.get(b"k") == "v"
    clock.now = 1_010
    assert cache.get(b"k") is None
    assert len(cache) == 0


def test_already_expired_values_are_not_stored() -> None:
    cache: TokenCache[str] = TokenCache(Clock())
    cache.put(b"k", "v", 999)
    assert len(cache) == 0


def test_the_cache_is_bounded_and_drops_the_oldest() -> None:
    cache: TokenCache[int] = TokenCache(Clock(), max_entries=3)
    for n in range(5):
        cache.put(bytes([n]), n, 2_000)
    assert len(cache) == 3
    assert cache.get(bytes([0])) is None
    assert cache.get(bytes([4])) == 4


def test_keys_never_contain_the_secret() -> None:
    key = cache_key("password grant", "alice", "Correct-Horse-9")
    assert b"Correct-Horse-9" not in key
    assert key != cache_key("password grant", "alice", "other")


def test_a_hit_looked_up_with_the_precomputed_prefix_finds_what_was_stored() -> None:
    fingerprint = _policy("api-1").fingerprint
    assert KeyPrefix(fingerprint).key("tok") == cache_key(fingerprint, "tok")
    assert KeyPrefix(fingerprint).key("tok") != KeyPrefix(_policy("api-2").fingerprint).key("tok")
