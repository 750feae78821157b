"""Targets (目标) and the derived tables analytics read: monthly activity counts and daily
pipeline snapshots."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, exists, or_, select
from sqlalchemy.orm import Mapped, mapped_column

from flotilla.core.db import (
    Audited,
    Base,
    IdMixin,
    Scoped,
    TimestampMixin,
    UnitOwned,
    VersionedMixin,
)
from flotilla.core.money import MoneyType

# The metrics a target can be set on, and how each is measured:
#   contract_amount   — contracts signed (signing_date) in the period, money
#   payment_collected — payments received (received_on) in the period, not reversed, money
#   new_customers     — accounts created in the period, count
#   won_deals         — opportunities won (closed_at) in the period, count
#   activities        — activities that occurred (occurred_at) in the period, count
TARGET_METRICS = (
    "contract_amount",
    "payment_collected",
    "new_customers",
    "won_deals",
    "activities",
)
MONEY_METRICS = frozenset({"contract_amount", "payment_collected"})
PERIOD_KINDS = ("month", "quarter", "year")

# An activity roll-up row with no owner uses this id (a unique key cannot hold NULL).
NO_OWNER = uuid.UUID(int=0)


class Target(IdMixin, TimestampMixin, VersionedMixin, UnitOwned, Audited, Base):
    """A target for one metric and one fiscal period, set on a unit or on a person.

    ``unit_id`` is the unit the target belongs to; a person's target also names
    ``assignee_user_id`` and is owned by that person (so a rep with "own" scope sees it).
    ``assignee_key`` is ``""`` for a unit target and the user's hex id for a person, so one
    unique key holds on every backend. Money values are in the group currency
    (``currency``); counts have no currency.
    """

    __tablename__ = "target"
    __table_args__ = (
        UniqueConstraint("metric", "period_kind", "period_start", "unit_id", "assignee_key"),
        Index("ix_target_period", "period_kind", "period_start", "metric"),
    )

    metric: Mapped[str] = mapped_column(String(32))
    period_kind: Mapped[str] = mapped_column(String(8))
    period_start: Mapped[date]
    assignee_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("app_user.id"), index=True
    )
    assignee_key: Mapped[str] = mapped_column(String(32), default="")
    value: Mapped[Decimal] = mapped_column(MoneyType())
    currency: Mapped[str | None] = mapped_column(String(3))
    note: Mapped[str | None] = mapped_column(String(500))

    def audit_label(self) -> str:
        return f"{self.metric} {self.period_kind} {self.period_start:%Y-%m}"


class ActivityMonth(Scoped, Base):
    """How many activities of a kind a unit's owner logged in a month (``occurred_at``).

    Maintained in the same transaction as every activity insert, move and delete (see
    ``flotilla.activity.rollup``), so reading it is as live as reading ``activity``.
    """

    __tablename__ = "activity_month"
    __table_args__ = (
        UniqueConstraint("month", "unit_id", "owner_id", "kind"),
        Index("ix_activity_month_subsidiary", "subsidiary_id", "month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    month: Mapped[date]
    subsidiary_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id"))
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id"), index=True)
    owner_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(16))
    count: Mapped[int] = mapped_column(default=0)

    @classmethod
    def scope_unit_condition(cls, visible_unit_ids: Any) -> Any:
        return cls.unit_id.in_(visible_unit_ids)

    @classmethod
    def scope_owner_condition(cls, user_id: uuid.UUID) -> Any:
        return cls.owner_id == user_id


class PipelineSnapshot(IdMixin, UnitOwned, Base):
    """One version of an opportunity's pipeline state, valid from ``valid_from`` (inclusive)
    until ``valid_to`` (exclusive; ``None`` while current).

    The daily snapshot job writes a new version only when something an analytic reads
    changed, so "the pipeline on date X" is the versions valid on X without storing every
    opportunity every day.
    """

    __tablename__ = "pipeline_snapshot"
    __table_args__ = (
        Index("ix_pipeline_snapshot_opportunity", "opportunity_id", "valid_to"),
        Index("ix_pipeline_snapshot_valid", "subsidiary_id", "valid_from", "valid_to"),
    )

    opportunity_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("opportunity.id", ondelete="CASCADE")
    )
    valid_from: Mapped[date]
    valid_to: Mapped[date | None]
    stage_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("process_stage.id"))
    stage_position: Mapped[int]
    probability: Mapped[int]
    status: Mapped[str] = mapped_column(String(8))
    amount: Mapped[Decimal] = mapped_column(MoneyType())
    currency: Mapped[str] = mapped_column(String(3))
    forecast_category: Mapped[str] = mapped_column(String(16))
    expected_close_date: Mapped[date | None]

    @classmethod
    def scope_owner_condition(cls, user_id: uuid.UUID) -> Any:
        from flotilla.models.sales import OpportunityMember

        member = exists(
            select(OpportunityMember.id).where(
                OpportunityMember.opportunity_id == cls.opportunity_id,
                OpportunityMember.user_id == user_id,
            )
        )
        return or_(cls.owner_id == user_id, member)
