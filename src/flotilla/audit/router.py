from __future__ import annotations

import uuid
from datetime import datetime
from functools import partial

from fastapi import APIRouter, Query, Response

from flotilla.audit import service
from flotilla.audit.schemas import AuditEventOut
from flotilla.core.errors import error_responses
from flotilla.core.export_lists import ListExport, list_responses
from flotilla.core.http import CurrentScope, DbSession, PageParams
from flotilla.core.pagination import Page

router = APIRouter(
    prefix="/api/v1/audit-events", tags=["audit"], responses=error_responses(401, 422)
)


@router.get("", response_model=Page[AuditEventOut], responses=list_responses())
def list_audit_events(
    db: DbSession,
    scope: CurrentScope,
    page: PageParams,
    export: ListExport,
    entity_type: str | None = Query(default=None, max_length=64),
    entity_id: uuid.UUID | None = None,
    actor_id: uuid.UUID | None = None,
    action: str | None = Query(default=None, max_length=64),
    since: datetime | None = None,
    until: datetime | None = None,
) -> Page[AuditEventOut] | Response:
    fetch = partial(
        service.list_events,
        db,
        scope,
        entity_type=entity_type,
        entity_id=entity_id,
        actor_id=actor_id,
        action=action,
        since=since,
        until=until,
    )
    return export.rows(page, fetch, name="audit-events", model=AuditEventOut)
