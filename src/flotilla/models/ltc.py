"""Lead to cash (LTC): products and price books, quotes, contracts, payment plans, invoices,
payments received and credit holds. Money columns are exact (``MoneyType``); rates and
quantities are ``ScaledDecimal``. Every business row carries ``subsidiary_id``.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    exists,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from flotilla.core import clock
from flotilla.core.db import Audited, Base, IdMixin, TimestampMixin, UnitOwned, VersionedMixin
from flotilla.core.money import MoneyType, ScaledDecimal

QUOTE_STATUSES = (
    "draft",
    "pending_approval",
    "approved",
    "rejected",
    "sent",
    "accepted",
    "declined",
    "superseded",
    "expired",
)
CONTRACT_STATUSES = (
    "draft",
    "pending_approval",
    "approved",
    "signed",
    "active",
    "completed",
    "terminated",
)
PAYMENT_METHODS = ("bank_transfer", "acceptance_bill", "cheque", "cash", "other")
INVOICE_KINDS = ("vat_special", "vat_normal", "commercial")

# Places kept by ScaledDecimal columns.
PERCENT_PLACES = 2  # tax rate and discount percentages: 13.00, 15.25
QUANTITY_PLACES = 4
FX_PLACES = 8


def _deal_member(opportunity_id: Any, user_id: uuid.UUID) -> Any:
    from flotilla.models.sales import OpportunityMember

    return exists(
        select(OpportunityMember.id).where(
            OpportunityMember.opportunity_id == opportunity_id,
            OpportunityMember.user_id == user_id,
        )
    )


class Product(IdMixin, TimestampMixin, VersionedMixin, Audited, Base):
    """A group-wide product master row (the group owns one catalogue)."""

    __tablename__ = "product"

    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    category: Mapped[str | None] = mapped_column(String(64))
    unit: Mapped[str] = mapped_column(String(16))
    tax_rate: Mapped[Decimal] = mapped_column(ScaledDecimal(PERCENT_PLACES))
    description: Mapped[str | None] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(default=True)

    def audit_label(self) -> str:
        return f"{self.code} {self.name}"


class PriceBook(IdMixin, TimestampMixin, VersionedMixin, Audited, Base):
    """The group list price book (``subsidiary_id`` NULL) or a subsidiary price list in its
    own currency."""

    __tablename__ = "price_book"

    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str | None] = mapped_column(String(100))
    currency: Mapped[str] = mapped_column(String(3))
    subsidiary_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]
    is_active: Mapped[bool] = mapped_column(default=True)

    def audit_label(self) -> str:
        return self.name

    def audit_unit_id(self) -> uuid.UUID | None:
        return self.subsidiary_id


class PriceBookEntry(IdMixin, TimestampMixin, VersionedMixin, Audited, Base):
    __tablename__ = "price_book_entry"
    __table_args__ = (UniqueConstraint("price_book_id", "product_id"),)

    price_book_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("price_book.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("product.id"), index=True)
    list_price: Mapped[Decimal] = mapped_column(MoneyType())
    floor_price: Mapped[Decimal | None] = mapped_column(MoneyType())


class DocumentSequence(IdMixin, Base):
    """Gap-free numbering per subsidiary, document kind and year. The counter row is locked
    and advanced in the transaction that uses the number, so a rollback gives it back."""

    __tablename__ = "document_sequence"
    __table_args__ = (UniqueConstraint("subsidiary_id", "kind", "year"),)

    subsidiary_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id"))
    kind: Mapped[str] = mapped_column(String(16))
    year: Mapped[int]
    last_value: Mapped[int] = mapped_column(default=0)


class Quote(IdMixin, TimestampMixin, VersionedMixin, UnitOwned, Audited, Base):
    """One revision of a quote on an opportunity. Revisions share ``number``; a new revision
    supersedes the previous one. Totals are recomputed from the lines on every change."""

    __tablename__ = "quote"
    __table_args__ = (
        UniqueConstraint("subsidiary_id", "number", "revision"),
        Index("ix_quote_opportunity", "opportunity_id", "revision"),
    )

    number: Mapped[str] = mapped_column(String(40))
    revision: Mapped[int] = mapped_column(default=1)
    opportunity_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("opportunity.id"))
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("account.id"), index=True)
    price_book_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("price_book.id"))
    title: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    valid_until: Mapped[date | None]
    payment_days: Mapped[int] = mapped_column(default=30)
    notes: Mapped[str | None] = mapped_column(Text)
    subtotal_list: Mapped[Decimal] = mapped_column(MoneyType(), default=Decimal("0"))
    discount_amount: Mapped[Decimal] = mapped_column(MoneyType(), default=Decimal("0"))
    subtotal_net: Mapped[Decimal] = mapped_column(MoneyType(), default=Decimal("0"))
    tax_amount: Mapped[Decimal] = mapped_column(MoneyType(), default=Decimal("0"))
    total: Mapped[Decimal] = mapped_column(MoneyType(), default=Decimal("0"))
    discount_pct: Mapped[Decimal] = mapped_column(
        ScaledDecimal(PERCENT_PLACES), default=Decimal("0")
    )
    max_line_discount_pct: Mapped[Decimal] = mapped_column(
        ScaledDecimal(PERCENT_PLACES), default=Decimal("0")
    )
    below_floor: Mapped[bool] = mapped_column(default=False)
    approval_request_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("approval_request.id"))
    submitted_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    is_current: Mapped[bool] = mapped_column(default=True)

    @classmethod
    def scope_owner_condition(cls, user_id: uuid.UUID) -> Any:
        # Team selling: the deal's members (iron triangle) see its quotes too.
        return or_(cls.owner_id == user_id, _deal_member(cls.opportunity_id, user_id))

    def audit_label(self) -> str:
        return f"{self.number} v{self.revision}"


class QuoteLine(IdMixin, Audited, Base):
    __tablename__ = "quote_line"
    __table_args__ = (Index("ix_quote_line_quote", "quote_id", "position"),)

    quote_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("quote.id", ondelete="CASCADE"))
    subsidiary_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id"))
    position: Mapped[int]
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("product.id"))
    description: Mapped[str | None] = mapped_column(String(500))
    quantity: Mapped[Decimal] = mapped_column(ScaledDecimal(QUANTITY_PLACES))
    unit: Mapped[str] = mapped_column(String(16))
    list_price: Mapped[Decimal] = mapped_column(MoneyType())
    floor_price: Mapped[Decimal | None] = mapped_column(MoneyType())
    discount_pct: Mapped[Decimal] = mapped_column(ScaledDecimal(PERCENT_PLACES))
    net_price: Mapped[Decimal] = mapped_column(MoneyType())
    net_amount: Mapped[Decimal] = mapped_column(MoneyType())
    tax_rate: Mapped[Decimal] = mapped_column(ScaledDecimal(PERCENT_PLACES))
    tax_amount: Mapped[Decimal] = mapped_column(MoneyType())
    line_total: Mapped[Decimal] = mapped_column(MoneyType())

    def audit_unit_id(self) -> uuid.UUID | None:
        return self.subsidiary_id


class Contract(IdMixin, TimestampMixin, VersionedMixin, UnitOwned, Audited, Base):
    """A contract signed by a subsidiary legal entity (``selling_entity_id``). Once signed,
    its commercial fields change only through a ``ContractAmendment``."""

    __tablename__ = "contract"
    __table_args__ = (
        UniqueConstraint("subsidiary_id", "number"),
        Index("ix_contract_subsidiary_status_signed", "subsidiary_id", "status", "signing_date"),
        Index("ix_contract_unit_status", "unit_id", "status"),
        # Analytics (contracts signed per unit subtree and month): covers the fact query, the
        # scope's owner/deal-member test included, so it is read from the index alone.
        Index(
            "ix_contract_unit_signed_cover",
            "unit_id",
            "status",
            "signing_date",
            "owner_id",
            "currency",
            "amount",
            "opportunity_id",
        ),
    )

    number: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("account.id"), index=True)
    opportunity_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("opportunity.id"), index=True
    )
    quote_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("quote.id"))
    selling_entity_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id"))
    amount: Mapped[Decimal] = mapped_column(MoneyType())
    tax_amount: Mapped[Decimal] = mapped_column(MoneyType(), default=Decimal("0"))
    currency: Mapped[str] = mapped_column(String(3))
    payment_days: Mapped[int] = mapped_column(default=30)
    signing_date: Mapped[date | None]
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    terms: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    approval_request_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("approval_request.id"))
    signed_at: Mapped[datetime | None]
    signed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"))
    completed_at: Mapped[datetime | None]
    terminated_at: Mapped[datetime | None]
    termination_reason: Mapped[str | None] = mapped_column(String(500))

    @classmethod
    def scope_owner_condition(cls, user_id: uuid.UUID) -> Any:
        return or_(cls.owner_id == user_id, _deal_member(cls.opportunity_id, user_id))

    def audit_label(self) -> str:
        return f"{self.number} {self.title}"


class ContractAmendment(IdMixin, Audited, Base):
    """A change to a signed contract's commercial fields: ``changes`` maps each field to its
    ``[before, after]`` values (as strings)."""

    __tablename__ = "contract_amendment"
    __table_args__ = (UniqueConstraint("contract_id", "seq"),)

    contract_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contract.id", ondelete="CASCADE"))
    subsidiary_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id"))
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id"))
    seq: Mapped[int]
    reason: Mapped[str] = mapped_column(String(500))
    changes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    effective_date: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"))

    def audit_label(self) -> str:
        return f"#{self.seq}"


class PaymentInstallment(IdMixin, TimestampMixin, VersionedMixin, UnitOwned, Audited, Base):
    """One installment of a contract's payment plan (回款计划). ``invoiced_amount`` and
    ``paid_amount`` are maintained in the transaction that records invoices and allocations;
    receivables and aging read them (outstanding = amount − paid_amount)."""

    __tablename__ = "payment_installment"
    __table_args__ = (
        UniqueConstraint("contract_id", "seq"),
        Index("ix_payment_installment_subsidiary_due", "subsidiary_id", "due_date"),
        Index("ix_payment_installment_account_due", "account_id", "due_date"),
        # Receivables aging per unit subtree: only installments with money outstanding.
        Index(
            "ix_payment_installment_outstanding",
            "unit_id",
            "due_date",
            "owner_id",
            "currency",
            "amount",
            "paid_amount",
            "contract_id",
            sqlite_where=text("amount > paid_amount"),
            postgresql_where=text("amount > paid_amount"),
        ),
    )

    contract_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contract.id", ondelete="CASCADE"))
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("account.id"))
    seq: Mapped[int]
    label: Mapped[str] = mapped_column(String(100))
    due_date: Mapped[date]
    amount: Mapped[Decimal] = mapped_column(MoneyType())
    currency: Mapped[str] = mapped_column(String(3))
    invoiced_amount: Mapped[Decimal] = mapped_column(MoneyType(), default=Decimal("0"))
    paid_amount: Mapped[Decimal] = mapped_column(MoneyType(), default=Decimal("0"))
    paid_at: Mapped[date | None]

    def audit_label(self) -> str:
        return self.label


class Invoice(IdMixin, TimestampMixin, VersionedMixin, UnitOwned, Audited, Base):
    """An invoice issued (开票) against an installment."""

    __tablename__ = "invoice"
    __table_args__ = (UniqueConstraint("subsidiary_id", "number"),)

    number: Mapped[str] = mapped_column(String(40))
    contract_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contract.id"), index=True)
    installment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("payment_installment.id"), index=True
    )
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("account.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="vat_special")
    amount: Mapped[Decimal] = mapped_column(MoneyType())
    tax_amount: Mapped[Decimal] = mapped_column(MoneyType(), default=Decimal("0"))
    currency: Mapped[str] = mapped_column(String(3))
    issued_on: Mapped[date]
    external_number: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(8), default="issued")
    void_reason: Mapped[str | None] = mapped_column(String(500))

    def audit_label(self) -> str:
        return self.number


class Payment(IdMixin, TimestampMixin, VersionedMixin, UnitOwned, Audited, Base):
    """Money received (回款) from an account, allocated to installments."""

    __tablename__ = "payment"
    __table_args__ = (
        Index("ix_payment_subsidiary_received", "subsidiary_id", "received_on"),
        # Analytics (payments collected per unit subtree and month), read from the index alone.
        Index(
            "ix_payment_unit_received_cover",
            "unit_id",
            "status",
            "received_on",
            "owner_id",
            "currency",
            "amount",
        ),
    )

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("account.id"), index=True)
    contract_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("contract.id"), index=True)
    received_on: Mapped[date]
    amount: Mapped[Decimal] = mapped_column(MoneyType())
    currency: Mapped[str] = mapped_column(String(3))
    allocated_amount: Mapped[Decimal] = mapped_column(MoneyType(), default=Decimal("0"))
    method: Mapped[str] = mapped_column(String(16), default="bank_transfer")
    reference: Mapped[str | None] = mapped_column(String(100))
    payer_name: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(String(1000))
    status: Mapped[str] = mapped_column(String(12), default="recorded")

    def audit_label(self) -> str:
        return self.reference or str(self.id)


class PaymentAllocation(IdMixin, Audited, Base):
    __tablename__ = "payment_allocation"
    __table_args__ = (UniqueConstraint("payment_id", "installment_id"),)

    payment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("payment.id", ondelete="CASCADE"))
    installment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("payment_installment.id"), index=True
    )
    subsidiary_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id"))
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id"))
    amount: Mapped[Decimal] = mapped_column(MoneyType())
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class CreditRule(IdMixin, TimestampMixin, VersionedMixin, Audited, Base):
    """A subsidiary's credit limit: an account with receivables overdue more than
    ``max_overdue_days`` (and at least ``min_overdue_amount`` outstanding, in the
    subsidiary's currency) goes on credit hold there."""

    __tablename__ = "credit_rule"

    subsidiary_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id"), unique=True)
    max_overdue_days: Mapped[int] = mapped_column(default=90)
    min_overdue_amount: Mapped[Decimal] = mapped_column(MoneyType(), default=Decimal("0"))
    is_active: Mapped[bool] = mapped_column(default=True)

    def audit_unit_id(self) -> uuid.UUID | None:
        return self.subsidiary_id


class CreditHold(IdMixin, TimestampMixin, VersionedMixin, Audited, Base):
    """An account on credit hold in one subsidiary; released rows stay as history."""

    __tablename__ = "credit_hold"
    __table_args__ = (Index("ix_credit_hold_account", "account_id", "subsidiary_id", "status"),)

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("account.id"))
    subsidiary_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="active")
    reason: Mapped[str] = mapped_column(String(500))
    max_days_overdue: Mapped[int]
    overdue_amount: Mapped[Decimal] = mapped_column(MoneyType())
    placed_at: Mapped[datetime]
    released_at: Mapped[datetime | None]

    def audit_unit_id(self) -> uuid.UUID | None:
        return self.subsidiary_id


class FxRate(IdMixin, TimestampMixin, VersionedMixin, Audited, Base):
    """How many units of ``to_currency`` one unit of ``from_currency`` buys, for a month
    (``period`` is its first day), as the month's average or its period-end rate."""

    __tablename__ = "fx_rate"
    __table_args__ = (UniqueConstraint("from_currency", "to_currency", "period", "rate_type"),)

    from_currency: Mapped[str] = mapped_column(String(3))
    to_currency: Mapped[str] = mapped_column(String(3))
    period: Mapped[date]
    rate_type: Mapped[str] = mapped_column(String(12))
    rate: Mapped[Decimal] = mapped_column(ScaledDecimal(FX_PLACES))

    def audit_label(self) -> str:
        return f"{self.from_currency}/{self.to_currency} {self.period:%Y-%m} {self.rate_type}"

    def audit_unit_id(self) -> uuid.UUID | None:
        return None
