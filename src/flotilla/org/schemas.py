from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from flotilla.core.schemas import InputModel, OutputModel

OrgKind = Literal["group", "subsidiary", "department", "team"]


class OrgUnitOut(OutputModel):
    id: uuid.UUID
    parent_id: uuid.UUID | None
    kind: OrgKind
    code: str
    name: str
    name_en: str | None
    uscc: str | None
    currency: str | None
    region: str | None
    timezone: str | None
    manager_id: uuid.UUID | None
    subsidiary_id: uuid.UUID | None
    fiscal_year_start_month: int | None
    depth: int
    is_active: bool
    version: int
    created_at: datetime
    updated_at: datetime


class OrgUnitCreate(InputModel):
    parent_id: uuid.UUID | None = None
    kind: OrgKind
    code: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    name: str = Field(min_length=1, max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    uscc: str | None = Field(default=None, max_length=40)
    currency: str | None = Field(default=None, min_length=3, max_length=3)
    region: str | None = Field(default=None, max_length=100)
    timezone: str | None = Field(default=None, max_length=64)
    manager_id: uuid.UUID | None = Field(
        default=None, description="The unit's head: line-manager approvals climb through heads"
    )


class OrgUnitUpdate(InputModel):
    version: int
    code: str | None = Field(
        default=None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
    )
    name: str | None = Field(default=None, min_length=1, max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    uscc: str | None = Field(default=None, max_length=40)
    currency: str | None = Field(default=None, min_length=3, max_length=3)
    region: str | None = Field(default=None, max_length=100)
    timezone: str | None = Field(default=None, max_length=64)
    manager_id: uuid.UUID | None = None
    is_active: bool | None = None
    fiscal_year_start_month: int | None = Field(
        default=None,
        description="Group root only: the month (1–12) the fiscal year starts in; null is January",
    )


class OrgUnitMove(InputModel):
    new_parent_id: uuid.UUID
    version: int
