"""All lead queries. Every read goes through the scope kernel."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from flotilla.core.list_filters import in_unit_subtree
from flotilla.core.pagination import PageRequest, RowPage, paginate
from flotilla.core.scope import Scope
from flotilla.models.sales import Lead

SORTABLE = {
    "created_at": Lead.created_at,
    "updated_at": Lead.updated_at,
    "company_name": Lead.company_name,
}


def list_leads(
    session: Session,
    scope: Scope,
    permission: str,
    page: PageRequest,
    *,
    status: str | None = None,
    source: str | None = None,
    owner_id: uuid.UUID | None = None,
    unit_id: uuid.UUID | None = None,
    q: str | None = None,
) -> RowPage[Lead]:
    stmt = scope.restrict(select(Lead), Lead, permission)
    if status is not None:
        stmt = stmt.where(Lead.status == status)
    if source is not None:
        stmt = stmt.where(Lead.source == source)
    if owner_id is not None:
        stmt = stmt.where(Lead.owner_id == owner_id)
    if unit_id is not None:
        stmt = stmt.where(in_unit_subtree(Lead.unit_id, unit_id))
    if q:
        pattern = f"%{q.lower()}%"
        stmt = stmt.where(
            or_(
                func.lower(Lead.company_name).like(pattern),
                func.lower(Lead.contact_name).like(pattern),
            )
        )
    return paginate(
        session,
        stmt,
        request=page,
        sortable=SORTABLE,
        default_sort="-created_at",
        id_column=Lead.id,
    )


def ids_within(
    session: Session, scope: Scope, permission: str, ids: Iterable[uuid.UUID]
) -> set[uuid.UUID]:
    """Which of ``ids`` the permission reaches (e.g. whose phone and e-mail may be shown)."""
    id_list = sorted(set(ids))
    if not id_list:
        return set()
    stmt = scope.restrict(select(Lead.id).where(Lead.id.in_(id_list)), Lead, permission)
    return set(session.execute(stmt).scalars())
