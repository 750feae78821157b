"""Covering indexes for analytics: facts per unit subtree read from the index alone

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 13:38:34.563009

Measured with ``bench/analytics.py`` (docs/PERFORMANCE.md, "Analytics"): every analytics fact
query joins ``org_unit`` on ``unit_id`` to select a unit's subtree, so each index leads with
``unit_id`` and the filter column, and carries the grouped and summed columns (plus what the
scope kernel's owner / deal-member / account-share tests read) so no table row is visited.
Index-only: no table changes.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OUTSTANDING = "amount > paid_amount"


def upgrade() -> None:
    op.create_index(
        "ix_account_unit_created_cover",
        "account",
        ["unit_id", "created_at", "owner_id", "id"],
        unique=False,
    )
    op.create_index(
        "ix_contract_unit_signed_cover",
        "contract",
        ["unit_id", "status", "signing_date", "owner_id", "currency", "amount", "opportunity_id"],
        unique=False,
    )
    op.create_index(
        "ix_opportunity_unit_closed_cover",
        "opportunity",
        ["unit_id", "status", "closed_at", "owner_id", "currency", "amount", "created_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_opportunity_unit_open_cover",
        "opportunity",
        [
            "unit_id",
            "status",
            "expected_close_date",
            "stage_id",
            "forecast_category",
            "owner_id",
            "currency",
            "amount",
            "stage_entered_at",
            "id",
        ],
        unique=False,
    )
    op.create_index(
        "ix_payment_unit_received_cover",
        "payment",
        ["unit_id", "status", "received_on", "owner_id", "currency", "amount"],
        unique=False,
    )
    op.create_index(
        "ix_payment_installment_outstanding",
        "payment_installment",
        ["unit_id", "due_date", "owner_id", "currency", "amount", "paid_amount", "contract_id"],
        unique=False,
        sqlite_where=sa.text(OUTSTANDING),
        postgresql_where=sa.text(OUTSTANDING),
    )
    op.create_index(
        "ix_stage_history_changed_cover",
        "stage_history",
        ["changed_at", "opportunity_id", "to_stage_id", "from_stage_id", "days_in_previous"],
        unique=False,
    )
    op.create_index(
        "ix_stage_history_opportunity_cover",
        "stage_history",
        ["opportunity_id", "changed_at", "to_stage_id", "from_stage_id", "days_in_previous", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_stage_history_opportunity_cover", table_name="stage_history")
    op.drop_index("ix_stage_history_changed_cover", table_name="stage_history")
    op.drop_index(
        "ix_payment_installment_outstanding",
        table_name="payment_installment",
        sqlite_where=sa.text(OUTSTANDING),
        postgresql_where=sa.text(OUTSTANDING),
    )
    op.drop_index("ix_payment_unit_received_cover", table_name="payment")
    op.drop_index("ix_opportunity_unit_open_cover", table_name="opportunity")
    op.drop_index("ix_opportunity_unit_closed_cover", table_name="opportunity")
    op.drop_index("ix_contract_unit_signed_cover", table_name="contract")
    op.drop_index("ix_account_unit_created_cover", table_name="account")
