"""Where a unit-owned record (a lead, an activity) is placed: its unit, subsidiary and owner.

A caller places records in units their write permission reaches, or in a unit where they
hold a position (so a rep with an ``own`` scope files records in their own team). A unit
they cannot see at all is an ``unknown_reference`` (422), one they can see but not write to
is ``out_of_scope`` (403); a record must sit inside a subsidiary. Another owner must be an
active user the caller can see. After the write, the service proves with
``ensure_still_visible`` that the record stayed inside the caller's reach.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.core.errors import Forbidden, Invalid, field_error
from flotilla.core.scope import Scope, system_access
from flotilla.models.identity import User
from flotilla.models.org import OrgUnit

ORG_READ = "org.read"
USER_READ = "user.read"


@dataclass(frozen=True)
class Placement:
    unit_id: uuid.UUID
    subsidiary_id: uuid.UUID
    owner_id: uuid.UUID


def owner_filter(scope: Scope, owner_id: str | None) -> uuid.UUID | None:
    """An ``owner_id`` list filter: a user id, or ``me`` for the caller."""
    if owner_id is None:
        return None
    if owner_id == "me":
        return scope.user_id
    try:
        return uuid.UUID(owner_id)
    except ValueError:
        raise Invalid(fields=[field_error("owner_id", "uuid_parsing")]) from None


def primary_unit_id(session: Session, user_id: uuid.UUID) -> uuid.UUID:
    stmt = select(User.primary_unit_id).where(User.id == user_id)
    return session.execute(system_access(stmt)).scalar_one()


def _unit_reached(session: Session, scope: Scope, permission: str, unit_id: uuid.UUID) -> bool:
    # OrgUnit's "own" rows are the units the caller holds a position in, so this covers both
    # the reach of ``permission`` and the caller's own seats.
    if scope.reach(permission).everything:
        return True
    stmt = scope.restrict(select(OrgUnit.id).where(OrgUnit.id == unit_id), OrgUnit, permission)
    return session.execute(stmt).first() is not None


def unit_for_write(
    session: Session, scope: Scope, permission: str, unit_id: uuid.UUID, field: str = "unit_id"
) -> OrgUnit:
    """The unit a record may be placed in, or the error that explains why not."""
    unit = session.execute(
        system_access(select(OrgUnit).where(OrgUnit.id == unit_id))
    ).scalar_one_or_none()
    if unit is None or not unit.is_active:
        raise Invalid(fields=[field_error(field, "unknown_reference")])
    if not _unit_reached(session, scope, permission, unit.id):
        if _unit_reached(session, scope, ORG_READ, unit.id):
            raise Forbidden("out_of_scope")
        raise Invalid(fields=[field_error(field, "unknown_reference")])
    if unit.subsidiary_id is None:
        raise Invalid(fields=[field_error(field, "subsidiary_required")])
    return unit


def owner_for_write(
    session: Session, scope: Scope, owner_id: uuid.UUID, field: str = "owner_id"
) -> uuid.UUID:
    """Another owner: an active user the caller can see (else they 'do not exist')."""
    if owner_id == scope.user_id:
        return owner_id
    stmt = scope.restrict(
        select(User.id).where(User.id == owner_id, User.is_active.is_(True)), User, USER_READ
    )
    if session.execute(stmt).first() is None:
        raise Invalid(fields=[field_error(field, "unknown_reference")])
    return owner_id


def resolve(
    session: Session,
    scope: Scope,
    permission: str,
    *,
    unit_id: uuid.UUID | None = None,
    owner_id: uuid.UUID | None = None,
) -> Placement:
    """Placement of a new record: the given unit or the caller's primary unit, the given
    owner or the caller."""
    unit = unit_for_write(
        session, scope, permission, unit_id or primary_unit_id(session, scope.user_id)
    )
    owner = owner_for_write(session, scope, owner_id) if owner_id else scope.user_id
    assert unit.subsidiary_id is not None
    return Placement(unit_id=unit.id, subsidiary_id=unit.subsidiary_id, owner_id=owner)
