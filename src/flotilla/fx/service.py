"""FX rates (汇率): the monthly average and period-end rates analytics and receivables convert
with, maintained by admins.

Invariants:
- One rate per (from currency, to currency, month, rate type); ``period`` is the month's first
  day. Both currencies are ISO 4217 codes and differ; a rate is positive with at most eight
  decimal places.
- Reading needs ``analytics.read``, ``quote.read`` or ``fx.admin``; writing needs ``fx.admin``
  over the whole group (the rates are group reference data).
- A bulk upload is all or nothing: every row is checked first and any problem refuses the whole
  upload, naming the row (``rates.<index>.<field>``).
- Conversion uses the pair's rate for the month, else the inverse pair's; a missing rate is
  reported (``fx_rate_missing``), never taken as 1.

Services flush, never commit: the request commits.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from flotilla.core import fx
from flotilla.core.errors import Conflict, FieldError, Forbidden, Invalid, NotFound, field_error
from flotilla.core.money import quantize
from flotilla.core.pagination import PageRequest, RowPage
from flotilla.core.scope import Scope
from flotilla.core.validators import is_valid_currency
from flotilla.fx import repository
from flotilla.fx.repository import RateFilters, RateKey
from flotilla.fx.schemas import (
    BulkOut,
    ConversionOut,
    RateBulk,
    RateIn,
    RateOut,
    RatePut,
    RateSource,
    RateType,
)
from flotilla.models.ltc import FxRate

ADMIN = "fx.admin"
READERS = ("analytics.read", "quote.read", ADMIN)
_PERIOD = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")


def parse_period(value: str) -> date | None:
    """``YYYY-MM`` or ``YYYY-MM-DD`` → the first day of that month; ``None`` if invalid."""
    match = _PERIOD.match(value)
    if match is None:
        return None
    year, month, day = (int(g) if g else 1 for g in match.groups())
    try:
        return date(year, month, day).replace(day=1)
    except ValueError:
        return None


def _require_reader(scope: Scope) -> None:
    if not any(scope.has(p) for p in READERS):
        raise Forbidden()


def _require_admin(scope: Scope) -> None:
    """Rates are group reference data: ``fx.admin`` must reach the whole group."""
    scope.require(ADMIN)
    if not scope.reach(ADMIN).everything:
        raise Forbidden()


# --- reads -------------------------------------------------------------------------------------


def list_rates(
    session: Session,
    scope: Scope,
    page: PageRequest,
    *,
    from_currency: str | None = None,
    to_currency: str | None = None,
    period_from: str | None = None,
    period_to: str | None = None,
    rate_type: RateType | None = None,
) -> RowPage[FxRate]:
    _require_reader(scope)
    errors: list[FieldError] = []
    bounds: dict[str, date | None] = {}
    for name, raw in (("period_from", period_from), ("period_to", period_to)):
        bounds[name] = parse_period(raw) if raw is not None else None
        if raw is not None and bounds[name] is None:
            errors.append(field_error(name, "fx_invalid_period"))
    if errors:
        raise Invalid(fields=errors)
    filters = RateFilters(
        from_currency=from_currency.upper() if from_currency else None,
        to_currency=to_currency.upper() if to_currency else None,
        period_from=bounds["period_from"],
        period_to=bounds["period_to"],
        rate_type=rate_type,
    )
    return repository.list_rates(session, page, filters)


def get_rate(session: Session, scope: Scope, rate_id: uuid.UUID) -> FxRate:
    _require_reader(scope)
    found = repository.rate_by_id(session, rate_id)
    if found is None:
        raise NotFound()
    return found


def convert(
    session: Session,
    scope: Scope,
    *,
    amount: Decimal,
    from_currency: str,
    to_currency: str,
    on: date,
    rate_type: RateType,
) -> ConversionOut:
    """Convert with the month's rate (direct, else inverse); ``422 fx_rate_missing`` naming
    the pair and month when neither is on file."""
    _require_reader(scope)
    source, target = from_currency.upper(), to_currency.upper()
    errors = [
        field_error(name, "invalid_currency")
        for name, code in (("from", source), ("to", target))
        if not is_valid_currency(code)
    ]
    if errors:
        raise Invalid(fields=errors)
    period = fx.month_start(on)
    origin: RateSource = "same_currency"
    rate = Decimal(1)
    if source != target:
        known = repository.pair_rates(session, source, target, period, rate_type)
        found = fx.RateTable(known).rate(source, target, period, rate_type)
        if found is None:
            raise fx.rate_missing("date", source, target, period, rate_type)
        rate = found
        origin = "direct" if (source, target, period, rate_type) in known else "inverse"
    return ConversionOut(
        amount=amount,
        from_currency=source,
        to_currency=target,
        date=on,
        period=period,
        rate_type=rate_type,
        rate=rate,
        rate_source=origin,
        # The kernel's rounding: the converted amount to the cent, half away from zero.
        converted=quantize(amount * rate),
    )


# --- writes ------------------------------------------------------------------------------------


def _check_row(row: RateIn, prefix: str) -> tuple[RateKey | None, list[FieldError]]:
    """The row's normalized key, or the problems found (field names under ``prefix``)."""
    errors: list[FieldError] = []
    source, target = row.from_currency.upper(), row.to_currency.upper()
    for name, code in (("from_currency", source), ("to_currency", target)):
        if not is_valid_currency(code):
            errors.append(field_error(f"{prefix}{name}", "invalid_currency"))
    if source == target:
        errors.append(field_error(f"{prefix}to_currency", "fx_same_currency"))
    period = parse_period(row.period)
    if period is None:
        errors.append(field_error(f"{prefix}period", "fx_invalid_period"))
    if errors or period is None:
        return None, errors
    return (source, target, period, row.rate_type), []


def _apply(session: Session, key: RateKey, rate: Decimal, existing: FxRate | None) -> str:
    """Insert or update one rate; returns ``created``, ``updated`` or ``unchanged``."""
    rate = rate.quantize(fx.RATE_EXPONENT)  # as stored, so the response shows a re-read
    if existing is None:
        source, target, period, rate_type = key
        session.add(
            FxRate(
                from_currency=source,
                to_currency=target,
                period=period,
                rate_type=rate_type,
                rate=rate,
            )
        )
        return "created"
    if existing.rate == rate:
        return "unchanged"
    existing.rate = rate
    return "updated"


def put_rate(session: Session, scope: Scope, data: RatePut) -> tuple[FxRate, bool]:
    """Upsert one rate by its (pair, month, type); returns the row and whether it is new."""
    _require_admin(scope)
    key, errors = _check_row(data, "")
    if errors or key is None:
        raise Invalid(fields=errors)
    existing = repository.rates_by_key(session, [key]).get(key)
    if existing is None and data.version is not None:
        raise Conflict("version_conflict")
    if existing is not None and data.version is not None and existing.version != data.version:
        raise Conflict("version_conflict")
    outcome = _apply(session, key, data.rate, existing)
    session.flush()
    stored = existing or repository.rates_by_key(session, [key])[key]
    return stored, outcome == "created"


def bulk_put(session: Session, scope: Scope, data: RateBulk) -> BulkOut:
    """Upsert many rates, all or nothing: every row is checked before anything is written."""
    _require_admin(scope)
    errors: list[FieldError] = []
    keyed: list[tuple[RateKey, Decimal]] = []
    first_row: dict[RateKey, int] = {}
    for index, row in enumerate(data.rates):
        prefix = f"rates.{index}."
        key, problems = _check_row(row, prefix)
        errors.extend(problems)
        if key is None:
            continue
        if key in first_row:
            errors.append(field_error(f"{prefix}period", "fx_duplicate_row", index=first_row[key]))
            continue
        first_row[key] = index
        keyed.append((key, row.rate))
    if errors:
        raise Invalid(fields=errors)
    existing = repository.rates_by_key(session, (key for key, _rate in keyed))
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for key, rate in keyed:
        counts[_apply(session, key, rate, existing.get(key))] += 1
    session.flush()
    return BulkOut(**counts)


def delete_rate(session: Session, scope: Scope, rate_id: uuid.UUID) -> None:
    _require_admin(scope)
    found = repository.rate_by_id(session, rate_id)
    if found is None:
        raise NotFound()
    session.delete(found)
    session.flush()


def present(rates: Sequence[FxRate]) -> list[RateOut]:
    return [RateOut.model_validate(r) for r in rates]
