"""Request and response bodies of targets (目标), their cascade and consistency check.

A period is sent as text (``2026``, ``2026-Q3``, ``2026-07``; see ``flotilla.core.period``)
and returned as ``{label, kind, start, end}`` with ``end`` exclusive. Money values are in the
group currency with two decimals; counts are whole numbers.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal, get_args

from pydantic import Field

from flotilla.core.schemas import InputModel, OutputModel
from flotilla.models.analytics import TARGET_METRICS

Metric = Literal["contract_amount", "payment_collected", "new_customers", "won_deals", "activities"]
assert get_args(Metric) == TARGET_METRICS, "the API's metrics are the model's"
CascadeMethod = Literal["manual", "equal", "last_period"]
ConsistencyStatus = Literal["ok", "under", "over"]
PeriodText = Annotated[str, Field(min_length=1, max_length=16)]
# At most two places for every metric; counts are checked to be whole by the service.
TargetValue = Annotated[Decimal, Field(ge=0, max_digits=16, decimal_places=2)]
Note = Annotated[str, Field(max_length=500)]
MAX_SPLITS = 200


class TargetCreate(InputModel):
    metric: Metric
    period: PeriodText
    unit_id: uuid.UUID
    assignee_user_id: uuid.UUID | None = Field(
        default=None, description="A person's target: they must hold a position in unit_id"
    )
    value: TargetValue
    note: Note | None = None


class TargetUpdate(InputModel):
    version: int
    value: TargetValue | None = None
    note: Note | None = None


class SplitIn(InputModel):
    unit_id: uuid.UUID | None = Field(default=None, description="A direct child unit")
    user_id: uuid.UUID | None = Field(
        default=None, description="A person holding a position directly in the unit"
    )
    value: TargetValue | None = Field(
        default=None, description="Manual splits only; computed for equal and last_period"
    )


class CascadeIn(InputModel):
    metric: Metric
    period: PeriodText
    unit_id: uuid.UUID
    splits: list[SplitIn] = Field(min_length=1, max_length=MAX_SPLITS)
    method: CascadeMethod = "manual"


class FiscalYearIn(InputModel):
    start_month: int = Field(description="1–12: the month the fiscal year starts in")


class FiscalYearOut(OutputModel):
    start_month: int


class PeriodOut(OutputModel):
    label: str
    kind: Literal["month", "quarter", "year"]
    start: date
    end: date = Field(description="Exclusive: the first day after the period")


class UnitRef(OutputModel):
    id: uuid.UUID
    name: str
    kind: str


class UserRef(OutputModel):
    id: uuid.UUID
    name: str | None


class MissingRateOut(OutputModel):
    from_currency: str
    to_currency: str
    period: str
    rate_type: str


class AchievementOut(OutputModel):
    actual: Decimal = Field(description="From the facts, in the target's currency")
    ratio: Decimal | None = Field(description="actual ÷ value, 4 places; null when value is 0")
    rate_type: str | None = Field(description="`average` for money metrics, null for counts")
    missing_rates: list[MissingRateOut]


class TargetOut(OutputModel):
    id: uuid.UUID
    metric: Metric
    period: PeriodOut
    unit: UnitRef
    assignee: UserRef | None
    value: Decimal
    currency: str | None
    note: str | None
    version: int
    achievement: AchievementOut
    rank: int | None = Field(
        description="Among the visible siblings of the same metric (unit targets under the "
        "same parent unit; person targets in the same unit), by ratio then actual; 1 is best"
    )
    created_at: datetime
    updated_at: datetime


class TargetListOut(OutputModel):
    period: PeriodOut
    currency: str = Field(description="The group currency money targets are set in")
    items: list[TargetOut]
    missing_rates: list[MissingRateOut]


class ConsistencyIssueOut(OutputModel):
    target_id: uuid.UUID
    metric: Metric
    unit: UnitRef
    value: Decimal = Field(description="The unit's own target")
    children_sum: Decimal = Field(
        description="Σ the targets of its child units and of persons placed directly in it"
    )
    difference: Decimal = Field(description="children_sum − value")
    children_with_target: int
    children_without_target: list[UnitRef] = Field(
        description="Active child units with no target of this metric and period"
    )
    status: ConsistencyStatus
    currency: str | None


class ConsistencyOut(OutputModel):
    period: PeriodOut
    issues: list[ConsistencyIssueOut]
