from __future__ import annotations

import uuid
from datetime import date
from functools import partial
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from flotilla.core.errors import error_responses
from flotilla.core.export import ResponseFormat, xlsx_response
from flotilla.core.export_lists import ListExport, list_responses
from flotilla.core.http import CurrentScope, DbSession, PageParams, request_locale
from flotilla.core.pagination import Page
from flotilla.pipeline import service
from flotilla.pipeline.schemas import (
    Change,
    ForecastCategory,
    PipelineChangesOut,
    PipelineOut,
    PipelineRowOut,
)

router = APIRouter(
    prefix="/api/v1/analytics", tags=["analytics"], responses=error_responses(401, 403, 422)
)

CURRENCY_QUERY = Query(
    default=None,
    pattern=r"^[A-Za-z]{3}$",
    description="Report currency (default: the group currency)",
)
UNIT_QUERY = Query(default=None, description="Default: your top visible unit")
XLSX_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}}
}


@router.get(
    "/pipeline",
    response_model=PipelineOut,
    responses={**error_responses(404), **XLSX_RESPONSES},
)
def pipeline(
    request: Request,
    db: DbSession,
    scope: CurrentScope,
    unit_id: uuid.UUID | None = UNIT_QUERY,
    day: date | None = Query(default=None, alias="date", description="Default: today"),
    currency: str | None = CURRENCY_QUERY,
    response_format: ResponseFormat = "json",
) -> PipelineOut | Response:
    out = service.pipeline(db, scope, unit_id=unit_id, day=day, currency=currency)
    if response_format == "xlsx":
        return xlsx_response(
            db,
            scope,
            name="pipeline",
            sheets=service.pipeline_sheets(out),
            locale=request_locale(request),
            filters={"unit_id": out.unit.id, "date": out.date, "currency": out.currency},
        )
    return out


@router.get(
    "/pipeline/rows",
    response_model=Page[PipelineRowOut],
    responses=list_responses(404),
)
def pipeline_rows(
    db: DbSession,
    scope: CurrentScope,
    page: PageParams,
    export: ListExport,
    unit_id: uuid.UUID | None = UNIT_QUERY,
    day: date | None = Query(default=None, alias="date", description="Default: today"),
    stage_code: str | None = Query(default=None, max_length=64),
    forecast_category: ForecastCategory | None = None,
    owner_id: uuid.UUID | None = None,
    include_children: bool = Query(
        default=True, description="false: only deals placed on the unit itself"
    ),
    change: Change | None = Query(
        default=None, description="A waterfall step or movement between `from` and `date`"
    ),
    from_day: date | None = Query(default=None, alias="from"),
) -> Page[PipelineRowOut] | Response:
    fetch = partial(
        service.pipeline_rows,
        db,
        scope,
        unit_id=unit_id,
        day=day,
        stage_code=stage_code,
        forecast_category=forecast_category,
        owner_id=owner_id,
        include_children=include_children,
        change=change,
        from_day=from_day,
    )
    return export.page(page, fetch, name="pipeline-rows", model=PipelineRowOut)


@router.get(
    "/pipeline-changes",
    response_model=PipelineChangesOut,
    responses={**error_responses(404), **XLSX_RESPONSES},
)
def pipeline_changes(
    request: Request,
    db: DbSession,
    scope: CurrentScope,
    unit_id: uuid.UUID | None = UNIT_QUERY,
    from_day: date | None = Query(
        default=None, alias="from", description="Default: 30 days before `to`"
    ),
    to_day: date | None = Query(default=None, alias="to", description="Default: today"),
    currency: str | None = CURRENCY_QUERY,
    response_format: ResponseFormat = "json",
) -> PipelineChangesOut | Response:
    out = service.pipeline_changes(
        db, scope, unit_id=unit_id, from_day=from_day, to_day=to_day, currency=currency
    )
    if response_format == "xlsx":
        return xlsx_response(
            db,
            scope,
            name="pipeline-changes",
            sheets=service.pipeline_changes_sheets(out),
            locale=request_locale(request),
            filters={
                "unit_id": out.unit.id,
                "from": out.from_date,
                "to": out.to_date,
                "currency": out.currency,
            },
        )
    return out
