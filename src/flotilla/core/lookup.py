"""Name and unit look-ups used to render rows the caller may already see.

These read org units and user names without a scope on purpose: they label records that
were themselves fetched through the scope (an owner's name, a unit's name), and reveal
nothing beyond that label.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.core.scope import system_access
from flotilla.models.identity import User
from flotilla.models.org import OrgUnit


def unit_by_id(session: Session, unit_id: uuid.UUID) -> OrgUnit | None:
    stmt = select(OrgUnit).where(OrgUnit.id == unit_id)
    return session.execute(system_access(stmt)).scalar_one_or_none()


def units_by_id(session: Session, unit_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, OrgUnit]:
    ids = sorted(set(unit_ids))
    if not ids:
        return {}
    stmt = select(OrgUnit).where(OrgUnit.id.in_(ids))
    return {unit.id: unit for unit in session.execute(system_access(stmt)).scalars()}


def user_names(session: Session, user_ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    ids = sorted({i for i in user_ids if i is not None})
    if not ids:
        return {}
    stmt = select(User.id, User.display_name).where(User.id.in_(ids))
    return {row.id: row.display_name for row in session.execute(system_access(stmt))}
