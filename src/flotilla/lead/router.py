from __future__ import annotations

import uuid
from functools import partial

from fastapi import APIRouter, Query, Response

from flotilla.core.errors import error_responses
from flotilla.core.export_lists import ListExport, list_responses
from flotilla.core.http import OWNER_FILTER, CurrentScope, DbSession, PageParams
from flotilla.core.pagination import Page
from flotilla.core.placement import owner_filter
from flotilla.lead import service
from flotilla.lead.schemas import LeadCreate, LeadOut, LeadStatus, LeadUpdate

router = APIRouter(prefix="/api/v1/leads", tags=["leads"], responses=error_responses(401, 422))


@router.get("", response_model=Page[LeadOut], responses=list_responses())
def list_leads(
    db: DbSession,
    scope: CurrentScope,
    page: PageParams,
    export: ListExport,
    status: LeadStatus | None = None,
    source: str | None = Query(default=None, max_length=64),
    owner_id: str | None = OWNER_FILTER,
    unit_id: uuid.UUID | None = None,
    q: str | None = Query(default=None, max_length=100),
) -> Page[LeadOut] | Response:
    fetch = partial(
        service.list_leads,
        db,
        scope,
        status=status,
        source=source,
        owner_id=owner_filter(scope, owner_id),
        unit_id=unit_id,
        q=q,
    )
    present = partial(service.present, db, scope)
    return export.rows(page, fetch, present, name="leads", model=LeadOut)


@router.post("", response_model=LeadOut, status_code=201, responses=error_responses(403))
def create_lead(db: DbSession, scope: CurrentScope, body: LeadCreate) -> LeadOut:
    return service.present(db, scope, [service.create_lead(db, scope, body)])[0]


@router.get("/{lead_id}", response_model=LeadOut, responses=error_responses(404))
def get_lead(db: DbSession, scope: CurrentScope, lead_id: uuid.UUID) -> LeadOut:
    return service.present(db, scope, [service.get_lead(db, scope, lead_id)])[0]


@router.patch("/{lead_id}", response_model=LeadOut, responses=error_responses(403, 404, 409))
def update_lead(
    db: DbSession, scope: CurrentScope, lead_id: uuid.UUID, body: LeadUpdate
) -> LeadOut:
    return service.present(db, scope, [service.update_lead(db, scope, lead_id, body)])[0]
