"""Scheduled work of the pipeline: the daily snapshot."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from flotilla.core.jobs import JobResult, job
from flotilla.pipeline import snapshot


@job(
    "pipeline-snapshot",
    # 16:30 UTC is 00:30 in China: the China day has just ended and the UTC date is still
    # that day, so the versions written are "the pipeline at the end of" that day.
    schedule="30 16 * * *",
    description="Record a version of every opportunity whose pipeline state (stage, amount, "
    "close date, status, owner, unit…) changed since the last snapshot",
)
def snapshot_pipeline(session: Session, now: datetime) -> JobResult:
    result = snapshot.take(session, now.astimezone(UTC).date())
    return JobResult(
        processed=result.opened + result.closed + result.unchanged,
        counts={
            "opened": result.opened,
            "closed": result.closed,
            "unchanged": result.unchanged,
            "replaced": result.replaced,
        },
    )
