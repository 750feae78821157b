"""The statistical forecast's model: win rates by stage and age in stage, learned from history.

An *example* for (stage code, age bucket) is a now-closed opportunity that was in that stage
at an age inside the bucket — it stayed in the stage (``StageHistory.days_in_previous`` of a
transition out of it) at least the bucket's lower bound. A deal that stayed 45 days in a stage
was there at 10 days and at 45 days, so it is an example for ``0_30`` and ``31_90``: an open
deal aged 45 days is compared with the deals that were still in the stage at that age, not
with those that had already moved on. So the ``0_30`` bucket holds every stay (it equals the
stage's overall rate). Each opportunity counts once per (stage, bucket), by its longest stay.

The applied rate falls back when a bucket has fewer than ``MIN_EXAMPLES`` examples: to the
stage's overall rate (when that has enough), else to the stage's probability ÷ 100.
Rates are rounded half up to 4 places, and predictions use the rounded rate shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from sqlalchemy import ColumnElement, case

MIN_EXAMPLES = 5
RATE_EXPONENT = Decimal("0.0001")

Basis = Literal["bucket", "stage", "probability"]


def ratio(numerator: Decimal | int, denominator: Decimal | int) -> Decimal | None:
    """``numerator / denominator`` rounded half up to 4 places; ``None`` when dividing by 0."""
    if denominator == 0:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(
        RATE_EXPONENT, rounding=ROUND_HALF_UP
    )


@dataclass(frozen=True)
class AgeBucket:
    """Whole days in the stage from ``min_days`` to ``max_days`` (inclusive; ``None``: open)."""

    code: str
    min_days: int
    max_days: int | None


AGE_BUCKETS: tuple[AgeBucket, ...] = (
    AgeBucket("0_30", 0, 30),
    AgeBucket("31_90", 31, 90),
    AgeBucket("over_90", 91, None),
)
BUCKET_CODES: tuple[str, ...] = tuple(b.code for b in AGE_BUCKETS)


def bucket_index(entered_at: Any, moment: datetime) -> ColumnElement[int]:
    """SQL: the index into ``AGE_BUCKETS`` of a stay that began at ``entered_at``, aged at
    ``moment``. Whole days ≤ N ⇔ entered after ``moment − (N + 1) days``; the cut-offs are
    bound timestamps, so the expression is the same on every backend."""
    whens = [
        (entered_at > moment - timedelta(days=bucket.max_days + 1), index)
        for index, bucket in enumerate(AGE_BUCKETS)
        if bucket.max_days is not None
    ]
    return case(*whens, else_=len(AGE_BUCKETS) - 1)


@dataclass
class StageTally:
    """Closed opportunities that were in one stage: overall and per bucket reached."""

    examples: int = 0
    wins: int = 0
    bucket_examples: list[int] = field(default_factory=lambda: [0] * len(AGE_BUCKETS))
    bucket_wins: list[int] = field(default_factory=lambda: [0] * len(AGE_BUCKETS))


@dataclass(frozen=True)
class Cell:
    stage_code: str
    age_bucket: str
    examples: int
    wins: int
    win_rate: Decimal | None  # what the bucket's own examples say
    applied_rate: Decimal  # what the forecast multiplies by
    basis: Basis


@dataclass(frozen=True)
class Model:
    cells: dict[tuple[str, int], Cell]

    def rate(self, stage_code: str, bucket: int) -> Decimal | None:
        cell = self.cells.get((stage_code, bucket))
        return None if cell is None else cell.applied_rate

    def table(self) -> list[Cell]:
        return list(self.cells.values())


def learn(
    stage_codes: Iterable[str],
    tallies: Mapping[str, StageTally],
    probabilities: Mapping[str, int],
) -> Model:
    """One cell per stage (in the order given) and age bucket, with its fallback applied."""
    cells: dict[tuple[str, int], Cell] = {}
    for code in stage_codes:
        tally = tallies.get(code, StageTally())
        overall = ratio(tally.wins, tally.examples)
        for index, bucket in enumerate(AGE_BUCKETS):
            examples = tally.bucket_examples[index]
            wins = tally.bucket_wins[index]
            own = ratio(wins, examples)
            applied: Decimal
            basis: Basis
            if own is not None and examples >= MIN_EXAMPLES:
                applied, basis = own, "bucket"
            elif overall is not None and tally.examples >= MIN_EXAMPLES:
                applied, basis = overall, "stage"
            else:
                applied = ratio(probabilities.get(code, 0), 100) or Decimal(0)
                basis = "probability"
            cells[(code, index)] = Cell(
                stage_code=code,
                age_bucket=bucket.code,
                examples=examples,
                wins=wins,
                win_rate=own,
                applied_rate=applied,
                basis=basis,
            )
    return Model(cells)
