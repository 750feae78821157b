"""Request and response bodies of FX rates.

A rate says how many units of ``to_currency`` one unit of ``from_currency`` buys in a month.
``period`` is sent as ``YYYY-MM`` or a date (any day of the month) and stored as the first day
of the month; currencies are checked against ISO 4217 by the service, so a bulk upload reports
every bad row at once with its index.
"""

from __future__ import annotations

import datetime as dt
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field

from flotilla.core.schemas import InputModel, OutputModel

RateType = Literal["average", "period_end"]
# ``direct``: the pair's own rate; ``inverse``: 1 / the opposite pair's rate (8 places);
# ``same_currency``: no conversion.
RateSource = Literal["direct", "inverse", "same_currency"]
CurrencyCode = Annotated[str, Field(pattern=r"^[A-Za-z]{3}$")]
PERIOD_PATTERN = r"^\d{4}-\d{2}(-\d{2})?$"
Period = Annotated[str, Field(pattern=PERIOD_PATTERN)]
Rate = Annotated[Decimal, Field(gt=0, max_digits=18, decimal_places=8)]
MAX_BULK_ROWS = 2000


class RateIn(InputModel):
    from_currency: CurrencyCode
    to_currency: CurrencyCode
    period: Period
    rate_type: RateType
    rate: Rate


class RatePut(RateIn):
    # When given, the stored rate must still be at this version (optimistic locking).
    version: int | None = None


class RateBulk(InputModel):
    rates: list[RateIn] = Field(min_length=1, max_length=MAX_BULK_ROWS)


class RateOut(OutputModel):
    id: uuid.UUID
    from_currency: str
    to_currency: str
    period: date
    rate_type: RateType
    rate: Decimal
    version: int
    created_at: datetime
    updated_at: datetime


class BulkOut(OutputModel):
    created: int
    updated: int
    unchanged: int


class ConversionOut(OutputModel):
    amount: Decimal
    from_currency: str
    to_currency: str
    date: dt.date
    period: dt.date
    rate_type: RateType
    rate: Decimal
    rate_source: RateSource
    converted: Decimal
