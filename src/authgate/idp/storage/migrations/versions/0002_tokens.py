"""Protocol tables: authorization codes, refresh tokens, IdP sessions, revoked token families.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from authgate.idp.storage.db import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_POOL_FK = "user_pools.id"


def _pool() -> sa.Column[str]:
    return sa.Column(
        "pool_id", sa.String(55), sa.ForeignKey(_POOL_FK, ondelete="CASCADE"), nullable=False
    )


def _client() -> sa.Column[str]:
    return sa.Column(
        "client_id",
        sa.String(128),
        sa.ForeignKey("app_clients.client_id", ondelete="CASCADE"),
        nullable=False,
    )


def _user() -> sa.Column[str]:
    return sa.Column(
        "user_sub", sa.String(36), sa.ForeignKey("users.sub", ondelete="CASCADE"), nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "oauth_codes",
        sa.Column("code_hash", sa.String(64), primary_key=True),
        _pool(),
        _client(),
        _user(),
        sa.Column("redirect_uri", sa.Text(), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("nonce", sa.Text(), nullable=True),
        sa.Column("code_challenge", sa.String(64), nullable=True),
        sa.Column("auth_time", sa.Integer(), nullable=False),
        sa.Column("origin_jti", sa.String(36), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("used_at", UtcDateTime(), nullable=True),
    )
    op.create_index("ix_oauth_codes_pool_id", "oauth_codes", ["pool_id"])
    op.create_index("ix_oauth_codes_expires_at", "oauth_codes", ["expires_at"])
    op.create_table(
        "oauth_refresh_tokens",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        _pool(),
        _client(),
        _user(),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("auth_time", sa.Integer(), nullable=False),
        sa.Column("origin_jti", sa.String(36), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("rotated_at", UtcDateTime(), nullable=True),
        sa.Column("revoked_at", UtcDateTime(), nullable=True),
    )
    op.create_index("ix_oauth_refresh_tokens_pool_id", "oauth_refresh_tokens", ["pool_id"])
    op.create_index("ix_oauth_refresh_tokens_user_sub", "oauth_refresh_tokens", ["user_sub"])
    op.create_index("ix_oauth_refresh_tokens_origin_jti", "oauth_refresh_tokens", ["origin_jti"])
    op.create_table(
        "idp_sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        _pool(),
        _user(),
        sa.Column("auth_time", sa.Integer(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_idp_sessions_pool_id", "idp_sessions", ["pool_id"])
    op.create_index("ix_idp_sessions_user_sub", "idp_sessions", ["user_sub"])
    op.create_table(
        "oauth_revoked_tokens",
        sa.Column("jti", sa.String(36), primary_key=True),
        _pool(),
        sa.Column("revoked_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_oauth_revoked_tokens_pool_id", "oauth_revoked_tokens", ["pool_id"])
    op.create_index("ix_oauth_revoked_tokens_expires_at", "oauth_revoked_tokens", ["expires_at"])


def downgrade() -> None:
    op.drop_table("oauth_revoked_tokens")
    op.drop_table("idp_sessions")
    op.drop_table("oauth_refresh_tokens")
    op.drop_table("oauth_codes")
