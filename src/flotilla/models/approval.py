"""Approvals (审批流) and the authority matrix (授权矩阵).

Policies and limits are data: a policy binds a guarded action to a condition in the rule
language (``flotilla.approval.rules``) and to ordered steps whose approvers are resolved
through the org tree, the roles and the per-subsidiary authority limits.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, and_, exists, or_, select
from sqlalchemy.orm import Mapped, mapped_column

from flotilla.core import clock
from flotilla.core.db import Audited, Base, IdMixin, TimestampMixin, UnitOwned, VersionedMixin
from flotilla.core.money import MoneyType

APPROVAL_STATUSES = ("pending", "approved", "rejected", "withdrawn", "voided")
TASK_STATUSES = ("waiting", "pending", "approved", "rejected", "skipped", "cancelled")


class ApprovalPolicy(IdMixin, TimestampMixin, VersionedMixin, Audited, Base):
    """Which attempts of ``action`` need approval (``condition``) and by whom (``steps``).

    ``subsidiary_id`` NULL: the policy serves every subsidiary (thresholds come from each
    subsidiary's authority limits); otherwise it applies to that subsidiary only. Among the
    active policies for an action, the lowest ``priority`` whose condition matches wins.
    """

    __tablename__ = "approval_policy"
    __table_args__ = (Index("ix_approval_policy_action", "action", "is_active", "priority"),)

    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str | None] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(500))
    action: Mapped[str] = mapped_column(String(64))
    subsidiary_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    priority: Mapped[int] = mapped_column(default=100)
    condition: Mapped[dict[str, Any]] = mapped_column(default=dict)
    steps: Mapped[list[Any]] = mapped_column(default=list)
    is_active: Mapped[bool] = mapped_column(default=True)

    def audit_label(self) -> str:
        return self.name

    def audit_unit_id(self) -> uuid.UUID | None:
        return self.subsidiary_id


class AuthorityLimit(IdMixin, TimestampMixin, VersionedMixin, Audited, Base):
    """One cell row of a subsidiary's authority matrix: what a role may approve there.

    ``limits`` maps a limit name (``discount_pct``, ``amount_base``, ``payment_days``,
    ``credit_override_base``) to a decimal string, or to ``null`` for "no limit". Amounts are
    in the subsidiary's base currency.
    """

    __tablename__ = "authority_limit"
    __table_args__ = (UniqueConstraint("subsidiary_id", "role_id"),)

    subsidiary_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id"), index=True)
    role_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("role.id"), index=True)
    limits: Mapped[dict[str, Any]] = mapped_column(default=dict)

    def audit_unit_id(self) -> uuid.UUID | None:
        return self.subsidiary_id


class ApprovalRequest(IdMixin, TimestampMixin, VersionedMixin, UnitOwned, Audited, Base):
    """One attempt of a guarded action waiting for (or past) its decision.

    Placed where the guarded record is (``subsidiary_id``/``unit_id``); ``owner_id`` is the
    requester. ``facts`` is the snapshot of the record the policy was evaluated on and
    ``read_fields`` the facts the policy reads: a later change to any of them voids it.
    Approvers and their delegates see the request through ``scope_owner_condition``.
    """

    __tablename__ = "approval_request"
    __table_args__ = (
        Index("ix_approval_request_record", "record_type", "record_id", "action", "status"),
        Index("ix_approval_request_status", "subsidiary_id", "status", "submitted_at"),
    )

    action: Mapped[str] = mapped_column(String(64))
    record_type: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[uuid.UUID]
    record_label: Mapped[str] = mapped_column(String(300))
    record_owner_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"))
    policy_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("approval_policy.id"))
    policy_snapshot: Mapped[dict[str, Any]] = mapped_column(default=dict)
    facts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    read_fields: Mapped[list[Any]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    current_step: Mapped[int] = mapped_column(default=0)
    submitted_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    comment: Mapped[str | None] = mapped_column(String(1000))
    void_reason: Mapped[str | None] = mapped_column(String(500))
    amount_base: Mapped[Decimal | None] = mapped_column(MoneyType())
    base_currency: Mapped[str | None] = mapped_column(String(3))
    # Consumed once the guarded action ran on the strength of this approval.
    consumed_at: Mapped[datetime | None]

    @classmethod
    def scope_owner_condition(cls, user_id: uuid.UUID) -> Any:
        now = clock.now()
        acting_for = select(ApprovalDelegation.user_id).where(
            ApprovalDelegation.delegate_id == user_id,
            ApprovalDelegation.is_active.is_(True),
            ApprovalDelegation.starts_at <= now,
            ApprovalDelegation.ends_at > now,
        )
        assigned = exists(
            select(ApprovalTask.id).where(
                ApprovalTask.request_id == cls.id,
                or_(
                    ApprovalTask.approver_id == user_id,
                    ApprovalTask.decided_by_id == user_id,
                    and_(
                        ApprovalTask.status == "pending",
                        ApprovalTask.approver_id.in_(acting_for),
                    ),
                ),
            )
        )
        return or_(cls.owner_id == user_id, cls.record_owner_id == user_id, assigned)

    def audit_label(self) -> str:
        return f"{self.action} {self.record_label}"


class ApprovalTask(IdMixin, Audited, Base):
    """One approver's part in one step. Tasks of later steps wait until earlier steps pass."""

    __tablename__ = "approval_task"
    __table_args__ = (
        Index("ix_approval_task_approver", "approver_id", "status"),
        Index("ix_approval_task_request", "request_id", "step_index"),
    )

    request_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("approval_request.id", ondelete="CASCADE")
    )
    subsidiary_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id"), index=True)
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id"))
    step_index: Mapped[int]
    step_name: Mapped[str] = mapped_column(String(100))
    mode: Mapped[str] = mapped_column(String(8), default="any")
    approver_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"))
    status: Mapped[str] = mapped_column(String(16), default="waiting")
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"))
    decided_at: Mapped[datetime | None]
    comment: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    def audit_label(self) -> str:
        return self.step_name


class ApprovalDelegation(IdMixin, TimestampMixin, VersionedMixin, Audited, Base):
    """While away, ``user_id`` lets ``delegate_id`` decide their approval tasks."""

    __tablename__ = "approval_delegation"
    __table_args__ = (Index("ix_approval_delegation_delegate", "delegate_id", "is_active"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"), index=True)
    delegate_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"))
    subsidiary_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("org_unit.id"))
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    reason: Mapped[str | None] = mapped_column(String(500))
    is_active: Mapped[bool] = mapped_column(default=True)
    notes: Mapped[str | None] = mapped_column(Text)
