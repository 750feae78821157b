"""Audit-trail queries, always through the caller's ``audit.read`` scope."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.core.pagination import PageRequest, RowPage, paginate
from flotilla.core.scope import Scope
from flotilla.models.audit import AuditEvent

SORTABLE = {"seq": AuditEvent.seq, "occurred_at": AuditEvent.occurred_at}


def list_events(
    session: Session,
    scope: Scope,
    permission: str,
    page: PageRequest,
    *,
    entity_type: str | None,
    entity_id: uuid.UUID | None,
    actor_id: uuid.UUID | None,
    action: str | None,
    since: datetime | None,
    until: datetime | None,
) -> RowPage[AuditEvent]:
    stmt = scope.restrict(select(AuditEvent), AuditEvent, permission)
    if entity_type:
        stmt = stmt.where(AuditEvent.entity_type == entity_type)
    if entity_id:
        stmt = stmt.where(AuditEvent.entity_id == entity_id)
    if actor_id:
        stmt = stmt.where(AuditEvent.actor_id == actor_id)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if since:
        stmt = stmt.where(AuditEvent.occurred_at >= since)
    if until:
        stmt = stmt.where(AuditEvent.occurred_at < until)
    return paginate(
        session,
        stmt,
        request=page,
        sortable=SORTABLE,
        default_sort="-seq",
        id_column=AuditEvent.id,
    )
