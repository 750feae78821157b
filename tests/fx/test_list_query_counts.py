"""N+1 guard for the FX-rate list: a 2-row page and a 20-row page run the same number of SQL
statements."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.fixtures.factories import as_user, make_world
from tests.fixtures.product import make_rate
from tests.opportunity.test_list_query_counts import assert_constant


def test_fx_rate_list_runs_a_fixed_number_of_statements(client: TestClient, db: Session) -> None:
    world = make_world(db)
    for month in range(1, 13):
        for currency in ("USD", "HKD", "SGD"):
            make_rate(db, currency, "CNY", date(2026, month, 1), "1.5")
    _finance, headers = as_user(client, db, world.sub_a, "finance")
    assert_constant(client, db, "/api/v1/fx-rates", headers)
    assert_constant(client, db, "/api/v1/fx-rates", headers, to_currency="CNY", sort="period")
