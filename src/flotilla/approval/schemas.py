from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import AwareDatetime, Field

from flotilla.core.schemas import InputModel, OutputModel

RequestStatus = Literal["pending", "approved", "rejected", "withdrawn", "voided"]
TaskStatus = Literal["waiting", "pending", "approved", "rejected", "skipped", "cancelled"]
StepStatus = Literal["waiting", "pending", "approved", "rejected", "cancelled"]
StepMode = Literal["any", "all"]


class DecisionIn(InputModel):
    """Approve (comment optional) or reject (comment required)."""

    comment: str | None = Field(default=None, max_length=1000)


class WithdrawIn(InputModel):
    comment: str | None = Field(default=None, max_length=1000)


class ApprovalOut(OutputModel):
    """One request as lists show it."""

    id: uuid.UUID
    action: str
    action_name: str
    action_name_en: str
    record_type: str
    record_id: uuid.UUID
    record_label: str
    status: RequestStatus
    policy_name: str
    policy_name_en: str | None
    current_step: int
    current_step_name: str | None
    current_step_name_en: str | None
    step_count: int
    requester_id: uuid.UUID | None
    requester_name: str | None
    record_owner_id: uuid.UUID | None
    record_owner_name: str | None
    amount_base: Decimal | None
    base_currency: str | None
    submitted_at: datetime
    decided_at: datetime | None
    consumed_at: datetime | None
    subsidiary_id: uuid.UUID
    unit_id: uuid.UUID
    version: int


class TaskOut(OutputModel):
    id: uuid.UUID
    approver_id: uuid.UUID
    approver_name: str | None
    status: TaskStatus
    decided_by_id: uuid.UUID | None
    decided_by_name: str | None
    # Decided by the approver's delegate rather than the approver.
    by_delegate: bool
    comment: str | None
    decided_at: datetime | None
    created_at: datetime


class StepOut(OutputModel):
    index: int
    name: str
    name_en: str | None
    mode: StepMode
    status: StepStatus
    is_current: bool
    # Nobody the step names could approve (segregation of duties), so it went up the chain.
    escalated: bool
    # The authority role(s) the step resolved to, for authority steps.
    roles: list[str]
    tasks: list[TaskOut]


class PolicySnapshotOut(OutputModel):
    id: uuid.UUID | None
    code: str | None
    name: str
    name_en: str | None
    condition: dict[str, Any]
    steps: list[dict[str, Any]]


class ApprovalDetailOut(ApprovalOut):
    facts: dict[str, Any]
    read_fields: list[str]
    policy: PolicySnapshotOut
    steps: list[StepOut]
    comment: str | None
    void_reason: str | None
    void_message: str | None
    can_decide: bool
    can_withdraw: bool


class DelegationCreate(InputModel):
    delegate_id: uuid.UUID
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    reason: str | None = Field(default=None, max_length=500)


class DelegationOut(OutputModel):
    id: uuid.UUID
    user_id: uuid.UUID
    user_name: str | None
    delegate_id: uuid.UUID
    delegate_name: str | None
    starts_at: datetime
    ends_at: datetime
    reason: str | None
    is_active: bool
    # Active and now within [starts_at, ends_at).
    in_effect: bool
    created_at: datetime
    version: int
