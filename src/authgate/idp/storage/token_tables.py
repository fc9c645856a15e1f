"""ORM tables of the protocol side: authorization codes, refresh tokens, IdP sessions, revocations.

Secrets are never stored: codes, refresh tokens and session ids are kept as SHA-256 hex
digests. ``origin_jti`` names a token family (everything issued from one sign-in); revoking
it revokes every access and ID token that carries it (research/idp.md §1.2 revoke).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from authgate.idp.storage.db import Base, UtcDateTime

__all__ = ["AuthorizationCodeRow", "IdpSessionRow", "RefreshTokenRow", "RevokedTokenRow"]

_POOL_FK = "user_pools.id"
_CLIENT_FK = "app_clients.client_id"
_USER_FK = "users.sub"


class AuthorizationCodeRow(Base):
    """An authorization code (RFC 6749 §4.1.2): single use, bound to client, URI and PKCE."""

    __tablename__ = "oauth_codes"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    pool_id: Mapped[str] = mapped_column(ForeignKey(_POOL_FK, ondelete="CASCADE"), index=True)
    client_id: Mapped[str] = mapped_column(ForeignKey(_CLIENT_FK, ondelete="CASCADE"))
    user_sub: Mapped[str] = mapped_column(ForeignKey(_USER_FK, ondelete="CASCADE"))
    redirect_uri: Mapped[str] = mapped_column(Text)
    scopes: Mapped[list[str]] = mapped_column(JSON)
    nonce: Mapped[str | None] = mapped_column(Text)
    code_challenge: Mapped[str | None] = mapped_column(String(64))
    auth_time: Mapped[int] = mapped_column(Integer)
    origin_jti: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class RefreshTokenRow(Base):
    """A refresh token (RFC 6749 §6), bound to its client; rotation keeps the family."""

    __tablename__ = "oauth_refresh_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    pool_id: Mapped[str] = mapped_column(ForeignKey(_POOL_FK, ondelete="CASCADE"), index=True)
    client_id: Mapped[str] = mapped_column(ForeignKey(_CLIENT_FK, ondelete="CASCADE"))
    user_sub: Mapped[str] = mapped_column(ForeignKey(_USER_FK, ondelete="CASCADE"), index=True)
    scopes: Mapped[list[str]] = mapped_column(JSON)
    auth_time: Mapped[int] = mapped_column(Integer)
    origin_jti: Mapped[str] = mapped_column(String(36), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    rotated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class IdpSessionRow(Base):
    """A hosted-UI sign-in (the SSO cookie points here), one hour by default."""

    __tablename__ = "idp_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    pool_id: Mapped[str] = mapped_column(ForeignKey(_POOL_FK, ondelete="CASCADE"), index=True)
    user_sub: Mapped[str] = mapped_column(ForeignKey(_USER_FK, ondelete="CASCADE"), index=True)
    auth_time: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


class RevokedTokenRow(Base):
    """A revoked ``origin_jti`` (token family); kept until its tokens could have expired."""

    __tablename__ = "oauth_revoked_tokens"

    jti: Mapped[str] = mapped_column(String(36), primary_key=True)
    pool_id: Mapped[str] = mapped_column(ForeignKey(_POOL_FK, ondelete="CASCADE"), index=True)
    revoked_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
