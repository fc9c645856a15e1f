"""User pools, domains, app clients, users, groups, resource servers and signing keys.

Revision ID: 0001
Revises:
Create Date: 2025-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def _pool_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["pool_id"],
        ["user_pools.id"],
        name=op.f(f"fk_{table}_pool_id_user_pools"),
        ondelete="CASCADE",
    )


def _stamps(*names: str, nullable: bool = False) -> list[sa.Column[object]]:
    return [sa.Column(name, sa.DateTime(), nullable=nullable) for name in names]


def _create_user_pools() -> None:
    """The ``user_pools`` table."""
    op.create_table(
        "user_pools",
        sa.Column("id", sa.String(55), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("username_attributes", sa.JSON(), nullable=False),
        sa.Column("required_attributes", sa.JSON(), nullable=False),
        sa.Column("custom_attributes", sa.JSON(), nullable=False),
        sa.Column("password_policy", sa.JSON(), nullable=False),
        *_stamps("created_at", "updated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_pools")),
        sa.UniqueConstraint("name", name=op.f("uq_user_pools_name")),
    )


def _create_app_clients() -> None:
    """The ``app_clients`` table."""
    op.create_table(
        "app_clients",
        sa.Column("client_id", sa.String(128), nullable=False),
        sa.Column("pool_id", sa.String(55), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("client_secret", sa.String(64), nullable=True),
        sa.Column("callback_urls", sa.JSON(), nullable=False),
        sa.Column("logout_urls", sa.JSON(), nullable=False),
        sa.Column("default_redirect_uri", sa.String(1024), nullable=True),
        sa.Column("allowed_oauth_flows", sa.JSON(), nullable=False),
        sa.Column("allowed_scopes", sa.JSON(), nullable=False),
        sa.Column("explicit_auth_flows", sa.JSON(), nullable=False),
        sa.Column("access_token_validity", sa.Integer(), nullable=False),
        sa.Column("access_token_unit", sa.String(8), nullable=False),
        sa.Column("id_token_validity", sa.Integer(), nullable=False),
        sa.Column("id_token_unit", sa.String(8), nullable=False),
        sa.Column("refresh_token_validity", sa.Integer(), nullable=False),
        sa.Column("refresh_token_unit", sa.String(8), nullable=False),
        sa.Column("auth_session_validity", sa.Integer(), nullable=False),
        sa.Column("read_attributes", sa.JSON(), nullable=False),
        sa.Column("write_attributes", sa.JSON(), nullable=False),
        sa.Column("enable_token_revocation", sa.Boolean(), nullable=False),
        sa.Column("refresh_token_rotation", sa.Boolean(), nullable=False),
        sa.Column("rotation_grace_seconds", sa.Integer(), nullable=False),
        sa.Column("prevent_user_existence_errors", sa.Boolean(), nullable=False),
        *_stamps("created_at", "updated_at"),
        _pool_fk("app_clients"),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_app_clients")),
    )
    op.create_index(op.f("ix_app_clients_pool_id"), "app_clients", ["pool_id"])


def _create_domains() -> None:
    """The ``domains`` table."""
    op.create_table(
        "domains",
        sa.Column("prefix", sa.String(63), nullable=False),
        sa.Column("pool_id", sa.String(55), nullable=False),
        *_stamps("created_at"),
        _pool_fk("domains"),
        sa.PrimaryKeyConstraint("prefix", name=op.f("pk_domains")),
        sa.UniqueConstraint("pool_id", name=op.f("uq_domains_pool_id")),
    )


def _create_resource_servers() -> None:
    """The ``resource_servers`` table."""
    op.create_table(
        "resource_servers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("pool_id", sa.String(55), nullable=False),
        sa.Column("identifier", sa.String(256), nullable=False),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        *_stamps("created_at"),
        _pool_fk("resource_servers"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resource_servers")),
        sa.UniqueConstraint(
            "pool_id", "identifier", name=op.f("uq_resource_servers_pool_id_identifier")
        ),
    )


def _create_signing_keys() -> None:
    """The ``signing_keys`` table."""
    op.create_table(
        "signing_keys",
        sa.Column("kid", sa.String(64), nullable=False),
        sa.Column("pool_id", sa.String(55), nullable=False),
        sa.Column("use", sa.String(8), nullable=False),
        sa.Column("private_jwk", sa.JSON(), nullable=False),
        *_stamps("created_at", "activates_at"),
        _pool_fk("signing_keys"),
        sa.PrimaryKeyConstraint("kid", name=op.f("pk_signing_keys")),
    )
    op.create_index(op.f("ix_signing_keys_pool_id"), "signing_keys", ["pool_id"])


def _create_user_groups() -> None:
    """The ``user_groups`` table."""
    op.create_table(
        "user_groups",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("pool_id", sa.String(55), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("description", sa.String(2048), nullable=True),
        sa.Column("precedence", sa.Integer(), nullable=True),
        *_stamps("created_at"),
        _pool_fk("user_groups"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_groups")),
        sa.UniqueConstraint("pool_id", "name", name=op.f("uq_user_groups_pool_id_name")),
    )


def _create_users() -> None:
    """The ``users`` table."""
    op.create_table(
        "users",
        sa.Column("sub", sa.String(36), nullable=False),
        sa.Column("pool_id", sa.String(55), nullable=False),
        sa.Column("username", sa.String(128), nullable=False),
        sa.Column("username_key", sa.String(128), nullable=False),
        sa.Column("email_key", sa.String(2048), nullable=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=True),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        *_stamps("password_changed_at", "last_failed_at", "locked_until", nullable=True),
        *_stamps("created_at", "updated_at"),
        _pool_fk("users"),
        sa.PrimaryKeyConstraint("sub", name=op.f("pk_users")),
        sa.UniqueConstraint("pool_id", "email_key", name=op.f("uq_users_pool_id_email_key")),
        sa.UniqueConstraint("pool_id", "username_key", name=op.f("uq_users_pool_id_username_key")),
    )


def _create_group_members() -> None:
    """The ``group_members`` table."""
    op.create_table(
        "group_members",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("user_sub", sa.String(36), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["user_groups.id"],
            name=op.f("fk_group_members_group_id_user_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_sub"],
            ["users.sub"],
            name=op.f("fk_group_members_user_sub_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("group_id", "user_sub", name=op.f("pk_group_members")),
    )
    op.create_index(op.f("ix_group_members_user_sub"), "group_members", ["user_sub"])


def upgrade() -> None:
    """Create the store's tables."""
    _create_user_pools()
    _create_app_clients()
    _create_domains()
    _create_resource_servers()
    _create_signing_keys()
    _create_user_groups()
    _create_users()
    _create_group_members()


def downgrade() -> None:
    """Drop the store's tables."""
    op.drop_index(op.f("ix_group_members_user_sub"), table_name="group_members")
    op.drop_table("group_members")
    op.drop_table("users")
    op.drop_table("user_groups")
    op.drop_index(op.f("ix_signing_keys_pool_id"), table_name="signing_keys")
    op.drop_table("signing_keys")
    op.drop_table("resource_servers")
    op.drop_table("domains")
    op.drop_index(op.f("ix_app_clients_pool_id"), table_name="app_clients")
    op.drop_table("app_clients")
    op.drop_table("user_pools")
