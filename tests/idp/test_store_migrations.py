"""The schema comes from the shipped Alembic migrations, from empty, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from idp_store_fixtures import drop_pg_database, new_pg_database
from sqlalchemy import Connection, inspect, text

from authgate.idp.db import VERSION_TABLE, Base
from authgate.idp.models import UserPoolRow
from authgate.idp.store import IdpStore

STORE_TABLES = {t.name for t in Base.metadata.sorted_tables if t.name in {
    "user_pools", "domains", "app_clients", "users", "user_groups", "group_members",
    "resource_servers", "signing_keys",
}}  # fmt: skip


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[str]:
    """A database with nothing in it."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/sub/dir/idp.db"  # the directories do not exist yet
        return
    server: str = request.getfixturevalue("postgres_url")
    name, url = new_pg_database(server)
    try:
        yield url
    finally:
        drop_pg_database(server, name)


def _mine(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Compare only the store's tables (the protocol tables have their own migration)."""
    if type_ == "table":
        return name in STORE_TABLES
    table = getattr(obj, "table", None)
    return table is None or table.name in STORE_TABLES


def _schema_report(connection: Connection) -> tuple[set[str], list[object], str | None]:
    tables = set(inspect(connection).get_table_names())
    context = MigrationContext.configure(
        connection, opts={"include_object": _mine, "compare_type": True}
    )
    diffs = list(compare_metadata(context, Base.metadata))
    version = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
    return tables, diffs, version


async def test_migrations_build_the_model_schema_from_empty(empty_db: str) -> None:
    store = await IdpStore.open(empty_db)
    try:
        async with store.engine.connect() as connection:
            tables, diffs, version = await connection.run_sync(_schema_report)
        assert tables >= STORE_TABLES
        assert VERSION_TABLE in tables
        assert "alembic_version" not in tables
        assert diffs == []
        assert version is not None
        # The schema is usable at once.
        pool = await store.create_pool("kongpool")
        assert (await store.get_pool(pool.id)).name == "kongpool"
    finally:
        await store.close()


async def test_opening_twice_is_a_no_op_upgrade(empty_db: str) -> None:
    first = await IdpStore.open(empty_db)
    pool = await first.create_pool("kongpool")
    await first.close()
    second = await IdpStore.open(empty_db)
    try:
        assert (await second.get_pool(pool.id)).name == "kongpool"
        async with second.sessionmaker() as session:
            assert await session.get(UserPoolRow, pool.id) is not None
    finally:
        await second.close()


async def test_unsupported_database_url_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unsupported IdP database URL 'mysql://u:\\*\\*\\*@h/db'"):
        await IdpStore.open("mysql://u:secret@h/db")
