from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from flotilla.claim.schemas import ClaimOut
from flotilla.core.schemas import InputModel, OutputModel

Tier = Literal["strategic", "key_account", "smb"]
ValueClass = Literal["A", "B", "C"]
AccountStatus = Literal["owned", "pool"]
DuplicateReason = Literal["uscc", "name_exact", "name_fuzzy", "contact_phone", "contact_email"]


class AccountOut(OutputModel):
    id: uuid.UUID
    name: str
    name_en: str | None
    uscc: str | None
    industry: str | None
    region: str | None
    tier: Tier
    value_class: ValueClass
    parent_account_id: uuid.UUID | None
    status: AccountStatus
    external_id: str | None
    subsidiary_id: uuid.UUID
    subsidiary_name: str
    unit_id: uuid.UUID
    unit_name: str
    owner_id: uuid.UUID | None
    owner_name: str | None
    created_by_id: uuid.UUID | None
    force_reason: str | None
    last_follow_up_at: datetime | None
    pool_entered_at: datetime | None
    claim: ClaimOut | None = Field(description="The active claim (报备), if any")
    is_protected: bool
    version: int
    created_at: datetime
    updated_at: datetime


class AccountCreate(InputModel):
    name: str = Field(min_length=1, max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    uscc: str | None = Field(default=None, max_length=32)
    industry: str | None = Field(default=None, max_length=64)
    region: str | None = Field(default=None, max_length=64)
    tier: Tier = "smb"
    value_class: ValueClass = "C"
    parent_account_id: uuid.UUID | None = None
    external_id: str | None = Field(default=None, max_length=64)
    owner_id: uuid.UUID | None = Field(default=None, description="Defaults to the caller")
    unit_id: uuid.UUID | None = Field(
        default=None, description="Defaults to the caller's primary unit"
    )
    force_reason: str | None = Field(
        default=None,
        min_length=1,
        max_length=500,
        description="Create despite a suspected duplicate (needs account.force_create)",
    )


class AccountUpdate(InputModel):
    version: int
    name: str | None = Field(default=None, min_length=1, max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    uscc: str | None = Field(default=None, max_length=32)
    industry: str | None = Field(default=None, max_length=64)
    region: str | None = Field(default=None, max_length=64)
    tier: Tier | None = None
    value_class: ValueClass | None = None
    parent_account_id: uuid.UUID | None = None
    external_id: str | None = Field(default=None, max_length=64)
    force_reason: str | None = Field(default=None, min_length=1, max_length=500)


class AccountTransfer(InputModel):
    owner_id: uuid.UUID
    unit_id: uuid.UUID
    reason: str = Field(min_length=1, max_length=500)
    version: int | None = Field(default=None, description="Checked when given")


class DuplicateMatchOut(OutputModel):
    """One suspected duplicate. A match the caller cannot see carries only ``visible``,
    ``reason``, ``score``, ``subsidiary_name`` and ``message`` — never its id, name,
    owner or unit."""

    visible: bool
    reason: DuplicateReason
    score: int
    subsidiary_name: str
    message: str | None = None
    id: uuid.UUID | None = None
    name: str | None = None
    name_en: str | None = None
    uscc: str | None = None
    subsidiary_id: uuid.UUID | None = None
    unit_id: uuid.UUID | None = None
    unit_name: str | None = None
    owner_id: uuid.UUID | None = None
    owner_name: str | None = None


class DuplicatesOut(OutputModel):
    threshold: int = Field(description="Minimum fuzzy name score (0-100) reported as a match")
    matches: list[DuplicateMatchOut]


class AccountClaimResultOut(OutputModel):
    """The outcome of claiming an account: the account as the caller now sees it, and the
    claim that protects it for them."""

    account: AccountOut
    claim: ClaimOut
