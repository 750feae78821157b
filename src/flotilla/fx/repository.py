"""All FX-rate queries. Rates are group reference data (not scoped)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from flotilla.core.pagination import PageRequest, RowPage, paginate
from flotilla.models.ltc import FxRate

SORTABLE: dict[str, Any] = {"period": FxRate.period, "updated_at": FxRate.updated_at}
DEFAULT_SORT = "-period"

RateKey = tuple[str, str, date, str]


@dataclass(frozen=True)
class RateFilters:
    from_currency: str | None = None
    to_currency: str | None = None
    period_from: date | None = None
    period_to: date | None = None
    rate_type: str | None = None


def list_rates(session: Session, page: PageRequest, filters: RateFilters) -> RowPage[FxRate]:
    stmt = select(FxRate)
    if filters.from_currency is not None:
        stmt = stmt.where(FxRate.from_currency == filters.from_currency)
    if filters.to_currency is not None:
        stmt = stmt.where(FxRate.to_currency == filters.to_currency)
    if filters.period_from is not None:
        stmt = stmt.where(FxRate.period >= filters.period_from)
    if filters.period_to is not None:
        stmt = stmt.where(FxRate.period <= filters.period_to)
    if filters.rate_type is not None:
        stmt = stmt.where(FxRate.rate_type == filters.rate_type)
    return paginate(
        session,
        stmt,
        request=page,
        sortable=SORTABLE,
        default_sort=DEFAULT_SORT,
        id_column=FxRate.id,
    )


def rate_by_id(session: Session, rate_id: uuid.UUID) -> FxRate | None:
    return session.get(FxRate, rate_id)


def rates_by_key(session: Session, keys: Iterable[RateKey]) -> dict[RateKey, FxRate]:
    """The stored rows for a set of (from, to, period, rate type) keys, in one query."""
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    stmt = select(FxRate).where(
        tuple_(FxRate.from_currency, FxRate.to_currency, FxRate.period, FxRate.rate_type).in_(
            wanted
        )
    )
    return {
        (r.from_currency, r.to_currency, r.period, r.rate_type): r
        for r in session.execute(stmt).scalars()
    }


def pair_rates(
    session: Session, from_currency: str, to_currency: str, period: date, rate_type: str
) -> dict[RateKey, Decimal]:
    """The month's rate of the pair in both directions (what ``core.fx.RateTable`` needs)."""
    rows = rates_by_key(
        session,
        [
            (from_currency, to_currency, period, rate_type),
            (to_currency, from_currency, period, rate_type),
        ],
    )
    return {key: row.rate for key, row in rows.items()}
