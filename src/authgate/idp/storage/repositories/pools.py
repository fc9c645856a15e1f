"""The pool repository: user pools and their hosted-UI domains.

Creating a pool is one use case in one transaction: the pool row and its first ID and
access signing keys (:meth:`authgate.idp.storage.repositories.keys.KeyRepository.add_initial`).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from authgate.idp.domain import ids
from authgate.idp.domain.attributes import (
    check_custom_attributes,
    check_required_attributes,
    check_username_attributes,
)
from authgate.idp.domain.clock import Clock
from authgate.idp.domain.cognito_errors import InvalidParameterException, ResourceNotFoundException
from authgate.idp.domain.passwords import PasswordPolicy
from authgate.idp.domain.records import CustomAttribute, Domain, UserPool
from authgate.idp.domain.validation import check_name
from authgate.idp.storage.conversions import domain_record, pool_record
from authgate.idp.storage.db import Database
from authgate.idp.storage.repositories.base import Repository, pool, pool_row
from authgate.idp.storage.repositories.keys import KeyRepository
from authgate.idp.storage.tables import DomainRow, UserPoolRow

__all__ = ["PoolRepository"]

_DOMAIN = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_RESERVED_IN_DOMAIN = ("aws", "amazon", "cognito")


class PoolRepository(Repository):
    """Pools and domains; ``keys`` gives a new pool its signing keys."""

    def __init__(self, db: Database, clock: Clock, keys: KeyRepository) -> None:
        super().__init__(db, clock)
        self._keys = keys

    async def create(
        self,
        name: str,
        *,
        username_attributes: Sequence[str] = (),
        required_attributes: Sequence[str] = (),
        custom_attributes: Iterable[str | CustomAttribute] = (),
        password_policy: PasswordPolicy | None = None,
        region: str = ids.DEFAULT_REGION,
        now: datetime | None = None,
    ) -> UserPool:
        """Create a pool (with its first ID and access signing keys); names are unique here."""
        check_name(name, "poolName")
        if not ids.valid_region(region):
            raise InvalidParameterException(f"Invalid region {region!r}: expected e.g. us-east-1")
        usernames = check_username_attributes(username_attributes)
        if "phone_number" in usernames:
            raise InvalidParameterException(
                "UsernameAttributes phone_number is not supported by authgate yet; use email."
            )
        required = check_required_attributes(required_attributes)
        custom = check_custom_attributes(custom_attributes)
        policy = password_policy or PasswordPolicy()
        moment = self._now(now)
        row = UserPoolRow(
            id=ids.new_pool_id(region),
            name=name,
            region=region,
            username_attributes=list(usernames),
            required_attributes=list(required),
            custom_attributes=[{"name": c.name, "mutable": c.mutable} for c in custom],
            password_policy=dataclasses.asdict(policy),
            created_at=moment,
            updated_at=moment,
        )
        try:
            async with self.db.transaction() as session:
                if await self._by_name(session, name) is not None:
                    raise InvalidParameterException(f"A user pool named {name} already exists.")
                session.add(row)
                await session.flush()
                await self._keys.add_initial(session, row.id, moment)
        except IntegrityError as exc:
            raise InvalidParameterException(f"A user pool named {name} already exists.") from exc
        return pool_record(row)

    @staticmethod
    async def _by_name(session: AsyncSession, name: str) -> UserPoolRow | None:
        return (await session.scalars(select(UserPoolRow).where(UserPoolRow.name == name))).first()

    async def get(self, pool_id: str) -> UserPool:
        """The pool with this id, or ResourceNotFoundException."""
        async with self.db.session() as session:
            return await pool(session, pool_id)

    async def find_by_name(self, name: str) -> UserPool | None:
        """The pool with this name, or None."""
        async with self.db.session() as session:
            row = await self._by_name(session, name)
            return pool_record(row) if row is not None else None

    async def resolve(self, name_or_id: str) -> UserPool:
        """The pool with this id or, failing that, this name (for the CLI)."""
        async with self.db.session() as session:
            row = await session.get(UserPoolRow, name_or_id)
            row = row or await self._by_name(session, name_or_id)
            if row is None:
                raise ResourceNotFoundException(f"User pool {name_or_id} does not exist.")
            return pool_record(row)

    async def all(self) -> list[UserPool]:
        """Every pool, oldest first."""
        async with self.db.session() as session:
            rows = await session.scalars(
                select(UserPoolRow).order_by(UserPoolRow.created_at, UserPoolRow.name)
            )
            return [pool_record(row) for row in rows]

    async def delete(self, pool_id: str) -> None:
        """Delete a pool and everything in it (clients, users, groups, keys, domain, tokens)."""
        async with self.db.transaction() as session:
            await pool_row(session, pool_id)
            await session.execute(delete(UserPoolRow).where(UserPoolRow.id == pool_id))

    async def create_domain(self, pool_id: str, prefix: str, now: datetime | None = None) -> Domain:
        """Give a pool its (globally unique) hosted-UI domain prefix."""
        if not _DOMAIN.fullmatch(prefix):
            raise InvalidParameterException(
                f"1 validation error detected: Value '{prefix}' at 'domain' failed to satisfy "
                r"constraint: Member must satisfy regular expression pattern: "
                r"^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$"
            )
        for word in _RESERVED_IN_DOMAIN:
            if word in prefix:
                raise InvalidParameterException(f"Domain cannot contain reserved word: {word}")
        row = DomainRow(prefix=prefix, pool_id=pool_id, created_at=self._now(now))
        try:
            async with self.db.transaction() as session:
                await pool_row(session, pool_id)
                if await session.get(DomainRow, prefix) is not None:
                    raise InvalidParameterException(
                        "Domain already associated with another user pool."
                    )
                existing = await session.scalar(
                    select(DomainRow).where(DomainRow.pool_id == pool_id)
                )
                if existing is not None:
                    raise InvalidParameterException(
                        f"User pool {pool_id} already has a domain configured: {existing.prefix}"
                    )
                session.add(row)
        except IntegrityError as exc:
            raise InvalidParameterException(
                "Domain already associated with another user pool."
            ) from exc
        return domain_record(row)

    async def get_domain(self, prefix: str) -> Domain:
        """The domain with this prefix, or ResourceNotFoundException."""
        async with self.db.session() as session:
            row = await session.get(DomainRow, prefix)
            if row is None:
                raise ResourceNotFoundException(f"Domain {prefix} does not exist.")
            return domain_record(row)

    async def domain_of(self, pool_id: str) -> Domain | None:
        """The domain of a pool, if it has one."""
        async with self.db.session() as session:
            row = await session.scalar(select(DomainRow).where(DomainRow.pool_id == pool_id))
            return domain_record(row) if row is not None else None

    async def delete_domain(self, prefix: str) -> None:
        """Remove a domain prefix."""
        async with self.db.transaction() as session:
            row = await session.get(DomainRow, prefix)
            if row is None:
                raise ResourceNotFoundException(f"Domain {prefix} does not exist.")
            await session.delete(row)
