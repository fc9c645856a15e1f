"""What every part of the IdP store shares: the engine, sessions, clock, hasher and lookups."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from authgate.idp.domain.cognito_errors import ResourceNotFoundException, UserNotFoundException
from authgate.idp.domain.passwords import PasswordHasher
from authgate.idp.domain.records import UserPool
from authgate.idp.storage.conversions import pool_record
from authgate.idp.storage.key_sealing import KeySealer
from authgate.idp.storage.tables import AppClientRow, UserPoolRow, UserRow

__all__ = ["Clock", "StoreBase", "system_clock"]

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)


class StoreBase:
    """Engine, session factory, clock, password hasher and key sealer of an ``IdpStore``."""

    def __init__(
        self,
        engine: AsyncEngine,
        clock: Clock,
        hasher: PasswordHasher,
        sealer: KeySealer | None = None,
    ) -> None:
        self.engine = engine
        self.sealer = sealer
        self.sessionmaker: async_sessionmaker[AsyncSession] = async_sessionmaker(
            engine, expire_on_commit=False
        )
        self.clock = clock
        self.hasher = hasher

    def _now(self, now: datetime | None) -> datetime:
        if now is None:
            return self.clock()
        if now.tzinfo is None:
            raise ValueError("now must be an aware datetime")
        return now

    @staticmethod
    async def _pool_row(session: AsyncSession, pool_id: str) -> UserPoolRow:
        row = await session.get(UserPoolRow, pool_id)
        if row is None:
            raise ResourceNotFoundException(f"User pool {pool_id} does not exist.")
        return row

    async def _pool(self, session: AsyncSession, pool_id: str) -> UserPool:
        return pool_record(await self._pool_row(session, pool_id))

    @staticmethod
    async def _client_row(session: AsyncSession, client_id: str) -> AppClientRow:
        row = await session.get(AppClientRow, client_id)
        if row is None:
            raise ResourceNotFoundException(f"User pool client {client_id} does not exist.")
        return row

    @staticmethod
    async def _find_user_row(
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

    async def _user_row(
        self, session: AsyncSession, pool_id: str, name: str, *, for_update: bool = False
    ) -> UserRow:
        await self._pool_row(session, pool_id)
        row = await self._find_user_row(session, pool_id, name, for_update=for_update)
        if row is None:
            raise UserNotFoundException("User does not exist.")
        return row
