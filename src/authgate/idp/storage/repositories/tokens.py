"""The token repository: codes, refresh tokens, IdP sessions and revoked token families.

Every secret is looked up by its SHA-256 digest. Single use (RFC 6749 §4.1.2) and rotation
are decided by one conditional UPDATE each, so two concurrent redemptions cannot both win,
on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, update

from authgate.idp.storage.repositories.base import Repository
from authgate.idp.storage.token_tables import (
    AuthorizationCodeRow,
    IdpSessionRow,
    RefreshTokenRow,
    RevokedTokenRow,
)

__all__ = ["CodeRecord", "RefreshRecord", "SessionRecord", "TokenRepository", "digest"]


def digest(secret: str) -> str:
    """SHA-256 hex digest of a code, refresh token or session id: what the database keeps."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class CodeRecord:
    """An authorization code as issued; ``used`` once it was redeemed."""

    pool_id: str
    client_id: str
    user_sub: str
    redirect_uri: str
    scopes: tuple[str, ...]
    nonce: str | None
    code_challenge: str | None
    auth_time: int
    origin_jti: str
    expires_at: datetime
    used: bool


@dataclass(frozen=True, slots=True)
class RefreshRecord:
    """A refresh token as stored (without the token itself)."""

    token_hash: str
    pool_id: str
    client_id: str
    user_sub: str
    scopes: tuple[str, ...]
    auth_time: int
    origin_jti: str
    expires_at: datetime
    rotated_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """A hosted-UI sign-in."""

    pool_id: str
    user_sub: str
    auth_time: int
    expires_at: datetime


def _refresh(row: RefreshTokenRow) -> RefreshRecord:
    return RefreshRecord(
        token_hash=row.token_hash,
        pool_id=row.pool_id,
        client_id=row.client_id,
        user_sub=row.user_sub,
        scopes=tuple(row.scopes),
        auth_time=row.auth_time,
        origin_jti=row.origin_jti,
        expires_at=row.expires_at,
        rotated_at=row.rotated_at,
        revoked_at=row.revoked_at,
    )


class TokenRepository(Repository):
    """Async access to the protocol tables; each method takes the protocol's ``now``."""

    async def add_code(self, code: str, row: AuthorizationCodeRow) -> None:
        """Store a new authorization code (``row.code_hash`` is set from ``code``)."""
        row.code_hash = digest(code)
        async with self.db.transaction() as session:
            session.add(row)

    async def find_code(self, code: str) -> CodeRecord | None:
        """The authorization code as issued (used or not), or None if it never existed."""
        async with self.db.session() as session:
            row = await session.get(AuthorizationCodeRow, digest(code))
            if row is None:
                return None
            return CodeRecord(
                pool_id=row.pool_id,
                client_id=row.client_id,
                user_sub=row.user_sub,
                redirect_uri=row.redirect_uri,
                scopes=tuple(row.scopes),
                nonce=row.nonce,
                code_challenge=row.code_challenge,
                auth_time=row.auth_time,
                origin_jti=row.origin_jti,
                expires_at=row.expires_at,
                used=row.used_at is not None,
            )

    async def use_code(self, code: str, now: datetime) -> bool:
        """Mark ``code`` used; False if it was already used (by a concurrent request too)."""
        async with self.db.transaction() as session:
            result = await session.execute(
                update(AuthorizationCodeRow)
                .where(AuthorizationCodeRow.code_hash == digest(code))
                .where(AuthorizationCodeRow.used_at.is_(None))
                .values(used_at=now)
            )
            return getattr(result, "rowcount", 0) == 1

    async def use_refresh_token(self, token_hash: str, now: datetime) -> bool:
        """Mark one refresh token rotated; False if it already was."""
        async with self.db.transaction() as session:
            result = await session.execute(
                update(RefreshTokenRow)
                .where(RefreshTokenRow.token_hash == token_hash)
                .where(RefreshTokenRow.rotated_at.is_(None))
                .values(rotated_at=now)
            )
            return getattr(result, "rowcount", 0) == 1

    async def add_refresh_token(self, token: str, row: RefreshTokenRow) -> None:
        """Store a new refresh token (``row.token_hash`` is set from ``token``)."""
        row.token_hash = digest(token)
        async with self.db.transaction() as session:
            session.add(row)

    async def find_refresh_token(self, token: str) -> RefreshRecord | None:
        """The stored refresh token, or None."""
        async with self.db.session() as session:
            row = await session.get(RefreshTokenRow, digest(token))
            return None if row is None else _refresh(row)

    async def revoke_family(
        self, pool_id: str, origin_jti: str, now: datetime, keep_until: datetime
    ) -> None:
        """Revoke every refresh token of the family and every token carrying ``origin_jti``."""
        async with self.db.transaction() as session:
            await session.execute(
                update(RefreshTokenRow)
                .where(RefreshTokenRow.origin_jti == origin_jti)
                .where(RefreshTokenRow.revoked_at.is_(None))
                .values(revoked_at=now)
            )
            if await session.get(RevokedTokenRow, origin_jti) is None:
                session.add(
                    RevokedTokenRow(
                        jti=origin_jti, pool_id=pool_id, revoked_at=now, expires_at=keep_until
                    )
                )

    async def is_revoked(self, origin_jti: str) -> bool:
        """True if the token family ``origin_jti`` was revoked."""
        async with self.db.session() as session:
            return await session.get(RevokedTokenRow, origin_jti) is not None

    async def add_session(
        self, session_id: str, pool_id: str, user_sub: str, auth_time: int, now: datetime, ttl: int
    ) -> None:
        """Remember a hosted-UI sign-in for ``ttl`` seconds."""
        async with self.db.transaction() as session:
            session.add(
                IdpSessionRow(
                    id_hash=digest(session_id),
                    pool_id=pool_id,
                    user_sub=user_sub,
                    auth_time=auth_time,
                    created_at=now,
                    expires_at=now + timedelta(seconds=ttl),
                )
            )

    async def find_session(
        self, session_id: str, pool_id: str, now: datetime
    ) -> SessionRecord | None:
        """The live sign-in behind a session cookie of ``pool_id``, or None."""
        async with self.db.session() as session:
            row = await session.get(IdpSessionRow, digest(session_id))
            if row is None or row.pool_id != pool_id or row.expires_at <= now:
                return None
            return SessionRecord(row.pool_id, row.user_sub, row.auth_time, row.expires_at)

    async def delete_session(self, session_id: str) -> None:
        """Forget a hosted-UI sign-in (logout)."""
        async with self.db.transaction() as session:
            await session.execute(
                delete(IdpSessionRow).where(IdpSessionRow.id_hash == digest(session_id))
            )

    async def purge_expired(self, now: datetime) -> int:
        """Delete expired codes, sessions, refresh tokens and revocation records.

        Codes are kept one day past their expiry so that a replayed code is still
        recognised and revokes what it issued (RFC 6749 §4.1.2); the rest goes as soon as
        it expires. Returns how many rows were deleted.
        """
        statements = (
            delete(AuthorizationCodeRow).where(
                AuthorizationCodeRow.expires_at < now - timedelta(days=1)
            ),
            delete(IdpSessionRow).where(IdpSessionRow.expires_at < now),
            delete(RefreshTokenRow).where(RefreshTokenRow.expires_at < now),
            delete(RevokedTokenRow).where(RevokedTokenRow.expires_at < now),
        )
        deleted = 0
        async with self.db.transaction() as session:
            for statement in statements:
                result = await session.execute(statement)
                deleted += max(getattr(result, "rowcount", 0) or 0, 0)
        return deleted
