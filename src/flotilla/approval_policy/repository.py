"""All queries of approval policies and the authority matrix.

``approval_policy`` and ``authority_limit`` are configuration placed at a subsidiary (or, for
a group-wide policy, nowhere): their visibility is "the subsidiary is reached by the caller's
``approval.read``/``approval.admin``, or the caller holds a position there", applied here in
one condition. The engine's look-ups (``active_policies``, ``limit_rows``) are deliberate
system reads: which policy applies and what a role may approve do not depend on who asks.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import false, func, or_, select
from sqlalchemy.orm import Session

from flotilla.core.pagination import PageRequest, RowPage, paginate
from flotilla.core.scope import Scope, system_access
from flotilla.models.approval import ApprovalPolicy, AuthorityLimit
from flotilla.models.identity import Position, Role, User
from flotilla.models.org import OrgUnit

READ = "approval.read"
ADMIN = "approval.admin"

SORTABLE: dict[str, Any] = {
    "priority": ApprovalPolicy.priority,
    "code": ApprovalPolicy.code,
    "name": ApprovalPolicy.name,
    "created_at": ApprovalPolicy.created_at,
    "updated_at": ApprovalPolicy.updated_at,
}
DEFAULT_SORT = "priority"


@dataclass(frozen=True)
class PolicyFilters:
    action: str | None = None
    subsidiary_id: uuid.UUID | None = None
    group_wide: bool | None = None
    is_active: bool | None = None
    q: str | None = None


def member_subsidiary_ids(user_id: uuid.UUID) -> Any:
    """Subquery: the subsidiaries in which ``user_id`` holds a position (any seat)."""
    return (
        select(OrgUnit.subsidiary_id)
        .join(Position, Position.unit_id == OrgUnit.id)
        .where(Position.user_id == user_id, OrgUnit.subsidiary_id.is_not(None))
    )


def readable_subsidiaries(scope: Scope) -> list[Any] | None:
    """Subqueries of the subsidiary ids whose approval configuration the caller may read
    (reached by ``approval.read`` or ``approval.admin``, or where the caller holds a
    position); None for a caller holding neither permission."""
    permissions = [p for p in (READ, ADMIN) if scope.has(p)]
    if not permissions:
        return None
    return [scope.visible_unit_ids(p) for p in permissions] + [member_subsidiary_ids(scope.user_id)]


def _visible_policies(scope: Scope) -> Any:
    sources = readable_subsidiaries(scope)
    if sources is None:
        return false()
    return or_(
        ApprovalPolicy.subsidiary_id.is_(None),
        *(ApprovalPolicy.subsidiary_id.in_(source) for source in sources),
    )


def list_policies(
    session: Session, scope: Scope, page: PageRequest, filters: PolicyFilters
) -> RowPage[ApprovalPolicy]:
    stmt = select(ApprovalPolicy).where(_visible_policies(scope))
    if filters.action is not None:
        stmt = stmt.where(ApprovalPolicy.action == filters.action)
    if filters.subsidiary_id is not None:
        stmt = stmt.where(ApprovalPolicy.subsidiary_id == filters.subsidiary_id)
    if filters.group_wide is not None:
        stmt = stmt.where(
            ApprovalPolicy.subsidiary_id.is_(None)
            if filters.group_wide
            else ApprovalPolicy.subsidiary_id.is_not(None)
        )
    if filters.is_active is not None:
        stmt = stmt.where(ApprovalPolicy.is_active.is_(filters.is_active))
    if filters.q:
        pattern = f"%{filters.q.lower()}%"
        stmt = stmt.where(
            or_(
                func.lower(ApprovalPolicy.code).like(pattern),
                func.lower(ApprovalPolicy.name).like(pattern),
                func.lower(func.coalesce(ApprovalPolicy.name_en, "")).like(pattern),
            )
        )
    return paginate(
        session,
        stmt,
        request=page,
        sortable=SORTABLE,
        default_sort=DEFAULT_SORT,
        id_column=ApprovalPolicy.id,
    )


def visible_policy(session: Session, scope: Scope, policy_id: uuid.UUID) -> ApprovalPolicy | None:
    stmt = select(ApprovalPolicy).where(ApprovalPolicy.id == policy_id, _visible_policies(scope))
    return session.execute(stmt).scalar_one_or_none()


def policy_code_taken(session: Session, code: str, *, except_id: uuid.UUID | None = None) -> bool:
    # Codes are unique across the group, whoever can see the other policy.
    stmt = select(ApprovalPolicy.id).where(ApprovalPolicy.code == code)
    if except_id is not None:
        stmt = stmt.where(ApprovalPolicy.id != except_id)
    return session.execute(system_access(stmt)).first() is not None


def active_policies(
    session: Session, action: str, subsidiary_id: uuid.UUID
) -> list[ApprovalPolicy]:
    """The active policies for ``action`` that serve ``subsidiary_id``, in the order they are
    tried: lowest priority first, a subsidiary's own before a group-wide one at equal
    priority, then by code (stable). System configuration: no scope applies."""
    stmt = (
        select(ApprovalPolicy)
        .where(
            ApprovalPolicy.action == action,
            ApprovalPolicy.is_active.is_(True),
            or_(
                ApprovalPolicy.subsidiary_id == subsidiary_id,
                ApprovalPolicy.subsidiary_id.is_(None),
            ),
        )
        .order_by(
            ApprovalPolicy.priority,
            ApprovalPolicy.subsidiary_id.is_(None),
            ApprovalPolicy.code,
        )
    )
    return list(session.execute(system_access(stmt)).scalars())


# --- units, roles, users --------------------------------------------------------------------


def unit(session: Session, unit_id: uuid.UUID) -> OrgUnit | None:
    # Existence and kind only; whether the caller may use it is decided by the service.
    stmt = select(OrgUnit).where(OrgUnit.id == unit_id)
    return session.execute(system_access(stmt)).scalar_one_or_none()


def subsidiary_readable(session: Session, scope: Scope, subsidiary_id: uuid.UUID) -> bool:
    """Whether the caller may read ``subsidiary_id``'s approval configuration."""
    sources = readable_subsidiaries(scope)
    if sources is None:
        return False
    stmt = select(OrgUnit.id).where(
        OrgUnit.id == subsidiary_id, or_(*(OrgUnit.id.in_(source) for source in sources))
    )
    return session.execute(system_access(stmt)).first() is not None


def role_codes(session: Session) -> frozenset[str]:
    return frozenset(session.execute(select(Role.code)).scalars())


def role_by_code(session: Session, code: str) -> Role | None:
    return session.execute(select(Role).where(Role.code == code)).scalar_one_or_none()


def active_user_ids(session: Session, user_ids: Iterable[uuid.UUID]) -> frozenset[uuid.UUID]:
    """Which of ``user_ids`` exist and are active. A policy may name any approver in the
    group (a group VP for a subsidiary's deals), so this is an existence check by id, not a
    scoped read."""
    ids = sorted(set(user_ids))
    if not ids:
        return frozenset()
    stmt = select(User.id).where(User.id.in_(ids), User.is_active.is_(True))
    return frozenset(session.execute(system_access(stmt)).scalars())


# --- the authority matrix -------------------------------------------------------------------


def matrix_rows(session: Session, subsidiary_id: uuid.UUID) -> list[tuple[AuthorityLimit, Role]]:
    """A subsidiary's matrix rows with their roles, by role code (one query)."""
    stmt = (
        select(AuthorityLimit, Role)
        .join(Role, Role.id == AuthorityLimit.role_id)
        .where(AuthorityLimit.subsidiary_id == subsidiary_id)
        .order_by(Role.code)
    )
    return [(row, role) for row, role in session.execute(stmt).all()]


def limit_rows(session: Session, subsidiary_id: uuid.UUID) -> dict[str, dict[str, Any]]:
    """Role code → stored limits of one subsidiary (one query; system configuration)."""
    stmt = (
        select(Role.code, AuthorityLimit.limits)
        .join(Role, Role.id == AuthorityLimit.role_id)
        .where(AuthorityLimit.subsidiary_id == subsidiary_id)
    )
    return {code: dict(limits or {}) for code, limits in session.execute(system_access(stmt))}


def matrix_row(
    session: Session, subsidiary_id: uuid.UUID, role_id: uuid.UUID
) -> AuthorityLimit | None:
    stmt = select(AuthorityLimit).where(
        AuthorityLimit.subsidiary_id == subsidiary_id, AuthorityLimit.role_id == role_id
    )
    return session.execute(stmt).scalar_one_or_none()
