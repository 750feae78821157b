"""Roles are data: a permission set from the code's catalogue plus a data scope."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from flotilla.core.errors import Conflict, Invalid, NotFound, field_error
from flotilla.core.permissions import PERMISSIONS, is_known
from flotilla.core.scope import Scope
from flotilla.models.identity import Role
from flotilla.role import repository
from flotilla.role.schemas import RoleCreate, RoleUpdate

ADMIN = "role.admin"


def _check_permissions(permissions: list[str]) -> list[str]:
    unknown = [
        field_error(f"permissions.{i}", "unknown_permission", value=p)
        for i, p in enumerate(permissions)
        if not is_known(p)
    ]
    if unknown:
        raise Invalid(fields=unknown)
    return sorted(set(permissions))


def list_roles(session: Session, scope: Scope) -> list[Role]:
    """Any signed-in user may read role definitions (they name what a grant means)."""
    return repository.list_roles(session)


def list_permissions() -> list[tuple[str, str, str]]:
    return [(code, zh, en) for code, (zh, en) in PERMISSIONS.items()]


def _get(session: Session, role_id: uuid.UUID) -> Role:
    role = repository.get_role(session, role_id)
    if role is None:
        raise NotFound()
    return role


def create_role(session: Session, scope: Scope, data: RoleCreate) -> Role:
    scope.require(ADMIN)
    if repository.code_taken(session, data.code):
        raise Conflict("duplicate", fields=[field_error("code", "duplicate")])
    role = Role(
        code=data.code,
        name=data.name,
        name_en=data.name_en,
        description=data.description,
        permissions=_check_permissions(data.permissions),
        data_scope=data.data_scope,
        is_builtin=False,
    )
    session.add(role)
    session.flush()
    return role


def update_role(session: Session, scope: Scope, role_id: uuid.UUID, data: RoleUpdate) -> Role:
    scope.require(ADMIN)
    role = _get(session, role_id)
    if role.version != data.version:
        raise Conflict("version_conflict")
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    if "permissions" in changes:
        changes["permissions"] = _check_permissions(changes["permissions"] or [])
    for key in ("name", "data_scope"):
        if key in changes and changes[key] is None:
            raise Invalid(fields=[field_error(key, "missing")])
    for key, value in changes.items():
        setattr(role, key, value)
    session.flush()
    return role


def delete_role(session: Session, scope: Scope, role_id: uuid.UUID) -> None:
    scope.require(ADMIN)
    role = _get(session, role_id)
    if role.is_builtin:
        raise Conflict("builtin_role")
    if repository.is_granted(session, role.id):
        raise Conflict("conflict")
    session.delete(role)
    session.flush()
