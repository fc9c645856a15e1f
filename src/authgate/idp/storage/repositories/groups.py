"""The group repository: groups and memberships (the ``cognito:groups`` claim)."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from authgate.idp.domain.cognito_errors import (
    GroupExistsException,
    InvalidParameterException,
    ResourceNotFoundException,
)
from authgate.idp.domain.records import Group, User
from authgate.idp.storage.conversions import group_record, user_record
from authgate.idp.storage.repositories.base import Repository, pool_row, user_row
from authgate.idp.storage.tables import GroupMemberRow, GroupRow, UserRow

__all__ = ["GroupRepository"]

_GROUP_NAME = re.compile(r"\S{1,128}")
MAX_PRECEDENCE = 2**31 - 1


def _order() -> tuple[object, ...]:
    # Cognito: lower precedence first; groups without precedence come last.
    return (GroupRow.precedence.is_(None), GroupRow.precedence, GroupRow.name)


class GroupRepository(Repository):
    """Groups of a pool."""

    async def create(
        self,
        pool_id: str,
        name: str,
        description: str | None = None,
        precedence: int | None = None,
        now: datetime | None = None,
    ) -> Group:
        """Create a group; precedence orders ``cognito:groups`` (lowest first)."""
        if not _GROUP_NAME.fullmatch(name):
            raise InvalidParameterException(
                f"1 validation error detected: Value '{name}' at 'groupName' failed to satisfy "
                r"constraint: Member must satisfy regular expression pattern: "
                r"[\p{L}\p{M}\p{S}\p{N}\p{P}]+"
            )
        if precedence is not None and not 0 <= precedence <= MAX_PRECEDENCE:
            raise InvalidParameterException(
                "1 validation error detected: Value at 'precedence' failed to satisfy "
                "constraint: Member must have value greater than or equal to 0"
            )
        row = GroupRow(
            pool_id=pool_id,
            name=name,
            description=description,
            precedence=precedence,
            created_at=self._now(now),
        )
        try:
            async with self.db.transaction() as session:
                await pool_row(session, pool_id)
                if await self._find_group(session, pool_id, name) is not None:
                    raise GroupExistsException(f"A group with the name {name} already exists.")
                session.add(row)
        except IntegrityError as exc:
            raise GroupExistsException(f"A group with the name {name} already exists.") from exc
        return group_record(row)

    @staticmethod
    async def _find_group(session: AsyncSession, pool_id: str, name: str) -> GroupRow | None:
        return await session.scalar(
            select(GroupRow).where(GroupRow.pool_id == pool_id, GroupRow.name == name)
        )

    @classmethod
    async def _group_row(cls, session: AsyncSession, pool_id: str, name: str) -> GroupRow:
        await pool_row(session, pool_id)
        row = await cls._find_group(session, pool_id, name)
        if row is None:
            raise ResourceNotFoundException("Group not found.")
        return row

    async def get(self, pool_id: str, name: str) -> Group:
        """The group, or ResourceNotFoundException."""
        async with self.db.session() as session:
            return group_record(await self._group_row(session, pool_id, name))

    async def all(self, pool_id: str) -> list[Group]:
        """The pool's groups by precedence, then name."""
        async with self.db.session() as session:
            await pool_row(session, pool_id)
            rows = await session.scalars(
                select(GroupRow).where(GroupRow.pool_id == pool_id).order_by(*_order())  # type: ignore[arg-type]
            )
            return [group_record(row) for row in rows]

    async def delete(self, pool_id: str, name: str) -> None:
        """Delete a group (its memberships go with it)."""
        async with self.db.transaction() as session:
            await session.delete(await self._group_row(session, pool_id, name))

    async def add_user(self, pool_id: str, username: str, group: str) -> None:
        """Add a user to a group (idempotent, as AdminAddUserToGroup)."""
        async with self.db.transaction() as session:
            group_row = await self._group_row(session, pool_id, group)
            user = await user_row(session, pool_id, username)
            if await session.get(GroupMemberRow, (group_row.id, user.sub)) is None:
                session.add(GroupMemberRow(group_id=group_row.id, user_sub=user.sub))

    async def remove_user(self, pool_id: str, username: str, group: str) -> None:
        """Remove a user from a group (idempotent)."""
        async with self.db.transaction() as session:
            group_row = await self._group_row(session, pool_id, group)
            user = await user_row(session, pool_id, username)
            member = await session.get(GroupMemberRow, (group_row.id, user.sub))
            if member is not None:
                await session.delete(member)

    async def of_user(self, pool_id: str, username: str) -> list[Group]:
        """The user's groups by precedence (lowest first), then name."""
        async with self.db.session() as session:
            user = await user_row(session, pool_id, username)
            rows = await session.scalars(
                select(GroupRow)
                .join(GroupMemberRow, GroupMemberRow.group_id == GroupRow.id)
                .where(GroupMemberRow.user_sub == user.sub)
                .order_by(*_order())  # type: ignore[arg-type]
            )
            return [group_record(row) for row in rows]

    async def members(self, pool_id: str, group: str) -> list[User]:
        """The group's members, oldest first."""
        async with self.db.session() as session:
            group_row = await self._group_row(session, pool_id, group)
            rows = await session.scalars(
                select(UserRow)
                .join(GroupMemberRow, GroupMemberRow.user_sub == UserRow.sub)
                .where(GroupMemberRow.group_id == group_row.id)
                .order_by(UserRow.created_at)
            )
            return [user_record(row) for row in rows]
