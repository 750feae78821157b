"""Receivables aging (账龄): the one definition of the buckets, in SQL and in Python.

Days overdue are ``as_of − due_date`` in whole days, for installments with an outstanding
amount (amount − paid_amount > 0):

=============  ==============  ==========================================
bucket         days overdue    due date, as a range (what the SQL compares)
=============  ==============  ==========================================
``not_due``    ≤ 0             due_date ≥ as_of
``d1_30``      1 – 30          as_of − 30 ≤ due_date ≤ as_of − 1
``d31_90``     31 – 90         as_of − 90 ≤ due_date ≤ as_of − 31
``d91_180``    91 – 180        as_of − 180 ≤ due_date ≤ as_of − 91
``over_180``   ≥ 181           due_date ≤ as_of − 181
=============  ==============  ==========================================

``overdue`` is every bucket but ``not_due``; ``total`` is all of them. The SQL compares the
due date with dates computed here from ``as_of`` (bound parameters), so the same statement
runs on SQLite and PostgreSQL without date arithmetic in SQL and can use the due-date
indexes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, true, type_coerce

from flotilla.core.fx import RateTable
from flotilla.core.money import MoneyType

ZERO = Decimal("0.00")
RATE_TYPE = "period_end"  # balances convert at the rate of the as_of month's end


@dataclass(frozen=True)
class Bucket:
    """Days overdue from ``min_days`` to ``max_days``, both inclusive; ``None`` is open."""

    code: str
    min_days: int | None
    max_days: int | None

    def contains(self, days: int) -> bool:
        return (self.min_days is None or days >= self.min_days) and (
            self.max_days is None or days <= self.max_days
        )

    def due_condition(self, due_date: Any, as_of: date) -> ColumnElement[bool]:
        """SQL: ``due_date`` lies in this bucket at ``as_of``."""
        conditions: list[ColumnElement[bool]] = []
        if self.max_days is not None:
            conditions.append(due_date >= as_of - timedelta(days=self.max_days))
        if self.min_days is not None:
            conditions.append(due_date <= as_of - timedelta(days=self.min_days))
        return and_(*conditions) if conditions else true()


BUCKETS: tuple[Bucket, ...] = (
    Bucket("not_due", None, 0),
    Bucket("d1_30", 1, 30),
    Bucket("d31_90", 31, 90),
    Bucket("d91_180", 91, 180),
    Bucket("over_180", 181, None),
)
BUCKET_CODES: tuple[str, ...] = tuple(b.code for b in BUCKETS)
OVERDUE_CODES: tuple[str, ...] = tuple(b.code for b in BUCKETS if b.code != "not_due")
AMOUNT_KEYS: tuple[str, ...] = (*BUCKET_CODES, "overdue", "total")


def days_overdue(as_of: date, due_date: date) -> int:
    return (as_of - due_date).days


def bucket_for(days: int) -> str:
    return next(b.code for b in BUCKETS if b.contains(days))


def bucket_sums(due_date: Any, outstanding_cents: Any, as_of: date) -> list[Any]:
    """One ``SUM(CASE …)`` column per bucket, labelled with its code, in money (Decimal).

    ``outstanding_cents`` is an expression in stored hundredths (amount − paid_amount)."""
    return [
        type_coerce(
            func.coalesce(
                func.sum(case((b.due_condition(due_date, as_of), outstanding_cents), else_=0)), 0
            ),
            MoneyType(),
        ).label(b.code)
        for b in BUCKETS
    ]


def amounts_of(row: Mapping[Any, Any]) -> dict[str, Decimal]:
    """The bucket amounts of an aggregated row plus ``overdue`` and ``total``."""
    amounts = {code: Decimal(row[code]) for code in BUCKET_CODES}
    return with_totals(amounts)


def with_totals(amounts: Mapping[str, Decimal]) -> dict[str, Decimal]:
    out = {code: amounts.get(code, ZERO) for code in BUCKET_CODES}
    out["overdue"] = sum((out[code] for code in OVERDUE_CODES), ZERO)
    out["total"] = sum((out[code] for code in BUCKET_CODES), ZERO)
    return out


def add(into: dict[str, Decimal], amounts: Mapping[str, Decimal]) -> None:
    for code in BUCKET_CODES:
        into[code] = into.get(code, ZERO) + amounts[code]


@dataclass(frozen=True)
class Converted:
    """Per-currency bucket totals converted into one currency. A currency without a rate
    for the month is listed in ``missing_rates`` and left out (never converted at 1)."""

    currency: str
    amounts: dict[str, Decimal]
    rates: dict[str, Decimal]
    missing_rates: list[str]


def convert_totals(
    by_currency: Mapping[str, Mapping[str, Decimal]],
    target: str,
    as_of: date,
    rates: RateTable,
) -> Converted:
    """Each bucket of each currency is converted and rounded to the cent on its own; the
    converted ``overdue`` and ``total`` are sums of the converted buckets, so the converted
    figures always add up."""
    summed: dict[str, Decimal] = {}
    used: dict[str, Decimal] = {}
    missing: list[str] = []
    for currency in sorted(by_currency):
        rate = rates.rate(currency, target, as_of, RATE_TYPE)
        if rate is None:
            missing.append(currency)
            continue
        used[currency] = rate
        converted = {
            code: ZERO
            if by_currency[currency][code] == 0
            else _convert(rates, by_currency[currency][code], currency, target, as_of)
            for code in BUCKET_CODES
        }
        add(summed, converted)
    return Converted(
        currency=target, amounts=with_totals(summed), rates=used, missing_rates=missing
    )


def _convert(rates: RateTable, amount: Decimal, source: str, target: str, as_of: date) -> Decimal:
    converted = rates.convert(amount, source, target, as_of, RATE_TYPE)
    assert converted is not None  # the rate was found just before
    return converted


def currencies_of(rows: Iterable[Mapping[str, Any]]) -> set[str]:
    return {str(row["currency"]) for row in rows}
