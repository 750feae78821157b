"""The access-scope kernel: the one place that decides what a caller may see and touch.

A caller's ``Scope`` holds, per permission, the org units it reaches (as materialized-path
prefixes, so units created later are covered) and whether their own records count.
Repositories obtain filters only from ``Scope.where``; the session guard installed by
``install_guard`` refuses any ORM statement on a ``Scoped`` table that did not, unless it is
marked as deliberate system access (``system_access``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Select, event, false, or_, select, true
from sqlalchemy.orm import ORMExecuteState, Session

from flotilla.core.db import Scoped
from flotilla.core.errors import Forbidden, NotFound
from flotilla.models.identity import Role, RoleGrant, User
from flotilla.models.org import OrgUnit

SCOPED_OPTION = "flotilla_scoped"
SYSTEM_OPTION = "flotilla_system"

T = TypeVar("T")
S = TypeVar("S", bound="Select[*tuple[Any, ...]]")


@dataclass(frozen=True)
class Reach:
    """What one permission reaches: every unit, or unit-path prefixes and exact units."""

    everything: bool = False
    path_prefixes: frozenset[str] = frozenset()
    unit_ids: frozenset[uuid.UUID] = frozenset()
    own: bool = False

    @property
    def is_empty(self) -> bool:
        return not (self.everything or self.path_prefixes or self.unit_ids or self.own)

    def merge(self, other: Reach) -> Reach:
        return Reach(
            everything=self.everything or other.everything,
            path_prefixes=self.path_prefixes | other.path_prefixes,
            unit_ids=self.unit_ids | other.unit_ids,
            own=self.own or other.own,
        )


NO_REACH = Reach()


@dataclass(frozen=True)
class GrantInfo:
    grant_id: uuid.UUID
    role_id: uuid.UUID
    role_code: str
    role_name: str
    role_name_en: str | None
    data_scope: str
    unit_id: uuid.UUID
    unit_name: str
    permissions: frozenset[str]


@dataclass(frozen=True)
class Scope:
    """A resolved caller. Build it with ``resolve_scope``; never construct one by hand
    outside tests and system jobs."""

    user_id: uuid.UUID
    username: str
    display_name: str
    grants: tuple[GrantInfo, ...]
    reaches: dict[str, Reach] = field(default_factory=dict)

    @property
    def permissions(self) -> frozenset[str]:
        return frozenset(self.reaches)

    def has(self, permission: str) -> bool:
        return permission in self.reaches

    def require(self, permission: str) -> None:
        """Refuse an action the caller holds no grant for at all (403)."""
        if permission not in self.reaches:
            raise Forbidden()

    def reach(self, permission: str) -> Reach:
        return self.reaches.get(permission, NO_REACH)

    def visible_unit_ids(self, permission: str) -> Select[uuid.UUID]:
        """Subquery of the org-unit ids ``permission`` reaches (current tree, not cached)."""
        reach = self.reach(permission)
        stmt = select(OrgUnit.id)
        if reach.everything:
            return stmt
        conditions: list[Any] = [OrgUnit.path.startswith(p) for p in sorted(reach.path_prefixes)]
        if reach.unit_ids:
            conditions.append(OrgUnit.id.in_(sorted(reach.unit_ids)))
        return stmt.where(or_(*conditions) if conditions else false())

    def where(self, model: type[Scoped], permission: str) -> Any:
        """The SQL condition restricting ``model`` to rows ``permission`` reaches."""
        reach = self.reach(permission)
        if reach.everything:
            return true()
        if reach.is_empty:
            return false()
        combined = model.scope_reach_condition(
            reach.path_prefixes, reach.unit_ids, self.user_id if reach.own else None
        )
        if combined is not None:
            return combined
        conditions: list[Any] = []
        if reach.path_prefixes or reach.unit_ids:
            conditions.append(model.scope_unit_condition(self.visible_unit_ids(permission)))
        if reach.own:
            owner = model.scope_owner_condition(self.user_id)
            if owner is not None:
                conditions.append(owner)
        return or_(*conditions) if conditions else false()

    def restrict(self, stmt: S, model: type[Scoped], permission: str) -> S:
        """Apply the scope to a statement and mark it as scoped for the session guard."""
        return stmt.where(self.where(model, permission)).execution_options(**{SCOPED_OPTION: True})

    def reaches_unit(self, session: Session, permission: str, unit_id: uuid.UUID) -> bool:
        """Whether ``permission`` reaches one org unit (used for writes that place records)."""
        reach = self.reach(permission)
        if reach.everything:
            return True
        if unit_id in reach.unit_ids:
            return True
        if not reach.path_prefixes:
            return False
        found = session.execute(
            self.restrict(select(OrgUnit.id).where(OrgUnit.id == unit_id), OrgUnit, permission)
        ).first()
        return found is not None


def system_access(stmt: S) -> S:
    """Mark a statement as deliberate, unscoped system access (jobs, auth, the kernel)."""
    return stmt.execution_options(**{SYSTEM_OPTION: True})


def _reach_for_grant(
    data_scope: str, anchor: OrgUnit, subsidiary_paths: dict[uuid.UUID, str]
) -> Reach:
    if data_scope == "group":
        return Reach(everything=True)
    if data_scope == "own":
        return Reach(own=True)
    if data_scope == "unit":
        return Reach(unit_ids=frozenset({anchor.id}), own=True)
    if data_scope == "unit_and_below":
        return Reach(path_prefixes=frozenset({anchor.path}), own=True)
    if data_scope == "subsidiary":
        if anchor.kind == "group":
            return Reach(everything=True)
        subsidiary_id = anchor.id if anchor.kind == "subsidiary" else anchor.subsidiary_id
        path = subsidiary_paths.get(subsidiary_id) if subsidiary_id else None
        return Reach(path_prefixes=frozenset({path or anchor.path}), own=True)
    raise ValueError(f"unknown data scope {data_scope!r}")


def resolve_scope(session: Session, user: User) -> Scope:
    """Turn an authenticated user into their Scope: one query for grants, one for anchors."""
    rows = session.execute(
        system_access(
            select(RoleGrant, Role, OrgUnit)
            .join(Role, Role.id == RoleGrant.role_id)
            .join(OrgUnit, OrgUnit.id == RoleGrant.unit_id)
            .where(RoleGrant.user_id == user.id, OrgUnit.is_active.is_(True))
        )
    ).all()
    subsidiary_ids = {
        unit.subsidiary_id for _grant, _role, unit in rows if unit.subsidiary_id is not None
    }
    subsidiary_paths: dict[uuid.UUID, str] = {}
    if subsidiary_ids:
        subsidiary_paths = {
            unit_id: path
            for unit_id, path in session.execute(
                system_access(
                    select(OrgUnit.id, OrgUnit.path).where(OrgUnit.id.in_(subsidiary_ids))
                )
            )
        }
    reaches: dict[str, Reach] = {}
    grants: list[GrantInfo] = []
    for grant, role, unit in rows:
        reach = _reach_for_grant(role.data_scope, unit, subsidiary_paths)
        permissions = frozenset(str(p) for p in role.permissions)
        for permission in permissions:
            reaches[permission] = reaches.get(permission, NO_REACH).merge(reach)
        grants.append(
            GrantInfo(
                grant_id=grant.id,
                role_id=role.id,
                role_code=role.code,
                role_name=role.name,
                role_name_en=role.name_en,
                data_scope=role.data_scope,
                unit_id=unit.id,
                unit_name=unit.name,
                permissions=permissions,
            )
        )
    grants.sort(key=lambda g: (g.role_code, g.unit_name))
    return Scope(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        grants=tuple(grants),
        reaches=reaches,
    )


def get_visible(
    session: Session, scope: Scope, model: type[T], permission: str, record_id: uuid.UUID
) -> T:
    """Load one record through the scope, or raise NotFound (absent and hidden look alike)."""
    assert issubclass(model, Scoped)
    found = session.execute(
        scope.restrict(select(model).where(model.id == record_id), model, permission)  # type: ignore[attr-defined]
    ).scalar_one_or_none()
    if found is None:
        raise NotFound()
    return found


def ensure_still_visible(
    session: Session, scope: Scope, model: type[Scoped], permission: str, record_id: uuid.UUID
) -> None:
    """After a write: the record must still be inside the caller's reach, else the whole
    transaction is refused (nobody can create or move a record out of their own reach)."""
    session.flush()
    found = session.execute(
        scope.restrict(
            select(model.id).where(model.id == record_id),  # type: ignore[attr-defined]
            model,
            permission,
        )
    ).first()
    if found is None:
        raise Forbidden("out_of_scope")


class ScopeNotApplied(RuntimeError):
    """An ORM statement touched a scoped table without going through the scope kernel."""


def _guard(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if state.is_relationship_load or state.is_column_load:
        return
    options = state.execution_options
    if options.get(SCOPED_OPTION) or options.get(SYSTEM_OPTION):
        return
    if state.session.info.get(SYSTEM_OPTION):
        return
    touched: Iterable[Any] = state.all_mappers
    for mapper in touched:
        if issubclass(mapper.class_, Scoped):
            raise ScopeNotApplied(
                f"query on {mapper.class_.__name__} without a scope; use Scope.restrict "
                "in a repository, or system_access() for deliberate system work"
            )


def install_guard(session_class: type[Session]) -> None:
    if not event.contains(session_class, "do_orm_execute", _guard):
        event.listen(session_class, "do_orm_execute", _guard)


def mark_system_session(session: Session) -> None:
    """Let every statement in this session bypass the guard: CLI, seeding, scheduled jobs."""
    session.info[SYSTEM_OPTION] = True
