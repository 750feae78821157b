from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field

from flotilla.core.schemas import InputModel, OutputModel
from flotilla.process.schemas import ChecklistItemOut, StageKind

MemberRole = Literal["AR", "SR", "FR"]
OpportunityStatus = Literal["open", "won", "lost"]
# ``closed`` is set by winning a deal, never by hand.
ForecastCategoryIn = Literal["pipeline", "best_case", "commit", "omitted"]
ForecastCategory = Literal["pipeline", "best_case", "commit", "closed", "omitted"]
Money = Annotated[Decimal, Field(ge=0, max_digits=16, decimal_places=2)]
CurrencyCode = Annotated[str, Field(pattern=r"^[A-Za-z]{3}$")]
Competitor = Annotated[str, Field(min_length=1, max_length=100)]


class OpportunityCreate(InputModel):
    account_id: uuid.UUID
    name: str = Field(min_length=1, max_length=200)
    amount: Money = Decimal("0")
    currency: CurrencyCode | None = None
    expected_close_date: date | None = None
    source: str | None = Field(default=None, max_length=64)
    competitors: list[Competitor] = Field(default_factory=list, max_length=20)
    forecast_category: ForecastCategoryIn = "pipeline"
    unit_id: uuid.UUID | None = None
    owner_id: uuid.UUID | None = None


class OpportunityUpdate(InputModel):
    version: int
    name: str | None = Field(default=None, min_length=1, max_length=200)
    amount: Money | None = None
    currency: CurrencyCode | None = None
    expected_close_date: date | None = None
    source: str | None = Field(default=None, max_length=64)
    competitors: list[Competitor] | None = Field(default=None, max_length=20)
    forecast_category: ForecastCategoryIn | None = None
    unit_id: uuid.UUID | None = None
    owner_id: uuid.UUID | None = None


class TransitionRequest(InputModel):
    to_stage: str = Field(min_length=1, max_length=64)
    version: int
    reason: str | None = Field(default=None, max_length=500)
    loss_reason: str | None = Field(default=None, max_length=500)


class ChecklistUpdate(InputModel):
    stage_code: str = Field(min_length=1, max_length=64)
    items: list[str] = Field(max_length=50)
    version: int | None = None


class MemberAdd(InputModel):
    user_id: uuid.UUID
    role: MemberRole


class MemberRemove(InputModel):
    user_id: uuid.UUID
    role: MemberRole | None = None


class StageRef(OutputModel):
    id: uuid.UUID
    code: str
    name: str
    name_en: str | None
    position: int
    probability: int
    kind: StageKind
    max_days: int | None


class OpportunityOut(OutputModel):
    id: uuid.UUID
    name: str
    account_id: uuid.UUID
    account_name: str | None
    amount: Decimal
    currency: str
    expected_close_date: date | None
    status: OpportunityStatus
    forecast_category: ForecastCategory
    source: str | None
    competitors: list[str]
    loss_reason: str | None
    closed_at: datetime | None
    subsidiary_id: uuid.UUID
    unit_id: uuid.UUID
    owner_id: uuid.UUID | None
    owner_name: str | None
    process_version_id: uuid.UUID
    stage: StageRef
    stage_entered_at: datetime
    days_in_stage: int
    stalled: bool
    lead_id: uuid.UUID | None
    version: int
    created_at: datetime
    updated_at: datetime


class MemberOut(OutputModel):
    id: uuid.UUID
    user_id: uuid.UUID
    display_name: str | None
    role: MemberRole
    added_at: datetime


class PathStageOut(StageRef):
    """A stage of the deal's process version, with where the deal stands against it."""

    playbook: str | None
    required_fields: list[str]
    checklist: list[ChecklistItemOut]
    checklist_ticked: list[str]
    requires_approval: bool
    is_current: bool


class OpportunityDetailOut(OpportunityOut):
    members: list[MemberOut]
    path: list[PathStageOut]


class StageHistoryOut(OutputModel):
    id: uuid.UUID
    from_stage: StageRef | None
    to_stage: StageRef
    changed_by_id: uuid.UUID | None
    changed_by_name: str | None
    changed_at: datetime
    days_in_previous: int | None
    reason: str | None
    is_skip: bool
    is_backward: bool
