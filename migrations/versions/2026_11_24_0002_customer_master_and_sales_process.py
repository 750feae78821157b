"""customer master and sales process

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 05:04:05.871903
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import flotilla.core.db

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pool_rule",
        sa.Column("subsidiary_id", sa.Uuid(), nullable=False),
        sa.Column("protection_days", sa.Integer(), nullable=False),
        sa.Column("reclaim_after_days", sa.Integer(), nullable=False),
        sa.Column("max_accounts_per_rep", sa.Integer(), nullable=False),
        sa.Column("cooldown_days", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", flotilla.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", flotilla.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subsidiary_id"], ["org_unit.id"], name=op.f("fk_pool_rule_subsidiary_id_org_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pool_rule")),
        sa.UniqueConstraint("subsidiary_id", name=op.f("uq_pool_rule_subsidiary_id")),
    )
    op.create_table(
        "process_template",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=True),
        sa.Column("subsidiary_id", sa.Uuid(), nullable=True),
        sa.Column("base_template_id", sa.Uuid(), nullable=True),
        sa.Column("allow_variants", sa.Boolean(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", flotilla.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", flotilla.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["base_template_id"],
            ["process_template.id"],
            name=op.f("fk_process_template_base_template_id_process_template"),
        ),
        sa.ForeignKeyConstraint(
            ["subsidiary_id"],
            ["org_unit.id"],
            name=op.f("fk_process_template_subsidiary_id_org_unit"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_process_template")),
        sa.UniqueConstraint("code", name=op.f("uq_process_template_code")),
    )
    with op.batch_alter_table("process_template", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_process_template_subsidiary_id"), ["subsidiary_id"], unique=False
        )

    op.create_table(
        "account",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=True),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=True),
        sa.Column("industry", sa.String(length=64), nullable=True),
        sa.Column("region", sa.String(length=64), nullable=True),
        sa.Column("tier", sa.String(length=16), nullable=False),
        sa.Column("value_class", sa.String(length=1), nullable=False),
        sa.Column("parent_account_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.Column("last_follow_up_at", flotilla.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("pool_entered_at", flotilla.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("force_reason", sa.String(length=500), nullable=True),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", flotilla.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", flotilla.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("subsidiary_id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["app_user.id"], name=op.f("fk_account_created_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["app_user.id"], name=op.f("fk_account_owner_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["parent_account_id"], ["account.id"], name=op.f("fk_account_parent_account_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["subsidiary_id"], ["org_unit.id"], name=op.f("fk_account_subsidiary_id_org_unit")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["org_unit.id"], name=op.f("fk_account_unit_id_org_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account")),
        sa.UniqueConstraint(
            "subsidiary_id", "external_id", name=op.f("uq_account_subsidiary_id_external_id")
        ),
        sa.UniqueConstraint("uscc", name=op.f("uq_account_uscc")),
    )
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_name_key"), ["name_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_account_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_account_parent_account_id"), ["parent_account_id"], unique=False
        )
        batch_op.create_index(
            "ix_account_pool", ["subsidiary_id", "status", "last_follow_up_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_account_subsidiary_id"), ["subsidiary_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_account_unit_id"), ["unit_id"], unique=False)
        batch_op.create_index("ix_account_unit_status", ["unit_id", "status"], unique=False)

    op.create_table(
        "process_version",
        sa.Column("template_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", flotilla.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_at", flotilla.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("published_by_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["app_user.id"],
            name=op.f("fk_process_version_published_by_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["process_template.id"],
            name=op.f("fk_process_version_template_id_process_template"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_process_version")),
        sa.UniqueConstraint(
            "template_id", "number", name=op.f("uq_process_version_template_id_number")
        ),
    )
    with op.batch_alter_table("process_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_process_version_template_id"), ["template_id"], unique=False
        )

    op.create_table(
        "account_claim",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("claimed_at", flotilla.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("protected_until", flotilla.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", flotilla.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", flotilla.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("subsidiary_id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            name=op.f("fk_account_claim_account_id_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["app_user.id"], name=op.f("fk_account_claim_owner_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["subsidiary_id"], ["org_unit.id"], name=op.f("fk_account_claim_subsidiary_id_org_unit")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["org_unit.id"], name=op.f("fk_account_claim_unit_id_org_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_claim")),
    )
    with op.batch_alter_table("account_claim", schema=None) as batch_op:
        batch_op.create_index(
            "ix_account_claim_active", ["account_id", "status", "protected_until"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_account_claim_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_account_claim_subsidiary_id"), ["subsidiary_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_account_claim_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "account_search_key",
        sa.Column(
            "key",
            sa.String(length=64).with_variant(sa.String(length=64, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            name=op.f("fk_account_search_key_account_id_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("key", "account_id", name=op.f("pk_account_search_key")),
    )
    with op.batch_alter_table("account_search_key", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_account_search_key_account_id"), ["account_id"], unique=False
        )

    op.create_table(
        "contact",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("subsidiary_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone_key", sa.String(length=32), nullable=True),
        sa.Column("email_key", sa.String(length=254), nullable=True),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", flotilla.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", flotilla.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            name=op.f("fk_contact_account_id_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["app_user.id"], name=op.f("fk_contact_created_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["subsidiary_id"], ["org_unit.id"], name=op.f("fk_contact_subsidiary_id_org_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact")),
    )
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contact_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_contact_email_key"), ["email_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_contact_phone_key"), ["phone_key"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_contact_subsidiary_id"), ["subsidiary_id"], unique=False
        )

    op.create_table(
        "pool_release",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("subsidiary_id", sa.Uuid(), nullable=False),
        sa.Column("released_at", flotilla.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            name=op.f("fk_pool_release_account_id_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subsidiary_id"], ["org_unit.id"], name=op.f("fk_pool_release_subsidiary_id_org_unit")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_pool_release_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pool_release")),
    )
    with op.batch_alter_table("pool_release", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pool_release_subsidiary_id"), ["subsidiary_id"], unique=False
        )
        batch_op.create_index(
            "ix_pool_release_user_account", ["user_id", "account_id"], unique=False
        )

    op.create_table(
        "process_stage",
        sa.Column("version_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("probability", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("max_days", sa.Integer(), nullable=True),
        sa.Column("playbook", sa.Text(), nullable=True),
        sa.Column(
            "required_fields",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "checklist",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("requires_approval", sa.Boolean(), nullable=False),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["process_version.id"],
            name=op.f("fk_process_stage_version_id_process_version"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_process_stage")),
        sa.UniqueConstraint("version_id", "code", name=op.f("uq_process_stage_version_id_code")),
    )
    with op.batch_alter_table("process_stage", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_process_stage_version_id"), ["version_id"], unique=False
        )

    op.create_table(
        "claim_conflict",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("subsidiary_id", sa.Uuid(), nullable=False),
        sa.Column("claim_id", sa.Uuid(), nullable=False),
        sa.Column("protecting_subsidiary_id", sa.Uuid(), nullable=False),
        sa.Column("protecting_unit_id", sa.Uuid(), nullable=False),
        sa.Column("requesting_unit_id", sa.Uuid(), nullable=False),
        sa.Column("requested_by_id", sa.Uuid(), nullable=False),
        sa.Column("attempted_action", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("resolution_note", sa.Text(), nullable=True),
        sa.Column("resolved_by_id", sa.Uuid(), nullable=True),
        sa.Column("resolved_at", flotilla.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", flotilla.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", flotilla.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_claim_conflict_account_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["account_claim.id"],
            name=op.f("fk_claim_conflict_claim_id_account_claim"),
        ),
        sa.ForeignKeyConstraint(
            ["protecting_subsidiary_id"],
            ["org_unit.id"],
            name=op.f("fk_claim_conflict_protecting_subsidiary_id_org_unit"),
        ),
        sa.ForeignKeyConstraint(
            ["protecting_unit_id"],
            ["org_unit.id"],
            name=op.f("fk_claim_conflict_protecting_unit_id_org_unit"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["app_user.id"],
            name=op.f("fk_claim_conflict_requested_by_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["requesting_unit_id"],
            ["org_unit.id"],
            name=op.f("fk_claim_conflict_requesting_unit_id_org_unit"),
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"],
            ["app_user.id"],
            name=op.f("fk_claim_conflict_resolved_by_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["subsidiary_id"],
            ["org_unit.id"],
            name=op.f("fk_claim_conflict_subsidiary_id_org_unit"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_conflict")),
    )
    with op.batch_alter_table("claim_conflict", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_claim_conflict_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_claim_conflict_protecting_unit_id"), ["protecting_unit_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_claim_conflict_requesting_unit_id"), ["requesting_unit_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_claim_conflict_subsidiary_id"), ["subsidiary_id"], unique=False
        )

    op.create_table(
        "lead",
        sa.Column("source", sa.String(length=64), nullable=True),
        sa.Column("company_name", sa.String(length=200), nullable=False),
        sa.Column("contact_name", sa.String(length=100), nullable=True),
        sa.Column("title", sa.String(length=100), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("industry", sa.String(length=64), nullable=True),
        sa.Column("region", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("disqualify_reason", sa.String(length=500), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("converted_account_id", sa.Uuid(), nullable=True),
        sa.Column("converted_contact_id", sa.Uuid(), nullable=True),
        sa.Column("converted_opportunity_id", sa.Uuid(), nullable=True),
        sa.Column("converted_at", flotilla.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", flotilla.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", flotilla.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("subsidiary_id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["converted_account_id"],
            ["account.id"],
            name=op.f("fk_lead_converted_account_id_account"),
        ),
        sa.ForeignKeyConstraint(
            ["converted_contact_id"],
            ["contact.id"],
            name=op.f("fk_lead_converted_contact_id_contact"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["app_user.id"], name=op.f("fk_lead_owner_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["subsidiary_id"], ["org_unit.id"], name=op.f("fk_lead_subsidiary_id_org_unit")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["org_unit.id"], name=op.f("fk_lead_unit_id_org_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead")),
    )
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lead_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_lead_subsidiary_id"), ["subsidiary_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_lead_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "account_share",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("subsidiary_id", sa.Uuid(), nullable=False),
        sa.Column("conflict_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", flotilla.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            name=op.f("fk_account_share_account_id_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["conflict_id"],
            ["claim_conflict.id"],
            name=op.f("fk_account_share_conflict_id_claim_conflict"),
        ),
        sa.ForeignKeyConstraint(
            ["subsidiary_id"], ["org_unit.id"], name=op.f("fk_account_share_subsidiary_id_org_unit")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["org_unit.id"], name=op.f("fk_account_share_unit_id_org_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_share")),
        sa.UniqueConstraint(
            "account_id", "unit_id", name=op.f("uq_account_share_account_id_unit_id")
        ),
    )
    with op.batch_alter_table("account_share", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_account_share_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_account_share_subsidiary_id"), ["subsidiary_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_account_share_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "opportunity",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("amount", flotilla.core.money.MoneyType(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("expected_close_date", sa.Date(), nullable=True),
        sa.Column("process_version_id", sa.Uuid(), nullable=False),
        sa.Column("stage_id", sa.Uuid(), nullable=False),
        sa.Column("stage_entered_at", flotilla.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("forecast_category", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=True),
        sa.Column(
            "competitors",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("loss_reason", sa.String(length=500), nullable=True),
        sa.Column(
            "checklist_state",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("closed_at", flotilla.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("lead_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", flotilla.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", flotilla.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("subsidiary_id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_opportunity_account_id_account")
        ),
        sa.ForeignKeyConstraint(["lead_id"], ["lead.id"], name=op.f("fk_opportunity_lead_id_lead")),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["app_user.id"], name=op.f("fk_opportunity_owner_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["process_version_id"],
            ["process_version.id"],
            name=op.f("fk_opportunity_process_version_id_process_version"),
        ),
        sa.ForeignKeyConstraint(
            ["stage_id"], ["process_stage.id"], name=op.f("fk_opportunity_stage_id_process_stage")
        ),
        sa.ForeignKeyConstraint(
            ["subsidiary_id"], ["org_unit.id"], name=op.f("fk_opportunity_subsidiary_id_org_unit")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["org_unit.id"], name=op.f("fk_opportunity_unit_id_org_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opportunity")),
    )
    with op.batch_alter_table("opportunity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_opportunity_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_opportunity_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_opportunity_stage_id"), ["stage_id"], unique=False)
        batch_op.create_index(
            "ix_opportunity_subsidiary_close",
            ["subsidiary_id", "status", "expected_close_date"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_opportunity_subsidiary_id"), ["subsidiary_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_opportunity_unit_id"), ["unit_id"], unique=False)
        batch_op.create_index(
            "ix_opportunity_unit_status_stage", ["unit_id", "status", "stage_id"], unique=False
        )

    op.create_table(
        "activity",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("account_id", sa.Uuid(), nullable=True),
        sa.Column("contact_id", sa.Uuid(), nullable=True),
        sa.Column("opportunity_id", sa.Uuid(), nullable=True),
        sa.Column("occurred_at", flotilla.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_at", flotilla.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("completed_at", flotilla.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", flotilla.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", flotilla.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("subsidiary_id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_activity_account_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contact.id"], name=op.f("fk_activity_contact_id_contact")
        ),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunity.id"],
            name=op.f("fk_activity_opportunity_id_opportunity"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["app_user.id"], name=op.f("fk_activity_owner_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["subsidiary_id"], ["org_unit.id"], name=op.f("fk_activity_subsidiary_id_org_unit")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["org_unit.id"], name=op.f("fk_activity_unit_id_org_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity")),
    )
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.create_index(
            "ix_activity_account_time", ["account_id", "occurred_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_activity_opportunity_id"), ["opportunity_id"], unique=False
        )
        batch_op.create_index(
            "ix_activity_owner_due", ["owner_id", "completed_at", "due_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_activity_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_activity_subsidiary_id"), ["subsidiary_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_activity_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "opportunity_member",
        sa.Column("opportunity_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=4), nullable=False),
        sa.Column("added_at", flotilla.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunity.id"],
            name=op.f("fk_opportunity_member_opportunity_id_opportunity"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_opportunity_member_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opportunity_member")),
        sa.UniqueConstraint(
            "opportunity_id", "user_id", name=op.f("uq_opportunity_member_opportunity_id_user_id")
        ),
    )
    with op.batch_alter_table("opportunity_member", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_opportunity_member_opportunity_id"), ["opportunity_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_opportunity_member_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "stage_history",
        sa.Column("opportunity_id", sa.Uuid(), nullable=False),
        sa.Column("subsidiary_id", sa.Uuid(), nullable=False),
        sa.Column("from_stage_id", sa.Uuid(), nullable=True),
        sa.Column("to_stage_id", sa.Uuid(), nullable=False),
        sa.Column("changed_by_id", sa.Uuid(), nullable=True),
        sa.Column("changed_at", flotilla.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("days_in_previous", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("is_skip", sa.Boolean(), nullable=False),
        sa.Column("is_backward", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["changed_by_id"], ["app_user.id"], name=op.f("fk_stage_history_changed_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["from_stage_id"],
            ["process_stage.id"],
            name=op.f("fk_stage_history_from_stage_id_process_stage"),
        ),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunity.id"],
            name=op.f("fk_stage_history_opportunity_id_opportunity"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subsidiary_id"], ["org_unit.id"], name=op.f("fk_stage_history_subsidiary_id_org_unit")
        ),
        sa.ForeignKeyConstraint(
            ["to_stage_id"],
            ["process_stage.id"],
            name=op.f("fk_stage_history_to_stage_id_process_stage"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage_history")),
    )
    with op.batch_alter_table("stage_history", schema=None) as batch_op:
        batch_op.create_index(
            "ix_stage_history_opportunity", ["opportunity_id", "changed_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_stage_history_subsidiary_id"), ["subsidiary_id"], unique=False
        )
    # lead ⇄ opportunity reference each other: the lead's foreign key comes last.
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.create_foreign_key(
            op.f("fk_lead_converted_opportunity_id_opportunity"),
            "opportunity",
            ["converted_opportunity_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.drop_constraint(
            op.f("fk_lead_converted_opportunity_id_opportunity"), type_="foreignkey"
        )
    with op.batch_alter_table("stage_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stage_history_subsidiary_id"))
        batch_op.drop_index("ix_stage_history_opportunity")

    op.drop_table("stage_history")
    with op.batch_alter_table("opportunity_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_opportunity_member_user_id"))
        batch_op.drop_index(batch_op.f("ix_opportunity_member_opportunity_id"))

    op.drop_table("opportunity_member")
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activity_unit_id"))
        batch_op.drop_index(batch_op.f("ix_activity_subsidiary_id"))
        batch_op.drop_index(batch_op.f("ix_activity_owner_id"))
        batch_op.drop_index("ix_activity_owner_due")
        batch_op.drop_index(batch_op.f("ix_activity_opportunity_id"))
        batch_op.drop_index("ix_activity_account_time")

    op.drop_table("activity")
    with op.batch_alter_table("opportunity", schema=None) as batch_op:
        batch_op.drop_index("ix_opportunity_unit_status_stage")
        batch_op.drop_index(batch_op.f("ix_opportunity_unit_id"))
        batch_op.drop_index(batch_op.f("ix_opportunity_subsidiary_id"))
        batch_op.drop_index("ix_opportunity_subsidiary_close")
        batch_op.drop_index(batch_op.f("ix_opportunity_stage_id"))
        batch_op.drop_index(batch_op.f("ix_opportunity_owner_id"))
        batch_op.drop_index(batch_op.f("ix_opportunity_account_id"))

    op.drop_table("opportunity")
    with op.batch_alter_table("account_share", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_share_unit_id"))
        batch_op.drop_index(batch_op.f("ix_account_share_subsidiary_id"))
        batch_op.drop_index(batch_op.f("ix_account_share_account_id"))

    op.drop_table("account_share")
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lead_unit_id"))
        batch_op.drop_index(batch_op.f("ix_lead_subsidiary_id"))
        batch_op.drop_index(batch_op.f("ix_lead_owner_id"))

    op.drop_table("lead")
    with op.batch_alter_table("claim_conflict", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_conflict_subsidiary_id"))
        batch_op.drop_index(batch_op.f("ix_claim_conflict_requesting_unit_id"))
        batch_op.drop_index(batch_op.f("ix_claim_conflict_protecting_unit_id"))
        batch_op.drop_index(batch_op.f("ix_claim_conflict_account_id"))

    op.drop_table("claim_conflict")
    with op.batch_alter_table("process_stage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_process_stage_version_id"))

    op.drop_table("process_stage")
    with op.batch_alter_table("pool_release", schema=None) as batch_op:
        batch_op.drop_index("ix_pool_release_user_account")
        batch_op.drop_index(batch_op.f("ix_pool_release_subsidiary_id"))

    op.drop_table("pool_release")
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_subsidiary_id"))
        batch_op.drop_index(batch_op.f("ix_contact_phone_key"))
        batch_op.drop_index(batch_op.f("ix_contact_email_key"))
        batch_op.drop_index(batch_op.f("ix_contact_account_id"))

    op.drop_table("contact")
    with op.batch_alter_table("account_search_key", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_search_key_account_id"))

    op.drop_table("account_search_key")
    with op.batch_alter_table("account_claim", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_claim_unit_id"))
        batch_op.drop_index(batch_op.f("ix_account_claim_subsidiary_id"))
        batch_op.drop_index(batch_op.f("ix_account_claim_owner_id"))
        batch_op.drop_index("ix_account_claim_active")

    op.drop_table("account_claim")
    with op.batch_alter_table("process_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_process_version_template_id"))

    op.drop_table("process_version")
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.drop_index("ix_account_unit_status")
        batch_op.drop_index(batch_op.f("ix_account_unit_id"))
        batch_op.drop_index(batch_op.f("ix_account_subsidiary_id"))
        batch_op.drop_index("ix_account_pool")
        batch_op.drop_index(batch_op.f("ix_account_parent_account_id"))
        batch_op.drop_index(batch_op.f("ix_account_owner_id"))
        batch_op.drop_index(batch_op.f("ix_account_name_key"))

    op.drop_table("account")
    with op.batch_alter_table("process_template", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_process_template_subsidiary_id"))

    op.drop_table("process_template")
    op.drop_table("pool_rule")
