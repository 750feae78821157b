from __future__ import annotations

import uuid
from datetime import date

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from flotilla.analytics import service
from flotilla.analytics.schemas import (
    AgingByUnitReport,
    KpiReport,
    TrendMetric,
    TrendReport,
)
from flotilla.core.errors import error_responses
from flotilla.core.export import ResponseFormat, xlsx_response
from flotilla.core.http import CurrentScope, DbSession, request_locale

router = APIRouter(
    prefix="/api/v1/analytics", tags=["analytics"], responses=error_responses(401, 403, 422)
)

CURRENCY_QUERY = Query(
    default=None,
    description="Report currency (3 letters; default: the group currency)",
)
UNIT_QUERY = Query(
    default=None, description="Default: the caller's top visible unit (group root or subsidiary)"
)


@router.get("/kpis", response_model=KpiReport, responses=error_responses(404))
def kpis(
    request: Request,
    db: DbSession,
    scope: CurrentScope,
    unit_id: uuid.UUID | None = UNIT_QUERY,
    period: str | None = Query(
        default=None, max_length=16, description="2026, 2026-Q3 or 2026-07 (fiscal)"
    ),
    currency: str | None = CURRENCY_QUERY,
    response_format: ResponseFormat = "json",
) -> KpiReport | Response:
    report = service.kpis(db, scope, unit_id=unit_id, period=period, currency=currency)
    if response_format == "xlsx":
        return xlsx_response(
            db,
            scope,
            name="analytics-kpis",
            sheets=[service.kpi_sheet(report)],
            locale=request_locale(request),
            filters={
                "unit_id": report.unit.id,
                "period": report.period.label,
                "currency": report.currency,
            },
        )
    return report


@router.get("/trends", response_model=TrendReport, responses=error_responses(404))
def trends(
    request: Request,
    db: DbSession,
    scope: CurrentScope,
    metric: TrendMetric,
    unit_id: uuid.UUID | None = UNIT_QUERY,
    from_month: str | None = Query(default=None, alias="from", max_length=7, description="YYYY-MM"),
    to_month: str | None = Query(default=None, alias="to", max_length=7, description="YYYY-MM"),
    currency: str | None = CURRENCY_QUERY,
    response_format: ResponseFormat = "json",
) -> TrendReport | Response:
    report = service.trends(
        db,
        scope,
        unit_id=unit_id,
        metric=metric,
        from_month=from_month,
        to_month=to_month,
        currency=currency,
    )
    if response_format == "xlsx":
        return xlsx_response(
            db,
            scope,
            name="analytics-trends",
            sheets=[service.trend_sheet(report)],
            locale=request_locale(request),
            filters={
                "unit_id": report.unit.id,
                "metric": report.metric,
                "from": report.from_month,
                "to": report.to_month,
                "currency": report.currency,
            },
        )
    return report


@router.get("/receivables-aging", response_model=AgingByUnitReport, responses=error_responses(404))
def receivables_aging(
    request: Request,
    db: DbSession,
    scope: CurrentScope,
    unit_id: uuid.UUID | None = UNIT_QUERY,
    currency: str | None = CURRENCY_QUERY,
    as_of: date | None = None,
    response_format: ResponseFormat = "json",
) -> AgingByUnitReport | Response:
    report = service.receivables_aging(db, scope, unit_id=unit_id, currency=currency, as_of=as_of)
    if response_format == "xlsx":
        return xlsx_response(
            db,
            scope,
            name="analytics-receivables-aging",
            sheets=[service.aging_sheet(report)],
            locale=request_locale(request),
            filters={"unit_id": report.unit.id, "as_of": report.as_of, "currency": report.currency},
        )
    return report
