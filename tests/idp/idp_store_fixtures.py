"""Fixtures for the IdP store tests: one ``store`` per test, on SQLite and on PostgreSQL.

PostgreSQL runs use a database created for this test session (``authgate_idp_<random>``)
and dropped afterwards, so concurrent runs never collide; each test starts from empty pools.
Passwords use argon2id with the cheapest parameters so the suite stays fast.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import argon2
import asyncpg
import pytest
from sqlalchemy import delete

from authgate.idp.models import UserPoolRow
from authgate.idp.passwords import PasswordHasher
from authgate.idp.store import IdpStore

T0 = datetime(2030, 1, 1, 12, 0, 0, tzinfo=UTC)
FAST_HASHER = PasswordHasher(argon2.profiles.CHEAPEST)
STRONG = "Correct-Horse-9"


async def _admin(url: str, statement: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def pg_server_url(postgres_url: str) -> str:
    """The server's maintenance URL (the `test` database)."""
    return postgres_url


def new_pg_database(server_url: str) -> tuple[str, str]:
    """Create a uniquely named database; returns (name, url)."""
    name = f"authgate_idp_{secrets.token_hex(6)}"
    asyncio.run(_admin(server_url, f'CREATE DATABASE "{name}"'))
    return name, server_url.rsplit("/", 1)[0] + f"/{name}"


def drop_pg_database(server_url: str, name: str) -> None:
    """Drop a database made by ``new_pg_database``."""
    asyncio.run(_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def pg_session_db(pg_server_url: str) -> Iterator[str]:
    """A database for this test session, dropped at the end."""
    name, url = new_pg_database(pg_server_url)
    try:
        yield url
    finally:
        drop_pg_database(pg_server_url, name)


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
    opened = await IdpStore.open(db_url, hasher=FAST_HASHER, clock=lambda: T0)
    try:
        yield opened
    finally:
        async with opened.sessionmaker() as session, session.begin():
            await session.execute(delete(UserPoolRow))
        await opened.close()
