"""FX rates: monthly average and period-end rates, and a conversion helper."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Query, Response

from flotilla.core.errors import error_responses
from flotilla.core.export_lists import ListExport, list_responses
from flotilla.core.http import CurrentScope, DbSession, PageParams
from flotilla.core.pagination import Page
from flotilla.fx import service
from flotilla.fx.schemas import (
    PERIOD_PATTERN,
    BulkOut,
    ConversionOut,
    RateBulk,
    RateOut,
    RatePut,
    RateType,
)

router = APIRouter(prefix="/api/v1", tags=["fx-rates"], responses=error_responses(401, 422))

CURRENCY_QUERY = r"^[A-Za-z]{3}$"


@router.get("/fx-rates", response_model=Page[RateOut], responses=list_responses(403))
def list_fx_rates(
    db: DbSession,
    scope: CurrentScope,
    page: PageParams,
    export: ListExport,
    from_currency: str | None = Query(default=None, pattern=CURRENCY_QUERY),
    to_currency: str | None = Query(default=None, pattern=CURRENCY_QUERY),
    period_from: str | None = Query(default=None, pattern=PERIOD_PATTERN),
    period_to: str | None = Query(default=None, pattern=PERIOD_PATTERN),
    rate_type: RateType | None = None,
) -> Page[RateOut] | Response:
    fetch = partial(
        service.list_rates,
        db,
        scope,
        from_currency=from_currency,
        to_currency=to_currency,
        period_from=period_from,
        period_to=period_to,
        rate_type=rate_type,
    )
    return export.rows(page, fetch, service.present, name="fx-rates", model=RateOut)


@router.get("/fx-rates/convert", response_model=ConversionOut, responses=error_responses(403))
def convert_amount(
    db: DbSession,
    scope: CurrentScope,
    amount: Annotated[Decimal, Query(ge=0, max_digits=16, decimal_places=2)],
    from_currency: Annotated[str, Query(alias="from", pattern=CURRENCY_QUERY)],
    to_currency: Annotated[str, Query(alias="to", pattern=CURRENCY_QUERY)],
    on: Annotated[date, Query(alias="date")],
    rate_type: RateType = "average",
) -> ConversionOut:
    return service.convert(
        db,
        scope,
        amount=amount,
        from_currency=from_currency,
        to_currency=to_currency,
        on=on,
        rate_type=rate_type,
    )


@router.put(
    "/fx-rates",
    response_model=RateOut,
    responses={201: {"model": RateOut}, **error_responses(403, 409)},
)
def put_fx_rate(db: DbSession, scope: CurrentScope, body: RatePut, response: Response) -> RateOut:
    rate, created = service.put_rate(db, scope, body)
    response.status_code = 201 if created else 200
    return service.present([rate])[0]


@router.post("/fx-rates/bulk", response_model=BulkOut, responses=error_responses(403))
def bulk_put_fx_rates(db: DbSession, scope: CurrentScope, body: RateBulk) -> BulkOut:
    return service.bulk_put(db, scope, body)


@router.get("/fx-rates/{rate_id}", response_model=RateOut, responses=error_responses(403, 404))
def get_fx_rate(db: DbSession, scope: CurrentScope, rate_id: uuid.UUID) -> RateOut:
    return service.present([service.get_rate(db, scope, rate_id)])[0]


@router.delete("/fx-rates/{rate_id}", status_code=204, responses=error_responses(403, 404))
def delete_fx_rate(db: DbSession, scope: CurrentScope, rate_id: uuid.UUID) -> Response:
    service.delete_rate(db, scope, rate_id)
    return Response(status_code=204)
