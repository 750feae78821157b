"""The facts behind targets and KPIs, measured once and rolled up in Python.

A metric is measured with one ``GROUP BY unit_id, owner_id[, currency], month`` query through
the read permission of its table and ``Scope.restrict`` (see ``repository.fact_rows``):

- ``contract_amount``   Σ ``Contract.amount`` (pre-tax) of contracts signed, active or
  completed whose ``signing_date`` is in the range (``contract.read``); money.
- ``payment_collected`` Σ ``Payment.amount`` of recorded (not reversed) payments whose
  ``received_on`` is in the range (``payment.read``); money.
- ``new_customers``     accounts created in the range, bounds at UTC midnight, placed by
  ``Account.unit_id`` (``account.read``); count.
- ``won_deals``         opportunities won whose ``closed_at`` is in the range
  (``opportunity.read``); count.
- ``activities``        Σ ``ActivityMonth.count`` of the months whose first day is in the range
  (``activity.read``); count.
- ``won_amount``        Σ ``Opportunity.amount`` of the won deals above; money (KPIs and
  trends only, not a target metric).

Money is converted into the requested currency per row and month at the **average** rate of
that month (a flow), rounded to the cent per grouped row, then summed — so a parent's figure is
always exactly the sum of its children's. Amounts without a rate are left out and reported
once per (pair, month) in ``missing_rates``; they are never converted at 1.

A fact row belongs to a unit bucket when its unit's materialized path starts with the bucket
unit's path (the unit's whole subtree), and to an owner bucket when ``owner_id`` matches.
"""

from __future__ import annotations

import uuid
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from flotilla.analytics import repository
from flotilla.core.fx import RateTable
from flotilla.core.scope import Scope
from flotilla.models.analytics import MONEY_METRICS, NO_OWNER, TARGET_METRICS

FLOW_RATE_TYPE = "average"
BALANCE_RATE_TYPE = "period_end"
ZERO = Decimal("0.00")

# Every metric facts can measure: the target metrics plus the won amount.
METRICS: tuple[str, ...] = (*TARGET_METRICS, "won_amount")
AMOUNT_METRICS = frozenset({*MONEY_METRICS, "won_amount"})


@dataclass(frozen=True)
class MissingRate:
    from_currency: str
    to_currency: str
    period: str  # "YYYY-MM"
    rate_type: str


@dataclass
class Achieved:
    by_unit: dict[uuid.UUID, Decimal]  # each requested unit's whole subtree
    by_owner: dict[uuid.UUID, Decimal]  # rows owned (owner_id) by each requested user
    missing_rates: list[MissingRate]
    rate_type: str | None  # "average" for money metrics, None for counts


@dataclass(frozen=True)
class FactRow:
    """One grouped row of a metric: its unit (and path), owner, currency and month."""

    unit_id: uuid.UUID
    path: str
    owner_id: uuid.UUID | None
    currency: str | None
    month: date
    value: Decimal


@dataclass(frozen=True)
class Bucket:
    """Where facts count: rows in the subtree ``path`` (any unit when ``None``) owned by
    ``owner_id`` (any owner when ``None``)."""

    key: Hashable
    path: str | None = None
    owner_id: uuid.UUID | None = None

    def holds(self, path: str, owner_id: uuid.UUID | None) -> bool:
        if self.path is not None and not path.startswith(self.path):
            return False
        return self.owner_id is None or owner_id == self.owner_id


@dataclass
class Converter:
    """Converts amounts into one currency from a loaded rate table and remembers, once per
    (pair, month, rate type), every rate that was missing."""

    rates: RateTable
    currency: str
    missing: dict[MissingRate, None] = field(default_factory=dict)

    def convert(
        self, amount: Decimal, from_currency: str, month: date, rate_type: str
    ) -> Decimal | None:
        converted = self.rates.convert(amount, from_currency, self.currency, month, rate_type)
        if converted is None:
            self.note_missing(from_currency, month, rate_type)
        return converted

    def note_missing(self, from_currency: str, month: date, rate_type: str) -> None:
        self.missing[MissingRate(from_currency, self.currency, f"{month:%Y-%m}", rate_type)] = None

    @property
    def missing_rates(self) -> list[MissingRate]:
        return sorted(
            self.missing, key=lambda m: (m.period, m.rate_type, m.from_currency, m.to_currency)
        )


def is_money(metric: str) -> bool:
    return metric in AMOUNT_METRICS


def rate_type_of(metric: str) -> str | None:
    return FLOW_RATE_TYPE if is_money(metric) else None


def fact_rows(
    session: Session,
    scope: Scope,
    metric: str,
    start: date,
    end: date,
    buckets: Sequence[Bucket],
) -> list[FactRow]:
    """The grouped rows of ``metric`` in ``[start, end)`` that any of ``buckets`` may hold
    (one query)."""
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}")
    everything = any(b.path is None and b.owner_id is None for b in buckets)
    paths = [] if everything else outermost(b.path for b in buckets if b.path is not None)
    # A bucket for an owner anywhere must read that owner's rows outside the unit buckets.
    owners = [] if everything else [b.owner_id for b in buckets if b.path is None and b.owner_id]
    if not everything and not paths and not owners:
        return []
    raw = repository.fact_rows(session, scope, metric, start, end, paths=paths, owners=owners)
    return [
        FactRow(
            unit_id=unit_id,
            path=path,
            owner_id=None if owner_id == NO_OWNER else owner_id,
            currency=currency,
            month=month,
            value=Decimal(value or 0),
        )
        for unit_id, path, owner_id, currency, month, value in raw
    ]


def outermost(paths: Iterable[str]) -> list[str]:
    """The paths not inside another one of them (a subtree filter needs only those)."""
    ordered = sorted(set(paths), key=len)
    kept: list[str] = []
    for path in ordered:
        if not any(path.startswith(outer) for outer in kept):
            kept.append(path)
    return sorted(kept)


def load_rates(
    session: Session,
    currency: str,
    currencies: Iterable[str | None],
    months: Iterable[date],
    rate_types: Iterable[str] = (FLOW_RATE_TYPE, BALANCE_RATE_TYPE),
) -> RateTable:
    """One query for every rate a report needs."""
    codes = {c for c in currencies if c is not None and c != currency}
    if not codes:
        return RateTable({})
    return RateTable.load(session, {currency, *codes}, months, rate_types)


def convert_rows(rows: Iterable[FactRow], converter: Converter) -> list[tuple[FactRow, Decimal]]:
    """Each money row converted at the average rate of its month (rows without a rate are
    dropped and reported); count rows pass through unchanged."""
    out: list[tuple[FactRow, Decimal]] = []
    for row in rows:
        if row.currency is None:
            out.append((row, row.value))
            continue
        converted = converter.convert(row.value, row.currency, row.month, FLOW_RATE_TYPE)
        if converted is not None:
            out.append((row, converted))
    return out


def roll_up(
    converted: Iterable[tuple[FactRow, Decimal]], buckets: Sequence[Bucket]
) -> dict[Hashable, Decimal]:
    """Σ of the converted values each bucket holds (every bucket present, zero when empty)."""
    totals: dict[Hashable, Decimal] = {b.key: Decimal(0) for b in buckets}
    for row, value in converted:
        for bucket in buckets:
            if bucket.holds(row.path, row.owner_id):
                totals[bucket.key] += value
    return totals


def roll_up_by_month(
    converted: Iterable[tuple[FactRow, Decimal]], bucket: Bucket
) -> dict[date, Decimal]:
    """Σ per month of the converted values one bucket holds."""
    totals: dict[date, Decimal] = {}
    for row, value in converted:
        if bucket.holds(row.path, row.owner_id):
            totals[row.month] = totals.get(row.month, Decimal(0)) + value
    return totals


def shape(metric: str, value: Decimal) -> Decimal:
    """Money to the cent; counts as whole numbers."""
    return value.quantize(Decimal("0.01")) if is_money(metric) else value.quantize(Decimal(1))


def achieved(
    session: Session,
    scope: Scope,
    metric: str,
    start: date,
    end: date,
    currency: str,
    *,
    unit_ids: Sequence[uuid.UUID] = (),
    owner_ids: Sequence[uuid.UUID] = (),
) -> Achieved:
    """What was achieved on ``metric`` in ``[start, end)`` within the caller's scope: per
    requested unit (its whole subtree) and per requested owner (rows they own, anywhere the
    scope reaches), money in ``currency`` at average rates of each month.

    Three queries at most whatever the number of rows: unit paths, the grouped facts, rates.
    An unknown unit id measures zero.
    """
    if metric not in TARGET_METRICS and metric != "won_amount":
        raise ValueError(f"unknown metric {metric!r}")
    paths = repository.unit_paths(session, unit_ids)
    buckets = [
        Bucket(key=("unit", unit_id), path=paths[unit_id])
        for unit_id in unit_ids
        if unit_id in paths
    ]
    buckets += [Bucket(key=("owner", owner_id), owner_id=owner_id) for owner_id in owner_ids]
    rows = fact_rows(session, scope, metric, start, end, buckets) if buckets else []
    converter = Converter(
        load_rates(
            session,
            currency,
            (r.currency for r in rows),
            (r.month for r in rows),
            (FLOW_RATE_TYPE,),
        ),
        currency,
    )
    totals = roll_up(convert_rows(rows, converter), buckets)
    return Achieved(
        by_unit={
            unit_id: shape(metric, totals.get(("unit", unit_id), Decimal(0)))
            for unit_id in unit_ids
        },
        by_owner={
            owner_id: shape(metric, totals.get(("owner", owner_id), Decimal(0)))
            for owner_id in owner_ids
        },
        missing_rates=converter.missing_rates,
        rate_type=rate_type_of(metric),
    )
