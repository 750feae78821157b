"""Response bodies of the pipeline analytics. Amounts are strings with two decimals in the
response currency; every figure carries a ``drill`` to the rows behind it."""

from __future__ import annotations

import datetime as dt
import uuid
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field

from flotilla.core.schemas import OutputModel

Change = Literal[
    "new",
    "amount_changed",
    "advanced",
    "moved_back",
    "slipped",
    "pulled_in",
    "won",
    "lost",
    "removed",
]
StepCode = Literal[
    "opening",
    "new",
    "amount_increased",
    "amount_decreased",
    "won",
    "lost",
    "other_removed",
    "closing",
]
MovementCode = Literal["advanced", "moved_back", "slipped", "pulled_in"]
ForecastCategory = Literal["pipeline", "best_case", "commit", "closed", "omitted"]


class Drill(OutputModel):
    """Where a figure comes from: the list endpoint and its query parameters."""

    resource: Literal["pipeline-snapshot-rows"] = "pipeline-snapshot-rows"
    query: dict[str, Any]


class UnitRef(OutputModel):
    id: uuid.UUID
    name: str
    name_en: str | None


class RateUsed(OutputModel):
    currency: str
    rate: Decimal


class MissingRate(OutputModel):
    from_currency: str
    to_currency: str
    period: str = Field(description="YYYY-MM")
    rate_type: str


class Figure(OutputModel):
    count: int
    amount: Decimal
    weighted_amount: Decimal = Field(
        description="Σ amount × the stage probability recorded in the snapshot ÷ 100"
    )
    drill: Drill


class StageFigure(Figure):
    stage_code: str
    stage_name: str
    stage_name_en: str | None
    position: int


class CategoryFigure(Figure):
    forecast_category: ForecastCategory


class UnitFigure(Figure):
    unit_id: uuid.UUID
    unit_name: str
    unit_name_en: str | None
    # True for the deals placed on the unit itself rather than on one of its children.
    direct: bool


class PipelineOut(OutputModel):
    unit: UnitRef
    date: dt.date
    currency: str
    rate_type: Literal["period_end"] = "period_end"
    rate_period: str = Field(description="YYYY-MM: the month whose period-end rates convert")
    snapshot_available: bool
    as_of: dt.date | None = Field(
        description="The latest valid_from among the versions counted: the last snapshot day "
        "on which one of these deals changed"
    )
    totals: Figure
    by_stage: list[StageFigure]
    by_forecast_category: list[CategoryFigure]
    by_unit: list[UnitFigure]
    rates: list[RateUsed]
    missing_rates: list[MissingRate]


class Step(OutputModel):
    code: StepCode
    # +1 adds to the pipeline, -1 takes away, 0 for the opening and closing balances.
    sign: Literal[-1, 0, 1]
    count: int
    amount: Decimal
    drill: Drill


class Movement(OutputModel):
    code: MovementCode
    count: int
    drill: Drill


class PipelineChangesOut(OutputModel):
    unit: UnitRef
    from_date: date = Field(serialization_alias="from")
    to_date: date = Field(serialization_alias="to")
    currency: str
    rate_type: Literal["period_end"] = "period_end"
    rate_period: str = Field(description="YYYY-MM of `to`: one rate for both sides")
    snapshot_available: bool
    steps: list[Step]
    movements: list[Movement]
    rates: list[RateUsed]
    missing_rates: list[MissingRate]


class StageRef(OutputModel):
    id: uuid.UUID
    code: str | None
    name: str | None
    name_en: str | None


class PersonRef(OutputModel):
    id: uuid.UUID
    name: str | None


class PipelineRowOut(OutputModel):
    """One deal's version behind a figure. ``name`` is null when the deal is no longer
    visible to the caller (moved out of their reach since)."""

    id: uuid.UUID
    opportunity_id: uuid.UUID
    name: str | None
    stage: StageRef
    stage_position: int
    probability: int
    status: str
    forecast_category: str
    amount: Decimal
    currency: str
    owner: PersonRef | None
    unit: UnitRef | None
    expected_close_date: date | None
    valid_from: date
    valid_to: date | None
