"""Filters shared by the list endpoints: inclusive day ranges and org-unit subtrees.

The analytics drill down into lists with these filters, so every list reads them the same
way: ``<name>_from`` and ``<name>_to`` are ISO days, both inclusive; on a time column a day is
the UTC day; ``unit_id`` is the unit's whole subtree.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, select

from flotilla.core.errors import Invalid, field_error
from flotilla.models.org import OrgUnit


@dataclass(frozen=True)
class DayRange:
    """Days from ``start`` to ``end``, both inclusive; either end may be open."""

    start: date | None = None
    end: date | None = None

    @classmethod
    def checked(cls, name: str, start: date | None, end: date | None) -> DayRange:
        """The range of the ``<name>_from`` / ``<name>_to`` query parameters; a start after
        the end is a 422 on ``<name>_to``."""
        if start is not None and end is not None and start > end:
            raise Invalid(
                fields=[field_error(f"{name}_to", "greater_than_equal", ge=start.isoformat())]
            )
        return cls(start, end)

    def __bool__(self) -> bool:
        return self.start is not None or self.end is not None

    def on_dates(self, column: Any) -> list[ColumnElement[bool]]:
        """Conditions on a ``date`` column."""
        conditions: list[ColumnElement[bool]] = []
        if self.start is not None:
            conditions.append(column >= self.start)
        if self.end is not None:
            conditions.append(column <= self.end)
        return conditions

    def on_utc_times(self, column: Any) -> list[ColumnElement[bool]]:
        """Conditions on a UTC ``datetime`` column: from the start day's midnight up to, not
        including, the midnight after the end day (so the whole end day is in)."""
        conditions: list[ColumnElement[bool]] = []
        if self.start is not None:
            conditions.append(column >= datetime.combine(self.start, time.min, tzinfo=UTC))
        if self.end is not None and self.end < date.max:
            after = datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=UTC)
            conditions.append(column < after)
        return conditions


# No bound on either side (frozen, so one instance serves as every default).
ANY_DAY = DayRange()


def in_unit_subtree(column: Any, unit_id: uuid.UUID) -> ColumnElement[bool]:
    """``column`` (an org-unit id) is the unit or any unit below it, by materialized path.

    The path is read in the same statement, so a unit that does not exist matches nothing;
    the scope of the surrounding statement still decides which rows are visible."""
    unit_path = select(OrgUnit.path).where(OrgUnit.id == unit_id).scalar_subquery()
    subtree = select(OrgUnit.id).where(OrgUnit.path.startswith(unit_path))
    condition: ColumnElement[bool] = column.in_(subtree)
    return condition
