"""Name and unit look-ups used to render rows the caller may already see.

These read org units and user names without a scope on purpose: they label records that
were themselves fetched through the scope (an owner's name, a unit's name), and reveal
nothing beyond that label.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.core.db import Scoped
from flotilla.core.scope import Scope, system_access
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


def visible_labels(
    session: Session,
    scope: Scope,
    model: type[Scoped],
    label: Any,
    permission: str,
    ids: Iterable[uuid.UUID | None],
) -> dict[uuid.UUID, str]:
    """Labels (``label`` column of ``model``) of the rows ``permission`` reaches, by id: a
    page names the records the caller may see next to its rows, and leaves the others unnamed
    (one query per page, whatever its length)."""
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    key = model.id  # type: ignore[attr-defined]
    stmt = scope.restrict(select(key, label).where(key.in_(wanted)), model, permission)
    return {row[0]: row[1] for row in session.execute(stmt)}


def visible_account_names(
    session: Session,
    scope: Scope,
    account_ids: Iterable[uuid.UUID | None],
    permission: str = "account.read",
) -> dict[uuid.UUID, str]:
    from flotilla.models.customer import Account

    return visible_labels(session, scope, Account, Account.name, permission, account_ids)


def visible_opportunity_names(
    session: Session,
    scope: Scope,
    opportunity_ids: Iterable[uuid.UUID | None],
    permission: str = "opportunity.read",
) -> dict[uuid.UUID, str]:
    from flotilla.models.sales import Opportunity

    return visible_labels(
        session, scope, Opportunity, Opportunity.name, permission, opportunity_ids
    )
