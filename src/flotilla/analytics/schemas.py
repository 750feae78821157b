from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import Field

from flotilla.core.schemas import OutputModel

TrendMetric = Literal[
    "contract_amount",
    "payment_collected",
    "new_customers",
    "won_deals",
    "activities",
    "won_amount",
]
DrillResource = Literal[
    "opportunities", "contracts", "payments", "accounts", "activities", "receivables"
]
RowKind = Literal["unit", "person"]
# Money is a two-decimal string; counts are whole numbers.
Figure = Decimal | int


class Drill(OutputModel):
    """The list behind a figure: the list endpoint (``/api/v1/<resource>``) and its query
    parameters (dates inclusive, ``unit_id`` is the unit's whole subtree)."""

    resource: DrillResource
    query: dict[str, str | bool]


class MissingRateOut(OutputModel):
    from_currency: str
    to_currency: str
    period: str = Field(description="YYYY-MM")
    rate_type: str


class UnitRef(OutputModel):
    id: uuid.UUID
    kind: str
    code: str
    name: str
    name_en: str | None


class PeriodOut(OutputModel):
    label: str
    kind: str
    start: date
    end: date = Field(description="Exclusive: the first day after the period")


class RateTypes(OutputModel):
    flows: str = "average"
    balances: str = "period_end"


class MetricFigure(OutputModel):
    target: Figure | None
    actual: Figure
    ratio: Decimal | None = Field(description="actual ÷ target, 4 places")


class KpiMetrics(OutputModel):
    contract_amount: MetricFigure
    payment_collected: MetricFigure
    new_customers: MetricFigure
    won_deals: MetricFigure
    activities: MetricFigure


class KpiRow(OutputModel):
    kind: RowKind
    unit_id: uuid.UUID = Field(description="The row's unit (a person row: the unit they sit in)")
    user_id: uuid.UUID | None
    name: str
    name_en: str | None
    is_total: bool
    rank: int | None
    metrics: KpiMetrics
    won_count: int
    lost_count: int
    win_rate: Decimal | None
    won_amount: Decimal
    average_deal_size: Decimal | None
    cycle_days: Decimal | None
    open_pipeline: Decimal
    weighted_pipeline: Decimal
    remaining_target: Decimal | None
    coverage: Decimal | None
    overdue_receivables: Decimal
    stalled_deals: int
    drill: dict[str, Drill]


class KpiReport(OutputModel):
    unit: UnitRef
    period: PeriodOut
    currency: str
    rate_types: RateTypes
    as_of: date
    pipeline_as_of_month: str = Field(description="YYYY-MM whose period_end rates convert pipeline")
    missing_rates: list[MissingRateOut]
    rows: list[KpiRow]


class TrendPoint(OutputModel):
    month: str = Field(description="YYYY-MM")
    value: Figure
    previous_month_value: Figure | None
    mom: Decimal | None
    previous_year_value: Figure | None
    yoy: Decimal | None
    drill: Drill


class TrendReport(OutputModel):
    unit: UnitRef
    metric: TrendMetric
    currency: str | None
    rate_type: str | None
    from_month: str
    to_month: str
    missing_rates: list[MissingRateOut]
    points: list[TrendPoint]


class AgingBucketOut(OutputModel):
    code: str
    min_days: int | None
    max_days: int | None


class AgingUnitRow(OutputModel):
    unit_id: uuid.UUID
    name: str
    name_en: str | None
    is_total: bool
    not_due: Decimal
    d1_30: Decimal
    d31_90: Decimal
    d91_180: Decimal
    over_180: Decimal
    overdue: Decimal
    total: Decimal
    drill: dict[str, Drill]


class AgingByUnitReport(OutputModel):
    unit: UnitRef
    currency: str
    rate_type: str
    as_of: date
    buckets: list[AgingBucketOut]
    missing_rates: list[MissingRateOut]
    rows: list[AgingUnitRow]
