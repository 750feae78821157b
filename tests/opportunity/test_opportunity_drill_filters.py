"""The opportunity list filters the analytics drill into: closed, expected-close and created
day ranges (inclusive; times by UTC day), a stage code across process versions and a unit's
whole subtree — always inside the caller's scope."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from flotilla.models.org import OrgUnit
from flotilla.models.sales import Opportunity, ProcessVersion
from flotilla.process.seed import StageSpec
from tests.core.test_export_drill_filters import (
    check_day_range,
    check_query_count,
    check_unit_subtree,
    director_and_vp,
    listed,
)
from tests.fixtures.factories import make_world
from tests.fixtures.process import SIMPLE_STAGES, latest_version, make_opportunity, make_template

BASE = "/api/v1/opportunities"


def _version(db: Session) -> ProcessVersion:
    return latest_version(db, make_template(db, SIMPLE_STAGES))


def _won(db: Session, version: ProcessVersion, unit: OrgUnit, at: datetime) -> Opportunity:
    deal = make_opportunity(db, unit, version=version, stage_code="won")
    deal.closed_at = at
    db.flush()
    return deal


def test_closed_range_takes_whole_utc_days(client: TestClient, db: Session) -> None:
    version = _version(db)
    check_day_range(
        client, db, BASE, "closed", lambda unit, at: _won(db, version, unit, at), on_times=True
    )


def test_expected_close_range_is_inclusive(client: TestClient, db: Session) -> None:
    version = _version(db)

    def closing(unit: OrgUnit, day: date) -> Opportunity:
        return make_opportunity(db, unit, version=version, expected_close_date=day)

    check_day_range(client, db, BASE, "expected_close", closing, on_times=False, status="open")


def test_created_range_takes_whole_utc_days(client: TestClient, db: Session) -> None:
    version = _version(db)

    def created(unit: OrgUnit, at: datetime) -> Opportunity:
        return make_opportunity(db, unit, version=version, created_at=at)

    check_day_range(client, db, BASE, "created", created, on_times=True)


def test_stage_code_matches_that_stage_in_every_process_version(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    version = _version(db)
    variant_stages = (
        StageSpec("prospect", "接触", "Prospect", 10),
        StageSpec("proposal", "报价方案", "Proposal", 60),
        StageSpec("won", "赢单", "Won", 100, kind="won"),
        StageSpec("lost", "输单", "Lost", 0, kind="lost"),
    )
    variant = latest_version(db, make_template(db, variant_stages, subsidiary=world.sub_a))

    def deal(unit: OrgUnit, stage_code: str, on: ProcessVersion = version) -> str:
        return str(make_opportunity(db, unit, version=on, stage_code=stage_code).id)

    proposals = {deal(world.team_a, "proposal"), deal(world.team_a, "proposal", variant)}
    deal(world.team_a, "prospect")
    in_b = deal(world.dept_b, "proposal")
    director, vp = director_and_vp(client, db, world)

    assert listed(client, director, BASE, stage_code="proposal") == proposals
    assert listed(client, vp, BASE, stage_code="proposal") == proposals | {in_b}
    assert listed(client, director, BASE, stage_code="no-such-stage") == set()


def test_unit_is_the_subtree(client: TestClient, db: Session) -> None:
    version = _version(db)
    check_unit_subtree(client, db, BASE, lambda unit: make_opportunity(db, unit, version=version))


def test_drill_filters_keep_the_query_count_constant(client: TestClient, db: Session) -> None:
    version = _version(db)
    at = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)

    def won(unit: OrgUnit) -> Any:
        deal = _won(db, version, unit, at)
        deal.expected_close_date = date(2026, 3, 10)
        return deal

    check_query_count(
        client,
        db,
        BASE,
        won,
        stage_code="won",
        closed_from="2026-03-01",
        closed_to="2026-03-31",
        expected_close_from="2026-03-01",
        created_from="2020-01-01",
    )
