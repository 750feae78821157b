"""Fiscal periods: months, quarters and years counted from the group's fiscal-year start.

A period is written ``2026`` (fiscal year), ``2026-Q3`` (fiscal quarter) or ``2026-07``
(calendar month). A fiscal year is named after the calendar year it starts in: with a start
month of April, ``2026`` runs 2026-04-01 … 2027-03-31 and ``2026-Q1`` is April–June 2026.
``end`` is exclusive everywhere, so a period is ``start <= day < end``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.core.errors import Invalid, field_error
from flotilla.core.scope import system_access
from flotilla.models.org import OrgUnit

DEFAULT_FISCAL_START_MONTH = 1
_PATTERN = re.compile(r"^(\d{4})(?:-(?:Q([1-4])|(\d{2})))?$")


def add_months(day: date, months: int) -> date:
    """The first of the month ``months`` after ``day``'s month (negative goes back)."""
    index = day.year * 12 + (day.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True, order=True)
class Period:
    kind: str  # month | quarter | year
    start: date
    end: date  # exclusive
    label: str

    @property
    def months(self) -> list[date]:
        """First day of each month in the period, in order."""
        result: list[date] = []
        current = self.start
        while current < self.end:
            result.append(current)
            current = add_months(current, 1)
        return result

    def contains(self, day: date) -> bool:
        return self.start <= day < self.end

    def shifted(self, steps: int, fiscal_start_month: int) -> Period:
        """The period ``steps`` periods of the same kind later (earlier when negative)."""
        size = {"month": 1, "quarter": 3, "year": 12}[self.kind]
        return period_starting(self.kind, add_months(self.start, steps * size), fiscal_start_month)

    def year_earlier(self, fiscal_start_month: int) -> Period:
        return period_starting(self.kind, add_months(self.start, -12), fiscal_start_month)


def _fiscal_year_of(day: date, fiscal_start_month: int) -> int:
    return day.year if day.month >= fiscal_start_month else day.year - 1


def period_starting(kind: str, start: date, fiscal_start_month: int) -> Period:
    """The period of ``kind`` that starts on ``start`` (which must be a period boundary)."""
    if kind == "month":
        return Period("month", start, add_months(start, 1), f"{start:%Y-%m}")
    year = _fiscal_year_of(start, fiscal_start_month)
    if kind == "quarter":
        offset = (start.year * 12 + start.month - 1) - (year * 12 + fiscal_start_month - 1)
        return Period("quarter", start, add_months(start, 3), f"{year}-Q{offset // 3 + 1}")
    return Period("year", start, add_months(start, 12), f"{year}")


def period_containing(kind: str, day: date, fiscal_start_month: int) -> Period:
    """The fiscal period of ``kind`` that contains ``day``."""
    month = day.replace(day=1)
    if kind == "month":
        return period_starting("month", month, fiscal_start_month)
    year_start = date(_fiscal_year_of(day, fiscal_start_month), fiscal_start_month, 1)
    if kind == "year":
        return period_starting("year", year_start, fiscal_start_month)
    months_in = (month.year * 12 + month.month) - (year_start.year * 12 + year_start.month)
    return period_starting(
        "quarter", add_months(year_start, months_in // 3 * 3), fiscal_start_month
    )


def parse_period(text: str, fiscal_start_month: int, *, field: str = "period") -> Period:
    """Parse ``2026`` / ``2026-Q3`` / ``2026-07``; anything else is 422 ``invalid_period``."""
    found = _PATTERN.match(text.strip()) if text else None
    try:
        if found is None or (found.group(3) and not 1 <= int(found.group(3)) <= 12):
            raise ValueError(text)
        year = int(found.group(1))
        year_start = date(year, fiscal_start_month, 1)
        if found.group(2):
            start = add_months(year_start, (int(found.group(2)) - 1) * 3)
            return period_starting("quarter", start, fiscal_start_month)
        if found.group(3):
            return period_starting("month", date(year, int(found.group(3)), 1), fiscal_start_month)
        return period_starting("year", year_start, fiscal_start_month)
    except ValueError:
        # Also years the calendar cannot hold: 0000, or a period running past 9999.
        raise Invalid(
            "invalid_period",
            fields=[field_error(field, "invalid_period", value=text)],
            value=text,
        ) from None


def fiscal_start_month(session: Session) -> int:
    """The group setting (on the root org unit); January when unset."""
    value = session.execute(
        system_access(
            select(OrgUnit.fiscal_year_start_month).where(OrgUnit.parent_id.is_(None))
        ).limit(1)
    ).scalar_one_or_none()
    return value or DEFAULT_FISCAL_START_MONTH


def group_currency(session: Session) -> str:
    """The consolidation currency: the group root's currency (CNY when unset)."""
    value = session.execute(
        system_access(select(OrgUnit.currency).where(OrgUnit.parent_id.is_(None))).limit(1)
    ).scalar_one_or_none()
    return value or "CNY"
