from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field

from flotilla.core.schemas import InputModel, OutputModel

ContractStatus = Literal[
    "draft", "pending_approval", "approved", "signed", "active", "completed", "terminated"
]
ApprovalStatus = Literal["pending", "approved", "rejected", "withdrawn", "voided"]
# Amounts are exact decimals with at most two places; JSON renders them as strings.
Money = Annotated[Decimal, Field(ge=0, max_digits=16, decimal_places=2)]
PositiveMoney = Annotated[Decimal, Field(gt=0, max_digits=16, decimal_places=2)]
CurrencyCode = Annotated[str, Field(pattern=r"^[A-Za-z]{3}$")]
PaymentDays = Annotated[int, Field(ge=0, le=3650)]
Title = Annotated[str, Field(min_length=1, max_length=200)]
Terms = Annotated[str, Field(max_length=20000)]
MAX_INSTALLMENTS = 60


class InstallmentIn(InputModel):
    """One installment of a plan. ``id`` names an existing installment to keep (its invoices
    and payments stay attached); without it a new installment is created."""

    id: uuid.UUID | None = None
    label: str = Field(min_length=1, max_length=100)
    due_date: date
    amount: PositiveMoney


Installments = Annotated[list[InstallmentIn], Field(min_length=1, max_length=MAX_INSTALLMENTS)]


class ContractCreate(InputModel):
    """Exactly one source: ``quote_id`` (an accepted quote: amount, tax, currency and
    payment terms come from it), ``opportunity_id`` (a won deal) or ``account_id``."""

    quote_id: uuid.UUID | None = None
    opportunity_id: uuid.UUID | None = None
    account_id: uuid.UUID | None = None
    title: Title | None = None
    amount: PositiveMoney | None = None
    tax_amount: Money | None = None
    currency: CurrencyCode | None = None
    payment_days: PaymentDays | None = None
    start_date: date | None = None
    end_date: date | None = None
    terms: Terms | None = None


class ContractUpdate(InputModel):
    version: int
    title: Title | None = None
    amount: PositiveMoney | None = None
    tax_amount: Money | None = None
    currency: CurrencyCode | None = None
    payment_days: PaymentDays | None = None
    start_date: date | None = None
    end_date: date | None = None
    terms: Terms | None = None
    unit_id: uuid.UUID | None = None
    owner_id: uuid.UUID | None = None


class VersionBody(InputModel):
    version: int | None = None


class SignRequest(InputModel):
    signing_date: date
    version: int | None = None


class TerminateRequest(InputModel):
    reason: str = Field(min_length=1, max_length=500)
    version: int | None = None


class PaymentPlanIn(InputModel):
    installments: Installments
    version: int | None = None


class AmendmentChanges(InputModel):
    amount: PositiveMoney | None = None
    tax_amount: Money | None = None
    end_date: date | None = None
    payment_days: PaymentDays | None = None
    terms: Terms | None = None
    title: Title | None = None


class AmendmentCreate(InputModel):
    reason: str = Field(min_length=1, max_length=500)
    effective_date: date
    changes: AmendmentChanges
    payment_plan: Installments | None = None
    version: int | None = None


class ApprovalStatusOut(OutputModel):
    """The latest approval request of one guarded action on the contract."""

    id: uuid.UUID
    action: str
    status: ApprovalStatus
    current_step: int
    step_name: str | None
    step_name_en: str | None
    submitted_at: datetime
    decided_at: datetime | None
    consumed_at: datetime | None
    comment: str | None
    void_reason: str | None


class ContractOut(OutputModel):
    id: uuid.UUID
    number: str
    title: str
    status: ContractStatus
    account_id: uuid.UUID
    account_name: str | None
    opportunity_id: uuid.UUID | None
    quote_id: uuid.UUID | None
    selling_entity_id: uuid.UUID
    selling_entity_name: str | None
    amount: Decimal
    tax_amount: Decimal
    currency: str
    payment_days: int
    signing_date: date | None
    start_date: date | None
    end_date: date | None
    subsidiary_id: uuid.UUID
    unit_id: uuid.UUID
    owner_id: uuid.UUID | None
    owner_name: str | None
    approval_request_id: uuid.UUID | None
    signed_at: datetime | None
    signed_by_id: uuid.UUID | None
    completed_at: datetime | None
    terminated_at: datetime | None
    termination_reason: str | None
    version: int
    created_at: datetime
    updated_at: datetime


class InstallmentOut(OutputModel):
    id: uuid.UUID
    seq: int
    label: str
    due_date: date
    amount: Decimal
    currency: str
    invoiced_amount: Decimal
    paid_amount: Decimal
    outstanding: Decimal
    days_overdue: int
    paid_at: date | None
    version: int


class PaymentPlanOut(OutputModel):
    contract_id: uuid.UUID
    currency: str
    contract_amount: Decimal
    planned: Decimal
    invoiced: Decimal
    paid: Decimal
    outstanding: Decimal
    complete: bool
    as_of: date
    installments: list[InstallmentOut]


class AmendmentOut(OutputModel):
    id: uuid.UUID
    seq: int
    reason: str
    effective_date: date
    changes: dict[str, list[str | None]]
    created_at: datetime
    created_by_id: uuid.UUID | None
    created_by_name: str | None


class ContractDetailOut(ContractOut):
    terms: str | None
    credit_hold: bool
    approval: ApprovalStatusOut | None
    credit_override: ApprovalStatusOut | None
    payment_plan: PaymentPlanOut
    amendments: list[AmendmentOut]
