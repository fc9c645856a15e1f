"""Fixtures for the IdP store tests: one ``store`` per test, on SQLite and on PostgreSQL.

PostgreSQL runs use a database created for this test session (``authgate_idp_<random>``)
and dropped afterwards, so concurrent runs never collide; each test starts from empty pools.
Passwords use argon2id with the cheapest parameters so the suite stays fast.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime

import argon2
import pytest
from oidc_harness import throwaway_postgres
from sqlalchemy import delete

from authgate.idp.domain.passwords import PasswordHasher
from authgate.idp.domain.records import UserPool
from authgate.idp.storage.store import IdpStore
from authgate.idp.storage.tables import UserPoolRow
from authgate.testing.clock import FakeClock

T0 = datetime(2030, 1, 1, 12, 0, 0, tzinfo=UTC)
FAST_HASHER = PasswordHasher(argon2.profiles.CHEAPEST)
STRONG = "Correct-Horse-9"
NAMES = {"given_name": "Ada", "family_name": "Lovelace"}


async def create_email_pool(store: IdpStore, custom_attributes: Iterable[str] = ()) -> UserPool:
    """Pool ``kongpool`` as Kong's examples set it up: email addresses as usernames, email,
    given and family name required."""
    return await store.pools.create(
        "kongpool",
        username_attributes=["email"],
        required_attributes=["email", "given_name", "family_name"],
        custom_attributes=custom_attributes,
    )


@pytest.fixture(scope="session")
def pg_server_url(postgres_url: str) -> str:
    """The server's maintenance URL (the `test` database)."""
    return postgres_url


@pytest.fixture(scope="session")
def pg_session_db(pg_server_url: str) -> Iterator[str]:
    """A database for this test session, dropped at the end."""
    yield from throwaway_postgres(pg_server_url)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: object) -> str:
    """A database URL: a fresh SQLite file, or the session's PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/idp.db"
    url: str = request.getfixturevalue("pg_session_db")
    return url


@pytest.fixture
async def store(db_url: str) -> AsyncIterator[IdpStore]:
    """An open store on ``db_url``; every pool (and so everything) is deleted afterwards."""
    opened = await IdpStore.open(db_url, hasher=FAST_HASHER, clock=FakeClock(T0))
    try:
        yield opened
    finally:
        async with opened.db.session() as session, session.begin():
            await session.execute(delete(UserPoolRow))
        await opened.close()
