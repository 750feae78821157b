from __future__ import annotations

import uuid
from typing import Literal

from pydantic import Field

from flotilla.core.schemas import InputModel, OutputModel

DataScope = Literal["own", "unit", "unit_and_below", "subsidiary", "group"]


class RoleOut(OutputModel):
    id: uuid.UUID
    code: str
    name: str
    name_en: str | None
    description: str | None
    permissions: list[str]
    data_scope: DataScope
    is_builtin: bool
    version: int


class RoleCreate(InputModel):
    code: str = Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1, max_length=100)
    name_en: str | None = Field(default=None, max_length=100)
    description: str | None = Field(default=None, max_length=500)
    permissions: list[str] = Field(default_factory=list, max_length=200)
    data_scope: DataScope


class RoleUpdate(InputModel):
    version: int
    name: str | None = Field(default=None, min_length=1, max_length=100)
    name_en: str | None = Field(default=None, max_length=100)
    description: str | None = Field(default=None, max_length=500)
    permissions: list[str] | None = Field(default=None, max_length=200)
    data_scope: DataScope | None = None


class PermissionOut(OutputModel):
    code: str
    name: str
    name_en: str
