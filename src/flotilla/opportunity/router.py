from __future__ import annotations

import uuid
from datetime import date
from functools import partial
from typing import Literal

from fastapi import APIRouter, Query, Response

from flotilla.core.errors import Invalid, error_responses, field_error
from flotilla.core.export_lists import ListExport, list_responses
from flotilla.core.http import OWNER_FILTER, CurrentScope, DbSession, PageParams
from flotilla.core.list_filters import DayRange
from flotilla.core.pagination import Page
from flotilla.core.placement import owner_filter
from flotilla.opportunity import service
from flotilla.opportunity.repository import OpportunityFilters
from flotilla.opportunity.schemas import (
    ChecklistUpdate,
    MemberAdd,
    MemberOut,
    MemberRemove,
    OpportunityCreate,
    OpportunityDetailOut,
    OpportunityOut,
    OpportunityUpdate,
    StageHistoryOut,
    TransitionRequest,
)

router = APIRouter(
    prefix="/api/v1/opportunities", tags=["opportunities"], responses=error_responses(401, 422)
)


@router.get("", response_model=Page[OpportunityOut], responses=list_responses())
def list_opportunities(
    db: DbSession,
    scope: CurrentScope,
    page: PageParams,
    export: ListExport,
    status: Literal["open", "won", "lost"] | None = None,
    stage_id: uuid.UUID | None = None,
    owner_id: str | None = OWNER_FILTER,
    account_id: uuid.UUID | None = None,
    unit_id: uuid.UUID | None = None,
    subsidiary_id: uuid.UUID | None = None,
    stalled: bool | None = None,
    q: str | None = Query(default=None, max_length=100),
    stage_code: str | None = Query(
        default=None, max_length=64, description="The stage with this code in any process version"
    ),
    closed_from: date | None = Query(default=None, description="Closed on or after (UTC day)"),
    closed_to: date | None = Query(default=None, description="Closed on or before (UTC day)"),
    expected_close_from: date | None = None,
    expected_close_to: date | None = None,
    created_from: date | None = Query(default=None, description="Created on or after (UTC day)"),
    created_to: date | None = Query(default=None, description="Created on or before (UTC day)"),
    forecast_category: Literal["pipeline", "best_case", "commit", "closed", "omitted"]
    | None = None,
    entered_stage_code: str | None = Query(
        default=None, max_length=64, description="Entered this stage (funnel drill-down)"
    ),
    entered_from: date | None = Query(default=None, description="Entered on or after (UTC day)"),
    entered_to: date | None = Query(default=None, description="Entered on or before (UTC day)"),
    funnel_outcome: Literal["advanced", "dropped", "in_progress"] | None = Query(
        default=None, description="What became of deals that entered `entered_stage_code`"
    ),
    exited_stage_code: str | None = Query(
        default=None, max_length=64, description="Left this stage (funnel drill-down)"
    ),
    exited_from: date | None = Query(default=None, description="Left on or after (UTC day)"),
    exited_to: date | None = Query(default=None, description="Left on or before (UTC day)"),
) -> Page[OpportunityOut] | Response:
    if funnel_outcome is not None and entered_stage_code is None:
        raise Invalid(
            fields=[field_error("entered_stage_code", "missing", requires="funnel_outcome")]
        )
    filters = OpportunityFilters(
        status=status,
        stage_id=stage_id,
        owner_id=owner_filter(scope, owner_id),
        account_id=account_id,
        unit_id=unit_id,
        subsidiary_id=subsidiary_id,
        stalled=stalled,
        q=q,
        stage_code=stage_code,
        closed=DayRange.checked("closed", closed_from, closed_to),
        expected_close=DayRange.checked("expected_close", expected_close_from, expected_close_to),
        created=DayRange.checked("created", created_from, created_to),
        forecast_category=forecast_category,
        entered_stage_code=entered_stage_code,
        entered=DayRange.checked("entered", entered_from, entered_to),
        funnel_outcome=funnel_outcome,
        exited_stage_code=exited_stage_code,
        exited=DayRange.checked("exited", exited_from, exited_to),
    )
    fetch = partial(service.list_opportunities, db, scope, filters=filters)
    present = partial(service.present, db, scope)
    return export.rows(page, fetch, present, name="opportunities", model=OpportunityOut)


@router.post(
    "",
    response_model=OpportunityDetailOut,
    status_code=201,
    responses=error_responses(403, 409),
)
def create_opportunity(
    db: DbSession, scope: CurrentScope, body: OpportunityCreate
) -> OpportunityDetailOut:
    deal = service.create_opportunity(db, scope, body)
    return service.present_detail(db, scope, deal)


@router.get(
    "/{opportunity_id}", response_model=OpportunityDetailOut, responses=error_responses(404)
)
def get_opportunity(
    db: DbSession, scope: CurrentScope, opportunity_id: uuid.UUID
) -> OpportunityDetailOut:
    return service.present_detail(db, scope, service.get_opportunity(db, scope, opportunity_id))


@router.patch(
    "/{opportunity_id}",
    response_model=OpportunityDetailOut,
    responses=error_responses(403, 404, 409),
)
def update_opportunity(
    db: DbSession, scope: CurrentScope, opportunity_id: uuid.UUID, body: OpportunityUpdate
) -> OpportunityDetailOut:
    deal = service.update_opportunity(db, scope, opportunity_id, body)
    return service.present_detail(db, scope, deal)


@router.post(
    "/{opportunity_id}/transitions",
    response_model=OpportunityDetailOut,
    responses=error_responses(404, 409),
)
def transition_opportunity(
    db: DbSession, scope: CurrentScope, opportunity_id: uuid.UUID, body: TransitionRequest
) -> OpportunityDetailOut:
    deal = service.transition(db, scope, opportunity_id, body)
    return service.present_detail(db, scope, deal)


@router.get(
    "/{opportunity_id}/history",
    response_model=list[StageHistoryOut],
    responses=error_responses(404),
)
def opportunity_history(
    db: DbSession, scope: CurrentScope, opportunity_id: uuid.UUID
) -> list[StageHistoryOut]:
    return service.history(db, scope, opportunity_id)


@router.put(
    "/{opportunity_id}/checklist",
    response_model=OpportunityDetailOut,
    responses=error_responses(404, 409),
)
def set_opportunity_checklist(
    db: DbSession, scope: CurrentScope, opportunity_id: uuid.UUID, body: ChecklistUpdate
) -> OpportunityDetailOut:
    deal = service.set_checklist(db, scope, opportunity_id, body)
    return service.present_detail(db, scope, deal)


@router.post(
    "/{opportunity_id}/members",
    response_model=MemberOut,
    status_code=201,
    responses=error_responses(404, 409),
)
def add_opportunity_member(
    db: DbSession, scope: CurrentScope, opportunity_id: uuid.UUID, body: MemberAdd
) -> MemberOut:
    return service.present_member(db, service.add_member(db, scope, opportunity_id, body))


@router.delete("/{opportunity_id}/members", status_code=204, responses=error_responses(404))
def remove_opportunity_member(
    db: DbSession, scope: CurrentScope, opportunity_id: uuid.UUID, body: MemberRemove
) -> Response:
    service.remove_member(db, scope, opportunity_id, body.user_id, body.role)
    return Response(status_code=204)


@router.delete(
    "/{opportunity_id}/members/{user_id}", status_code=204, responses=error_responses(404)
)
def remove_opportunity_member_by_user(
    db: DbSession, scope: CurrentScope, opportunity_id: uuid.UUID, user_id: uuid.UUID
) -> Response:
    service.remove_member(db, scope, opportunity_id, user_id)
    return Response(status_code=204)
