from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from flotilla.core.schemas import InputModel, OutputModel

LocaleCode = Literal["zh-CN", "en-US"]
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
PHONE_PATTERN = r"^\+?[0-9][0-9 -]{5,30}$"


class UserOut(OutputModel):
    id: uuid.UUID
    username: str
    display_name: str
    email: str | None
    phone: str | None
    is_active: bool
    locale: LocaleCode
    primary_unit_id: uuid.UUID
    subsidiary_id: uuid.UUID | None
    version: int
    created_at: datetime
    updated_at: datetime


class UserCreate(InputModel):
    username: str = Field(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    display_name: str = Field(min_length=1, max_length=100)
    email: str | None = Field(default=None, max_length=254, pattern=EMAIL_PATTERN)
    phone: str | None = Field(default=None, max_length=32, pattern=PHONE_PATTERN)
    password: str = Field(min_length=1, max_length=200)
    primary_unit_id: uuid.UUID
    title: str | None = Field(default=None, max_length=100)
    locale: LocaleCode = "zh-CN"


class UserUpdate(InputModel):
    version: int
    display_name: str | None = Field(default=None, min_length=1, max_length=100)
    email: str | None = Field(default=None, max_length=254, pattern=EMAIL_PATTERN)
    phone: str | None = Field(default=None, max_length=32, pattern=PHONE_PATTERN)
    is_active: bool | None = None
    locale: LocaleCode | None = None


class PasswordSet(InputModel):
    password: str = Field(min_length=1, max_length=200)


class PositionOut(OutputModel):
    id: uuid.UUID
    unit_id: uuid.UUID
    unit_name: str
    title: str | None
    is_primary: bool


class PositionCreate(InputModel):
    unit_id: uuid.UUID
    title: str | None = Field(default=None, max_length=100)
    is_primary: bool = False


class GrantOut(OutputModel):
    id: uuid.UUID
    role_id: uuid.UUID
    role_code: str
    role_name: str
    role_name_en: str | None = None
    unit_id: uuid.UUID
    unit_name: str
    data_scope: str


class GrantCreate(InputModel):
    role_id: uuid.UUID
    unit_id: uuid.UUID
