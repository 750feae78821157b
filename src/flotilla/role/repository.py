"""Role queries. Roles are group-wide configuration, not scoped by unit."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.models.identity import Role, RoleGrant


def list_roles(session: Session) -> list[Role]:
    return list(session.execute(select(Role).order_by(Role.code)).scalars())


def get_role(session: Session, role_id: uuid.UUID) -> Role | None:
    return session.get(Role, role_id)


def code_taken(session: Session, code: str) -> bool:
    return session.execute(select(Role.id).where(Role.code == code)).first() is not None


def is_granted(session: Session, role_id: uuid.UUID) -> bool:
    stmt = select(RoleGrant.id).where(RoleGrant.role_id == role_id).limit(1)
    return session.execute(stmt).first() is not None
