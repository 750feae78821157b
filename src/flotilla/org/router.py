from __future__ import annotations

import uuid
from functools import partial

from fastapi import APIRouter, Query, Response

from flotilla.core.errors import error_responses
from flotilla.core.export_lists import ListExport, list_responses
from flotilla.core.http import CurrentScope, DbSession, PageParams
from flotilla.core.pagination import Page
from flotilla.org import service
from flotilla.org.schemas import OrgKind, OrgUnitCreate, OrgUnitMove, OrgUnitOut, OrgUnitUpdate

router = APIRouter(prefix="/api/v1/org-units", tags=["org"], responses=error_responses(401, 422))


@router.get("", response_model=Page[OrgUnitOut], responses=list_responses())
def list_org_units(
    db: DbSession,
    scope: CurrentScope,
    page: PageParams,
    export: ListExport,
    parent_id: uuid.UUID | None = None,
    kind: OrgKind | None = None,
    subsidiary_id: uuid.UUID | None = None,
    q: str | None = Query(default=None, max_length=100),
) -> Page[OrgUnitOut] | Response:
    fetch = partial(
        service.list_units,
        db,
        scope,
        parent_id=parent_id,
        kind=kind,
        q=q,
        subsidiary_id=subsidiary_id,
    )
    return export.rows(page, fetch, name="org-units", model=OrgUnitOut)


@router.post("", response_model=OrgUnitOut, status_code=201, responses=error_responses(403, 409))
def create_org_unit(db: DbSession, scope: CurrentScope, body: OrgUnitCreate) -> OrgUnitOut:
    return OrgUnitOut.model_validate(service.create_unit(db, scope, body))


@router.get("/{unit_id}", response_model=OrgUnitOut, responses=error_responses(404))
def get_org_unit(db: DbSession, scope: CurrentScope, unit_id: uuid.UUID) -> OrgUnitOut:
    return OrgUnitOut.model_validate(service.get_unit(db, scope, unit_id))


@router.patch("/{unit_id}", response_model=OrgUnitOut, responses=error_responses(403, 404, 409))
def update_org_unit(
    db: DbSession, scope: CurrentScope, unit_id: uuid.UUID, body: OrgUnitUpdate
) -> OrgUnitOut:
    return OrgUnitOut.model_validate(service.update_unit(db, scope, unit_id, body))


@router.post("/{unit_id}/move", response_model=OrgUnitOut, responses=error_responses(403, 404, 409))
def move_org_unit(
    db: DbSession, scope: CurrentScope, unit_id: uuid.UUID, body: OrgUnitMove
) -> OrgUnitOut:
    return OrgUnitOut.model_validate(service.move_unit(db, scope, unit_id, body))


@router.delete("/{unit_id}", status_code=204, responses=error_responses(404, 409))
def delete_org_unit(db: DbSession, scope: CurrentScope, unit_id: uuid.UUID) -> Response:
    service.delete_unit(db, scope, unit_id)
    return Response(status_code=204)
