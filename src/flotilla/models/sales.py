"""Leads, activities, process templates and opportunities (lead → cash, 标准化流程)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, exists, or_, select
from sqlalchemy.orm import Mapped, mapped_column

from flotilla.core.db import (
    Audited,
    Base,
    IdMixin,
    TimestampMixin,
    UnitOwned,
    VersionedMixin,
)
from flotilla.core.money import MoneyType

LEAD_STATUSES = ("new", "working", "qualified", "converted", "disqualified")
ACTIVITY_KINDS = ("call", "visit", "meeting", "email", "note", "task")
STAGE_KINDS = ("open", "won", "lost")
FORECAST_CATEGORIES = ("pipeline", "best_case", "commit", "closed", "omitted")
MEMBER_ROLES = ("AR", "SR", "FR")


class Lead(IdMixin, TimestampMixin, VersionedMixin, UnitOwned, Audited, Base):
    __tablename__ = "lead"

    source: Mapped[str | None] = mapped_column(String(64))
    company_name: Mapped[str] = mapped_column(String(200))
    contact_name: Mapped[str | None] = mapped_column(String(100))
    title: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    industry: Mapped[str | None] = mapped_column(String(64))
    region: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="new")
    disqualify_reason: Mapped[str | None] = mapped_column(String(500))
    notes: Mapped[str | None] = mapped_column(Text)
    converted_account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("account.id"))
    converted_contact_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("contact.id"))
    converted_opportunity_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("opportunity.id", use_alter=True)
    )
    converted_at: Mapped[datetime | None]

    def audit_label(self) -> str:
        return self.company_name


class Activity(IdMixin, TimestampMixin, VersionedMixin, UnitOwned, Audited, Base):
    __tablename__ = "activity"
    __table_args__ = (
        Index("ix_activity_owner_due", "owner_id", "completed_at", "due_at"),
        Index("ix_activity_account_time", "account_id", "occurred_at"),
    )

    kind: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str | None] = mapped_column(Text)
    account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("account.id"))
    contact_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("contact.id"), index=True)
    opportunity_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("opportunity.id"), index=True
    )
    occurred_at: Mapped[datetime]
    due_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]

    def audit_label(self) -> str:
        return self.subject


class ProcessTemplate(IdMixin, TimestampMixin, VersionedMixin, Audited, Base):
    """A sales process owned by the group (``subsidiary_id`` NULL) or a subsidiary variant."""

    __tablename__ = "process_template"

    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str | None] = mapped_column(String(100))
    subsidiary_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    base_template_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("process_template.id"))
    allow_variants: Mapped[bool] = mapped_column(default=True)
    is_active: Mapped[bool] = mapped_column(default=True)

    def audit_label(self) -> str:
        return self.name

    def audit_unit_id(self) -> uuid.UUID | None:
        return self.subsidiary_id


class ProcessVersion(IdMixin, Audited, Base):
    """One version of a template: a draft while edited, immutable once published."""

    __tablename__ = "process_version"
    __table_args__ = (UniqueConstraint("template_id", "number"),)

    template_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("process_template.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default="draft")
    created_at: Mapped[datetime]
    published_at: Mapped[datetime | None]
    published_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"))


class ProcessStage(IdMixin, Audited, Base):
    __tablename__ = "process_stage"
    __table_args__ = (UniqueConstraint("version_id", "code"),)

    version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("process_version.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str | None] = mapped_column(String(100))
    position: Mapped[int]
    probability: Mapped[int]
    kind: Mapped[str] = mapped_column(String(8), default="open")
    max_days: Mapped[int | None]
    playbook: Mapped[str | None] = mapped_column(Text)
    required_fields: Mapped[list[Any]] = mapped_column(default=list)
    checklist: Mapped[list[Any]] = mapped_column(default=list)
    requires_approval: Mapped[bool] = mapped_column(default=False)
    locked: Mapped[bool] = mapped_column(default=False)

    def audit_label(self) -> str:
        return self.name


class Opportunity(IdMixin, TimestampMixin, VersionedMixin, UnitOwned, Audited, Base):
    """A deal moving through the stages of the process version it started on."""

    __tablename__ = "opportunity"
    __table_args__ = (
        Index("ix_opportunity_unit_status_stage", "unit_id", "status", "stage_id"),
        Index("ix_opportunity_subsidiary_close", "subsidiary_id", "status", "expected_close_date"),
        # Analytics per unit subtree, read from the index alone (``id`` answers the scope's
        # deal-member test): the open pipeline by close date, stage and forecast category,
        # and stalled deals (stage_entered_at) ...
        Index(
            "ix_opportunity_unit_open_cover",
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
        ),
        # ... and deals won or lost by close date (amounts, cycle days from created_at).
        Index(
            "ix_opportunity_unit_closed_cover",
            "unit_id",
            "status",
            "closed_at",
            "owner_id",
            "currency",
            "amount",
            "created_at",
            "id",
        ),
    )

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("account.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal] = mapped_column(MoneyType())
    currency: Mapped[str] = mapped_column(String(3))
    expected_close_date: Mapped[date | None]
    process_version_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("process_version.id"))
    stage_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("process_stage.id"), index=True)
    stage_entered_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(8), default="open")
    forecast_category: Mapped[str] = mapped_column(String(16), default="pipeline")
    source: Mapped[str | None] = mapped_column(String(64))
    competitors: Mapped[list[Any]] = mapped_column(default=list)
    loss_reason: Mapped[str | None] = mapped_column(String(500))
    checklist_state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    closed_at: Mapped[datetime | None]
    lead_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("lead.id"))

    @classmethod
    def scope_owner_condition(cls, user_id: uuid.UUID) -> Any:
        # Team selling: members (iron triangle) see the deal even from other units.
        member = exists(
            select(OpportunityMember.id).where(
                OpportunityMember.opportunity_id == cls.id, OpportunityMember.user_id == user_id
            )
        )
        return or_(cls.owner_id == user_id, member)

    def audit_label(self) -> str:
        return self.name


class OpportunityMember(IdMixin, Audited, Base):
    __tablename__ = "opportunity_member"
    __table_args__ = (UniqueConstraint("opportunity_id", "user_id"),)

    opportunity_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("opportunity.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"), index=True)
    role: Mapped[str] = mapped_column(String(4))
    added_at: Mapped[datetime]


class StageHistory(IdMixin, Base):
    """Every stage transition of an opportunity (append-only; its audit event is explicit)."""

    __tablename__ = "stage_history"
    __table_args__ = (
        Index("ix_stage_history_opportunity", "opportunity_id", "changed_at"),
        # Funnel and forecast read transitions by time range, and a deal's later transitions
        # (correlated look-ups), without visiting the table.
        Index(
            "ix_stage_history_changed_cover",
            "changed_at",
            "opportunity_id",
            "to_stage_id",
            "from_stage_id",
            "days_in_previous",
        ),
        Index(
            "ix_stage_history_opportunity_cover",
            "opportunity_id",
            "changed_at",
            "to_stage_id",
            "from_stage_id",
            "days_in_previous",
            "id",
        ),
    )

    opportunity_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("opportunity.id", ondelete="CASCADE")
    )
    subsidiary_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id"), index=True)
    from_stage_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("process_stage.id"))
    to_stage_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("process_stage.id"))
    changed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"))
    changed_at: Mapped[datetime]
    days_in_previous: Mapped[int | None]
    reason: Mapped[str | None] = mapped_column(String(500))
    is_skip: Mapped[bool] = mapped_column(default=False)
    is_backward: Mapped[bool] = mapped_column(default=False)
