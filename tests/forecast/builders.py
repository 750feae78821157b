"""Deals with hand-written stage histories for the funnel and forecast tests.

A deal is a path of ``(stage code, "YYYY-MM-DD")`` entries, each at 09:00 UTC: the first is
its creation (no from-stage), every later one a transition whose ``days_in_previous`` is the
whole days since the previous entry. The last entry is the current stage; a won or lost
last stage closes the deal at that moment.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.models.identity import User
from flotilla.models.org import OrgUnit
from flotilla.models.sales import (
    Opportunity,
    ProcessStage,
    ProcessTemplate,
    ProcessVersion,
    StageHistory,
)
from flotilla.process.seed import StageSpec
from tests.fixtures.process import latest_version, make_account, make_template

_counter = itertools.count(1)

STAGES: tuple[StageSpec, ...] = (
    StageSpec("lead", "线索", "Lead", 10, max_days=10),
    StageSpec("proposal", "方案", "Proposal", 40, max_days=20),
    StageSpec("negotiation", "谈判", "Negotiation", 70, max_days=30),
    StageSpec("won", "赢单", "Won", 100, kind="won"),
    StageSpec("lost", "输单", "Lost", 0, kind="lost"),
)


def at(day: str) -> datetime:
    """09:00 UTC on ``day``."""
    return datetime.combine(date.fromisoformat(day), time(9), tzinfo=UTC)


def make_process(
    db: Session,
    stages: Sequence[StageSpec] = STAGES,
    *,
    subsidiary: OrgUnit | None = None,
    base: ProcessTemplate | None = None,
) -> ProcessVersion:
    """A published process (the group standard, or a subsidiary's variant of ``base``)."""
    template = make_template(db, stages, subsidiary=subsidiary, base=base)
    return latest_version(db, template)


def _stages_of(db: Session, version: ProcessVersion) -> dict[str, ProcessStage]:
    rows = db.execute(select(ProcessStage).where(ProcessStage.version_id == version.id))
    return {stage.code: stage for stage in rows.scalars()}


def make_deal(
    db: Session,
    unit: OrgUnit,
    version: ProcessVersion,
    path: Sequence[tuple[str, str]],
    *,
    amount: str = "10000",
    currency: str = "CNY",
    category: str = "pipeline",
    expected_close: str | None = None,
    owner: User | None = None,
    name: str | None = None,
) -> Opportunity:
    stages = _stages_of(db, version)
    entries = [(stages[code], at(day)) for code, day in path]
    current, entered_at = entries[-1]
    created_at = entries[0][1]
    closed = current.kind in ("won", "lost")
    subsidiary_id = unit.id if unit.kind == "subsidiary" else unit.subsidiary_id
    assert subsidiary_id is not None
    deal = Opportunity(
        account_id=make_account(db, unit, owner).id,
        name=name or f"商机F{next(_counter)}",
        amount=Decimal(amount),
        currency=currency,
        expected_close_date=date.fromisoformat(expected_close) if expected_close else None,
        process_version_id=version.id,
        stage_id=current.id,
        stage_entered_at=entered_at,
        status=current.kind if closed else "open",
        forecast_category={"won": "closed", "lost": "omitted"}.get(current.kind, category),
        closed_at=entered_at if closed else None,
        checklist_state={},
        subsidiary_id=subsidiary_id,
        unit_id=unit.id,
        owner_id=owner.id if owner else None,
    )
    deal.created_at = created_at
    deal.updated_at = entered_at
    db.add(deal)
    db.flush()
    previous: tuple[ProcessStage, datetime] | None = None
    for stage, moment in entries:
        db.add(
            StageHistory(
                opportunity_id=deal.id,
                subsidiary_id=subsidiary_id,
                from_stage_id=previous[0].id if previous else None,
                to_stage_id=stage.id,
                changed_at=moment,
                days_in_previous=(moment - previous[1]).days if previous else None,
            )
        )
        previous = (stage, moment)
    db.flush()
    return deal
