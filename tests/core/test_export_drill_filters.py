"""The drill-down filters every list shares, as checks the feature tests run on their own
list (``tests/<feature>/test_*_drill_filters.py``), and the day ranges behind them.

A day range (``<name>_from`` / ``<name>_to``) takes both days whole — on a time column, whole
UTC days — and refuses a start after the end; ``unit_id`` is the unit's subtree. Neither ever
widens the caller's scope: a director of subsidiary A finds nothing of sibling B, the group VP
finds it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Date, column, select
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from flotilla.core.errors import Invalid
from flotilla.core.list_filters import ANY_DAY, DayRange
from flotilla.models.org import OrgUnit
from tests.fixtures.factories import World, as_user, make_unit, make_world
from tests.opportunity.test_list_query_counts import assert_constant

# Makes one row of the list in a unit, at a day or moment; returns its id.
MakeRow = Callable[[OrgUnit], Any]
MakeDatedRow = Callable[[OrgUnit, Any], Any]

FIRST_DAY = date(2026, 3, 1)
LAST_DAY = date(2026, 3, 31)


def listed(client: TestClient, headers: dict[str, str], path: str, **params: Any) -> set[str]:
    """Ids of every row a list answers with these filters (one page of up to 500)."""
    response = client.get(path, params={"limit": 500, **params}, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["next_cursor"] is None
    return {item["id"] for item in body["items"]}


def director_and_vp(
    client: TestClient, db: Session, world: World
) -> tuple[dict[str, str], dict[str, str]]:
    """Headers of subsidiary A's sales director and of the group sales VP."""
    _director, director = as_user(client, db, world.sub_a, "sales_director")
    _vp, vp = as_user(client, db, world.group, "group_sales_vp")
    return director, vp


def _ids(*rows: Any) -> set[str]:
    return {str(row.id) for row in rows}


def check_day_range(
    client: TestClient,
    db: Session,
    path: str,
    name: str,
    make_row: MakeDatedRow,
    *,
    on_times: bool,
    **params: Any,
) -> None:
    """``<name>_from=2026-03-01&<name>_to=2026-03-31``: rows on the first and the last day are
    in (on a time column: the first and the last second of those UTC days), rows a moment
    before or after are out, sibling B's row is only the VP's; a start after the end is a 422
    on ``<name>_to``. ``make_row(unit, day or moment)``; ``params`` go with every request."""
    world = make_world(db)
    if on_times:
        first, last = _utc(FIRST_DAY), _utc(LAST_DAY + timedelta(days=1)) - timedelta(seconds=1)
        before, after = first - timedelta(seconds=1), last + timedelta(seconds=1)
        middle = _utc(date(2026, 3, 15)) + timedelta(hours=9)
    else:
        first, last = FIRST_DAY, LAST_DAY
        before, after = FIRST_DAY - timedelta(days=1), LAST_DAY + timedelta(days=1)
        middle = date(2026, 3, 15)
    inside = _ids(make_row(world.team_a, first), make_row(world.dept_a, last))
    outside = _ids(make_row(world.team_a, before), make_row(world.team_a, after))
    sibling = _ids(make_row(world.dept_b, middle))
    director, vp = director_and_vp(client, db, world)

    march = {f"{name}_from": FIRST_DAY.isoformat(), f"{name}_to": LAST_DAY.isoformat(), **params}
    assert listed(client, director, path, **march) == inside
    assert listed(client, vp, path, **march) == inside | sibling
    assert listed(client, director, path, **params) >= inside | outside
    assert_range_refused(client, director, path, name, "2026-04-01", "2026-03-31")


def assert_range_refused(
    client: TestClient, headers: dict[str, str], path: str, name: str, start: str, end: str
) -> None:
    """``<name>_from`` after ``<name>_to`` is a 422 naming ``<name>_to``."""
    response = client.get(path, params={f"{name}_from": start, f"{name}_to": end}, headers=headers)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert [(f["field"], f["code"]) for f in error["fields"]] == [
        (f"{name}_to", "greater_than_equal")
    ]
    assert start in error["fields"][0]["message"]


def check_unit_subtree(client: TestClient, db: Session, path: str, make_row: MakeRow) -> None:
    """``unit_id`` takes the unit and every unit below it, and only inside the scope."""
    world = make_world(db)
    deeper = make_row(make_unit(db, world.team_a, "team"))
    in_team = make_row(world.team_a)
    in_department = make_row(world.dept_a)
    make_row(world.sub_a)
    in_b = make_row(world.dept_b)
    director, vp = director_and_vp(client, db, world)

    assert listed(client, director, path, unit_id=str(world.dept_a.id)) == _ids(
        deeper, in_team, in_department
    )
    assert listed(client, director, path, unit_id=str(world.team_a.id)) == _ids(deeper, in_team)
    assert listed(client, director, path, unit_id=str(world.sub_b.id)) == set()
    assert listed(client, vp, path, unit_id=str(world.sub_b.id)) == _ids(in_b)


def check_query_count(
    client: TestClient, db: Session, path: str, make_row: MakeRow, **params: Any
) -> None:
    """With the drill filters on (``unit_id`` and ``params``), a 2-row and a 20-row page run
    the same statements. ``make_row(unit)`` makes a row that matches ``params``."""
    world = make_world(db)
    for _ in range(22):
        make_row(world.team_a)
    director, _vp = director_and_vp(client, db, world)
    assert_constant(client, db, path, director, unit_id=str(world.dept_a.id), **params)


def _utc(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def test_day_range_on_times_covers_whole_utc_days() -> None:
    march = DayRange.checked("closed", FIRST_DAY, LAST_DAY)
    at = column("closed_at")
    compiled = [
        str(c.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
        for c in march.on_utc_times(at)
    ]
    assert compiled == [
        "closed_at >= '2026-03-01 00:00:00.000000'",
        "closed_at < '2026-04-01 00:00:00.000000'",
    ]
    # The last representable day has no midnight after it: no upper bound at all.
    assert DayRange(None, date.max).on_utc_times(at) == []


def test_day_range_on_dates_is_inclusive() -> None:
    days = DayRange(date(2026, 1, 1), date(2026, 1, 31))
    signing = column("signing_date", Date)
    stmt = select(signing).where(*days.on_dates(signing))
    compiled = str(stmt.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
    assert "signing_date >= '2026-01-01'" in compiled
    assert "signing_date <= '2026-01-31'" in compiled
    assert not ANY_DAY
    assert ANY_DAY.on_dates(signing) == []


def test_a_range_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(Invalid) as raised:
        DayRange.checked("occurred", date(2026, 2, 1), date(2026, 1, 31))
    (error,) = raised.value.fields
    assert (error.field, error.code, error.params) == (
        "occurred_to",
        "greater_than_equal",
        {"ge": "2026-02-01"},
    )
    assert DayRange.checked("occurred", date(2026, 2, 1), date(2026, 2, 1))
