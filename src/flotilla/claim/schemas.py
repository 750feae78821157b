from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field, model_validator

from flotilla.core.schemas import InputModel, OutputModel

Resolution = Literal["transfer", "share", "reject"]
ConflictStatus = Literal["open", "transferred", "shared", "rejected"]


class ClaimOut(OutputModel):
    id: uuid.UUID
    account_id: uuid.UUID
    subsidiary_id: uuid.UUID
    unit_id: uuid.UUID
    owner_id: uuid.UUID | None
    claimed_at: datetime
    protected_until: datetime
    status: str


class ClaimLookup(InputModel):
    """Claim an account by what the caller knows of it: its USCC or its name."""

    uscc: str | None = Field(default=None, min_length=1, max_length=32)
    name: str | None = Field(default=None, min_length=1, max_length=200)

    @model_validator(mode="after")
    def _exactly_one(self) -> ClaimLookup:
        if (self.uscc is None) == (self.name is None):
            raise ValueError("give either uscc or name")
        return self


class ConflictOut(OutputModel):
    """A conflict as either side sees it. The account is named only to callers who can
    see it; the protecting side is named by its unit, never by its owner or deals."""

    id: uuid.UUID
    status: ConflictStatus
    attempted_action: str
    account_id: uuid.UUID | None
    account_name: str | None
    protecting_unit_id: uuid.UUID
    protecting_unit_name: str
    protecting_subsidiary_id: uuid.UUID
    protecting_subsidiary_name: str
    requesting_unit_id: uuid.UUID
    requesting_unit_name: str
    requesting_subsidiary_id: uuid.UUID
    requesting_subsidiary_name: str
    requested_by_id: uuid.UUID
    requested_by_name: str
    protected_until: datetime | None
    resolution_note: str | None
    resolved_by_id: uuid.UUID | None
    resolved_by_name: str | None
    resolved_at: datetime | None
    created_at: datetime
    version: int


class ConflictResolve(InputModel):
    resolution: Resolution
    note: str | None = Field(default=None, max_length=2000)
    version: int
