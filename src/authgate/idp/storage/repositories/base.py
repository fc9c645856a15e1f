"""What every repository shares: the database, the clock and the lookups by id or name."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from authgate.idp.domain.clock import Clock
from authgate.idp.domain.cognito_errors import ResourceNotFoundException, UserNotFoundException
from authgate.idp.domain.records import UserPool
from authgate.idp.storage.conversions import pool_record
from authgate.idp.storage.db import Database
from authgate.idp.storage.tables import AppClientRow, UserPoolRow, UserRow

__all__ = ["Repository", "client_row", "find_user_row", "pool", "pool_row", "user_row"]


class Repository:
    """A repository on ``db``, reading the time from ``clock`` when a caller gives none."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def _now(self, now: datetime | None) -> datetime:
        if now is None:
            return self.clock.now()
        if now.tzinfo is None:
            raise ValueError("now must be an aware datetime")
        return now


async def pool_row(session: AsyncSession, pool_id: str) -> UserPoolRow:
    """The pool's row, or ResourceNotFoundException."""
    row = await session.get(UserPoolRow, pool_id)
    if row is None:
        raise ResourceNotFoundException(f"User pool {pool_id} does not exist.")
    return row


async def pool(session: AsyncSession, pool_id: str) -> UserPool:
    """The pool's record, or ResourceNotFoundException."""
    return pool_record(await pool_row(session, pool_id))


async def client_row(session: AsyncSession, client_id: str) -> AppClientRow:
    """The app client's row, or ResourceNotFoundException."""
    row = await session.get(AppClientRow, client_id)
    if row is None:
        raise ResourceNotFoundException(f"User pool client {client_id} does not exist.")
    return row


async def find_user_row(
    session: AsyncSession, pool_id: str, name: str, *, for_update: bool = False
) -> UserRow | None:
    """The user whose username, sub or email alias is ``name`` (case-insensitive)."""
    key = name.strip().lower()
    query = select(UserRow).where(
        UserRow.pool_id == pool_id,
        (UserRow.username_key == key) | (UserRow.sub == key) | (UserRow.email_key == key),
    )
    if for_update:
        query = query.with_for_update()
    rows = (await session.scalars(query)).all()
    # An exact username match wins over an alias of somebody else.
    for row in rows:
        if row.username_key == key:
            return row
    return rows[0] if rows else None


async def user_row(
    session: AsyncSession, pool_id: str, name: str, *, for_update: bool = False
) -> UserRow:
    """The user's row (the pool must exist), or UserNotFoundException."""
    await pool_row(session, pool_id)
    row = await find_user_row(session, pool_id, name, for_update=for_update)
    if row is None:
        raise UserNotFoundException("User does not exist.")
    return row
