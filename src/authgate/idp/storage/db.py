"""Database plumbing shared by every IdP table: the declarative Base, URLs, engines, migrations.

One code path for SQLite (aiosqlite, the default file ``.authgate/idp.db``) and PostgreSQL
(``postgresql://…`` is driven by asyncpg). The schema is created and upgraded by the Alembic
migrations shipped in ``authgate/idp/storage/migrations`` and run programmatically.
"""

from __future__ import annotations

import os
import re
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, DateTime, MetaData, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from authgate.idp.storage.db_open import DEFAULT_STATE_DIR, prepare_sqlite_file

__all__ = [
    "DB_URL_FORMS",
    "DEFAULT_DB_URL",
    "DEFAULT_STATE_DIR",
    "ENV_DB_URL",
    "VERSION_TABLE",
    "Base",
    "Database",
    "UtcDateTime",
    "create_engine",
    "display_url",
    "normalize_url",
    "upgrade_to_head",
]

ENV_DB_URL = "AUTHGATE_IDP_DB"
DEFAULT_DB_URL = "sqlite:///.authgate/idp.db"
DB_URL_FORMS = (
    "a file path (data/idp.db), sqlite:///RELATIVE/PATH, sqlite:////ABSOLUTE/PATH "
    "or postgresql://USER[:PASSWORD]@HOST[:PORT]/DB"
)
# ``scheme://user:password@`` -> ``scheme://user:***@``, for URLs SQLAlchemy cannot parse.
_PASSWORD = re.compile(r"(://[^/:@]*:).*@")
# Connecting to PostgreSQL gives up after this many seconds (asyncpg's own default is 60).
PG_CONNECT_TIMEOUT = 10.0
# Our own version table, so the IdP can share a PostgreSQL database with other schemas.
VERSION_TABLE = "idp_alembic_version"
MIGRATIONS_DIR = Path(__file__).with_name("migrations")

_NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every IdP table (the store's and the protocol's)."""

    metadata = MetaData(naming_convention=_NAMING)


class UtcDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every backend (SQLite keeps no zone, so we store naive UTC)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UtcDateTime column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Database:
    """One engine and its session factory: what every repository of the store runs on.

    A use case opens one :meth:`transaction` and hands its session to each repository it
    touches, so it commits or rolls back as a whole.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sessionmaker: async_sessionmaker[AsyncSession] = async_sessionmaker(
            engine, expire_on_commit=False
        )

    def session(self) -> AsyncSession:
        """A session for reads (``async with db.session() as session``)."""
        return self.sessionmaker()

    def transaction(self) -> AbstractAsyncContextManager[AsyncSession]:
        """A session in a transaction, committed when the block ends without an exception."""
        return self.sessionmaker.begin()

    async def close(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()


def normalize_url(url: str | None = None) -> URL:
    """The async driver URL for ``url`` (default: ``$AUTHGATE_IDP_DB`` or the SQLite file).

    ``url`` is one of :data:`DB_URL_FORMS`; anything without ``://`` is a SQLite file path
    (``~`` expanded). A ValueError names the problem without the URL's password.
    """
    raw = url or os.environ.get(ENV_DB_URL) or DEFAULT_DB_URL
    if "://" not in raw:
        return URL.create("sqlite+aiosqlite", database=str(Path(raw).expanduser()))
    try:
        parsed = make_url(raw)
    except (ArgumentError, ValueError):
        shown = _PASSWORD.sub(r"\1***@", raw)
        raise ValueError(f"cannot parse IdP database URL {shown!r}: use {DB_URL_FORMS}") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            parsed = parsed.set(database=str(Path(parsed.database).expanduser()))
        return parsed.set(drivername="sqlite+aiosqlite")
    if backend == "postgresql":
        return parsed.set(drivername="postgresql+asyncpg")
    raise ValueError(f"unsupported IdP database URL {display_url(parsed)!r}: use {DB_URL_FORMS}")


def display_url(url: URL | str) -> str:
    """The URL with any password hidden, for messages."""
    return (
        make_url(url).render_as_string(hide_password=True)
        if isinstance(url, str)
        else (url.render_as_string(hide_password=True))
    )


def create_engine(url: URL) -> AsyncEngine:
    """An async engine for ``url``; SQLite gets foreign keys, WAL and a busy wait.

    A SQLite file must be in a directory that exists, except the default state directory
    ``.authgate``, which is created (:func:`authgate.idp.storage.db_open.prepare_sqlite_file`).
    """
    if url.get_backend_name() != "sqlite":
        return create_async_engine(
            url, pool_pre_ping=True, connect_args={"timeout": PG_CONNECT_TIMEOUT}
        )
    if url.database and url.database != ":memory:":
        prepare_sqlite_file(url)
    engine = create_async_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine.sync_engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    return engine


def alembic_config() -> Config:
    """An Alembic config pointing at the migrations shipped in the package."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def _upgrade(connection: Connection) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


async def upgrade_to_head(engine: AsyncEngine) -> None:
    """Create or upgrade the schema to the newest migration."""
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade)
