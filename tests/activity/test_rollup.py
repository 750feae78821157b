"""The monthly activity roll-up stays equal to ``GROUP BY`` over the activities, in the same
transaction as every write: logging, moving and deleting activities, many in one flush,
rolled-back work, bulk loads followed by ``rebuild``, and the CLI command."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from flotilla.activity.rollup import rebuild
from flotilla.cli import app as cli_app
from flotilla.core import audit, clock
from flotilla.core.db import make_engine, make_session_factory
from flotilla.core.ids import new_id
from flotilla.core.scope import mark_system_session
from flotilla.core.settings import get_settings
from flotilla.models.analytics import NO_OWNER, ActivityMonth
from flotilla.models.sales import Activity
from tests.fixtures.factories import as_user, make_user, make_world
from tests.fixtures.sales import make_activity

if TYPE_CHECKING:
    from tests.conftest import DatabaseFactory

ACTIVITIES = "/api/v1/activities"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MARCH = date(2026, 3, 1)
FEBRUARY = date(2026, 2, 1)
JANUARY = date(2026, 1, 1)

Key = tuple[date, uuid.UUID, uuid.UUID, str]


def rollup(session: Session) -> dict[Key, int]:
    """The roll-up table as a dict (read from the core table: no scope involved)."""
    table = ActivityMonth.__table__
    rows = session.execute(
        select(table.c.month, table.c.unit_id, table.c.owner_id, table.c.kind, table.c.count)
    ).all()
    return {(r.month, r.unit_id, r.owner_id, r.kind): r.count for r in rows}


def grouped(session: Session) -> dict[Key, int]:
    """What the roll-up must equal: activities counted per UTC month, unit, owner, kind."""
    table = Activity.__table__
    counts: Counter[Key] = Counter()
    for row in session.execute(
        select(table.c.occurred_at, table.c.unit_id, table.c.owner_id, table.c.kind)
    ):
        moment = row.occurred_at
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC)
        month = date(moment.year, moment.month, 1)
        counts[(month, row.unit_id, row.owner_id or NO_OWNER, row.kind)] += 1
    return dict(counts)


def assert_in_step(session: Session) -> None:
    session.expire_all()
    assert rollup(session) == grouped(session)


def _post(client: TestClient, headers: dict[str, str], **body: Any) -> Any:
    response = client.post(ACTIVITIES, json={"subject": "跟进", **body}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_logged_activities_are_counted_per_utc_month_unit_owner_and_kind(
    client: TestClient, db: Session
) -> None:
    with clock.frozen_at(T0):
        world = make_world(db)
        rep, headers = as_user(client, db, world.team_a, "sales_rep")
        _post(client, headers, kind="call")
        _post(client, headers, kind="call", occurred_at="2026-03-01T00:00:00Z")
        # 2026-03-01 04:00 in Beijing is still February in UTC.
        _post(client, headers, kind="call", occurred_at="2026-02-28T20:00:00Z")
        _post(client, headers, kind="visit", occurred_at="2026-02-10T08:00:00+08:00")
        _post(client, headers, kind="task", due_at="2026-03-09T09:00:00Z")

    assert rollup(db) == {
        (MARCH, world.team_a.id, rep.id, "call"): 2,
        (FEBRUARY, world.team_a.id, rep.id, "call"): 1,
        (FEBRUARY, world.team_a.id, rep.id, "visit"): 1,
        (MARCH, world.team_a.id, rep.id, "task"): 1,
    }
    assert_in_step(db)


def test_moving_an_activity_to_another_unit_owner_or_month_moves_its_count(
    client: TestClient, db: Session
) -> None:
    with clock.frozen_at(T0):
        world = make_world(db)
        manager, headers = as_user(client, db, world.dept_a, "sales_manager")
        colleague = make_user(db, world.team_a, "sales_rep")
        db.commit()
        first = _post(client, headers, kind="meeting", unit_id=str(world.team_a.id))
        _post(client, headers, kind="meeting", unit_id=str(world.team_a.id))
        assert rollup(db) == {(MARCH, world.team_a.id, manager.id, "meeting"): 2}

        response = client.patch(
            f"{ACTIVITIES}/{first['id']}",
            json={
                "version": first["version"],
                "unit_id": str(world.dept_a.id),
                "owner_id": str(colleague.id),
                "occurred_at": "2026-01-15T10:00:00Z",
            },
            headers=headers,
        )
        assert response.status_code == 200, response.text

    assert rollup(db) == {
        (MARCH, world.team_a.id, manager.id, "meeting"): 1,
        (JANUARY, world.dept_a.id, colleague.id, "meeting"): 1,
    }
    assert_in_step(db)


def test_an_edit_that_keeps_unit_owner_kind_and_month_changes_nothing(
    client: TestClient, db: Session
) -> None:
    with clock.frozen_at(T0):
        world = make_world(db)
        rep, headers = as_user(client, db, world.team_a, "sales_rep")
        logged = _post(client, headers, kind="email", occurred_at="2026-03-01T01:00:00Z")
        response = client.patch(
            f"{ACTIVITIES}/{logged['id']}",
            json={"version": logged["version"], "subject": "改过", "occurred_at": T0.isoformat()},
            headers=headers,
        )
        assert response.status_code == 200, response.text

    assert rollup(db) == {(MARCH, world.team_a.id, rep.id, "email"): 1}


def test_deleting_activities_decrements_and_drops_empty_rows(db: Session) -> None:
    world = make_world(db)
    rep = make_user(db, world.team_a, "sales_rep")
    with clock.frozen_at(T0):
        kept = make_activity(db, world.team_a, owner=rep, kind="call")
        gone = make_activity(db, world.team_a, owner=rep, kind="call")
        note = make_activity(db, world.team_a, owner=rep, kind="note")
    assert rollup(db) == {
        (MARCH, world.team_a.id, rep.id, "call"): 2,
        (MARCH, world.team_a.id, rep.id, "note"): 1,
    }

    db.delete(gone)
    db.delete(note)
    db.flush()

    assert rollup(db) == {(MARCH, world.team_a.id, rep.id, "call"): 1}
    assert kept.id is not None
    assert_in_step(db)


def test_many_activities_in_one_flush_and_changes_to_unloaded_attributes(db: Session) -> None:
    world = make_world(db)
    rep = make_user(db, world.team_a, "sales_rep")
    moments = [T0, T0, datetime(2026, 2, 3, tzinfo=UTC), datetime(2026, 2, 4, tzinfo=UTC)]
    activities = [
        Activity(
            kind="visit",
            subject=f"拜访{n}",
            occurred_at=moment,
            completed_at=moment,
            subsidiary_id=world.sub_a.id,
            unit_id=world.team_a.id,
            owner_id=rep.id if n % 2 == 0 else None,
        )
        for n, moment in enumerate(moments)
    ]
    db.add_all(activities)
    db.flush()
    assert rollup(db) == {
        (MARCH, world.team_a.id, rep.id, "visit"): 1,
        (MARCH, world.team_a.id, NO_OWNER, "visit"): 1,
        (FEBRUARY, world.team_a.id, rep.id, "visit"): 1,
        (FEBRUARY, world.team_a.id, NO_OWNER, "visit"): 1,
    }

    # Attributes expired (not loaded) when set: the previous values still come off the books.
    db.expire(activities[0])
    db.expire(activities[3])
    activities[0].kind = "meeting"
    activities[3].unit_id = world.dept_a.id
    activities[3].owner_id = rep.id
    db.flush()

    assert rollup(db) == {
        (MARCH, world.team_a.id, NO_OWNER, "visit"): 1,
        (MARCH, world.team_a.id, rep.id, "meeting"): 1,
        (FEBRUARY, world.team_a.id, rep.id, "visit"): 1,
        (FEBRUARY, world.dept_a.id, rep.id, "visit"): 1,
    }
    assert_in_step(db)


def test_a_rolled_back_transaction_leaves_the_rollup_unchanged(
    db: Session, session_factory: sessionmaker[Session]
) -> None:
    world = make_world(db)
    rep = make_user(db, world.team_a, "sales_rep")
    with clock.frozen_at(T0):
        existing = make_activity(db, world.team_a, owner=rep, kind="call")
    db.commit()
    before = {(MARCH, world.team_a.id, rep.id, "call"): 1}
    assert rollup(db) == before

    other = session_factory()
    mark_system_session(other)
    audit.set_context(other, audit.SYSTEM_CONTEXT)
    with clock.frozen_at(T0):
        make_activity(other, world.team_a, owner=rep, kind="call")
        make_activity(other, world.dept_a, owner=rep, kind="visit")
    moved = other.get(Activity, existing.id)
    assert moved is not None
    moved.owner_id = None
    other.flush()
    assert rollup(other) == {
        (MARCH, world.team_a.id, rep.id, "call"): 1,
        (MARCH, world.team_a.id, NO_OWNER, "call"): 1,
        (MARCH, world.dept_a.id, rep.id, "visit"): 1,
    }
    other.rollback()
    other.close()

    db.expire_all()
    assert rollup(db) == before
    assert_in_step(db)


def test_rebuild_recomputes_the_rollup_after_a_bulk_load(db: Session) -> None:
    world = make_world(db)
    rep = make_user(db, world.team_a, "sales_rep")
    with clock.frozen_at(T0):
        make_activity(db, world.team_a, owner=rep, kind="call")
    rows = [
        {
            "id": new_id(),
            "kind": kind,
            "subject": "批量",
            "occurred_at": moment,
            "completed_at": moment,
            "subsidiary_id": world.sub_a.id,
            "unit_id": unit.id,
            "owner_id": owner,
            "version": 1,
            "created_at": moment,
            "updated_at": moment,
        }
        for kind, moment, unit, owner in [
            ("call", T0, world.team_a, rep.id),
            ("call", datetime(2026, 1, 31, 23, 59, tzinfo=UTC), world.team_a, rep.id),
            ("email", datetime(2026, 2, 1, tzinfo=UTC), world.dept_a, None),
            ("email", datetime(2026, 2, 28, tzinfo=UTC), world.dept_a, None),
        ]
    ]
    db.execute(insert(Activity), rows)
    # A bulk statement bypasses the unit of work: the roll-up has not seen these rows.
    assert rollup(db) == {(MARCH, world.team_a.id, rep.id, "call"): 1}

    assert rebuild(db) == 3

    assert rollup(db) == {
        (MARCH, world.team_a.id, rep.id, "call"): 2,
        (JANUARY, world.team_a.id, rep.id, "call"): 1,
        (FEBRUARY, world.dept_a.id, NO_OWNER, "email"): 2,
    }
    table = ActivityMonth.__table__
    subsidiaries = set(db.execute(select(table.c.subsidiary_id)).scalars())
    assert subsidiaries == {world.sub_a.id}
    assert_in_step(db)


@pytest.fixture
def cli_session_factory(
    database_factory: DatabaseFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[sessionmaker[Session]]:
    """A fresh migrated database that ``FLOTILLA_DATABASE_URL`` points the command at."""
    database = database_factory.create()
    get_settings.cache_clear()
    monkeypatch.setenv("FLOTILLA_DATABASE_URL", database.url)
    engine = make_engine(database.url)
    try:
        yield make_session_factory(engine)
    finally:
        engine.dispose()
        monkeypatch.undo()
        get_settings.cache_clear()


def test_the_rebuild_rollups_command_rebuilds_and_commits(
    cli_session_factory: sessionmaker[Session],
) -> None:
    with cli_session_factory() as session:
        mark_system_session(session)
        audit.set_context(session, audit.SYSTEM_CONTEXT)
        world = make_world(session)
        rep = make_user(session, world.team_a, "sales_rep")
        with clock.frozen_at(T0):
            make_activity(session, world.team_a, owner=rep, kind="call")
        session.execute(ActivityMonth.__table__.delete())
        session.commit()
        team_id, rep_id = world.team_a.id, rep.id

    result = CliRunner().invoke(cli_app, ["analytics", "rebuild-rollups"])

    assert result.exit_code == 0, (result.output, result.exception)
    assert "activity roll-up rebuilt: 1 rows" in result.output
    with cli_session_factory() as session:
        assert rollup(session) == {(MARCH, team_id, rep_id, "call"): 1}
