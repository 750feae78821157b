from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import Field

from flotilla.core.schemas import OutputModel

DrillValue = str | bool | int


class Drill(OutputModel):
    """Where a figure's rows are listed: a list resource and its query parameters."""

    resource: Literal["opportunities"] = "opportunities"
    query: dict[str, DrillValue]


class UnitRef(OutputModel):
    id: uuid.UUID
    kind: str
    code: str
    name: str
    name_en: str | None


class MissingRate(OutputModel):
    """A conversion left out because the rate table has no rate (never converted at 1)."""

    from_currency: str
    to_currency: str
    period: str = Field(description="The rate's month, YYYY-MM")
    rate_type: str


# --- funnel -------------------------------------------------------------------------------


class FunnelStageOut(OutputModel):
    stage_code: str
    name: str
    name_en: str | None
    probability: int
    max_days: int | None
    entered: int = Field(description="Deals that entered the stage in the range")
    advanced: int = Field(description="Of those, reached a later stage or won afterwards")
    dropped: int = Field(description="Of those, lost now without having advanced")
    in_progress: int = Field(description="entered − advanced − dropped: still open at or below")
    conversion: Decimal | None = Field(description="advanced ÷ entered, 4 places")
    average_days: Decimal | None = Field(
        description="Mean whole days in the stage over transitions out of it in the range"
    )
    transitions_out: int
    stalled: int = Field(description="Open deals now beyond the stage's max_days")
    drill: dict[str, Drill]


class FunnelTotalsOut(OutputModel):
    entered: int = Field(description="Deals that entered any open stage in the range")
    won: int
    lost: int
    win_rate: Decimal | None = Field(description="won ÷ (won + lost), 4 places")
    stalled: int
    drill: dict[str, Drill]


class FunnelOut(OutputModel):
    unit: UnitRef
    from_date: date
    to_date: date = Field(description="Inclusive")
    as_of: datetime = Field(description="When stalled deals were counted")
    stages: list[FunnelStageOut]
    totals: FunnelTotalsOut


# --- forecast -----------------------------------------------------------------------------

OpenCategory = Literal["pipeline", "best_case", "commit", "omitted"]
CategoryCode = Literal["pipeline", "best_case", "commit", "omitted", "closed"]


class PeriodOut(OutputModel):
    label: str
    kind: str
    start: date
    end: date = Field(description="Exclusive: the first day after the period")


class CategoryOut(OutputModel):
    category: CategoryCode
    count: int
    amount: Decimal
    rate_type: Literal["period_end", "average"]
    drill: Drill


class StageForecastOut(OutputModel):
    stage_code: str
    name: str
    name_en: str | None
    probability: int
    count: int
    amount: Decimal
    weighted: Decimal = Field(description="Σ amount × the deal's stage probability ÷ 100")
    statistical: Decimal = Field(description="Σ amount × the learned rate for stage and age")
    drill: Drill


class ModelCellOut(OutputModel):
    stage_code: str
    age_bucket: str
    examples: int
    wins: int
    win_rate: Decimal | None = Field(description="wins ÷ examples of this bucket")
    applied_rate: Decimal = Field(description="The rate the statistical forecast applies")
    basis: Literal["bucket", "stage", "probability"]


class BacktestQuarterOut(OutputModel):
    quarter: str
    start: date
    end: date = Field(description="Exclusive")
    count: int = Field(description="Deals in the pipeline reconstructed at the quarter's start")
    predicted: Decimal
    actual: Decimal
    error: Decimal | None = Field(description="|predicted − actual| ÷ actual, 4 places")
    stage_weighted_predicted: Decimal
    stage_weighted_error: Decimal | None


class BacktestOut(OutputModel):
    quarters: list[BacktestQuarterOut]
    mean_absolute_percentage_error: Decimal | None
    stage_weighted_mean_absolute_percentage_error: Decimal | None


class ForecastOut(OutputModel):
    unit: UnitRef
    period: PeriodOut
    currency: str
    as_of: date
    rate_types: dict[str, str]
    by_category: list[CategoryOut]
    stage_weighted: Decimal
    statistical: Decimal
    stages: list[StageForecastOut]
    committed_plus_closed: Decimal
    target: Decimal | None
    model: list[ModelCellOut]
    backtest: BacktestOut
    missing_rates: list[MissingRate]
