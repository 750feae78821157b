"""All user, position and grant queries."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from flotilla.core.lookup import unit_by_id  # noqa: F401 (re-exported)
from flotilla.core.pagination import PageRequest, RowPage, paginate
from flotilla.core.scope import Scope, system_access
from flotilla.models.identity import Position, Role, RoleGrant, User
from flotilla.models.org import OrgUnit

SORTABLE = {
    "username": User.username,
    "display_name": User.display_name,
    "created_at": User.created_at,
}


def list_users(
    session: Session,
    scope: Scope,
    permission: str,
    page: PageRequest,
    *,
    q: str | None = None,
    unit_id: uuid.UUID | None = None,
    is_active: bool | None = None,
) -> RowPage[User]:
    stmt = scope.restrict(select(User), User, permission)
    if q:
        pattern = f"%{q.lower()}%"
        stmt = stmt.where(
            or_(
                func.lower(User.username).like(pattern),
                func.lower(User.display_name).like(pattern),
            )
        )
    if unit_id is not None:
        unit_path = select(OrgUnit.path).where(OrgUnit.id == unit_id).scalar_subquery()
        in_subtree = select(OrgUnit.id).where(OrgUnit.path.startswith(unit_path))
        stmt = stmt.where(
            exists(
                select(Position.id).where(
                    Position.user_id == User.id, Position.unit_id.in_(in_subtree)
                )
            )
        )
    if is_active is not None:
        stmt = stmt.where(User.is_active.is_(is_active))
    return paginate(
        session, stmt, request=page, sortable=SORTABLE, default_sort="username", id_column=User.id
    )


def ids_within(
    session: Session, scope: Scope, permission: str, ids: Iterable[uuid.UUID]
) -> set[uuid.UUID]:
    """Which of ``ids`` the permission reaches (e.g. whose personal data may be shown)."""
    id_list = list(ids)
    if not id_list:
        return set()
    stmt = scope.restrict(select(User.id).where(User.id.in_(id_list)), User, permission)
    return set(session.execute(stmt).scalars())


def username_taken(session: Session, username: str) -> bool:
    stmt = select(User.id).where(func.lower(User.username) == username.lower())
    return session.execute(system_access(stmt)).first() is not None


def find_by_username(session: Session, username: str) -> User | None:
    stmt = select(User).where(func.lower(User.username) == username.lower())
    return session.execute(system_access(stmt)).scalar_one_or_none()


def positions_of(session: Session, user_id: uuid.UUID) -> list[tuple[Position, OrgUnit]]:
    stmt = (
        select(Position, OrgUnit)
        .join(OrgUnit, OrgUnit.id == Position.unit_id)
        .where(Position.user_id == user_id)
        .order_by(Position.is_primary.desc(), OrgUnit.path)
    )
    return [(p, u) for p, u in session.execute(system_access(stmt))]


def grants_of(session: Session, user_id: uuid.UUID) -> list[tuple[RoleGrant, Role, OrgUnit]]:
    stmt = (
        select(RoleGrant, Role, OrgUnit)
        .join(Role, Role.id == RoleGrant.role_id)
        .join(OrgUnit, OrgUnit.id == RoleGrant.unit_id)
        .where(RoleGrant.user_id == user_id)
        .order_by(Role.code, OrgUnit.path)
    )
    return [(g, r, u) for g, r, u in session.execute(system_access(stmt))]


def get_position(session: Session, user_id: uuid.UUID, position_id: uuid.UUID) -> Position | None:
    stmt = select(Position).where(Position.id == position_id, Position.user_id == user_id)
    return session.execute(stmt).scalar_one_or_none()


def get_grant(session: Session, user_id: uuid.UUID, grant_id: uuid.UUID) -> RoleGrant | None:
    stmt = select(RoleGrant).where(RoleGrant.id == grant_id, RoleGrant.user_id == user_id)
    return session.execute(stmt).scalar_one_or_none()


def get_role(session: Session, role_id: uuid.UUID) -> Role | None:
    return session.get(Role, role_id)
