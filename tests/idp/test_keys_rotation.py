"""Signing keys: separate ID/access keys, JWKS content, rotation pending -> active -> retired."""

from __future__ import annotations

from datetime import timedelta

import pytest
from idp_store_fixtures import T0
from joserfc import jwt
from joserfc.jwk import RSAKey

from authgate.idp.domain.keys import DEFAULT_PUBLISH_DELAY, KEY_RETENTION, key_timelines
from authgate.idp.domain.records import KeyState, KeyUse
from authgate.idp.storage.store import IdpStore

P, A, R, X = KeyState.PENDING, KeyState.ACTIVE, KeyState.RETIRING, KeyState.RETIRED
H = timedelta(hours=1)


@pytest.mark.parametrize(
    ("activations", "now", "states"),
    [
        ([0], 0, [A]),
        ([0, 1], 0.5, [A, P]),
        ([0, 1], 1, [R, A]),
        ([0, 1], 1 + 24, [R, A]),
        ([0, 1], 1 + 24 + 1 / 12, [X, A]),  # retention is 1 day + 5 minutes
        ([0, 1, 2], 2.5, [R, R, A]),
        ([0, 1, 2], 0.5, [A, P, P]),
    ],
)
def test_key_timeline_table(activations: list[float], now: float, states: list[KeyState]) -> None:
    lines = key_timelines([T0 + a * H for a in activations], T0 + now * H)
    assert [line.state for line in lines] == states


async def test_new_pool_has_distinct_id_and_access_keys(store: IdpStore) -> None:
    pool = await store.pools.create("kongpool")
    id_key = await store.keys.signing_key(pool.id, KeyUse.ID, T0)
    access_key = await store.keys.signing_key(pool.id, "access", T0)
    assert id_key.kid != access_key.kid
    assert id_key.state is access_key.state is KeyState.ACTIVE
    published = await store.keys.published(pool.id, T0)
    assert {k["kid"] for k in published} == {id_key.kid, access_key.kid}
    for jwk in published:
        assert set(jwk) == {"alg", "e", "kid", "kty", "n", "use"}
        assert (jwk["alg"], jwk["kty"], jwk["use"]) == ("RS256", "RSA", "sig")
    # kid is the RFC 7638 thumbprint of the public key.
    assert RSAKey.import_key(id_key.public_jwk).thumbprint() == id_key.kid


async def test_signing_key_signs_what_the_published_key_verifies(store: IdpStore) -> None:
    pool = await store.pools.create("kongpool")
    key = await store.keys.signing_key(pool.id, KeyUse.ACCESS, T0)
    token = jwt.encode(
        {"alg": "RS256", "kid": key.kid}, {"sub": "x"}, RSAKey.import_key(key.private_jwk)
    )
    published = {k["kid"]: k for k in await store.keys.published(pool.id, T0)}
    decoded = jwt.decode(token, RSAKey.import_key(published[key.kid]))
    assert decoded.claims["sub"] == "x"
    assert "d" not in published[key.kid]


async def test_rotation_publishes_before_use_and_retires_after_retention(store: IdpStore) -> None:
    pool = await store.pools.create("kongpool", now=T0)
    old = await store.keys.signing_key(pool.id, KeyUse.ID, T0)
    new_keys = await store.keys.rotate(pool.id, T0)
    new = next(k for k in new_keys if k.use is KeyUse.ID)
    assert {k.use for k in new_keys} == {KeyUse.ID, KeyUse.ACCESS}
    assert new.state is KeyState.PENDING
    assert new.activates_at == T0 + DEFAULT_PUBLISH_DELAY

    def kids(keys: list[dict[str, str]]) -> set[str]:
        return {k["kid"] for k in keys}

    # Pending: published, but the old key still signs.
    assert new.kid in kids(await store.keys.published(pool.id, T0))
    assert (await store.keys.signing_key(pool.id, KeyUse.ID, T0)).kid == old.kid
    # After the publish delay the new key signs; the old one stays published.
    switched = T0 + DEFAULT_PUBLISH_DELAY
    assert (await store.keys.signing_key(pool.id, KeyUse.ID, switched)).kid == new.kid
    states = {k.kid: k.state for k in await store.keys.all(pool.id, switched)}
    assert states[old.kid] is KeyState.RETIRING
    assert old.kid in kids(await store.keys.published(pool.id, switched + timedelta(hours=24)))
    # Once every token it signed has expired it leaves the JWKS, and the next rotation deletes it.
    gone = switched + KEY_RETENTION
    assert old.kid not in kids(await store.keys.published(pool.id, gone))
    assert {k.kid: k.state for k in await store.keys.all(pool.id, gone)}[
        old.kid
    ] is KeyState.RETIRED
    await store.keys.rotate(pool.id, gone, publish_delay=timedelta(0))
    assert old.kid not in {k.kid for k in await store.keys.all(pool.id, gone)}
    assert len(await store.keys.published(pool.id, gone)) == 4  # 2 retiring + 2 new active


async def test_rotation_with_zero_delay_switches_at_once(store: IdpStore) -> None:
    pool = await store.pools.create("kongpool")
    new = await store.keys.rotate(pool.id, T0, publish_delay=timedelta(0), uses=[KeyUse.ACCESS])
    assert [k.state for k in new] == [KeyState.ACTIVE]
    assert (await store.keys.signing_key(pool.id, KeyUse.ACCESS, T0)).kid == new[0].kid


async def test_pools_do_not_share_keys(store: IdpStore) -> None:
    first = await store.pools.create("first")
    second = await store.pools.create("second")
    a = {k["kid"] for k in await store.keys.published(first.id, T0)}
    b = {k["kid"] for k in await store.keys.published(second.id, T0)}
    assert a.isdisjoint(b)
