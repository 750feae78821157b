from __future__ import annotations

import uuid
from datetime import date

from pydantic import Field

from flotilla.account.schemas import AccountCreate
from flotilla.contact.schemas import EMAIL_PATTERN, PHONE_PATTERN
from flotilla.core.schemas import InputModel, OutputModel
from flotilla.lead.schemas import LeadOut
from flotilla.opportunity.schemas import CurrencyCode, Money


class ConvertAccount(AccountCreate):
    """Either ``existing_account_id`` alone (link the lead to a customer already on file) or
    the fields of a new account (``name`` required; the duplicate check applies). Without
    ``unit_id`` and ``owner_id`` a new account is placed with the lead's unit and owner."""

    existing_account_id: uuid.UUID | None = None
    name: str | None = Field(default=None, min_length=1, max_length=200)  # type: ignore[assignment]


class ConvertContact(InputModel):
    name: str = Field(min_length=1, max_length=100)
    title: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=32, pattern=PHONE_PATTERN)
    email: str | None = Field(default=None, max_length=254, pattern=EMAIL_PATTERN)
    is_primary: bool = True


class ConvertOpportunity(InputModel):
    name: str = Field(min_length=1, max_length=200)
    amount: Money
    currency: CurrencyCode | None = None
    expected_close_date: date | None = None


class LeadConvert(InputModel):
    account: ConvertAccount
    contact: ConvertContact | None = None
    opportunity: ConvertOpportunity | None = None
    force_reason: str | None = Field(
        default=None,
        min_length=1,
        max_length=500,
        description="Create the account despite a suspected duplicate (account.force_create)",
    )


class LeadConversionOut(OutputModel):
    lead: LeadOut
    account_id: uuid.UUID
    account_created: bool
    contact_id: uuid.UUID | None
    opportunity_id: uuid.UUID | None
