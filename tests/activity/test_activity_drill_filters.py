"""The activity list's drill-down filters: the occurred day range (whole UTC days) and the
unit subtree, inside the caller's scope."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from flotilla.models.org import OrgUnit
from flotilla.models.sales import Activity
from tests.core.test_export_drill_filters import (
    check_day_range,
    check_query_count,
    check_unit_subtree,
)
from tests.fixtures.sales import make_activity

BASE = "/api/v1/activities"


def test_occurred_range_takes_whole_utc_days(client: TestClient, db: Session) -> None:
    def occurred(unit: OrgUnit, at: datetime) -> Activity:
        return make_activity(db, unit, occurred_at=at)

    check_day_range(client, db, BASE, "occurred", occurred, on_times=True)


def test_unit_is_the_subtree(client: TestClient, db: Session) -> None:
    check_unit_subtree(client, db, BASE, lambda unit: make_activity(db, unit))


def test_drill_filters_keep_the_query_count_constant(client: TestClient, db: Session) -> None:
    at = datetime(2026, 5, 10, 8, 0, tzinfo=UTC)
    check_query_count(
        client,
        db,
        BASE,
        lambda unit: make_activity(db, unit, occurred_at=at),
        occurred_from="2026-05-01",
        occurred_to="2026-05-31",
    )
