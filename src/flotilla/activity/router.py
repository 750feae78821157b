from __future__ import annotations

import uuid

from fastapi import APIRouter, Query

from flotilla.activity import service
from flotilla.activity.schemas import (
    ActivityComplete,
    ActivityCreate,
    ActivityKind,
    ActivityOut,
    ActivityUpdate,
)
from flotilla.core.errors import error_responses
from flotilla.core.http import OWNER_FILTER, CurrentScope, DbSession, PageParams
from flotilla.core.pagination import Page
from flotilla.core.placement import owner_filter

router = APIRouter(
    prefix="/api/v1/activities", tags=["activities"], responses=error_responses(401, 422)
)


@router.get("", response_model=Page[ActivityOut])
def list_activities(
    db: DbSession,
    scope: CurrentScope,
    page: PageParams,
    kind: ActivityKind | None = None,
    account_id: uuid.UUID | None = None,
    contact_id: uuid.UUID | None = None,
    opportunity_id: uuid.UUID | None = None,
    owner_id: str | None = OWNER_FILTER,
    overdue: bool | None = Query(default=None, description="Open tasks past their due time"),
    completed: bool | None = None,
    q: str | None = Query(default=None, max_length=100),
) -> Page[ActivityOut]:
    result = service.list_activities(
        db,
        scope,
        page,
        kind=kind,
        account_id=account_id,
        contact_id=contact_id,
        opportunity_id=opportunity_id,
        owner_id=owner_filter(scope, owner_id),
        overdue=overdue,
        completed=completed,
        q=q,
    )
    return Page(
        items=service.present(result.rows), next_cursor=result.next_cursor, total=result.total
    )


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
