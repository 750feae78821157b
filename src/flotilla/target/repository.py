"""All target queries. Reads go through the caller's scope (``target.read`` or
``target.write``); the one unscoped read is the duplicate check, which runs only after the
caller was shown to reach the unit."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import date

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from flotilla.core.scope import Scope, system_access
from flotilla.models.analytics import Target
from flotilla.models.identity import Position, User
from flotilla.models.org import OrgUnit

TargetRow = tuple[Target, OrgUnit]


def _targets(
    scope: Scope, permission: str, kind: str, start: date, metrics: Collection[str] | None
) -> Select[Target, OrgUnit]:
    """The caller's targets of one period (optionally some metrics), each with its unit."""
    stmt = (
        select(Target, OrgUnit)
        .join(OrgUnit, OrgUnit.id == Target.unit_id)
        .where(Target.period_kind == kind, Target.period_start == start)
    )
    if metrics is not None:
        stmt = stmt.where(Target.metric.in_(sorted(metrics)))
    return scope.restrict(stmt, Target, permission)


def _rows(session: Session, stmt: Select[Target, OrgUnit]) -> list[TargetRow]:
    return [(target, unit) for target, unit in session.execute(stmt)]


def list_targets(
    session: Session,
    scope: Scope,
    permission: str,
    *,
    kind: str,
    start: date,
    metric: str | None = None,
    unit_id: uuid.UUID | None = None,
    include_children: bool = False,
    assignee_user_id: uuid.UUID | None = None,
    limit: int,
) -> list[TargetRow]:
    """Targets of a period. ``unit_id``: the targets set on that unit (its own and those of
    persons placed in it); with ``include_children`` also its direct child units' own."""
    stmt = _targets(scope, permission, kind, start, [metric] if metric else None)
    if unit_id is not None:
        on_unit = Target.unit_id == unit_id
        if include_children:
            child_units = select(OrgUnit.id).where(OrgUnit.parent_id == unit_id)
            on_unit = or_(
                on_unit,
                and_(Target.assignee_user_id.is_(None), Target.unit_id.in_(child_units)),
            )
        stmt = stmt.where(on_unit)
    if assignee_user_id is not None:
        stmt = stmt.where(Target.assignee_user_id == assignee_user_id)
    return _rows(session, stmt.order_by(OrgUnit.path, Target.metric, Target.id).limit(limit))


def sibling_targets(
    session: Session,
    scope: Scope,
    *,
    kind: str,
    start: date,
    metrics: Collection[str],
    parent_unit_ids: Collection[uuid.UUID],
    person_unit_ids: Collection[uuid.UUID],
) -> list[TargetRow]:
    """The visible targets ranked together with a page's: unit targets of the children of
    ``parent_unit_ids`` and person targets set on ``person_unit_ids``."""
    conditions = []
    if parent_unit_ids:
        conditions.append(
            and_(
                Target.assignee_user_id.is_(None),
                OrgUnit.parent_id.in_(sorted(parent_unit_ids)),
            )
        )
    if person_unit_ids:
        conditions.append(
            and_(
                Target.assignee_user_id.is_not(None),
                Target.unit_id.in_(sorted(person_unit_ids)),
            )
        )
    if not conditions or not metrics:
        return []
    stmt = _targets(scope, "target.read", kind, start, metrics).where(or_(*conditions))
    return _rows(session, stmt)


def children_targets(
    session: Session,
    scope: Scope,
    permission: str,
    *,
    kind: str,
    start: date,
    metrics: Collection[str] | None,
    parent_unit_ids: Collection[uuid.UUID],
) -> list[TargetRow]:
    """The visible targets one level below ``parent_unit_ids``: their child units' own
    targets and the targets of persons placed in them."""
    if not parent_unit_ids:
        return []
    parents = sorted(parent_unit_ids)
    stmt = _targets(scope, permission, kind, start, metrics).where(
        or_(
            and_(Target.assignee_user_id.is_(None), OrgUnit.parent_id.in_(parents)),
            and_(Target.assignee_user_id.is_not(None), Target.unit_id.in_(parents)),
        )
    )
    return _rows(session, stmt)


def unit_targets_in_subtree(
    session: Session,
    scope: Scope,
    *,
    kind: str,
    start: date,
    metric: str | None,
    path: str | None,
) -> list[TargetRow]:
    """The visible unit (not person) targets of a period, within the subtree at ``path``."""
    stmt = _targets(scope, "target.read", kind, start, [metric] if metric else None).where(
        Target.assignee_user_id.is_(None)
    )
    if path is not None:
        stmt = stmt.where(OrgUnit.path.startswith(path))
    return _rows(session, stmt.order_by(OrgUnit.path, Target.metric))


def unit_target(
    session: Session,
    scope: Scope,
    permission: str,
    *,
    metric: str,
    kind: str,
    start: date,
    unit_id: uuid.UUID,
) -> Target | None:
    """A unit's own target of a metric and period, if the caller sees it."""
    stmt = (
        select(Target)
        .where(
            Target.metric == metric,
            Target.period_kind == kind,
            Target.period_start == start,
            Target.unit_id == unit_id,
            Target.assignee_user_id.is_(None),
        )
        .limit(1)
    )
    return session.execute(scope.restrict(stmt, Target, permission)).scalar_one_or_none()


def existing_target_id(
    session: Session, *, metric: str, kind: str, start: date, unit_id: uuid.UUID, assignee_key: str
) -> uuid.UUID | None:
    """The id holding the unique key, if any. Unscoped on purpose: the caller reaches the unit
    (checked first), so the row — unit or person target in that unit — is theirs to see."""
    stmt = select(Target.id).where(
        Target.metric == metric,
        Target.period_kind == kind,
        Target.period_start == start,
        Target.unit_id == unit_id,
        Target.assignee_key == assignee_key,
    )
    return session.execute(system_access(stmt)).scalar_one_or_none()


def cascade_targets(
    session: Session,
    scope: Scope,
    *,
    metric: str,
    kind: str,
    start: date,
    parent_unit_id: uuid.UUID,
    child_unit_ids: Collection[uuid.UUID],
    user_ids: Collection[uuid.UUID],
) -> list[Target]:
    """The writable child targets a cascade may update: the given child units' own targets
    and the given persons' targets set on the parent unit."""
    conditions = []
    if child_unit_ids:
        conditions.append(
            and_(Target.assignee_user_id.is_(None), Target.unit_id.in_(sorted(child_unit_ids)))
        )
    if user_ids:
        conditions.append(
            and_(Target.unit_id == parent_unit_id, Target.assignee_user_id.in_(sorted(user_ids)))
        )
    if not conditions:
        return []
    stmt = select(Target).where(
        Target.metric == metric,
        Target.period_kind == kind,
        Target.period_start == start,
        or_(*conditions),
    )
    return list(session.execute(scope.restrict(stmt, Target, "target.write")).scalars())


def child_units(
    session: Session,
    scope: Scope,
    permission: str,
    parent_unit_ids: Collection[uuid.UUID],
    *,
    only: Sequence[uuid.UUID] | None = None,
) -> list[OrgUnit]:
    """Active child units of ``parent_unit_ids`` that ``permission`` reaches (optionally only
    the ids in ``only``)."""
    if not parent_unit_ids:
        return []
    stmt = select(OrgUnit).where(
        OrgUnit.parent_id.in_(sorted(parent_unit_ids)), OrgUnit.is_active.is_(True)
    )
    if only is not None:
        stmt = stmt.where(OrgUnit.id.in_(sorted(set(only))))
    stmt = scope.restrict(stmt.order_by(OrgUnit.path), OrgUnit, permission)
    return list(session.execute(stmt).scalars())


def placed_users(
    session: Session, scope: Scope, unit_id: uuid.UUID, user_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, User]:
    """Of ``user_ids``, the users the caller sees (``user.read``) that hold a position
    directly in ``unit_id``."""
    if not user_ids:
        return {}
    placed = select(Position.user_id).where(Position.unit_id == unit_id)
    stmt = select(User).where(User.id.in_(sorted(set(user_ids))), User.id.in_(placed))
    found = session.execute(scope.restrict(stmt, User, "user.read")).scalars()
    return {user.id: user for user in found}
