"""Users, their positions (岗位, incl. part-time 兼职) and role grants.

Grants cannot escalate: the granter must hold every permission of the role and reach
the whole area the grant would open (e.g. only a group-wide admin grants group scope).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.orm import Session

from flotilla.core import lookup
from flotilla.core.errors import Conflict, Forbidden, Invalid, NotFound, field_error
from flotilla.core.masking import mask_email, mask_phone
from flotilla.core.pagination import PageRequest, RowPage
from flotilla.core.scope import Scope, ensure_still_visible, get_visible
from flotilla.core.security import hash_password
from flotilla.models.identity import Position, RoleGrant, User
from flotilla.models.org import OrgUnit
from flotilla.user import repository
from flotilla.user.schemas import (
    GrantCreate,
    GrantOut,
    PasswordSet,
    PositionCreate,
    PositionOut,
    UserCreate,
    UserOut,
    UserUpdate,
)

READ = "user.read"
ADMIN = "user.admin"
PII = "pii.read"
MIN_PASSWORD_LENGTH = 10


def check_password_policy(username: str, password: str, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD_LENGTH or password.lower() == username.lower():
        raise Invalid(fields=[field_error(field, "weak_password")])


def present(session: Session, scope: Scope, users: Sequence[User]) -> list[UserOut]:
    """Render users, masking phone and e-mail unless ``pii.read`` reaches the user."""
    clear = repository.ids_within(session, scope, PII, (u.id for u in users))
    clear.add(scope.user_id)
    out = []
    for user in users:
        item = UserOut.model_validate(user)
        if user.id not in clear:
            item.phone = mask_phone(item.phone)
            item.email = mask_email(item.email)
        out.append(item)
    return out


def list_users(
    session: Session,
    scope: Scope,
    page: PageRequest,
    *,
    q: str | None = None,
    unit_id: uuid.UUID | None = None,
    is_active: bool | None = None,
) -> RowPage[User]:
    return repository.list_users(
        session, scope, READ, page, q=q, unit_id=unit_id, is_active=is_active
    )


def get_user(session: Session, scope: Scope, user_id: uuid.UUID) -> User:
    return get_visible(session, scope, User, READ, user_id)


def _unit_for_write(session: Session, scope: Scope, unit_id: uuid.UUID, field: str) -> OrgUnit:
    """A unit the caller may place people in. Units they cannot see 'do not exist'."""
    unit = lookup.unit_by_id(session, unit_id)
    if unit is None or not (
        scope.reaches_unit(session, "org.read", unit_id)
        or scope.reaches_unit(session, ADMIN, unit_id)
    ):
        raise Invalid(fields=[field_error(field, "unknown_reference")])
    if not scope.reaches_unit(session, ADMIN, unit_id):
        raise Forbidden("out_of_scope")
    return unit


def _subsidiary_of(unit: OrgUnit) -> uuid.UUID | None:
    return unit.id if unit.kind == "subsidiary" else unit.subsidiary_id


def create_user(session: Session, scope: Scope, data: UserCreate) -> User:
    scope.require(ADMIN)
    unit = _unit_for_write(session, scope, data.primary_unit_id, "primary_unit_id")
    check_password_policy(data.username, data.password)
    if repository.username_taken(session, data.username):
        raise Conflict("duplicate", fields=[field_error("username", "duplicate")])
    user = User(
        username=data.username.lower(),
        display_name=data.display_name,
        email=data.email,
        phone=data.phone,
        password_hash=hash_password(data.password),
        locale=data.locale,
        primary_unit_id=unit.id,
        subsidiary_id=_subsidiary_of(unit),
    )
    session.add(user)
    session.flush()
    session.add(Position(user_id=user.id, unit_id=unit.id, title=data.title, is_primary=True))
    ensure_still_visible(session, scope, User, ADMIN, user.id)
    return user


def update_user(session: Session, scope: Scope, user_id: uuid.UUID, data: UserUpdate) -> User:
    user = get_visible(session, scope, User, READ, user_id)
    is_self_locale_only = user.id == scope.user_id and set(data.model_dump(exclude_unset=True)) <= {
        "version",
        "locale",
    }
    if not is_self_locale_only:
        user = get_visible(session, scope, User, ADMIN, user_id)
    if user.version != data.version:
        raise Conflict("version_conflict")
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    for key in ("display_name", "is_active", "locale"):
        if key in changes and changes[key] is None:
            raise Invalid(fields=[field_error(key, "missing")])
    if changes.get("is_active") is False and user.id == scope.user_id:
        raise Invalid("self_lockout", fields=[field_error("is_active", "self_lockout")])
    for key, value in changes.items():
        setattr(user, key, value)
    session.flush()
    return user


def set_password(session: Session, scope: Scope, user_id: uuid.UUID, data: PasswordSet) -> None:
    user = get_visible(session, scope, User, ADMIN, user_id)
    check_password_policy(user.username, data.password)
    user.password_hash = hash_password(data.password)
    from flotilla.auth.service import revoke_all_sessions

    revoke_all_sessions(session, user.id)
    session.flush()


def list_positions(session: Session, scope: Scope, user_id: uuid.UUID) -> list[PositionOut]:
    get_visible(session, scope, User, READ, user_id)
    return [
        PositionOut(id=p.id, unit_id=u.id, unit_name=u.name, title=p.title, is_primary=p.is_primary)
        for p, u in repository.positions_of(session, user_id)
    ]


def _make_primary(session: Session, user: User, position: Position, unit: OrgUnit) -> None:
    for other, _unit in repository.positions_of(session, user.id):
        if other.id != position.id and other.is_primary:
            other.is_primary = False
    session.flush()
    position.is_primary = True
    user.primary_unit_id = unit.id
    user.subsidiary_id = _subsidiary_of(unit)


def add_position(
    session: Session, scope: Scope, user_id: uuid.UUID, data: PositionCreate
) -> PositionOut:
    user = get_visible(session, scope, User, ADMIN, user_id)
    unit = _unit_for_write(session, scope, data.unit_id, "unit_id")
    if any(p.unit_id == unit.id for p, _u in repository.positions_of(session, user.id)):
        raise Conflict("duplicate", fields=[field_error("unit_id", "duplicate")])
    position = Position(user_id=user.id, unit_id=unit.id, title=data.title, is_primary=False)
    session.add(position)
    session.flush()
    if data.is_primary:
        _make_primary(session, user, position, unit)
    ensure_still_visible(session, scope, User, ADMIN, user.id)
    return PositionOut(
        id=position.id,
        unit_id=unit.id,
        unit_name=unit.name,
        title=position.title,
        is_primary=position.is_primary,
    )


def remove_position(
    session: Session, scope: Scope, user_id: uuid.UUID, position_id: uuid.UUID
) -> None:
    user = get_visible(session, scope, User, ADMIN, user_id)
    position = repository.get_position(session, user.id, position_id)
    if position is None:
        raise NotFound()
    if position.is_primary:
        raise Conflict("last_primary_position")
    if not scope.reaches_unit(session, ADMIN, position.unit_id):
        raise NotFound()
    session.delete(position)
    ensure_still_visible(session, scope, User, ADMIN, user.id)


def list_grants(session: Session, scope: Scope, user_id: uuid.UUID) -> list[GrantOut]:
    get_visible(session, scope, User, READ, user_id)
    return [
        GrantOut(
            id=g.id,
            role_id=r.id,
            role_code=r.code,
            role_name=r.name,
            role_name_en=r.name_en,
            unit_id=u.id,
            unit_name=u.name,
            data_scope=r.data_scope,
        )
        for g, r, u in repository.grants_of(session, user_id)
    ]


def _check_no_escalation(
    session: Session, scope: Scope, data_scope: str, permissions: list[str], unit: OrgUnit
) -> None:
    if not set(permissions) <= scope.permissions:
        raise Forbidden()
    reach = scope.reach(ADMIN)
    if data_scope == "group" or (data_scope == "subsidiary" and unit.kind == "group"):
        opens: uuid.UUID | None = None
    elif data_scope == "subsidiary":
        opens = _subsidiary_of(unit)
    else:
        opens = unit.id
    if opens is None:
        if not reach.everything:
            raise Forbidden()
    elif not scope.reaches_unit(session, ADMIN, opens):
        raise Forbidden()


def add_grant(session: Session, scope: Scope, user_id: uuid.UUID, data: GrantCreate) -> GrantOut:
    user = get_visible(session, scope, User, ADMIN, user_id)
    role = repository.get_role(session, data.role_id)
    if role is None:
        raise Invalid(fields=[field_error("role_id", "unknown_reference")])
    unit = _unit_for_write(session, scope, data.unit_id, "unit_id")
    _check_no_escalation(session, scope, role.data_scope, list(role.permissions), unit)
    if any(
        g.role_id == role.id and g.unit_id == unit.id
        for g, _r, _u in repository.grants_of(session, user.id)
    ):
        raise Conflict("duplicate", fields=[field_error("role_id", "duplicate")])
    grant = RoleGrant(user_id=user.id, role_id=role.id, unit_id=unit.id)
    session.add(grant)
    session.flush()
    return GrantOut(
        id=grant.id,
        role_id=role.id,
        role_code=role.code,
        role_name=role.name,
        role_name_en=role.name_en,
        unit_id=unit.id,
        unit_name=unit.name,
        data_scope=role.data_scope,
    )


def remove_grant(session: Session, scope: Scope, user_id: uuid.UUID, grant_id: uuid.UUID) -> None:
    user = get_visible(session, scope, User, ADMIN, user_id)
    grant = repository.get_grant(session, user.id, grant_id)
    if grant is None or not scope.reaches_unit(session, ADMIN, grant.unit_id):
        raise NotFound()
    if user.id == scope.user_id:
        raise Invalid("self_lockout")
    session.delete(grant)
    session.flush()
