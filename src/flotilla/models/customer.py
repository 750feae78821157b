"""The customer master: accounts, contacts, claims (报备), conflicts (撞单), the pool (公海)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    exists,
    func,
    literal,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column

from flotilla.core.db import (
    Audited,
    Base,
    IdMixin,
    Scoped,
    TimestampMixin,
    UnitOwned,
    UTCDateTime,
    VersionedMixin,
)

ACCOUNT_TIERS = ("strategic", "key_account", "smb")
VALUE_CLASSES = ("A", "B", "C")
ACCOUNT_STATUSES = ("owned", "pool")
NEVER_FOLLOWED_UP = datetime(1970, 1, 1, tzinfo=UTC)


class Account(IdMixin, TimestampMixin, VersionedMixin, UnitOwned, Audited, Base):
    """A customer company in the one group-wide registry.

    ``name_key`` is the normalized name used for duplicate detection (legal suffixes and
    region prefixes removed, width and case folded). Search goes through
    ``AccountSearchKey`` rows so it never scans the table.
    """

    __tablename__ = "account"
    __table_args__ = (
        UniqueConstraint("subsidiary_id", "external_id"),
        Index("ix_account_unit_status", "unit_id", "status"),
        Index("ix_account_pool", "subsidiary_id", "status", "last_follow_up_at"),
        # Analytics: new customers per unit subtree and month (``id`` answers the scope's
        # account-share test), read from the index alone.
        Index("ix_account_unit_created_cover", "unit_id", "created_at", "owner_id", "id"),
    )

    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200), index=True)
    uscc: Mapped[str | None] = mapped_column(String(18), unique=True)
    industry: Mapped[str | None] = mapped_column(String(64))
    region: Mapped[str | None] = mapped_column(String(64))
    tier: Mapped[str] = mapped_column(String(16), default="smb")
    value_class: Mapped[str] = mapped_column(String(1), default="C")
    parent_account_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("account.id"), index=True
    )
    status: Mapped[str] = mapped_column(String(8), default="owned")
    external_id: Mapped[str | None] = mapped_column(String(64))
    last_follow_up_at: Mapped[datetime | None] = mapped_column()
    pool_entered_at: Mapped[datetime | None]
    force_reason: Mapped[str | None] = mapped_column(String(500))
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"))
    # Sort key for "last follow-up" (keyset pages need a NOT NULL key): an account never
    # followed up counts as followed up at the epoch, so it sorts first (most neglected).
    follow_up_sort_at: Mapped[datetime] = column_property(
        func.coalesce(last_follow_up_at, literal(NEVER_FOLLOWED_UP, UTCDateTime()))
    )

    audit_exclude = Audited.audit_exclude | {"follow_up_sort_at"}

    @classmethod
    def scope_unit_condition(cls, visible_unit_ids: Any) -> Any:
        shared = exists(
            select(AccountShare.id).where(
                AccountShare.account_id == cls.id, AccountShare.unit_id.in_(visible_unit_ids)
            )
        )
        return or_(cls.unit_id.in_(visible_unit_ids), shared)

    def audit_label(self) -> str:
        return self.name


class AccountSearchKey(Base):
    """Inverted index for search: every suffix of the normalized name, the pinyin and the
    pinyin initials (from each syllable), and the English words, each prefixed by its kind.
    A query is a prefix range on ``key``, so it is an index seek on every backend."""

    __tablename__ = "account_search_key"

    key: Mapped[str] = mapped_column(
        String(64).with_variant(String(64, collation="C"), "postgresql"), primary_key=True
    )
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Contact(IdMixin, TimestampMixin, VersionedMixin, Scoped, Audited, Base):
    """A person at an account. Visible exactly when its account is."""

    __tablename__ = "contact"

    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    subsidiary_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    title: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    phone_key: Mapped[str | None] = mapped_column(String(32), index=True)
    email_key: Mapped[str | None] = mapped_column(String(254), index=True)
    is_primary: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"))

    @classmethod
    def scope_unit_condition(cls, visible_unit_ids: Any) -> Any:
        return cls.account_id.in_(
            select(Account.id).where(Account.scope_unit_condition(visible_unit_ids))
        )

    @classmethod
    def scope_owner_condition(cls, user_id: uuid.UUID) -> Any:
        return cls.account_id.in_(select(Account.id).where(Account.owner_id == user_id))

    def audit_label(self) -> str:
        return self.name

    def audit_unit_id(self) -> uuid.UUID | None:
        return None  # resolved through the account; contacts carry no unit of their own


class AccountShare(IdMixin, Audited, Base):
    """Record-level sharing: a unit that may see an account it does not own."""

    __tablename__ = "account_share"
    __table_args__ = (UniqueConstraint("account_id", "unit_id"),)

    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id"), index=True)
    subsidiary_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id"), index=True)
    conflict_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("claim_conflict.id"))
    created_at: Mapped[datetime]


class AccountClaim(IdMixin, TimestampMixin, UnitOwned, Audited, Base):
    """报备: a unit/rep protects an account for a period set by the subsidiary's rules."""

    __tablename__ = "account_claim"
    __table_args__ = (
        Index("ix_account_claim_active", "account_id", "status", "protected_until"),
        # At most one active claim per account (a partial unique index on both backends).
        Index(
            "uq_account_claim_one_active",
            "account_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
    )

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    claimed_at: Mapped[datetime]
    protected_until: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="active")


class ClaimConflict(IdMixin, TimestampMixin, VersionedMixin, Scoped, Audited, Base):
    """撞单: someone from another subsidiary touched a protected account.

    Visible to both sides (the requesting and the protecting unit's reach); it names the
    protecting unit, never its deals.
    """

    __tablename__ = "claim_conflict"

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("account.id"), index=True)
    subsidiary_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id"), index=True)
    claim_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("account_claim.id"))
    protecting_subsidiary_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id"))
    protecting_unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id"), index=True)
    requesting_unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id"), index=True)
    requested_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"))
    attempted_action: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="open")
    resolution_note: Mapped[str | None] = mapped_column(Text)
    resolved_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"))
    resolved_at: Mapped[datetime | None]

    @classmethod
    def scope_unit_condition(cls, visible_unit_ids: Any) -> Any:
        return or_(
            cls.requesting_unit_id.in_(visible_unit_ids),
            cls.protecting_unit_id.in_(visible_unit_ids),
        )

    @classmethod
    def scope_owner_condition(cls, user_id: uuid.UUID) -> Any:
        return cls.requested_by_id == user_id

    def audit_unit_id(self) -> uuid.UUID | None:
        return self.requesting_unit_id


class PoolRule(IdMixin, TimestampMixin, VersionedMixin, Scoped, Audited, Base):
    """Per-subsidiary rules for claims and the public pool (公海). Data, not code."""

    __tablename__ = "pool_rule"

    subsidiary_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id"), unique=True)
    protection_days: Mapped[int] = mapped_column(default=90)
    reclaim_after_days: Mapped[int] = mapped_column(default=30)
    max_accounts_per_rep: Mapped[int] = mapped_column(default=200)
    cooldown_days: Mapped[int] = mapped_column(default=15)

    @classmethod
    def scope_unit_condition(cls, visible_unit_ids: Any) -> Any:
        return cls.subsidiary_id.in_(visible_unit_ids)

    def audit_unit_id(self) -> uuid.UUID | None:
        return self.subsidiary_id


class PoolRelease(IdMixin, Base):
    """An account leaving a rep for the pool (released or reclaimed), for cool-downs."""

    __tablename__ = "pool_release"
    __table_args__ = (Index("ix_pool_release_user_account", "user_id", "account_id"),)

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"))
    subsidiary_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id"), index=True)
    released_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(String(16))
