"""Currency conversion from the FX rate table (data maintained by admins).

A rate is looked up for a month and a rate type (``average`` for flows such as contract
amounts signed in the month, ``period_end`` for balances such as receivables). A direct
pair is preferred; otherwise the inverse pair is used. A missing rate is ``None`` — callers
report it, and never treat it as 1.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import or_, select, tuple_
from sqlalchemy.orm import Session

from flotilla.core.errors import Invalid, field_error
from flotilla.core.money import quantize
from flotilla.models.ltc import FX_PLACES, FxRate

RATE_TYPES = ("average", "period_end")
RATE_EXPONENT = Decimal(1).scaleb(-FX_PLACES)


def month_start(day: date) -> date:
    return day.replace(day=1)


class RateTable:
    """Rates loaded once for many conversions (analytics convert thousands of rows)."""

    def __init__(self, rates: dict[tuple[str, str, date, str], Decimal]) -> None:
        self._rates = rates

    @classmethod
    def load(
        cls,
        session: Session,
        currencies: Iterable[str],
        periods: Iterable[date],
        rate_types: Iterable[str] = RATE_TYPES,
    ) -> RateTable:
        codes = sorted(set(currencies))
        months = sorted({month_start(p) for p in periods})
        kinds = sorted(set(rate_types))
        if not codes or not months:
            return cls({})
        rows = session.execute(
            select(
                FxRate.from_currency,
                FxRate.to_currency,
                FxRate.period,
                FxRate.rate_type,
                FxRate.rate,
            ).where(
                or_(FxRate.from_currency.in_(codes), FxRate.to_currency.in_(codes)),
                FxRate.period.in_(months),
                FxRate.rate_type.in_(kinds),
            )
        ).all()
        return cls({(r[0], r[1], r[2], r[3]): r[4] for r in rows})

    def rate(
        self, from_currency: str, to_currency: str, period: date, rate_type: str
    ) -> Decimal | None:
        if from_currency == to_currency:
            return Decimal(1)
        month = month_start(period)
        direct = self._rates.get((from_currency, to_currency, month, rate_type))
        if direct is not None:
            return direct
        inverse = self._rates.get((to_currency, from_currency, month, rate_type))
        if inverse is not None and inverse != 0:
            return (Decimal(1) / inverse).quantize(RATE_EXPONENT, rounding=ROUND_HALF_UP)
        return None

    def convert(
        self, amount: Decimal, from_currency: str, to_currency: str, period: date, rate_type: str
    ) -> Decimal | None:
        """``amount`` in ``to_currency`` rounded to the cent, or ``None`` if no rate."""
        found = self.rate(from_currency, to_currency, period, rate_type)
        return None if found is None else quantize(amount * found)


def rate(
    session: Session, from_currency: str, to_currency: str, period: date, rate_type: str
) -> Decimal | None:
    """One rate, or ``None`` when neither the pair nor its inverse is on file."""
    if from_currency == to_currency:
        return Decimal(1)
    month = month_start(period)
    pairs = [(from_currency, to_currency), (to_currency, from_currency)]
    rows = session.execute(
        select(
            FxRate.from_currency, FxRate.to_currency, FxRate.period, FxRate.rate_type, FxRate.rate
        ).where(
            tuple_(FxRate.from_currency, FxRate.to_currency).in_(pairs),
            FxRate.period == month,
            FxRate.rate_type == rate_type,
        )
    ).all()
    return RateTable({(r[0], r[1], r[2], r[3]): r[4] for r in rows}).rate(
        from_currency, to_currency, month, rate_type
    )


def convert(
    session: Session,
    amount: Decimal,
    from_currency: str,
    to_currency: str,
    period: date,
    rate_type: str,
) -> Decimal | None:
    """``amount`` converted and rounded to the cent, or ``None`` when the rate is missing."""
    found = rate(session, from_currency, to_currency, period, rate_type)
    return None if found is None else quantize(amount * found)


def rate_missing(
    field: str, from_currency: str, to_currency: str, day: date, rate_type: str
) -> Invalid:
    """The one refusal for a conversion without a rate: 422 ``fx_rate_missing`` on ``field``,
    naming the pair, the month and the rate type (never silently converted at 1)."""
    month = f"{day:%Y-%m}"
    params: dict[str, Any] = {
        "from_currency": from_currency,
        "to_currency": to_currency,
        "month": month,
        "rate_type": rate_type,
    }
    return Invalid(
        "fx_rate_missing",
        fields=[field_error(field, "fx_rate_missing", **params)],
        extra={**{k: v for k, v in params.items() if k != "month"}, "period": month},
        **params,
    )
