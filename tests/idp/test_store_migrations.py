"""The schema comes from the shipped Alembic migrations, from empty, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from oidc_harness import throwaway_postgres
from sqlalchemy import Connection, MetaData, Table, inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from authgate.idp.domain.client_settings import settings_of
from authgate.idp.storage import token_tables as token_models
from authgate.idp.storage.db import (
    VERSION_TABLE,
    Base,
    alembic_config,
    create_engine,
    normalize_url,
)
from authgate.idp.storage.db_open import DatabaseOpenError
from authgate.idp.storage.store import IdpStore
from authgate.idp.storage.tables import UserPoolRow

STORE_TABLES = {t.name for t in Base.metadata.sorted_tables if t.name in {
    "user_pools", "domains", "app_clients", "users", "user_groups", "group_members",
    "resource_servers", "signing_keys",
}}  # fmt: skip
PROTOCOL_TABLES = {t.name for t in token_models.Base.metadata.sorted_tables} - STORE_TABLES
T0 = datetime(2030, 1, 1, tzinfo=UTC)
# Checks env.py on its own: a fresh interpreter where only the migrations import the models.
ALEMBIC_CHECK = """
import asyncio, sys
from alembic import command
from authgate.idp.storage.db import alembic_config, create_engine, normalize_url

async def main(url):
    engine = create_engine(normalize_url(url))
    def check(connection):
        config = alembic_config()
        config.attributes["connection"] = connection
        command.check(config)
    async with engine.connect() as connection:
        await connection.run_sync(check)
    await engine.dispose()

asyncio.run(main(sys.argv[1]))
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with nothing in it."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/idp.db"  # the file does not exist yet
        return
    yield from throwaway_postgres(request.getfixturevalue("postgres_url"))


def _schema_report(connection: Connection) -> tuple[set[str], list[object], str | None]:
    tables = set(inspect(connection).get_table_names())
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "version_table": VERSION_TABLE}
    )
    diffs = list(compare_metadata(context, Base.metadata))
    version = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
    return tables, diffs, version


async def test_migrations_build_the_model_schema_from_empty(empty_db: str) -> None:
    store = await IdpStore.open(empty_db)
    try:
        async with store.db.engine.connect() as connection:
            tables, diffs, version = await connection.run_sync(_schema_report)
        assert tables >= STORE_TABLES | PROTOCOL_TABLES
        assert {"oauth_codes", "oauth_refresh_tokens"} <= PROTOCOL_TABLES
        assert VERSION_TABLE in tables
        assert "alembic_version" not in tables
        assert diffs == []
        assert version is not None
        # The schema is usable at once.
        pool = await store.pools.create("kongpool")
        assert (await store.pools.get(pool.id)).name == "kongpool"
    finally:
        await store.close()


async def test_opening_twice_is_a_no_op_upgrade(empty_db: str) -> None:
    first = await IdpStore.open(empty_db)
    pool = await first.pools.create("kongpool")
    await first.close()
    second = await IdpStore.open(empty_db)
    try:
        assert (await second.pools.get(pool.id)).name == "kongpool"
        async with second.db.session() as session:
            assert await session.get(UserPoolRow, pool.id) is not None
    finally:
        await second.close()


async def test_a_missing_sqlite_directory_is_refused_and_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "some" / "missing" / "dir"
    with pytest.raises(DatabaseOpenError, match=f"directory {missing} does not exist"):
        await IdpStore.open(f"sqlite:///{missing}/idp.db")
    assert not (tmp_path / "some").exists()


async def test_unsupported_database_url_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unsupported IdP database URL 'mysql://u:\\*\\*\\*@h/db'"):
        await IdpStore.open("mysql://u:secret@h/db")


def test_alembic_check_finds_no_difference_between_head_and_the_models(empty_db: str) -> None:
    async def upgrade() -> None:
        await (await IdpStore.open(empty_db)).close()

    asyncio.run(upgrade())
    done = subprocess.run(
        [sys.executable, "-c", ALEMBIC_CHECK, empty_db], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "No new upgrade operations detected" in done.stdout + done.stderr


async def _migrate(engine: AsyncEngine, direction: str, revision: str) -> None:
    def run(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        getattr(command, direction)(config, revision)

    async with engine.begin() as connection:
        await connection.run_sync(run)


def _insert_0002_client(connection: Connection) -> None:
    """A pool and a client written as revision 0002 knew them (no access_token_format)."""
    metadata = MetaData()
    pools = Table("user_pools", metadata, autoload_with=connection)
    clients = Table("app_clients", metadata, autoload_with=connection)
    assert "access_token_format" not in clients.c
    stamps = {"created_at": T0.replace(tzinfo=None), "updated_at": T0.replace(tzinfo=None)}
    connection.execute(pools.insert().values(
        id="us-east-1_legacy01", name="legacy", region="us-east-1", username_attributes=[],
        required_attributes=[], custom_attributes=[], password_policy={}, **stamps,
    ))  # fmt: skip
    connection.execute(clients.insert().values(
        client_id="legacyclient", pool_id="us-east-1_legacy01", name="old", client_secret=None,
        callback_urls=[], logout_urls=[], default_redirect_uri=None, allowed_oauth_flows=[],
        allowed_scopes=[], explicit_auth_flows=["ALLOW_REFRESH_TOKEN_AUTH"],
        access_token_validity=60, access_token_unit="minutes", id_token_validity=60,
        id_token_unit="minutes", refresh_token_validity=30, refresh_token_unit="days",
        auth_session_validity=3, read_attributes=[], write_attributes=[],
        enable_token_revocation=True, refresh_token_rotation=False, rotation_grace_seconds=0,
        prevent_user_existence_errors=True, **stamps,
    ))  # fmt: skip


async def test_migration_0003_upgrades_a_0002_database_and_downgrades(empty_db: str) -> None:
    engine = create_engine(normalize_url(empty_db))
    try:
        await _migrate(engine, "upgrade", "0002")
        async with engine.begin() as connection:
            await connection.run_sync(_insert_0002_client)
    finally:
        await engine.dispose()
    store = await IdpStore.open(empty_db)  # upgrades 0002 -> head
    try:
        legacy = await store.clients.get("legacyclient")
        assert legacy.access_token_format == "cognito"  # the server default fills old rows
        changed = replace(settings_of(legacy), access_token_format="rfc9068")
        assert (await store.clients.update("legacyclient", changed)).rfc9068_access_tokens
        await _migrate(store.db.engine, "downgrade", "0002")
        async with store.db.engine.connect() as connection:
            columns = await connection.run_sync(
                lambda c: {col["name"] for col in inspect(c).get_columns("app_clients")}
            )
        assert "access_token_format" not in columns
        await _migrate(store.db.engine, "upgrade", "head")
        again = await store.clients.get("legacyclient")
        assert again.name == "old"
        assert again.access_token_format == "cognito"
    finally:
        await store.close()
