"""The sign-in repository: passwords with Cognito's lockout (research/idp.md §1.6) and the
new-password challenge.

Lockout: after 5 consecutive failures every further failure locks the user for
2^(n-5) seconds, capped at 15 minutes; attempts during a lockout are refused with
"Password attempts exceeded" and not counted; 15 minutes without a failure resets the count.
Unknown users cost one argon2 verification too, so timing does not reveal who exists.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from authgate.idp.domain.attributes import check_user_attributes
from authgate.idp.domain.clock import Clock
from authgate.idp.domain.cognito_errors import NotAuthorizedException
from authgate.idp.domain.passwords import PasswordHasher, check_password
from authgate.idp.domain.records import AuthOutcome, AuthResult, User, UserPool, UserStatus
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

__all__ = [
    "LOCKOUT_CAP",
    "LOCKOUT_RESET",
    "LOCKOUT_THRESHOLD",
    "AuthRepository",
    "lockout_duration",
]

LOCKOUT_THRESHOLD = 5
LOCKOUT_CAP = timedelta(minutes=15)
LOCKOUT_RESET = timedelta(minutes=15)


def lockout_duration(failures: int) -> timedelta:
    """How long the ``failures``-th consecutive failure locks the user (zero below 5)."""
    if failures < LOCKOUT_THRESHOLD:
        return timedelta(0)
    exponent = failures - LOCKOUT_THRESHOLD
    if exponent >= 10:  # 2^10 s is already beyond the cap
        return LOCKOUT_CAP
    return min(timedelta(seconds=2**exponent), LOCKOUT_CAP)


def _record_failure(row: UserRow, now: datetime) -> None:
    row.failed_attempts += 1
    row.last_failed_at = now
    duration = lockout_duration(row.failed_attempts)
    row.locked_until = now + duration if duration else None


def _outcome(pool: UserPool, row: UserRow, now: datetime) -> AuthOutcome:
    """What a correct password leads to, given the user's state."""
    if not row.enabled:
        return AuthOutcome.DISABLED
    status = UserStatus(row.status)
    if status is UserStatus.UNCONFIRMED:
        return AuthOutcome.USER_NOT_CONFIRMED
    if status is UserStatus.RESET_REQUIRED:
        return AuthOutcome.PASSWORD_RESET_REQUIRED
    if status is UserStatus.FORCE_CHANGE_PASSWORD:
        days = pool.password_policy.temporary_password_validity_days
        issued = row.password_changed_at or row.created_at
        if days and now >= issued + timedelta(days=days):
            return AuthOutcome.TEMPORARY_PASSWORD_EXPIRED
        return AuthOutcome.NEW_PASSWORD_REQUIRED
    return AuthOutcome.SUCCESS


class AuthRepository(Repository):
    """Password authentication; ``hasher`` verifies (and upgrades) password hashes."""

    def __init__(self, db: Database, clock: Clock, hasher: PasswordHasher) -> None:
        super().__init__(db, clock)
        self.hasher = hasher

    async def authenticate(
        self, pool_id: str, username: str, password: str, now: datetime | None = None
    ) -> AuthResult:
        """Check a username (or sub, or email alias) and password; see the module docstring."""
        moment = self._now(now)
        async with self.db.transaction() as session:
            user_pool = pool_record(await pool_row(session, pool_id))
            row = await find_user_row(session, pool_id, username, for_update=True)
            if row is None:
                await self.hasher.verify(None, password)
                return AuthResult(AuthOutcome.NOT_AUTHORIZED)
            if row.locked_until is not None and moment < row.locked_until:
                await self.hasher.verify(None, password)
                return AuthResult(AuthOutcome.LOCKED_OUT, retry_after=row.locked_until - moment)
            if row.last_failed_at is not None and moment - row.last_failed_at >= LOCKOUT_RESET:
                row.failed_attempts = 0
                row.locked_until = None
            if not await self.hasher.verify(row.password_hash, password):
                _record_failure(row, moment)
                return AuthResult(AuthOutcome.NOT_AUTHORIZED)
            row.failed_attempts = 0
            row.last_failed_at = None
            row.locked_until = None
            if row.password_hash and self.hasher.needs_rehash(row.password_hash):
                row.password_hash = await self.hasher.hash(password)
            outcome = _outcome(user_pool, row, moment)
            if outcome in (AuthOutcome.SUCCESS, AuthOutcome.NEW_PASSWORD_REQUIRED):
                return AuthResult(outcome, user_record(row))
            return AuthResult(outcome)

    async def complete_new_password(
        self,
        pool_id: str,
        username: str,
        new_password: str,
        attributes: Mapping[str, str] | None = None,
        now: datetime | None = None,
    ) -> User:
        """Answer NEW_PASSWORD_REQUIRED: set a permanent password and any missing required
        attributes (those that already have a value cannot be changed here)."""
        moment = self._now(now)
        async with self.db.session() as session:
            user_pool = await pool(session, pool_id)
            row = await user_row(session, pool_id, username)
            current = dict(row.attributes)
            status = row.status
        if status != UserStatus.FORCE_CHANGE_PASSWORD:
            raise NotAuthorizedException("Invalid session for the user.")
        given = dict(attributes or {})
        for name in given:
            if current.get(name) and name in user_pool.required_attributes:
                raise NotAuthorizedException(
                    f"Cannot modify an already provided required attribute: {name}"
                )
        merged = check_user_attributes(user_pool, {**current, **given}, require=True)
        check_password(user_pool.password_policy, new_password)
        encoded = await self.hasher.hash(new_password)
        async with self.db.transaction() as session:
            row = await user_row(session, pool_id, username, for_update=True)
            if row.status != UserStatus.FORCE_CHANGE_PASSWORD:
                raise NotAuthorizedException("Invalid session for the user.")
            row.attributes = merged
            row.password_hash = encoded
            row.password_changed_at = moment
            row.status = UserStatus.CONFIRMED.value
            row.failed_attempts = 0
            row.locked_until = None
            row.updated_at = moment
            return user_record(row)
