from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field

from flotilla.core.schemas import InputModel, OutputModel

QuoteStatus = Literal[
    "draft",
    "pending_approval",
    "approved",
    "rejected",
    "sent",
    "accepted",
    "declined",
    "superseded",
    "expired",
]
Quantity = Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=4)]
Percent = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)]
Money = Annotated[Decimal, Field(ge=0, max_digits=16, decimal_places=2)]
PaymentDays = Annotated[int, Field(ge=0, le=3650)]
MAX_LINES = 200


class QuoteLineIn(InputModel):
    """One line: the product (priced from the quote's book), the quantity and either a
    ``discount_pct`` or a ``net_price`` (neither: no discount)."""

    product_id: uuid.UUID
    quantity: Quantity
    discount_pct: Percent | None = None
    net_price: Money | None = None
    description: str | None = Field(default=None, max_length=500)


class QuoteCreate(InputModel):
    opportunity_id: uuid.UUID
    price_book_id: uuid.UUID
    title: str = Field(min_length=1, max_length=200)
    valid_until: date | None = None
    payment_days: PaymentDays = 30
    notes: str | None = Field(default=None, max_length=5000)
    lines: list[QuoteLineIn] = Field(default_factory=list, max_length=MAX_LINES)


class QuoteUpdate(InputModel):
    """Header fields only; lines change through ``PUT /quotes/{id}/lines`` and the price
    book (which fixes the currency and every price) not at all — revise or start anew."""

    version: int
    title: str | None = Field(default=None, min_length=1, max_length=200)
    valid_until: date | None = None
    payment_days: PaymentDays | None = None
    notes: str | None = Field(default=None, max_length=5000)


class QuoteLinesReplace(InputModel):
    version: int
    lines: list[QuoteLineIn] = Field(max_length=MAX_LINES)


class QuoteAction(InputModel):
    """Optional body of the status actions: the ``version`` last read, checked when given."""

    version: int | None = None


class QuoteDecline(InputModel):
    reason: str = Field(min_length=1, max_length=500)
    version: int | None = None


class QuoteLineOut(OutputModel):
    id: uuid.UUID
    position: int
    product_id: uuid.UUID
    product_code: str | None
    product_name: str | None
    product_name_en: str | None
    description: str | None
    quantity: Decimal
    unit: str
    list_price: Decimal
    discount_pct: Decimal
    net_price: Decimal
    list_amount: Decimal
    net_amount: Decimal
    tax_rate: Decimal
    tax_amount: Decimal
    line_total: Decimal
    below_floor: bool


class ApproverOut(OutputModel):
    user_id: uuid.UUID
    display_name: str | None


class QuoteApprovalOut(OutputModel):
    """The latest ``quote.submit`` request of this revision."""

    id: uuid.UUID
    status: str
    current_step: int
    step_name: str | None
    step_name_en: str | None
    pending_approvers: list[ApproverOut]
    submitted_at: datetime
    decided_at: datetime | None
    void_reason: str | None


class QuoteOut(OutputModel):
    id: uuid.UUID
    number: str
    revision: int
    is_current: bool
    title: str
    status: QuoteStatus
    opportunity_id: uuid.UUID
    opportunity_name: str | None
    account_id: uuid.UUID
    account_name: str | None
    price_book_id: uuid.UUID
    currency: str
    valid_until: date | None
    payment_days: int
    subtotal_list: Decimal
    discount_amount: Decimal
    subtotal_net: Decimal
    tax_amount: Decimal
    total: Decimal
    discount_pct: Decimal
    max_line_discount_pct: Decimal
    below_floor: bool
    approval_request_id: uuid.UUID | None
    submitted_at: datetime | None
    accepted_at: datetime | None
    subsidiary_id: uuid.UUID
    unit_id: uuid.UUID
    owner_id: uuid.UUID | None
    owner_name: str | None
    version: int
    created_at: datetime
    updated_at: datetime


class QuoteDetailOut(QuoteOut):
    notes: str | None
    price_book_name: str | None
    lines: list[QuoteLineOut]
    approval: QuoteApprovalOut | None
