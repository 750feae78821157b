"""All org-unit queries. Reads go through the caller's scope."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from flotilla.core.pagination import PageRequest, RowPage, paginate
from flotilla.core.scope import Scope, system_access
from flotilla.models.analytics import Target
from flotilla.models.identity import Position, RoleGrant
from flotilla.models.org import OrgUnit

SORTABLE = {
    "name": OrgUnit.name,
    "code": OrgUnit.code,
    "created_at": OrgUnit.created_at,
    "path": OrgUnit.path,
}


def visible_units(scope: Scope, permission: str = "org.read") -> Select[OrgUnit]:
    return scope.restrict(select(OrgUnit), OrgUnit, permission)


def list_units(
    session: Session,
    scope: Scope,
    page: PageRequest,
    *,
    parent_id: uuid.UUID | None = None,
    kind: str | None = None,
    q: str | None = None,
    subsidiary_id: uuid.UUID | None = None,
) -> RowPage[OrgUnit]:
    stmt = visible_units(scope)
    if parent_id is not None:
        stmt = stmt.where(OrgUnit.parent_id == parent_id)
    if kind is not None:
        stmt = stmt.where(OrgUnit.kind == kind)
    if subsidiary_id is not None:
        stmt = stmt.where(or_(OrgUnit.subsidiary_id == subsidiary_id, OrgUnit.id == subsidiary_id))
    if q:
        pattern = f"%{q.lower()}%"
        stmt = stmt.where(
            or_(
                func.lower(OrgUnit.name).like(pattern),
                func.lower(OrgUnit.name_en).like(pattern),
                func.lower(OrgUnit.code).like(pattern),
            )
        )
    return paginate(
        session, stmt, request=page, sortable=SORTABLE, default_sort="path", id_column=OrgUnit.id
    )


def find_root(session: Session) -> OrgUnit | None:
    return session.execute(
        system_access(select(OrgUnit).where(OrgUnit.parent_id.is_(None)))
    ).scalar_one_or_none()


def code_taken(session: Session, code: str, exclude_id: uuid.UUID | None = None) -> bool:
    stmt = select(OrgUnit.id).where(func.lower(OrgUnit.code) == code.lower())
    if exclude_id:
        stmt = stmt.where(OrgUnit.id != exclude_id)
    return session.execute(system_access(stmt)).first() is not None


def uscc_taken(session: Session, uscc: str, exclude_id: uuid.UUID | None = None) -> bool:
    stmt = select(OrgUnit.id).where(OrgUnit.uscc == uscc)
    if exclude_id:
        stmt = stmt.where(OrgUnit.id != exclude_id)
    return session.execute(system_access(stmt)).first() is not None


def subtree(session: Session, unit: OrgUnit) -> list[OrgUnit]:
    """The unit and all its descendants (system access: callers checked the root)."""
    return list(
        session.execute(
            system_access(
                select(OrgUnit).where(OrgUnit.path.startswith(unit.path)).order_by(OrgUnit.depth)
            )
        ).scalars()
    )


def has_children(session: Session, unit_id: uuid.UUID) -> bool:
    stmt = select(OrgUnit.id).where(OrgUnit.parent_id == unit_id).limit(1)
    return session.execute(system_access(stmt)).first() is not None


def has_people(session: Session, unit_id: uuid.UUID) -> bool:
    positions = select(Position.id).where(Position.unit_id == unit_id).limit(1)
    grants = select(RoleGrant.id).where(RoleGrant.unit_id == unit_id).limit(1)
    return (
        session.execute(positions).first() is not None
        or session.execute(grants).first() is not None
    )


def fiscal_target_count(session: Session) -> int:
    """How many targets are set on fiscal quarters or years, group-wide: their stored start
    dates only mean something under the current fiscal-year start month. A deliberate
    unscoped count — the setting is group-wide, and the refusal names no target."""
    stmt = select(func.count(Target.id)).where(Target.period_kind.in_(("quarter", "year")))
    return int(session.execute(system_access(stmt)).scalar_one())
