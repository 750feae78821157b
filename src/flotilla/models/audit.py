from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from flotilla.core.db import Base, Scoped


class AuditEvent(Scoped, Base):
    """One entry of the append-only, hash-chained audit trail.

    ``seq`` is gap-free and ``prev_hash`` is the previous event's ``hash``; ``hash`` is
    SHA-256 over the canonical serialization of this event (see ``flotilla.core.audit``).
    Rows are never updated or deleted (a database trigger enforces it).
    """

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_entity", "entity_type", "entity_id", "seq"),
        Index("ix_audit_event_actor", "actor_id", "seq"),
        Index("ix_audit_event_occurred_at", "occurred_at"),
    )

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=False
    )
    id: Mapped[uuid.UUID] = mapped_column(unique=True)
    occurred_at: Mapped[datetime]
    actor_id: Mapped[uuid.UUID | None]
    actor_name: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str | None] = mapped_column(String(64))
    entity_id: Mapped[uuid.UUID | None]
    entity_label: Mapped[str | None] = mapped_column(String(300))
    unit_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    subsidiary_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    changes: Mapped[dict[str, Any]]
    request_id: Mapped[str | None] = mapped_column(String(64))
    client_ip: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    @classmethod
    def scope_unit_condition(cls, visible_unit_ids: Any) -> Any:
        # Events on group-wide configuration (unit_id NULL) need group scope.
        return cls.unit_id.in_(visible_unit_ids)

    @classmethod
    def scope_owner_condition(cls, user_id: uuid.UUID) -> Any:
        return cls.actor_id == user_id


class AuditChainHead(Base):
    """The single row that serializes appends to the chain: writers lock it first."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"))
    last_hash: Mapped[str] = mapped_column(String(64))
