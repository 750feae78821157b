"""The account list's drill-down filters: the created day range (new customers; whole UTC
days) and the unit subtree, inside the caller's scope."""

from __future__ import annotations

from datetime import datetime

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from flotilla.models.customer import Account
from flotilla.models.org import OrgUnit
from tests.core.test_export_drill_filters import (
    check_day_range,
    check_query_count,
    check_unit_subtree,
)
from tests.fixtures.sales import make_account

BASE = "/api/v1/accounts"


def test_created_range_takes_whole_utc_days(client: TestClient, db: Session) -> None:
    def created(unit: OrgUnit, at: datetime) -> Account:
        return make_account(db, unit, created_at=at)

    check_day_range(client, db, BASE, "created", created, on_times=True)


def test_unit_is_the_subtree(client: TestClient, db: Session) -> None:
    check_unit_subtree(client, db, BASE, lambda unit: make_account(db, unit))


def test_drill_filters_keep_the_query_count_constant(client: TestClient, db: Session) -> None:
    check_query_count(
        client, db, BASE, lambda unit: make_account(db, unit), created_from="2020-01-01"
    )
