from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field

from flotilla.core.schemas import InputModel, OutputModel

Money = Annotated[Decimal, Field(ge=0, max_digits=16, decimal_places=2)]
PositiveMoney = Annotated[Decimal, Field(gt=0, max_digits=16, decimal_places=2)]
CurrencyCode = Annotated[str, Field(pattern=r"^[A-Za-z]{3}$")]
InvoiceKind = Literal["vat_special", "vat_normal", "commercial"]
InvoiceStatus = Literal["issued", "void"]
PaymentMethod = Literal["bank_transfer", "acceptance_bill", "cheque", "cash", "other"]
PaymentStatus = Literal["recorded", "reversed"]
HoldStatus = Literal["active", "released"]
AgingGroupBy = Literal["account", "subsidiary", "unit"]
BucketCode = Literal["not_due", "d1_30", "d31_90", "d91_180", "over_180"]


# --- invoices -----------------------------------------------------------------------------


class InvoiceCreate(InputModel):
    installment_id: uuid.UUID
    amount: PositiveMoney = Field(description="Amount including tax")
    tax_amount: Money = Decimal("0")
    kind: InvoiceKind = "vat_special"
    issued_on: date
    external_number: str | None = Field(default=None, max_length=64)


class InvoiceVoid(InputModel):
    reason: str = Field(min_length=1, max_length=500)


class InvoiceOut(OutputModel):
    id: uuid.UUID
    number: str
    kind: InvoiceKind
    status: InvoiceStatus
    amount: Decimal
    tax_amount: Decimal
    currency: str
    issued_on: date
    external_number: str | None
    void_reason: str | None
    installment_id: uuid.UUID
    installment_label: str | None
    contract_id: uuid.UUID
    contract_number: str | None
    account_id: uuid.UUID
    account_name: str | None
    subsidiary_id: uuid.UUID
    unit_id: uuid.UUID
    owner_id: uuid.UUID | None
    version: int
    created_at: datetime
    updated_at: datetime


# --- payments -----------------------------------------------------------------------------


class AllocationIn(InputModel):
    installment_id: uuid.UUID
    amount: PositiveMoney


class PaymentCreate(InputModel):
    account_id: uuid.UUID
    contract_id: uuid.UUID | None = None
    amount: PositiveMoney
    currency: CurrencyCode
    received_on: date
    method: PaymentMethod = "bank_transfer"
    reference: str | None = Field(default=None, max_length=100)
    payer_name: str | None = Field(default=None, max_length=200)
    notes: str | None = Field(default=None, max_length=1000)
    allocations: list[AllocationIn] | None = Field(default=None, max_length=100)
    auto_allocate: bool = False


class AllocationRequest(InputModel):
    allocations: list[AllocationIn] | None = Field(default=None, max_length=100)
    auto_allocate: bool = False


class PaymentReverse(InputModel):
    reason: str = Field(min_length=1, max_length=500)


class AllocationOut(OutputModel):
    id: uuid.UUID
    installment_id: uuid.UUID
    contract_id: uuid.UUID | None
    contract_number: str | None
    seq: int | None
    label: str | None
    due_date: date | None
    amount: Decimal
    created_at: datetime


class PaymentOut(OutputModel):
    id: uuid.UUID
    account_id: uuid.UUID
    account_name: str | None
    contract_id: uuid.UUID | None
    contract_number: str | None
    received_on: date
    amount: Decimal
    currency: str
    allocated_amount: Decimal
    unapplied_amount: Decimal
    method: PaymentMethod
    reference: str | None
    payer_name: str | None
    notes: str | None
    status: PaymentStatus
    subsidiary_id: uuid.UUID
    unit_id: uuid.UUID
    owner_id: uuid.UUID | None
    owner_name: str | None
    version: int
    created_at: datetime
    updated_at: datetime


class PaymentDetailOut(PaymentOut):
    allocations: list[AllocationOut]


# --- receivables and aging ----------------------------------------------------------------


class ReceivableOut(OutputModel):
    """One installment with money still outstanding."""

    id: uuid.UUID
    contract_id: uuid.UUID
    contract_number: str | None
    account_id: uuid.UUID
    account_name: str | None
    seq: int
    label: str
    due_date: date
    amount: Decimal
    invoiced_amount: Decimal
    paid_amount: Decimal
    outstanding: Decimal
    currency: str
    days_overdue: int
    bucket: BucketCode
    subsidiary_id: uuid.UUID
    unit_id: uuid.UUID
    owner_id: uuid.UUID | None
    owner_name: str | None
    version: int


class BucketOut(OutputModel):
    code: BucketCode
    min_days: int | None
    max_days: int | None


class AgingAmounts(OutputModel):
    not_due: Decimal
    d1_30: Decimal
    d31_90: Decimal
    d91_180: Decimal
    over_180: Decimal
    overdue: Decimal
    total: Decimal


class AgingRowOut(AgingAmounts):
    key: uuid.UUID
    label: str | None
    currency: str
    installments: int
    oldest_due_date: date
    max_days_overdue: int


class AgingCurrencyTotal(AgingAmounts):
    currency: str


class RateUsed(OutputModel):
    currency: str
    rate: Decimal


class AgingConverted(AgingAmounts):
    currency: str
    rates: list[RateUsed]


class AgingTotals(OutputModel):
    by_currency: list[AgingCurrencyTotal]
    converted: AgingConverted
    missing_rates: list[str]


class AgingOut(OutputModel):
    as_of: date
    group_by: AgingGroupBy
    currency: str
    buckets: list[BucketOut]
    rows: list[AgingRowOut]
    totals: AgingTotals


# --- credit control -----------------------------------------------------------------------


class CreditRulePut(InputModel):
    max_overdue_days: int = Field(ge=0, le=3650)
    min_overdue_amount: Money = Decimal("0")
    is_active: bool = True
    # The version last read; ``null`` while the subsidiary has no rule yet.
    version: int | None = None


class CreditRuleOut(OutputModel):
    subsidiary_id: uuid.UUID
    subsidiary_name: str
    currency: str | None
    configured: bool
    max_overdue_days: int
    min_overdue_amount: Decimal
    is_active: bool
    version: int | None
    updated_at: datetime | None


class CreditHoldOut(OutputModel):
    id: uuid.UUID
    account_id: uuid.UUID
    account_name: str | None
    subsidiary_id: uuid.UUID
    subsidiary_name: str | None
    currency: str | None
    status: HoldStatus
    reason: str
    max_days_overdue: int
    overdue_amount: Decimal
    placed_at: datetime
    released_at: datetime | None
    version: int


class AccountCreditOut(OutputModel):
    account_id: uuid.UUID
    on_hold: bool
    holds: list[CreditHoldOut]
    aging: AgingOut
