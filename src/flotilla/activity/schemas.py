from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from flotilla.core.schemas import InputModel, OutputModel

ActivityKind = Literal["call", "visit", "meeting", "email", "note", "task"]


class ActivityOut(OutputModel):
    id: uuid.UUID
    kind: ActivityKind
    subject: str
    body: str | None
    account_id: uuid.UUID | None
    contact_id: uuid.UUID | None
    opportunity_id: uuid.UUID | None
    occurred_at: datetime
    due_at: datetime | None
    completed_at: datetime | None
    is_overdue: bool
    owner_id: uuid.UUID | None
    unit_id: uuid.UUID
    subsidiary_id: uuid.UUID
    version: int
    created_at: datetime
    updated_at: datetime


class ActivityCreate(InputModel):
    """A logged call, visit, meeting, e-mail or note (``occurred_at``, default now, not in
    the future), or a task (``due_at`` required, open until completed). Links are optional;
    a contact's or opportunity's account is linked automatically."""

    kind: ActivityKind
    subject: str = Field(min_length=1, max_length=200)
    body: str | None = Field(default=None, max_length=20_000)
    account_id: uuid.UUID | None = None
    contact_id: uuid.UUID | None = None
    opportunity_id: uuid.UUID | None = None
    occurred_at: datetime | None = None
    due_at: datetime | None = None
    # Default: the caller's primary unit and the caller.
    unit_id: uuid.UUID | None = None
    owner_id: uuid.UUID | None = None


class ActivityUpdate(InputModel):
    version: int
    subject: str | None = Field(default=None, min_length=1, max_length=200)
    body: str | None = Field(default=None, max_length=20_000)
    account_id: uuid.UUID | None = None
    contact_id: uuid.UUID | None = None
    opportunity_id: uuid.UUID | None = None
    occurred_at: datetime | None = None
    due_at: datetime | None = None
    unit_id: uuid.UUID | None = None
    owner_id: uuid.UUID | None = None


class ActivityComplete(InputModel):
    """Optional body: the ``version`` last read, checked when given."""

    version: int | None = None
