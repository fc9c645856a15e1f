"""Alembic environment of the IdP schema; run by ``authgate.idp.storage.db.upgrade_to_head``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

# Both imports register their tables on Base.metadata, so autogenerate sees the whole schema.
import authgate.idp.storage.tables
import authgate.idp.storage.token_tables  # noqa: F401
from authgate.idp.storage.db import VERSION_TABLE, Base


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        version_table=VERSION_TABLE,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def _main() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run IdP migrations through authgate.idp.storage.db.upgrade_to_head()")
    _run(connection)


_main()
