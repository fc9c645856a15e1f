"""Password sign-in: outcomes, Cognito's lockout (injected clock), the new-password challenge."""

from __future__ import annotations

import statistics
import time
from datetime import timedelta

import argon2
import pytest
from idp_store_fixtures import NAMES, STRONG, T0, create_email_pool

from authgate.idp.domain.cognito_errors import (
    InvalidPasswordException,
    NotAuthorizedException,
    PasswordResetRequiredException,
    UserNotConfirmedException,
)
from authgate.idp.domain.passwords import PasswordHasher
from authgate.idp.domain.records import AuthOutcome, UserPool, UserStatus
from authgate.idp.storage.repositories.auth import lockout_duration
from authgate.idp.storage.store import IdpStore


@pytest.fixture
async def pool(store: IdpStore) -> UserPool:
    pool = await create_email_pool(store)
    await store.users.create(pool.id, "ada@example.com", NAMES, password=STRONG)
    return pool


async def test_right_password_succeeds_with_the_user(store: IdpStore, pool: UserPool) -> None:
    result = await store.auth.authenticate(pool.id, "ADA@example.com", STRONG, now=T0)
    assert result.ok
    assert result.error() is None
    assert result.user is not None
    assert result.user.email == "ada@example.com"


@pytest.mark.parametrize("username", ["ada@example.com", "nobody@example.com"])
async def test_wrong_password_and_unknown_user_look_the_same(
    store: IdpStore, pool: UserPool, username: str
) -> None:
    result = await store.auth.authenticate(pool.id, username, "Wrong-Horse-9", now=T0)
    assert result.outcome is AuthOutcome.NOT_AUTHORIZED
    assert result.user is None
    error = result.error()
    assert isinstance(error, NotAuthorizedException)
    assert error.message == "Incorrect username or password."


@pytest.mark.parametrize(
    ("failures", "seconds"), [(4, 0), (5, 1), (6, 2), (9, 16), (14, 512), (15, 900), (40, 900)]
)
def test_lockout_duration_doubles_from_the_fifth_failure_up_to_15_minutes(
    failures: int, seconds: int
) -> None:
    assert lockout_duration(failures) == timedelta(seconds=seconds)


async def test_lockout_timeline(store: IdpStore, pool: UserPool) -> None:
    now = T0
    for _ in range(4):
        result = await store.auth.authenticate(pool.id, "ada@example.com", "bad", now=now)
        assert result.outcome is AuthOutcome.NOT_AUTHORIZED
    # The fifth failure locks for 1 s: even the right password is refused meanwhile.
    await store.auth.authenticate(pool.id, "ada@example.com", "bad", now=now)
    locked = await store.auth.authenticate(pool.id, "ada@example.com", STRONG, now=now)
    assert locked.outcome is AuthOutcome.LOCKED_OUT
    assert locked.message == "Password attempts exceeded"
    assert isinstance(locked.error(), NotAuthorizedException)
    # After 1 s the sixth failure locks for 2 s; attempts during a lockout do not count.
    now += timedelta(seconds=1)
    await store.auth.authenticate(pool.id, "ada@example.com", "bad", now=now)
    for _ in range(3):
        late = await store.auth.authenticate(pool.id, "ada@example.com", "bad", now=now)
        assert late.outcome is AuthOutcome.LOCKED_OUT
    now += timedelta(seconds=1, milliseconds=999)
    assert (await store.auth.authenticate(pool.id, "ada@example.com", STRONG, now=now)).outcome is (
        AuthOutcome.LOCKED_OUT
    )
    now += timedelta(milliseconds=1)
    assert (await store.auth.authenticate(pool.id, "ada@example.com", STRONG, now=now)).ok
    # Success reset the count: four more failures do not lock.
    for _ in range(4):
        await store.auth.authenticate(pool.id, "ada@example.com", "bad", now=now)
    assert (await store.auth.authenticate(pool.id, "ada@example.com", STRONG, now=now)).ok


async def test_fifteen_quiet_minutes_reset_the_failure_count(
    store: IdpStore, pool: UserPool
) -> None:
    now = T0
    for _ in range(8):  # locked for 8 s after the last one
        await store.auth.authenticate(pool.id, "ada@example.com", "bad", now=now)
        now += timedelta(seconds=60)
    now += timedelta(minutes=15)
    # Counting starts again: this failure is the first, so it does not lock.
    await store.auth.authenticate(pool.id, "ada@example.com", "bad", now=now)
    assert (await store.auth.authenticate(pool.id, "ada@example.com", STRONG, now=now)).ok


async def test_admin_password_reset_ends_a_lockout(store: IdpStore, pool: UserPool) -> None:
    for _ in range(10):
        await store.auth.authenticate(pool.id, "ada@example.com", "bad", now=T0)
    await store.users.set_password(pool.id, "ada@example.com", STRONG, permanent=True, now=T0)
    assert (await store.auth.authenticate(pool.id, "ada@example.com", STRONG, now=T0)).ok


async def test_disabled_user_is_told_so_only_with_the_right_password(
    store: IdpStore, pool: UserPool
) -> None:
    await store.users.disable(pool.id, "ada@example.com")
    wrong = await store.auth.authenticate(pool.id, "ada@example.com", "bad", now=T0)
    assert wrong.outcome is AuthOutcome.NOT_AUTHORIZED
    right = await store.auth.authenticate(pool.id, "ada@example.com", STRONG, now=T0)
    assert right.outcome is AuthOutcome.DISABLED
    assert right.user is None
    assert right.message == "User is disabled."


async def test_unconfirmed_and_reset_required_outcomes(store: IdpStore, pool: UserPool) -> None:
    await store.users.create(
        pool.id, "new@example.com", NAMES, password=STRONG, status=UserStatus.UNCONFIRMED
    )
    result = await store.auth.authenticate(pool.id, "new@example.com", STRONG, now=T0)
    assert isinstance(result.error(), UserNotConfirmedException)
    assert result.message == "User is not confirmed."
    await store.users.create(
        pool.id, "reset@example.com", NAMES, password=STRONG, status=UserStatus.RESET_REQUIRED
    )
    result = await store.auth.authenticate(pool.id, "reset@example.com", STRONG, now=T0)
    assert isinstance(result.error(), PasswordResetRequiredException)


async def test_temporary_password_leads_to_the_new_password_challenge(
    store: IdpStore, pool: UserPool
) -> None:
    await store.users.create(pool.id, "tmp@example.com", NAMES, temporary_password=STRONG, now=T0)
    result = await store.auth.authenticate(pool.id, "tmp@example.com", STRONG, now=T0)
    assert result.outcome is AuthOutcome.NEW_PASSWORD_REQUIRED
    assert not result.ok
    assert result.user is not None
    assert result.error() is None
    with pytest.raises(InvalidPasswordException):
        await store.auth.complete_new_password(pool.id, "tmp@example.com", "weak")
    with pytest.raises(NotAuthorizedException, match="Cannot modify an already provided"):
        await store.auth.complete_new_password(
            pool.id, "tmp@example.com", "New-Horse-10", {"given_name": "Eve"}
        )
    user = await store.auth.complete_new_password(
        pool.id, "tmp@example.com", "New-Horse-10", {"nickname": "ada"}
    )
    assert user.status is UserStatus.CONFIRMED
    assert user.attributes["nickname"] == "ada"
    assert (await store.auth.authenticate(pool.id, "tmp@example.com", "New-Horse-10", now=T0)).ok
    with pytest.raises(NotAuthorizedException, match=r"Invalid session for the user\."):
        await store.auth.complete_new_password(pool.id, "tmp@example.com", "New-Horse-11")


async def test_temporary_password_expires_after_the_policy_days(
    store: IdpStore, pool: UserPool
) -> None:
    await store.users.create(pool.id, "tmp@example.com", NAMES, temporary_password=STRONG, now=T0)
    late = T0 + timedelta(days=7)
    result = await store.auth.authenticate(pool.id, "tmp@example.com", STRONG, now=late)
    assert result.outcome is AuthOutcome.TEMPORARY_PASSWORD_EXPIRED
    assert result.message == "Temporary password has expired and must be reset by an administrator."


async def test_passwords_are_stored_as_argon2id(store: IdpStore, pool: UserPool) -> None:
    from sqlalchemy import select

    from authgate.idp.storage.tables import UserRow

    async with store.db.session() as session:
        hashes = list(await session.scalars(select(UserRow.password_hash)))
    assert hashes
    assert all(h is not None and h.startswith("$argon2id$") for h in hashes)
    assert all(STRONG not in (h or "") for h in hashes)


async def test_unknown_user_costs_as_much_as_a_wrong_password(tmp_path: object) -> None:
    # Real cost parameters (a few ms per verify) so that the difference would show.
    hasher = PasswordHasher(argon2.Parameters(argon2.Type.ID, 19, 16, 32, 2, 8192, 1))
    store = await IdpStore.open(f"sqlite:///{tmp_path}/t.db", hasher=hasher)
    try:
        pool = await store.pools.create("p")
        await store.users.create(pool.id, "ada", password=STRONG)

        async def timed(username: str, hour: int) -> float:
            start = time.perf_counter()
            # An hour apart, so the known user never reaches the lockout path.
            await store.auth.authenticate(
                pool.id, username, "Wrong-Horse-9", T0 + timedelta(hours=hour)
            )
            return time.perf_counter() - start

        known, unknown = [], []
        for hour in range(7):
            known.append(await timed("ada", hour))
            unknown.append(await timed("ghost", hour))
        ratio = statistics.median(unknown) / statistics.median(known)
        assert 0.5 < ratio < 2.0, ratio
    finally:
        await store.close()
