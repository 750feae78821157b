from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, exists, or_, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from flotilla.core.db import (
    Audited,
    Base,
    IdMixin,
    Scoped,
    TimestampMixin,
    VersionedMixin,
)

DATA_SCOPES = ("own", "unit", "unit_and_below", "subsidiary", "group")


class User(IdMixin, TimestampMixin, VersionedMixin, Scoped, Audited, Base):
    """A person who logs in. Visible to a caller when any of their positions is."""

    __tablename__ = "app_user"

    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str] = mapped_column(String(8), default="zh-CN")
    primary_unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id"), index=True)
    subsidiary_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("org_unit.id"), index=True)

    positions: Mapped[list[Position]] = relationship(
        back_populates="user", lazy="raise", cascade="all, delete-orphan"
    )
    grants: Mapped[list[RoleGrant]] = relationship(
        back_populates="user", lazy="raise", cascade="all, delete-orphan"
    )

    audit_redact = frozenset({"password_hash"})

    @classmethod
    def scope_unit_condition(cls, visible_unit_ids: Any) -> Any:
        return exists(
            select(Position.id).where(
                Position.user_id == cls.id, Position.unit_id.in_(visible_unit_ids)
            )
        )

    @classmethod
    def scope_owner_condition(cls, user_id: uuid.UUID) -> Any:
        return cls.id == user_id

    @classmethod
    def scope_reach_condition(
        cls,
        path_prefixes: frozenset[str],
        unit_ids: frozenset[uuid.UUID],
        own_user_id: uuid.UUID | None,
    ) -> Any:
        # One EXISTS over position ⋈ org_unit with the own-record rule inside: SQLite then
        # seeks once per user instead of once per visible unit, and PostgreSQL plans counts as
        # a semi-join (docs/PERFORMANCE.md, "Scoped user list"). Relies on every user holding
        # a position, which the user service guarantees (the primary one cannot be removed).
        from flotilla.models.org import OrgUnit

        reached: list[Any] = [OrgUnit.path.startswith(p) for p in sorted(path_prefixes)]
        if unit_ids:
            reached.append(OrgUnit.id.in_(sorted(unit_ids)))
        if own_user_id is not None:
            reached.append(Position.user_id == own_user_id)
        return exists(
            select(Position.id)
            .join(OrgUnit, OrgUnit.id == Position.unit_id)
            .where(Position.user_id == cls.id, or_(*reached))
        )

    def audit_label(self) -> str:
        return f"{self.display_name} ({self.username})"

    def audit_unit_id(self) -> uuid.UUID | None:
        return self.primary_unit_id


class Position(IdMixin, TimestampMixin, Audited, Base):
    """A user's seat in an org unit; one is primary, others are part-time (兼职)."""

    __tablename__ = "position"
    __table_args__ = (UniqueConstraint("user_id", "unit_id"),)

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), index=True
    )
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id"), index=True)
    title: Mapped[str | None] = mapped_column(String(100))
    is_primary: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship(back_populates="positions", lazy="raise")

    def audit_label(self) -> str:
        return self.title or "position"


class Role(IdMixin, TimestampMixin, VersionedMixin, Audited, Base):
    """A named set of permissions plus the data scope they apply over."""

    __tablename__ = "role"

    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str | None] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(500))
    permissions: Mapped[list[Any]] = mapped_column(default=list)
    data_scope: Mapped[str] = mapped_column(String(20))
    is_builtin: Mapped[bool] = mapped_column(default=False)

    def audit_label(self) -> str:
        return self.name

    def audit_unit_id(self) -> uuid.UUID | None:
        return None


class RoleGrant(IdMixin, TimestampMixin, Audited, Base):
    """A role held by a user at a unit; the role's data scope is anchored there."""

    __tablename__ = "role_grant"
    __table_args__ = (UniqueConstraint("user_id", "role_id", "unit_id"),)

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), index=True
    )
    role_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("role.id"), index=True)
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id"), index=True)

    user: Mapped[User] = relationship(back_populates="grants", lazy="raise")
    role: Mapped[Role] = relationship(lazy="raise")


class AuthSession(IdMixin, Base):
    """A login. Only a keyed digest of the bearer token is stored."""

    __tablename__ = "auth_session"

    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    client_ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))


class LoginAttempt(IdMixin, Base):
    """Every login attempt, for lock-out by username (known or not) and by address."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_username_at", "username_key", "attempted_at"),
        Index("ix_login_attempt_ip_at", "client_ip", "attempted_at"),
    )

    username_key: Mapped[str] = mapped_column(String(64))
    client_ip: Mapped[str | None] = mapped_column(String(64))
    succeeded: Mapped[bool]
    attempted_at: Mapped[datetime]
