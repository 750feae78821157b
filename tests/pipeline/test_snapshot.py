"""Daily pipeline snapshots: versions open and close only when a deal's state changes, a
same-day re-run is idempotent, history is written forwards, a past day can be rebuilt from
the stage history, and the nightly job takes the day that has just ended in China."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from flotilla.core import clock
from flotilla.core.errors import Conflict
from flotilla.core.jobs import get_job, next_run_after, run_job
from flotilla.models.org import OrgUnit
from flotilla.models.sales import Opportunity, StageHistory
from flotilla.pipeline.snapshot import SnapshotDayRefused, SnapshotResult, end_of_day, take
from tests.fixtures.factories import make_user, make_world
from tests.fixtures.process import make_opportunity
from tests.pipeline.helpers import Process, make_process, move, spans, versions

D1 = date(2026, 3, 2)
D2 = date(2026, 3, 3)
D3 = date(2026, 3, 4)
T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
CNY = Decimal


def _three_deals(db: Session) -> tuple[Process, list[Opportunity]]:
    """Three deals in team A on 2 March 2026: prospect 1000, proposal 2000, won 3000 CNY."""
    world = make_world(db)
    process = make_process(db)
    owner = make_user(db, world.team_a, "sales_rep")
    with clock.frozen_at(T0):
        deals = [
            make_opportunity(
                db,
                world.team_a,
                owner,
                version=process.version,
                stage_code=code,
                amount=amount,
                expected_close_date=date(2026, 4, 30),
            )
            for code, amount in (("prospect", "1000"), ("proposal", "2000"), ("won", "3000"))
        ]
    return process, deals


def test_the_first_snapshot_opens_one_version_per_deal_open_or_closed(db: Session) -> None:
    _process, deals = _three_deals(db)

    result = take(db, D1)

    assert result == SnapshotResult(opened=3, closed=0, unchanged=0)
    assert spans(db, deals[0]) == [(D1, None, "prospect", CNY("1000.00"), "open")]
    assert spans(db, deals[2]) == [(D1, None, "won", CNY("3000.00"), "won")]
    stored = versions(db, deals[1])[0]
    assert stored["stage_position"] == 2
    assert stored["probability"] == 50
    assert stored["forecast_category"] == "pipeline"
    assert stored["expected_close_date"] == date(2026, 4, 30)
    assert stored["unit_id"] == deals[1].unit_id
    assert stored["owner_id"] == deals[1].owner_id
    assert stored["currency"] == "CNY"


def test_a_second_run_for_the_same_day_changes_nothing(db: Session) -> None:
    _process, _deals = _three_deals(db)
    take(db, D1)
    before = versions(db)

    result = take(db, D1)

    assert result == SnapshotResult(opened=0, closed=0, unchanged=3)
    assert versions(db) == before


def test_a_changed_deal_gets_a_new_version_and_its_old_one_ends(db: Session) -> None:
    process, deals = _three_deals(db)
    take(db, D1)
    deals[0].amount = Decimal("1500")
    move(db, deals[1], process, "closing", datetime(2026, 3, 2, 6, 0, tzinfo=UTC))
    deals[2].expected_close_date = date(2026, 5, 31)

    result = take(db, D2)

    assert result == SnapshotResult(opened=3, closed=3, unchanged=0)
    assert spans(db, deals[0]) == [
        (D1, D2, "prospect", CNY("1000.00"), "open"),
        (D2, None, "prospect", CNY("1500.00"), "open"),
    ]
    assert spans(db, deals[1]) == [
        (D1, D2, "proposal", CNY("2000.00"), "open"),
        (D2, None, "closing", CNY("2000.00"), "open"),
    ]
    assert take(db, D3) == SnapshotResult(opened=0, closed=0, unchanged=3)


def test_winning_losing_moving_and_reassigning_are_changes(db: Session) -> None:
    process, deals = _three_deals(db)
    world_team = deals[0].unit_id
    take(db, D1)
    move(db, deals[0], process, "won", datetime(2026, 3, 2, 7, 0, tzinfo=UTC))
    move(db, deals[1], process, "lost", datetime(2026, 3, 2, 7, 0, tzinfo=UTC))
    deals[2].owner_id = None

    result = take(db, D2)

    assert result == SnapshotResult(opened=3, closed=3, unchanged=0)
    won = versions(db, deals[0])[-1]
    lost = versions(db, deals[1])[-1]
    assert (won["status"], won["forecast_category"], won["probability"]) == ("won", "closed", 100)
    assert (lost["status"], lost["forecast_category"], lost["probability"]) == (
        "lost",
        "omitted",
        0,
    )
    assert versions(db, deals[2])[-1]["owner_id"] is None
    assert won["unit_id"] == world_team


def test_a_day_before_the_latest_snapshot_is_refused(db: Session) -> None:
    _process, _deals = _three_deals(db)
    take(db, D2)

    with pytest.raises(SnapshotDayRefused) as refused:
        take(db, D1)

    assert isinstance(refused.value, ValueError)
    assert isinstance(refused.value, Conflict)
    assert refused.value.status == 409
    assert refused.value.code == "snapshot_day_passed"
    assert refused.value.params == {"day": "2026-03-02", "latest": "2026-03-03"}


def test_a_same_day_rerun_after_a_change_replaces_that_days_version(db: Session) -> None:
    process, deals = _three_deals(db)
    take(db, D1)
    deals[0].amount = Decimal("1500")
    move(db, deals[1], process, "closing", datetime(2026, 3, 3, 1, 0, tzinfo=UTC))
    take(db, D2)
    # Later the same day: deal 0 changes again, deal 1 goes back to where it was on D1.
    deals[0].amount = Decimal("1800")
    move(db, deals[1], process, "proposal", datetime(2026, 3, 3, 3, 0, tzinfo=UTC))

    result = take(db, D2)

    assert result == SnapshotResult(opened=1, closed=0, unchanged=1, replaced=2)
    assert spans(db, deals[0]) == [
        (D1, D2, "prospect", CNY("1000.00"), "open"),
        (D2, None, "prospect", CNY("1800.00"), "open"),
    ]
    assert spans(db, deals[1]) == [(D1, None, "proposal", CNY("2000.00"), "open")]
    assert take(db, D2) == SnapshotResult(opened=0, closed=0, unchanged=3)


def test_new_deals_get_versions_with_fresh_time_ordered_ids(db: Session) -> None:
    process, deals = _three_deals(db)
    take(db, D1)
    team = db.get(OrgUnit, deals[0].unit_id)
    assert team is not None
    with clock.frozen_at(T0):
        for _ in range(5):
            make_opportunity(db, team, None, version=process.version)

    result = take(db, D2)

    assert result == SnapshotResult(opened=5, closed=0, unchanged=3)
    stored = versions(db)
    ids = [v["id"] for v in stored]
    assert len(stored) == 8
    assert len(set(ids)) == 8
    assert {i.version for i in ids} == {7}
    assert {i.variant for i in ids} == {uuid.RFC_4122}
    assert len({v["opportunity_id"] for v in stored if v["valid_to"] is None}) == 8


def test_a_deleted_deal_takes_its_versions_with_it(db: Session) -> None:
    _process, deals = _three_deals(db)
    take(db, D1)

    db.delete(deals[0])
    db.flush()

    assert versions(db, deals[0]) == []
    assert take(db, D2) == SnapshotResult(opened=0, closed=0, unchanged=2)


# --- back-filling from the stage history ---------------------------------------------------


def test_from_history_rebuilds_the_state_at_the_end_of_each_china_day(db: Session) -> None:
    world = make_world(db)
    process = make_process(db)
    owner = make_user(db, world.team_a, "sales_rep")
    with clock.frozen_at(datetime(2026, 1, 5, 2, 0, tzinfo=UTC)):
        early = make_opportunity(
            db, world.team_a, owner, version=process.version, amount="1000", name="早"
        )
    # 23:00 on 20 January in Beijing: still the 20th there.
    move(db, early, process, "proposal", datetime(2026, 1, 20, 15, 0, tzinfo=UTC))
    # 01:00 on 22 January in Beijing (still the 21st in UTC): counts for the 22nd.
    move(db, early, process, "won", datetime(2026, 1, 21, 17, 0, tzinfo=UTC))
    with clock.frozen_at(datetime(2026, 1, 21, 3, 0, tzinfo=UTC)):
        late = make_opportunity(
            db, world.team_a, owner, version=process.version, amount="500", name="晚"
        )
        late.forecast_category = "commit"
    db.flush()

    assert end_of_day(db, date(2026, 1, 20)) == datetime(2026, 1, 20, 16, 0, tzinfo=UTC)
    results = [
        take(db, day, from_history=True)
        for day in (date(2026, 1, 4), date(2026, 1, 19), date(2026, 1, 20), date(2026, 1, 21))
    ]
    results.append(take(db, date(2026, 1, 22), from_history=True))
    results.append(take(db, date(2026, 1, 23)))

    assert results == [
        SnapshotResult(opened=0, closed=0, unchanged=0),
        SnapshotResult(opened=1, closed=0, unchanged=0),
        SnapshotResult(opened=1, closed=1, unchanged=0),
        SnapshotResult(opened=1, closed=0, unchanged=1),
        SnapshotResult(opened=1, closed=1, unchanged=1),
        SnapshotResult(opened=0, closed=0, unchanged=2),
    ]
    assert spans(db, early) == [
        (date(2026, 1, 19), date(2026, 1, 20), "prospect", CNY("1000.00"), "open"),
        (date(2026, 1, 20), date(2026, 1, 22), "proposal", CNY("1000.00"), "open"),
        (date(2026, 1, 22), None, "won", CNY("1000.00"), "won"),
    ]
    categories = [v["forecast_category"] for v in versions(db, early)]
    # Open versions of a deal that is won today fall back to "pipeline".
    assert categories == ["pipeline", "pipeline", "closed"]
    assert spans(db, late) == [(date(2026, 1, 21), None, "prospect", CNY("500.00"), "open")]
    assert versions(db, late)[0]["forecast_category"] == "commit"


def test_from_history_without_a_recorded_move_uses_the_stage_the_deal_left(
    db: Session,
) -> None:
    world = make_world(db)
    process = make_process(db)
    with clock.frozen_at(datetime(2026, 1, 5, 2, 0, tzinfo=UTC)):
        deal = make_opportunity(db, world.team_a, None, version=process.version)
    # The creation row is missing (an import): only the later move was recorded.
    db.execute(delete(StageHistory).where(StageHistory.opportunity_id == deal.id))
    move(db, deal, process, "closing", datetime(2026, 1, 10, 2, 0, tzinfo=UTC))

    take(db, date(2026, 1, 6), from_history=True)

    assert spans(db, deal) == [(date(2026, 1, 6), None, "prospect", CNY("100000.00"), "open")]


# --- the job --------------------------------------------------------------------------------


def test_the_nightly_job_runs_at_half_past_midnight_china_time_and_snapshots_that_day(
    db: Session, session_factory: sessionmaker[Session]
) -> None:
    _process, deals = _three_deals(db)
    db.commit()
    definition = get_job("pipeline-snapshot")
    assert definition.schedule == "30 16 * * *"
    assert next_run_after(definition, datetime(2026, 3, 2, 9, 0, tzinfo=UTC)) == datetime(
        2026, 3, 2, 16, 30, tzinfo=UTC
    )

    report = run_job(
        session_factory, "pipeline-snapshot", now=datetime(2026, 3, 2, 16, 30, tzinfo=UTC)
    )
    again = run_job(
        session_factory, "pipeline-snapshot", now=datetime(2026, 3, 2, 16, 31, tzinfo=UTC)
    )

    assert report.counts == {"opened": 3, "closed": 0, "unchanged": 0, "replaced": 0}
    assert again.counts == {"opened": 0, "closed": 0, "unchanged": 3, "replaced": 0}
    db.expire_all()
    assert [v["valid_from"] for v in versions(db)] == [D1, D1, D1]
    assert deals[0].id is not None
