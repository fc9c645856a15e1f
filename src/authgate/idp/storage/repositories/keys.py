"""The signing-key repository: the active key, the published JWKS, rotation, sealing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from authgate.idp.domain.clock import Clock
from authgate.idp.domain.keys import (
    DEFAULT_PUBLISH_DELAY,
    KEY_RETENTION,
    generate_private_jwk,
    key_timelines,
)
from authgate.idp.domain.records import KeyState, KeyUse, SigningKey
from authgate.idp.storage.db import Database
from authgate.idp.storage.key_sealing import KeySealer, is_sealed, open_stored
from authgate.idp.storage.repositories.base import Repository, pool_row
from authgate.idp.storage.tables import SigningKeyRow

__all__ = ["KeyRepository"]

_PUBLISHED = (KeyState.PENDING, KeyState.ACTIVE, KeyState.RETIRING)


def _timeline(
    rows: Sequence[SigningKeyRow], now: datetime, sealer: KeySealer | None
) -> list[SigningKey]:
    """Records with states for the rows of one pool, per use, oldest first."""
    result: list[SigningKey] = []
    for use in KeyUse:
        mine = sorted(
            (r for r in rows if r.use == use.value), key=lambda r: (r.activates_at, r.created_at)
        )
        for row, line in zip(
            mine, key_timelines([r.activates_at for r in mine], now, KEY_RETENTION), strict=True
        ):
            result.append(
                SigningKey(
                    kid=row.kid,
                    pool_id=row.pool_id,
                    use=use,
                    private_jwk=open_stored(row.private_jwk, sealer, row.pool_id, row.kid),
                    state=line.state,
                    created_at=row.created_at,
                    activates_at=row.activates_at,
                    superseded_at=line.superseded_at,
                    published_until=line.published_until,
                )
            )
    return result


class KeyRepository(Repository):
    """Per-pool RS256 keys, separate for ID and access tokens; ``sealer`` seals them at rest."""

    def __init__(self, db: Database, clock: Clock, sealer: KeySealer | None = None) -> None:
        super().__init__(db, clock)
        self.sealer = sealer

    @staticmethod
    async def _rows(session: AsyncSession, pool_id: str) -> list[SigningKeyRow]:
        await pool_row(session, pool_id)
        rows = await session.scalars(select(SigningKeyRow).where(SigningKeyRow.pool_id == pool_id))
        return list(rows)

    def _new_key(
        self, pool_id: str, use: KeyUse, now: datetime, activates_at: datetime
    ) -> SigningKeyRow:
        kid, jwk = generate_private_jwk()
        if self.sealer is not None:
            jwk = self.sealer.seal(jwk, pool_id, kid)
        return SigningKeyRow(
            kid=kid, pool_id=pool_id, use=use.value, private_jwk=jwk, created_at=now,
            activates_at=activates_at,
        )  # fmt: skip

    async def seal_stored(self) -> int:
        """Seal keys stored in the clear and check every sealed key opens; returns how many
        were sealed. Without a sealer, only checks that no key is sealed."""
        sealed = 0
        async with self.db.transaction() as session:
            for row in await session.scalars(select(SigningKeyRow)):
                if is_sealed(row.private_jwk):
                    open_stored(row.private_jwk, self.sealer, row.pool_id, row.kid)
                elif self.sealer is not None:
                    row.private_jwk = self.sealer.seal(row.private_jwk, row.pool_id, row.kid)
                    sealed += 1
        return sealed

    async def add_initial(self, session: AsyncSession, pool_id: str, now: datetime) -> None:
        """Give the pool an ID and an access key where it has none, in the caller's transaction.

        No relying party can have cached anything yet, so the keys are usable at once.
        """
        rows = await self._rows(session, pool_id)
        for use in KeyUse:
            if not any(r.use == use.value for r in rows):
                session.add(self._new_key(pool_id, use, now, now))

    async def all(self, pool_id: str, now: datetime | None = None) -> list[SigningKey]:
        """Every stored key of the pool with its state at ``now`` (ID keys first)."""
        moment = self._now(now)
        async with self.db.session() as session:
            return _timeline(await self._rows(session, pool_id), moment, self.sealer)

    async def signing_key(
        self, pool_id: str, use: KeyUse | str, now: datetime | None = None
    ) -> SigningKey:
        """The key that signs new ``use`` tokens at ``now`` (created if the pool has none)."""
        moment = self._now(now)
        wanted = KeyUse(use)
        for attempt in range(2):
            for key in await self.all(pool_id, moment):
                if key.use is wanted and key.state is KeyState.ACTIVE:
                    return key
            if attempt == 0:
                async with self.db.transaction() as session:
                    await self.add_initial(session, pool_id, moment)
        raise RuntimeError(f"pool {pool_id} has no active {wanted} key")  # pragma: no cover

    async def published(self, pool_id: str, now: datetime | None = None) -> list[dict[str, Any]]:
        """Public JWKs to serve at ``jwks.json``: pending, active and retiring keys."""
        keys = await self.all(pool_id, now)
        return [key.public_jwk for key in keys if key.state in _PUBLISHED]

    async def rotate(
        self,
        pool_id: str,
        now: datetime | None = None,
        *,
        publish_delay: timedelta = DEFAULT_PUBLISH_DELAY,
        uses: Sequence[KeyUse] = (KeyUse.ID, KeyUse.ACCESS),
    ) -> list[SigningKey]:
        """Add a new key per use, active after ``publish_delay``; delete retired keys.

        Returns the new keys (state PENDING, or ACTIVE with a zero delay).
        """
        if publish_delay < timedelta(0):
            raise ValueError("publish_delay must not be negative")
        moment = self._now(now)
        async with self.db.transaction() as session:
            rows = await self._rows(session, pool_id)
            for key in _timeline(rows, moment, self.sealer):
                if key.state is KeyState.RETIRED:
                    await session.delete(next(r for r in rows if r.kid == key.kid))
            new = [self._new_key(pool_id, use, moment, moment + publish_delay) for use in uses]
            session.add_all(new)
        kids = {row.kid for row in new}
        return [key for key in await self.all(pool_id, moment) if key.kid in kids]
