from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from flotilla.core.schemas import InputModel, OutputModel

LeadStatus = Literal["new", "working", "qualified", "converted", "disqualified"]
# ``converted`` is reached only through lead conversion, never set by hand.
SettableLeadStatus = Literal["new", "working", "qualified", "disqualified"]

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
PHONE_PATTERN = r"^\+?[0-9][0-9 -]{5,30}$"


class LeadOut(OutputModel):
    id: uuid.UUID
    company_name: str
    contact_name: str | None
    title: str | None
    phone: str | None
    email: str | None
    source: str | None
    industry: str | None
    region: str | None
    status: LeadStatus
    disqualify_reason: str | None
    notes: str | None
    owner_id: uuid.UUID | None
    unit_id: uuid.UUID
    subsidiary_id: uuid.UUID
    converted_account_id: uuid.UUID | None
    converted_contact_id: uuid.UUID | None
    converted_opportunity_id: uuid.UUID | None
    converted_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime


class LeadCreate(InputModel):
    company_name: str = Field(min_length=1, max_length=200)
    contact_name: str | None = Field(default=None, max_length=100)
    title: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=32, pattern=PHONE_PATTERN)
    email: str | None = Field(default=None, max_length=254, pattern=EMAIL_PATTERN)
    source: str | None = Field(default=None, max_length=64)
    industry: str | None = Field(default=None, max_length=64)
    region: str | None = Field(default=None, max_length=64)
    notes: str | None = Field(default=None, max_length=10_000)
    # Default: the caller's primary unit and the caller.
    unit_id: uuid.UUID | None = None
    owner_id: uuid.UUID | None = None


class LeadUpdate(InputModel):
    """Partial update. ``status`` moves along new → working → qualified; any open lead can be
    disqualified (with ``disqualify_reason``) and a disqualified one reopened as working."""

    version: int
    company_name: str | None = Field(default=None, min_length=1, max_length=200)
    contact_name: str | None = Field(default=None, max_length=100)
    title: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=32, pattern=PHONE_PATTERN)
    email: str | None = Field(default=None, max_length=254, pattern=EMAIL_PATTERN)
    source: str | None = Field(default=None, max_length=64)
    industry: str | None = Field(default=None, max_length=64)
    region: str | None = Field(default=None, max_length=64)
    notes: str | None = Field(default=None, max_length=10_000)
    status: SettableLeadStatus | None = None
    disqualify_reason: str | None = Field(default=None, min_length=1, max_length=500)
    unit_id: uuid.UUID | None = None
    owner_id: uuid.UUID | None = None
