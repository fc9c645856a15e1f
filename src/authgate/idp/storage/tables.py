"""ORM tables of the IdP store (pools, domains, clients, users, groups, resource servers, keys).

Timestamps are aware UTC datetimes; lists are JSON columns. Every row hangs off a pool with
``ON DELETE CASCADE`` so deleting a pool removes everything in it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from authgate.idp.storage.db import Base, UtcDateTime

__all__ = [
    "AppClientRow",
    "DomainRow",
    "GroupMemberRow",
    "GroupRow",
    "ResourceServerRow",
    "SigningKeyRow",
    "UserPoolRow",
    "UserRow",
]

_POOL_FK = "user_pools.id"


class UserPoolRow(Base):
    """A user pool."""

    __tablename__ = "user_pools"

    id: Mapped[str] = mapped_column(String(55), primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    region: Mapped[str] = mapped_column(String(32))
    username_attributes: Mapped[list[str]] = mapped_column(JSON)
    required_attributes: Mapped[list[str]] = mapped_column(JSON)
    custom_attributes: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    password_policy: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class DomainRow(Base):
    """A hosted-UI domain prefix; one per pool, globally unique."""

    __tablename__ = "domains"

    prefix: Mapped[str] = mapped_column(String(63), primary_key=True)
    pool_id: Mapped[str] = mapped_column(ForeignKey(_POOL_FK, ondelete="CASCADE"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AppClientRow(Base):
    """An app client; client ids are globally unique."""

    __tablename__ = "app_clients"

    client_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    pool_id: Mapped[str] = mapped_column(ForeignKey(_POOL_FK, ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    client_secret: Mapped[str | None] = mapped_column(String(64))
    callback_urls: Mapped[list[str]] = mapped_column(JSON)
    logout_urls: Mapped[list[str]] = mapped_column(JSON)
    default_redirect_uri: Mapped[str | None] = mapped_column(String(1024))
    allowed_oauth_flows: Mapped[list[str]] = mapped_column(JSON)
    allowed_scopes: Mapped[list[str]] = mapped_column(JSON)
    explicit_auth_flows: Mapped[list[str]] = mapped_column(JSON)
    access_token_validity: Mapped[int] = mapped_column(Integer)
    access_token_unit: Mapped[str] = mapped_column(String(8))
    id_token_validity: Mapped[int] = mapped_column(Integer)
    id_token_unit: Mapped[str] = mapped_column(String(8))
    refresh_token_validity: Mapped[int] = mapped_column(Integer)
    refresh_token_unit: Mapped[str] = mapped_column(String(8))
    auth_session_validity: Mapped[int] = mapped_column(Integer)
    read_attributes: Mapped[list[str]] = mapped_column(JSON)
    write_attributes: Mapped[list[str]] = mapped_column(JSON)
    enable_token_revocation: Mapped[bool] = mapped_column(Boolean)
    refresh_token_rotation: Mapped[bool] = mapped_column(Boolean)
    rotation_grace_seconds: Mapped[int] = mapped_column(Integer)
    prevent_user_existence_errors: Mapped[bool] = mapped_column(Boolean)
    access_token_format: Mapped[str] = mapped_column(String(16), server_default="cognito")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class UserRow(Base):
    """A user; ``username_key``/``email_key`` are the case-folded lookup keys."""

    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("pool_id", "username_key"),
        UniqueConstraint("pool_id", "email_key"),
    )

    sub: Mapped[str] = mapped_column(String(36), primary_key=True)
    pool_id: Mapped[str] = mapped_column(ForeignKey(_POOL_FK, ondelete="CASCADE"))
    username: Mapped[str] = mapped_column(String(128))
    username_key: Mapped[str] = mapped_column(String(128))
    email_key: Mapped[str | None] = mapped_column(String(2048))
    status: Mapped[str] = mapped_column(String(32))
    enabled: Mapped[bool] = mapped_column(Boolean)
    attributes: Mapped[dict[str, str]] = mapped_column(JSON)
    password_hash: Mapped[str | None] = mapped_column(Text)
    password_changed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_failed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class GroupRow(Base):
    """A group of users in a pool."""

    __tablename__ = "user_groups"
    __table_args__ = (UniqueConstraint("pool_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pool_id: Mapped[str] = mapped_column(ForeignKey(_POOL_FK, ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(128))
    description: Mapped[str | None] = mapped_column(String(2048))
    precedence: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class GroupMemberRow(Base):
    """Membership of a user in a group."""

    __tablename__ = "group_members"

    group_id: Mapped[int] = mapped_column(
        ForeignKey("user_groups.id", ondelete="CASCADE"), primary_key=True
    )
    user_sub: Mapped[str] = mapped_column(
        ForeignKey("users.sub", ondelete="CASCADE"), primary_key=True, index=True
    )


class ResourceServerRow(Base):
    """An API with custom scopes."""

    __tablename__ = "resource_servers"
    __table_args__ = (UniqueConstraint("pool_id", "identifier"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pool_id: Mapped[str] = mapped_column(ForeignKey(_POOL_FK, ondelete="CASCADE"))
    identifier: Mapped[str] = mapped_column(String(256))
    name: Mapped[str] = mapped_column(String(256))
    scopes: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SigningKeyRow(Base):
    """An RS256 private key (JWK) of a pool, for ID or access tokens."""

    __tablename__ = "signing_keys"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    pool_id: Mapped[str] = mapped_column(ForeignKey(_POOL_FK, ondelete="CASCADE"), index=True)
    use: Mapped[str] = mapped_column(String(8))
    private_jwk: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    activates_at: Mapped[datetime] = mapped_column(UtcDateTime)
