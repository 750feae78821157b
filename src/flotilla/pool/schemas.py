from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from flotilla.core.pagination import Page
from flotilla.core.schemas import InputModel, OutputModel

# Bounds on the per-subsidiary rules: wide enough for any real policy, narrow enough that a
# typo (an extra zero) cannot switch the pool off or empty a subsidiary overnight.
MAX_DAYS = 3650
MAX_ACCOUNTS_PER_REP = 100_000


class PoolRuleOut(OutputModel):
    """The rules in force for one subsidiary (``is_default`` when none were ever set)."""

    subsidiary_id: uuid.UUID
    subsidiary_name: str
    protection_days: int
    reclaim_after_days: int
    max_accounts_per_rep: int
    cooldown_days: int
    is_default: bool
    version: int | None
    updated_at: datetime | None


class PoolRulePut(InputModel):
    """Replace a subsidiary's rules. ``version`` is the one last read: ``null`` while the
    subsidiary still runs on the defaults."""

    protection_days: int = Field(ge=1, le=MAX_DAYS)
    reclaim_after_days: int = Field(ge=1, le=MAX_DAYS)
    max_accounts_per_rep: int = Field(ge=1, le=MAX_ACCOUNTS_PER_REP)
    cooldown_days: int = Field(ge=0, le=MAX_DAYS)
    version: int | None = None


class PoolQuotaOut(OutputModel):
    """The caller's own standing in one subsidiary's pool."""

    subsidiary_id: uuid.UUID
    subsidiary_name: str
    held: int
    max: int
    remaining: int
    cooldown_days: int


class PoolAccountOut(OutputModel):
    id: uuid.UUID
    name: str
    name_en: str | None
    industry: str | None
    region: str | None
    tier: str
    value_class: str
    subsidiary_id: uuid.UUID
    pool_entered_at: datetime | None
    last_follow_up_at: datetime | None
    # The caller's own cool-down on this account, while it runs.
    cooldown_until: datetime | None
    # Whether the caller may claim it now (member of the subsidiary, no cool-down, quota left).
    claimable: bool


class PoolPage(Page[PoolAccountOut]):
    quotas: list[PoolQuotaOut]


class ReleaseRequest(InputModel):
    reason: str = Field(min_length=1, max_length=500)


class PoolClaimOut(OutputModel):
    account_id: uuid.UUID
    status: str
    owner_id: uuid.UUID | None
    unit_id: uuid.UUID
    subsidiary_id: uuid.UUID
    version: int
    claim_id: uuid.UUID
    protected_until: datetime
    quota: PoolQuotaOut


class PoolReleaseOut(OutputModel):
    account_id: uuid.UUID
    status: str
    unit_id: uuid.UUID
    subsidiary_id: uuid.UUID
    pool_entered_at: datetime
    version: int
