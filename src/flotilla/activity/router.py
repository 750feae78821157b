from __future__ import annotations

import uuid
from datetime import date
from functools import partial

from fastapi import APIRouter, Query, Response

from flotilla.activity import service
from flotilla.activity.schemas import (
    ActivityComplete,
    ActivityCreate,
    ActivityKind,
    ActivityOut,
    ActivityUpdate,
)
from flotilla.core.errors import error_responses
from flotilla.core.export_lists import ListExport, list_responses
from flotilla.core.http import OWNER_FILTER, CurrentScope, DbSession, PageParams
from flotilla.core.list_filters import DayRange
from flotilla.core.pagination import Page
from flotilla.core.placement import owner_filter

router = APIRouter(
    prefix="/api/v1/activities", tags=["activities"], responses=error_responses(401, 422)
)


@router.get("", response_model=Page[ActivityOut], responses=list_responses())
def list_activities(
    db: DbSession,
    scope: CurrentScope,
    page: PageParams,
    export: ListExport,
    kind: ActivityKind | None = None,
    account_id: uuid.UUID | None = None,
    contact_id: uuid.UUID | None = None,
    opportunity_id: uuid.UUID | None = None,
    owner_id: str | None = OWNER_FILTER,
    overdue: bool | None = Query(default=None, description="Open tasks past their due time"),
    completed: bool | None = None,
    q: str | None = Query(default=None, max_length=100),
    unit_id: uuid.UUID | None = None,
    occurred_from: date | None = Query(default=None, description="On or after (UTC day)"),
    occurred_to: date | None = Query(default=None, description="On or before (UTC day)"),
) -> Page[ActivityOut] | Response:
    occurred = DayRange.checked("occurred", occurred_from, occurred_to)
    fetch = partial(
        service.list_activities,
        db,
        scope,
        kind=kind,
        account_id=account_id,
        contact_id=contact_id,
        opportunity_id=opportunity_id,
        owner_id=owner_filter(scope, owner_id),
        overdue=overdue,
        completed=completed,
        q=q,
        occurred=occurred,
        unit_id=unit_id,
    )
    return export.rows(page, fetch, service.present, name="activities", model=ActivityOut)


@router.post("", response_model=ActivityOut, status_code=201, responses=error_responses(403))
def create_activity(db: DbSession, scope: CurrentScope, body: ActivityCreate) -> ActivityOut:
    return service.present([service.create_activity(db, scope, body)])[0]


@router.get("/{activity_id}", response_model=ActivityOut, responses=error_responses(404))
def get_activity(db: DbSession, scope: CurrentScope, activity_id: uuid.UUID) -> ActivityOut:
    return service.present([service.get_activity(db, scope, activity_id)])[0]


@router.patch(
    "/{activity_id}", response_model=ActivityOut, responses=error_responses(403, 404, 409)
)
def update_activity(
    db: DbSession, scope: CurrentScope, activity_id: uuid.UUID, body: ActivityUpdate
) -> ActivityOut:
    return service.present([service.update_activity(db, scope, activity_id, body)])[0]


@router.post(
    "/{activity_id}/complete", response_model=ActivityOut, responses=error_responses(404, 409)
)
def complete_activity(
    db: DbSession,
    scope: CurrentScope,
    activity_id: uuid.UUID,
    body: ActivityComplete | None = None,
) -> ActivityOut:
    return service.present([service.complete_activity(db, scope, activity_id, body)])[0]
