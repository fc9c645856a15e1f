"""Signing keys sealed at rest (AES-256-GCM under AUTHGATE_IDP_KEY_SECRET), both databases."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

import pytest
from idp_store_fixtures import FAST_HASHER, T0
from joserfc import jwt
from joserfc.jwk import KeySet
from sqlalchemy import delete, select, update

from authgate.idp.domain.records import KeyUse
from authgate.idp.protocol import tokens
from authgate.idp.storage.key_sealing import ENV_KEY_SECRET, KeySealer, KeySealError, is_sealed
from authgate.idp.storage.store import IdpStore
from authgate.idp.storage.tables import SigningKeyRow, UserPoolRow
from authgate.testing.clock import FakeClock

SECRET = "s" * 40
OTHER = "o" * 40
Open = Callable[[str], Coroutine[Any, Any, IdpStore]]


@pytest.fixture
async def open_store(db_url: str) -> AsyncIterator[Open]:
    """Open the test database with a key secret ("" for none); all closed and emptied after."""
    opened: list[IdpStore] = []

    async def open_with(secret: str) -> IdpStore:
        store = await IdpStore.open(
            db_url, hasher=FAST_HASHER, clock=FakeClock(T0), key_secret=secret
        )
        opened.append(store)
        return store

    yield open_with
    # Without migrating, so the sealed keys are not checked: everything goes.
    cleaner = await IdpStore.open(db_url, migrate=False, key_secret="")
    async with cleaner.db.session() as session, session.begin():
        await session.execute(delete(UserPoolRow))
    for store in [*opened, cleaner]:
        await store.close()


async def _stored(store: IdpStore, pool_id: str) -> list[SigningKeyRow]:
    async with store.db.session() as session:
        rows = await session.scalars(select(SigningKeyRow).where(SigningKeyRow.pool_id == pool_id))
        return list(rows)


async def test_keys_are_stored_sealed_and_still_sign_verifiable_tokens(open_store: Open) -> None:
    store = await open_store(SECRET)
    pool = await store.pools.create("sealed")
    rows = await _stored(store, pool.id)
    assert len(rows) == 2
    for row in rows:
        assert is_sealed(row.private_jwk)
        assert not {"d", "p", "q", "n"} & set(row.private_jwk), "private key material readable"
    key = await store.keys.signing_key(pool.id, KeyUse.ACCESS)
    token = tokens.sign({"sub": "u-1"}, key.kid, key.private_jwk)
    published = KeySet.import_key_set({"keys": await store.keys.published(pool.id)})
    assert jwt.decode(token, published).claims["sub"] == "u-1"


@pytest.mark.parametrize(
    ("secret", "message"),
    [
        ("", f"are encrypted; set {ENV_KEY_SECRET}"),
        (OTHER, "does not open with this"),
    ],
)
async def test_a_missing_or_wrong_secret_fails_at_open_with_the_reason(
    open_store: Open, secret: str, message: str
) -> None:
    await (await open_store(SECRET)).pools.create("sealed")
    with pytest.raises(KeySealError, match=message):
        await open_store(secret)


async def test_keys_stored_in_the_clear_are_sealed_when_a_secret_is_given(open_store: Open) -> None:
    plain = await open_store("")
    pool = await plain.pools.create("older")
    before = {key.kid: key.public_jwk for key in await plain.keys.all(pool.id)}
    assert not any(is_sealed(row.private_jwk) for row in await _stored(plain, pool.id))

    sealed = await open_store(SECRET)
    assert all(is_sealed(row.private_jwk) for row in await _stored(sealed, pool.id))
    after = {key.kid: key.public_jwk for key in await sealed.keys.all(pool.id)}
    assert after == before
    rotated = await sealed.keys.rotate(pool.id)
    assert rotated
    assert all(is_sealed(row.private_jwk) for row in await _stored(sealed, pool.id))


async def test_a_sealed_key_moved_to_another_row_does_not_open(open_store: Open) -> None:
    store = await open_store(SECRET)
    pool = await store.pools.create("bound")
    id_row, access_row = sorted(await _stored(store, pool.id), key=lambda row: row.use)
    async with store.db.session() as session, session.begin():
        await session.execute(
            update(SigningKeyRow)
            .where(SigningKeyRow.kid == access_row.kid)
            .values(private_jwk=id_row.private_jwk)
        )
    with pytest.raises(KeySealError, match=f"signing key {access_row.kid}"):
        await store.keys.all(pool.id)


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 32 characters"):
        KeySealer("short")
