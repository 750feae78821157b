from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from flotilla.core.schemas import InputModel, OutputModel

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
PHONE_PATTERN = r"^\+?[0-9(][0-9 ()\-]{4,31}$"


class ContactOut(OutputModel):
    """A contact; ``phone`` and ``email`` are masked unless the caller's ``pii.read``
    reaches the contact's account."""

    id: uuid.UUID
    account_id: uuid.UUID
    account_name: str
    subsidiary_id: uuid.UUID
    name: str
    title: str | None
    phone: str | None
    email: str | None
    is_primary: bool
    created_by_id: uuid.UUID | None
    version: int
    created_at: datetime
    updated_at: datetime


class ContactCreate(InputModel):
    account_id: uuid.UUID
    name: str = Field(min_length=1, max_length=100)
    title: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=32, pattern=PHONE_PATTERN)
    email: str | None = Field(default=None, max_length=254, pattern=EMAIL_PATTERN)
    is_primary: bool = False


class ContactUpdate(InputModel):
    version: int
    name: str | None = Field(default=None, min_length=1, max_length=100)
    title: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=32, pattern=PHONE_PATTERN)
    email: str | None = Field(default=None, max_length=254, pattern=EMAIL_PATTERN)
    is_primary: bool | None = None
