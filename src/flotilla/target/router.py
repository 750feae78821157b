"""Targets (目标): CRUD, the cascade, the consistency check and the fiscal-year setting."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from flotilla.core.errors import error_responses
from flotilla.core.export import XLSX_MEDIA_TYPE, ResponseFormat, xlsx_response
from flotilla.core.http import CurrentScope, DbSession, request_locale
from flotilla.target import service
from flotilla.target.schemas import (
    CascadeIn,
    ConsistencyOut,
    FiscalYearIn,
    FiscalYearOut,
    Metric,
    TargetCreate,
    TargetListOut,
    TargetOut,
    TargetUpdate,
)

router = APIRouter(prefix="/api/v1/targets", tags=["targets"], responses=error_responses(401, 422))

# The 200 answer is JSON or, with ``format=xlsx``, the same rows as a workbook.
WITH_XLSX: dict[int | str, dict[str, Any]] = {
    200: {"content": {XLSX_MEDIA_TYPE: {}}, "description": "JSON, or a workbook (`format=xlsx`)"}
}
PeriodQuery = Annotated[
    str,
    Query(
        min_length=1,
        max_length=16,
        description="A fiscal period: `2026` (year), `2026-Q3` (quarter) or `2026-07` (month)",
    ),
]


@router.get(
    "",
    response_model=TargetListOut,
    responses={**WITH_XLSX, **error_responses(403, 404)},
)
def list_targets(
    request: Request,
    db: DbSession,
    scope: CurrentScope,
    period: PeriodQuery,
    metric: Metric | None = None,
    unit_id: uuid.UUID | None = None,
    assignee_user_id: uuid.UUID | None = None,
    include_children: bool = False,
    response_format: ResponseFormat = "json",
) -> TargetListOut | Response:
    result = service.list_targets(
        db,
        scope,
        period=period,
        metric=metric,
        unit_id=unit_id,
        assignee_user_id=assignee_user_id,
        include_children=include_children,
    )
    if response_format == "xlsx":
        locale = request_locale(request)
        return xlsx_response(
            db,
            scope,
            name="targets",
            sheets=[service.targets_sheet(result, locale)],
            locale=locale,
            filters={
                "period": period,
                "metric": metric,
                "unit_id": unit_id,
                "assignee_user_id": assignee_user_id,
                "include_children": include_children,
            },
        )
    return result


@router.post(
    "", response_model=TargetOut, status_code=201, responses=error_responses(403, 404, 409)
)
def create_target(db: DbSession, scope: CurrentScope, body: TargetCreate) -> TargetOut:
    target = service.create_target(db, scope, body)
    return service.present_one(db, scope, target)


@router.post("/cascade", response_model=TargetListOut, responses=error_responses(403, 404, 409))
def cascade_target(db: DbSession, scope: CurrentScope, body: CascadeIn) -> TargetListOut:
    return service.cascade(db, scope, body)


@router.get(
    "/consistency",
    response_model=ConsistencyOut,
    responses={**WITH_XLSX, **error_responses(403, 404)},
)
def target_consistency(
    request: Request,
    db: DbSession,
    scope: CurrentScope,
    period: PeriodQuery,
    metric: Metric | None = None,
    unit_id: uuid.UUID | None = None,
    include_all: Annotated[
        bool, Query(alias="all", description="Also list parents whose children add up")
    ] = False,
    response_format: ResponseFormat = "json",
) -> ConsistencyOut | Response:
    result = service.consistency(
        db, scope, period=period, metric=metric, unit_id=unit_id, include_all=include_all
    )
    if response_format == "xlsx":
        locale = request_locale(request)
        return xlsx_response(
            db,
            scope,
            name="target-consistency",
            sheets=[service.consistency_sheet(result, locale)],
            locale=locale,
            filters={"period": period, "metric": metric, "unit_id": unit_id, "all": include_all},
        )
    return result


@router.get("/fiscal-year", response_model=FiscalYearOut)
def get_fiscal_year(db: DbSession, _scope: CurrentScope) -> FiscalYearOut:
    return service.fiscal_year(db)


@router.put("/fiscal-year", response_model=FiscalYearOut, responses=error_responses(403, 409))
def put_fiscal_year(db: DbSession, scope: CurrentScope, body: FiscalYearIn) -> FiscalYearOut:
    return service.set_fiscal_year(db, scope, body.start_month)


@router.get("/{target_id}", response_model=TargetOut, responses=error_responses(404))
def get_target(db: DbSession, scope: CurrentScope, target_id: uuid.UUID) -> TargetOut:
    return service.get_target(db, scope, target_id)


@router.put("/{target_id}", response_model=TargetOut, responses=error_responses(403, 404, 409))
def update_target(
    db: DbSession, scope: CurrentScope, target_id: uuid.UUID, body: TargetUpdate
) -> TargetOut:
    target = service.update_target(db, scope, target_id, body)
    return service.present_one(db, scope, target)


@router.delete("/{target_id}", status_code=204, responses=error_responses(403, 404))
def delete_target(db: DbSession, scope: CurrentScope, target_id: uuid.UUID) -> Response:
    service.delete_target(db, scope, target_id)
    return Response(status_code=204)
