"""Scheduled work of the public pool."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from flotilla.core.jobs import JobResult, job
from flotilla.pool import service


@job(
    "pool-reclaim",
    schedule="7 * * * *",
    description="Return accounts nobody followed up (and no claim protects) to the public pool",
)
def reclaim(session: Session, now: datetime) -> JobResult:
    return service.reclaim_idle_accounts(session, now, batch_size=service.RECLAIM_BATCH_SIZE)
