from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ForeignKey, Index, String, select
from sqlalchemy.orm import Mapped, mapped_column

from flotilla.core.db import Audited, Base, IdMixin, Scoped, TimestampMixin, VersionedMixin

ORG_KINDS = ("group", "subsidiary", "department", "team")

# Which kinds of unit may sit directly under which.
ALLOWED_PARENT_KINDS: dict[str, tuple[str, ...]] = {
    "group": (),
    "subsidiary": ("group", "subsidiary"),
    "department": ("subsidiary", "department"),
    "team": ("department", "team"),
}


class OrgUnit(IdMixin, TimestampMixin, VersionedMixin, Scoped, Audited, Base):
    """A node of the one org tree: group → subsidiary → department → team.

    ``path`` is the materialized path of ids from the root (``/<hex>/<hex>/``) so
    "this unit and below" is a prefix match on every backend. ``subsidiary_id`` is the
    nearest subsidiary at or above the unit (``None`` only for the group root).
    """

    __tablename__ = "org_unit"
    __table_args__ = (Index("ix_org_unit_path", "path"),)

    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    uscc: Mapped[str | None] = mapped_column(String(18), unique=True)
    currency: Mapped[str | None] = mapped_column(String(3))
    region: Mapped[str | None] = mapped_column(String(100))
    timezone: Mapped[str | None] = mapped_column(String(64))
    subsidiary_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    path: Mapped[str] = mapped_column(String(1000))
    depth: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)
    # Group setting, read from the root: the month (1–12) the fiscal year starts in.
    fiscal_year_start_month: Mapped[int | None]
    # The unit's head (负责人): "line manager" approval steps climb the tree through these.
    manager_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("app_user.id", use_alter=True), index=True
    )

    @classmethod
    def scope_unit_condition(cls, visible_unit_ids: Any) -> Any:
        return cls.id.in_(visible_unit_ids)

    @classmethod
    def scope_owner_condition(cls, user_id: uuid.UUID) -> Any:
        # "Own" org units are the ones the caller holds a position in.
        from flotilla.models.identity import Position

        return cls.id.in_(select(Position.unit_id).where(Position.user_id == user_id))

    def audit_label(self) -> str:
        return self.name

    def audit_unit_id(self) -> uuid.UUID | None:
        return self.id

    def audit_subsidiary_id(self) -> uuid.UUID | None:
        return self.subsidiary_id if self.kind != "subsidiary" else self.id


def path_segment(unit_id: uuid.UUID) -> str:
    return f"{unit_id.hex}/"
