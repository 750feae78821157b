"""Reading the audit trail. Writing happens in ``flotilla.core.audit`` on every flush."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from flotilla.audit import repository
from flotilla.core.errors import Invalid, field_error
from flotilla.core.pagination import PageRequest, RowPage
from flotilla.core.scope import Scope
from flotilla.models.audit import AuditEvent

READ = "audit.read"


def as_utc(moment: datetime | None) -> datetime | None:
    """Query parameters without an offset are read as UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def list_events(
    session: Session,
    scope: Scope,
    page: PageRequest,
    *,
    entity_type: str | None = None,
    entity_id: uuid.UUID | None = None,
    actor_id: uuid.UUID | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> RowPage[AuditEvent]:
    since, until = as_utc(since), as_utc(until)
    if since and until and since >= until:
        raise Invalid(fields=[field_error("until", "greater_than", gt="since")])
    return repository.list_events(
        session,
        scope,
        READ,
        page,
        entity_type=entity_type,
        entity_id=entity_id,
        actor_id=actor_id,
        action=action,
        since=since,
        until=until,
    )
