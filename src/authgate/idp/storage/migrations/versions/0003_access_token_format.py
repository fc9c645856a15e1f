"""Per-client access token format: ``cognito`` (default) or ``rfc9068`` (RFC 9068 JWT profile).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``app_clients.access_token_format``; existing clients keep Cognito's format."""
    op.add_column(
        "app_clients",
        sa.Column("access_token_format", sa.String(16), nullable=False, server_default="cognito"),
    )


def downgrade() -> None:
    """Drop the column (every client goes back to Cognito's format).

    A plain ``ALTER TABLE … DROP COLUMN`` (SQLite >= 3.35): batch mode would recreate the table,
    and on SQLite with foreign keys on, dropping the old table cascades to the clients' tokens.
    """
    op.drop_column("app_clients", "access_token_format")
