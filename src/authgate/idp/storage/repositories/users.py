"""The user repository: creation, lookup, passwords, status, attributes."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from authgate.idp.domain import ids
from authgate.idp.domain.attributes import check_user_attributes
from authgate.idp.domain.clock import Clock
from authgate.idp.domain.cognito_errors import (
    AliasExistsException,
    InvalidParameterException,
    NotAuthorizedException,
    UsernameExistsException,
)
from authgate.idp.domain.passwords import PasswordHasher, check_password
from authgate.idp.domain.records import User, UserPool, UserStatus
from authgate.idp.storage.conversions import pool_record, user_record
from authgate.idp.storage.db import Database
from authgate.idp.storage.repositories.base import (
    Repository,
    find_user_row,
    pool,
    pool_row,
    user_row,
)
from authgate.idp.storage.tables import UserRow

__all__ = ["UserRepository"]

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_USERNAME = re.compile(r"\S{1,128}")
_EMAIL_TAKEN = "An account with the given email already exists."


def _identity(pool: UserPool, username: str, attributes: dict[str, str]) -> tuple[str, str, str]:
    """(username, sub, username_key) of a new user; email pools use the sub as username."""
    sub = ids.new_sub()
    if pool.email_is_username:
        if not _EMAIL.fullmatch(username):
            raise InvalidParameterException("Username should be an email.")
        email = attributes.setdefault("email", username)
        if email.lower() != username.lower():
            raise InvalidParameterException(
                "The email attribute must equal the username when email is the username."
            )
        return sub, sub, sub
    if not _USERNAME.fullmatch(username):
        raise InvalidParameterException(
            f"1 validation error detected: Value '{username}' at 'username' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: "
            r"[\p{L}\p{M}\p{S}\p{N}\p{P}]+"
        )
    return username, sub, username.lower()


def _email_key(pool: UserPool, attributes: Mapping[str, str]) -> str | None:
    email = attributes.get("email")
    return email.lower() if pool.email_is_username and email else None


class UserRepository(Repository):
    """Users of a pool; ``hasher`` hashes their passwords."""

    def __init__(self, db: Database, clock: Clock, hasher: PasswordHasher) -> None:
        super().__init__(db, clock)
        self.hasher = hasher

    async def create(
        self,
        pool_id: str,
        username: str,
        attributes: Mapping[str, str] | None = None,
        *,
        temporary_password: str | None = None,
        password: str | None = None,
        status: UserStatus | None = None,
        now: datetime | None = None,
    ) -> User:
        """Create a user (AdminCreateUser): a temporary password leaves it FORCE_CHANGE_PASSWORD,
        a permanent one CONFIRMED (or ``status=UNCONFIRMED`` as after SignUp)."""
        if (temporary_password is None) == (password is None):
            raise InvalidParameterException(
                "Give exactly one of a temporary password or a permanent password."
            )
        async with self.db.session() as session:
            user_pool = await pool(session, pool_id)
        attrs = dict(attributes or {})
        name, sub, key = _identity(user_pool, username, attrs)
        attrs = check_user_attributes(user_pool, attrs, require=True)
        secret = temporary_password if temporary_password is not None else password
        assert secret is not None
        check_password(user_pool.password_policy, secret)
        if temporary_password is not None:
            final_status = UserStatus.FORCE_CHANGE_PASSWORD
        else:
            final_status = status or UserStatus.CONFIRMED
        moment = self._now(now)
        row = UserRow(
            sub=sub,
            pool_id=pool_id,
            username=name,
            username_key=key,
            email_key=_email_key(user_pool, attrs),
            status=final_status.value,
            enabled=True,
            attributes=attrs,
            password_hash=await self.hasher.hash(secret),
            password_changed_at=moment,
            failed_attempts=0,
            created_at=moment,
            updated_at=moment,
        )
        taken = _EMAIL_TAKEN if user_pool.email_is_username else "User account already exists"
        try:
            async with self.db.transaction() as session:
                clash = await find_user_row(session, pool_id, row.email_key or key)
                if clash is not None:
                    raise UsernameExistsException(taken)
                session.add(row)
        except IntegrityError as exc:
            raise UsernameExistsException(taken) from exc
        return user_record(row)

    async def get(self, pool_id: str, username: str) -> User:
        """The user by username, ``sub`` or email alias, or UserNotFoundException."""
        async with self.db.session() as session:
            return user_record(await user_row(session, pool_id, username))

    async def find(self, pool_id: str, username: str) -> User | None:
        """The user by username, ``sub`` or email alias, or None."""
        async with self.db.session() as session:
            row = await find_user_row(session, pool_id, username)
            return user_record(row) if row is not None else None

    async def all(self, pool_id: str) -> list[User]:
        """The pool's users, oldest first."""
        async with self.db.session() as session:
            await pool_row(session, pool_id)
            rows = await session.scalars(
                select(UserRow)
                .where(UserRow.pool_id == pool_id)
                .order_by(UserRow.created_at, UserRow.username)
            )
            return [user_record(row) for row in rows]

    async def set_password(
        self,
        pool_id: str,
        username: str,
        password: str,
        *,
        permanent: bool,
        now: datetime | None = None,
    ) -> User:
        """AdminSetUserPassword: permanent -> CONFIRMED, else FORCE_CHANGE_PASSWORD; unlocks."""
        async with self.db.session() as session:
            policy = (await pool(session, pool_id)).password_policy
            await user_row(session, pool_id, username)
        check_password(policy, password)
        encoded = await self.hasher.hash(password)
        async with self.db.transaction() as session:
            row = await user_row(session, pool_id, username, for_update=True)
            status = UserStatus.CONFIRMED if permanent else UserStatus.FORCE_CHANGE_PASSWORD
            self._store_password(row, encoded, status, self._now(now))
            return user_record(row)

    @staticmethod
    def _store_password(row: UserRow, encoded: str, status: UserStatus, now: datetime) -> None:
        row.password_hash = encoded
        row.password_changed_at = now
        row.status = status.value
        row.failed_attempts = 0
        row.last_failed_at = None
        row.locked_until = None
        row.updated_at = now

    async def confirm(self, pool_id: str, username: str, now: datetime | None = None) -> User:
        """AdminConfirmSignUp: UNCONFIRMED -> CONFIRMED."""
        async with self.db.transaction() as session:
            row = await user_row(session, pool_id, username, for_update=True)
            if row.status != UserStatus.UNCONFIRMED:
                raise NotAuthorizedException(
                    f"User cannot be confirmed. Current status is {row.status}"
                )
            row.status = UserStatus.CONFIRMED.value
            row.updated_at = self._now(now)
            return user_record(row)

    async def set_enabled(
        self, pool_id: str, username: str, enabled: bool, now: datetime | None = None
    ) -> User:
        """AdminEnableUser / AdminDisableUser."""
        async with self.db.transaction() as session:
            row = await user_row(session, pool_id, username, for_update=True)
            row.enabled = enabled
            row.updated_at = self._now(now)
            return user_record(row)

    async def disable(self, pool_id: str, username: str, now: datetime | None = None) -> User:
        """Disable a user: sign-in fails with "User is disabled."."""
        return await self.set_enabled(pool_id, username, False, now)

    async def enable(self, pool_id: str, username: str, now: datetime | None = None) -> User:
        """Enable a disabled user."""
        return await self.set_enabled(pool_id, username, True, now)

    async def delete(self, pool_id: str, username: str) -> None:
        """Delete a user (group memberships and tokens go with it)."""
        async with self.db.transaction() as session:
            await session.delete(await user_row(session, pool_id, username))

    async def update_attributes(
        self,
        pool_id: str,
        username: str,
        attributes: Mapping[str, str],
        now: datetime | None = None,
    ) -> User:
        """Set attributes; a new email is unverified unless ``email_verified`` is given too."""
        async with self.db.transaction() as session:
            user_pool = pool_record(await pool_row(session, pool_id))
            row = await user_row(session, pool_id, username, for_update=True)
            changes = check_user_attributes(user_pool, attributes, require=False)
            for name in user_pool.required_attributes:
                if name in changes and not changes[name]:
                    raise InvalidParameterException(
                        f"Attributes did not conform to the schema: {name}: The attribute "
                        f"{name} is required"
                    )
            merged = {**row.attributes, **changes}
            new_email = changes.get("email", row.attributes.get("email"))
            if new_email != row.attributes.get("email") and "email_verified" not in changes:
                merged["email_verified"] = "false"
            await self._check_alias_free(session, user_pool, row, merged)
            row.attributes = merged
            row.email_key = _email_key(user_pool, merged)
            row.updated_at = self._now(now)
            return user_record(row)

    async def delete_attributes(
        self, pool_id: str, username: str, names: Iterable[str], now: datetime | None = None
    ) -> User:
        """Remove attributes; required attributes cannot be removed."""
        async with self.db.transaction() as session:
            user_pool = pool_record(await pool_row(session, pool_id))
            row = await user_row(session, pool_id, username, for_update=True)
            names = list(names)
            for name in names:
                if name in user_pool.required_attributes or name == "sub":
                    raise InvalidParameterException(
                        f"Attributes did not conform to the schema: {name}: The attribute "
                        f"{name} is required"
                    )
            row.attributes = {k: v for k, v in row.attributes.items() if k not in names}
            row.email_key = _email_key(user_pool, row.attributes)
            row.updated_at = self._now(now)
            return user_record(row)

    @staticmethod
    async def _check_alias_free(
        session: AsyncSession, user_pool: UserPool, row: UserRow, attributes: Mapping[str, str]
    ) -> None:
        key = _email_key(user_pool, attributes)
        if key is None or key == row.email_key:
            return
        other = await find_user_row(session, user_pool.id, key)
        if other is not None and other.sub != row.sub:
            raise AliasExistsException(_EMAIL_TAKEN)
