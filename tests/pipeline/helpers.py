"""Shared arrangements for the pipeline tests: a small process and deals placed in the world."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.core.ids import new_id
from flotilla.models.analytics import PipelineSnapshot
from flotilla.models.sales import Opportunity, ProcessStage, ProcessVersion, StageHistory
from tests.fixtures.process import SIMPLE_STAGES, latest_version, make_template, stage


@dataclass
class Process:
    """SIMPLE_STAGES: prospect (1, 10 %), proposal (2, 50 %), closing (3, 80 %),
    won (4, 100 %), lost (5, 0 %)."""

    version: ProcessVersion
    stages: dict[str, ProcessStage]


def make_process(db: Session) -> Process:
    template = make_template(db, SIMPLE_STAGES)
    version = latest_version(db, template)
    stages = {spec.code: stage(db, version, spec.code) for spec in SIMPLE_STAGES}
    return Process(version, stages)


def move(db: Session, deal: Opportunity, process: Process, code: str, at: datetime) -> None:
    """Put a deal in a stage (status and forecast category as transitions set them) and
    record the move in the stage history."""
    target = process.stages[code]
    db.add(
        StageHistory(
            id=new_id(),
            opportunity_id=deal.id,
            subsidiary_id=deal.subsidiary_id,
            from_stage_id=deal.stage_id,
            to_stage_id=target.id,
            changed_at=at,
        )
    )
    deal.stage_id = target.id
    deal.stage_entered_at = at
    if target.kind == "won":
        deal.status, deal.forecast_category, deal.closed_at = "won", "closed", at
    elif target.kind == "lost":
        deal.status, deal.forecast_category, deal.closed_at = "lost", "omitted", at
    else:
        if deal.status != "open":
            deal.forecast_category = "pipeline"
        deal.status, deal.closed_at = "open", None
    db.flush()


def versions(db: Session, deal: Opportunity | None = None) -> list[dict[str, Any]]:
    """Every stored version (of one deal), oldest first, as plain dicts."""
    table = PipelineSnapshot.__table__
    stmt = select(table).order_by(table.c.opportunity_id, table.c.valid_from)
    if deal is not None:
        stmt = stmt.where(table.c.opportunity_id == deal.id)
    return [dict(row) for row in db.execute(stmt).mappings()]


def spans(db: Session, deal: Opportunity) -> list[tuple[date, date | None, str, Decimal, str]]:
    """A deal's versions as (valid_from, valid_to, stage code, amount, status)."""
    codes = {s.id: s.code for s in db.execute(select(ProcessStage)).scalars()}
    return [
        (v["valid_from"], v["valid_to"], codes[v["stage_id"]], v["amount"], v["status"])
        for v in versions(db, deal)
    ]
