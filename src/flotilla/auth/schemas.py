from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from flotilla.core.schemas import InputModel, OutputModel
from flotilla.user.schemas import GrantOut


class LoginIn(InputModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class MeUser(OutputModel):
    id: uuid.UUID
    username: str
    display_name: str
    email: str | None
    phone: str | None
    locale: Literal["zh-CN", "en-US"]


class MePosition(OutputModel):
    id: uuid.UUID
    unit_id: uuid.UUID
    unit_name: str
    unit_kind: str
    subsidiary_id: uuid.UUID | None
    subsidiary_name: str | None
    title: str | None
    is_primary: bool


class ScopeSummary(OutputModel):
    permission: str
    everything: bool
    unit_count: int
    own: bool


class MeOut(OutputModel):
    user: MeUser
    positions: list[MePosition]
    grants: list[GrantOut]
    permissions: list[str]
    scope: list[ScopeSummary]


class LoginOut(OutputModel):
    token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime
    csrf_token: str
    user: MeOut


class PreferencesIn(InputModel):
    locale: Literal["zh-CN", "en-US"]
