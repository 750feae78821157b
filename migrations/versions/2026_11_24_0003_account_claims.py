"""account claims: at most one active claim per account

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A partial unique index: both SQLite and PostgreSQL support ``WHERE`` on an index.
    with op.batch_alter_table("account_claim", schema=None) as batch_op:
        batch_op.create_index(
            "uq_account_claim_one_active",
            ["account_id"],
            unique=True,
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("account_claim", schema=None) as batch_op:
        batch_op.drop_index("uq_account_claim_one_active")
