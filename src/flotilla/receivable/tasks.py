"""Scheduled work of receivables: the daily credit review."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from flotilla.core.jobs import JobResult, job
from flotilla.receivable import credit


@job(
    "credit-review",
    # 18:20 UTC is 02:20 in China: after the day's payments, before the working day.
    schedule="20 18 * * *",
    description="Put accounts with receivables overdue beyond their subsidiary's credit rule "
    "on credit hold, and release those back inside it",
)
def review(session: Session, now: datetime) -> JobResult:
    return credit.review_all(session, now, batch_size=credit.REVIEW_BATCH_SIZE)
