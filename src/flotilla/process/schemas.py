from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from flotilla.core.schemas import InputModel, OutputModel

StageKind = Literal["open", "won", "lost"]
VersionStatus = Literal["draft", "published"]
CODE_PATTERN = r"^[a-z][a-z0-9_]*$"
TEMPLATE_CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"

# The opportunity facts a stage may demand before it is entered (its entry gates).
# ``contact``: the deal's account has a contact on record; ``members``: the deal has a team;
# ``members.AR|SR|FR``: the iron triangle seat is filled.
RequiredField = Literal[
    "amount",
    "expected_close_date",
    "forecast_category",
    "source",
    "competitors",
    "contact",
    "members",
    "members.AR",
    "members.SR",
    "members.FR",
]


class ChecklistItem(InputModel):
    code: str = Field(min_length=1, max_length=64, pattern=CODE_PATTERN)
    label: str = Field(min_length=1, max_length=200)
    label_en: str | None = Field(default=None, max_length=200)


class ChecklistItemOut(OutputModel):
    code: str
    label: str
    label_en: str | None = None


class StageIn(InputModel):
    code: str = Field(min_length=1, max_length=64, pattern=CODE_PATTERN)
    name: str = Field(min_length=1, max_length=100)
    name_en: str | None = Field(default=None, max_length=100)
    position: int | None = Field(default=None, ge=1, le=1000)
    probability: int = Field(ge=0, le=100)
    kind: StageKind = "open"
    max_days: int | None = Field(default=None, ge=1, le=3650)
    playbook: str | None = Field(default=None, max_length=20000)
    required_fields: list[RequiredField] = Field(default_factory=list, max_length=20)
    checklist: list[ChecklistItem] = Field(default_factory=list, max_length=50)
    requires_approval: bool = False
    locked: bool = False


class StageOut(OutputModel):
    id: uuid.UUID
    code: str
    name: str
    name_en: str | None
    position: int
    probability: int
    kind: StageKind
    max_days: int | None
    playbook: str | None
    required_fields: list[str]
    checklist: list[ChecklistItemOut]
    requires_approval: bool
    locked: bool


class VersionSummaryOut(OutputModel):
    id: uuid.UUID
    template_id: uuid.UUID
    number: int
    status: VersionStatus
    created_at: datetime
    published_at: datetime | None
    published_by_id: uuid.UUID | None


class VersionOut(VersionSummaryOut):
    stages: list[StageOut]


class DraftOut(VersionOut):
    # The template's version: send it back with the next edit or publish of this draft.
    template_version: int


class DraftUpdate(InputModel):
    version: int
    stages: list[StageIn] = Field(max_length=50)


class DraftPublish(InputModel):
    version: int | None = None


class TemplateOut(OutputModel):
    id: uuid.UUID
    code: str
    name: str
    name_en: str | None
    subsidiary_id: uuid.UUID | None
    base_template_id: uuid.UUID | None
    allow_variants: bool
    is_active: bool
    version: int
    created_at: datetime
    updated_at: datetime
    latest_published_version_id: uuid.UUID | None = None
    latest_published_number: int | None = None
    draft_version_id: uuid.UUID | None = None


class TemplateCreate(InputModel):
    code: str = Field(min_length=1, max_length=64, pattern=TEMPLATE_CODE_PATTERN)
    name: str = Field(min_length=1, max_length=100)
    name_en: str | None = Field(default=None, max_length=100)
    subsidiary_id: uuid.UUID | None = None
    base_template_id: uuid.UUID | None = None
    allow_variants: bool = True


class TemplateUpdate(InputModel):
    version: int
    name: str | None = Field(default=None, min_length=1, max_length=100)
    name_en: str | None = Field(default=None, max_length=100)
    allow_variants: bool | None = None
    is_active: bool | None = None


class EffectiveProcessOut(OutputModel):
    subsidiary_id: uuid.UUID
    is_variant: bool
    template: TemplateOut
    version: VersionOut
