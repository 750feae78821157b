from __future__ import annotations

import uuid
from datetime import date

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from flotilla.core.errors import error_responses
from flotilla.core.export import XLSX_MEDIA_TYPE, ResponseFormat, xlsx_response
from flotilla.core.http import CurrentScope, DbSession, request_locale
from flotilla.forecast import service
from flotilla.forecast.schemas import ForecastOut, FunnelOut

router = APIRouter(
    prefix="/api/v1/analytics", tags=["analytics"], responses=error_responses(401, 403, 422)
)

XLSX_RESPONSE: dict[int | str, dict[str, object]] = {
    200: {"content": {XLSX_MEDIA_TYPE: {}}, "description": "JSON, or XLSX with format=xlsx"}
}


@router.get(
    "/funnel", response_model=FunnelOut, responses={**error_responses(404), **XLSX_RESPONSE}
)
def funnel(
    request: Request,
    db: DbSession,
    scope: CurrentScope,
    unit_id: uuid.UUID | None = None,
    date_from: date | None = Query(default=None, alias="from"),
    date_to: date | None = Query(default=None, alias="to", description="Inclusive"),
    response_format: ResponseFormat = "json",
) -> FunnelOut | Response:
    out = service.funnel(db, scope, unit_id=unit_id, date_from=date_from, date_to=date_to)
    if response_format == "xlsx":
        locale = request_locale(request)
        return xlsx_response(
            db,
            scope,
            name="funnel",
            sheets=service.funnel_sheets(out, locale),
            locale=locale,
            filters={"unit_id": out.unit.id, "from": out.from_date, "to": out.to_date},
        )
    return out


@router.get(
    "/forecast", response_model=ForecastOut, responses={**error_responses(404), **XLSX_RESPONSE}
)
def forecast(
    request: Request,
    db: DbSession,
    scope: CurrentScope,
    unit_id: uuid.UUID | None = None,
    period: str | None = Query(default=None, max_length=10, description="2026, 2026-Q3, 2026-07"),
    currency: str | None = Query(default=None, pattern=r"^[A-Za-z]{3}$"),
    response_format: ResponseFormat = "json",
) -> ForecastOut | Response:
    out = service.forecast(db, scope, unit_id=unit_id, period=period, currency=currency)
    if response_format == "xlsx":
        locale = request_locale(request)
        return xlsx_response(
            db,
            scope,
            name="forecast",
            sheets=service.forecast_sheets(out, locale),
            locale=locale,
            filters={"unit_id": out.unit.id, "period": out.period.label, "currency": out.currency},
        )
    return out
