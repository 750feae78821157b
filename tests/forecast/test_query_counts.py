"""The funnel and the forecast are aggregates: the number of SQL statements does not grow
with the deals, their history, units, currencies or process versions.

The ceilings count everything a request sends (savepoint, authentication, scope): the
funnel runs six aggregates, the forecast one per figure family plus two per back-test
quarter."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from flotilla.core import clock
from flotilla.models.identity import User
from tests.fixtures.factories import World, login, make_unit, make_user
from tests.fixtures.receivable import make_rate
from tests.forecast.builders import make_deal, make_process
from tests.forecast.test_forecast import make_example
from tests.user.test_list_query_counts import counting_statements

NOW = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)
PATHS: tuple[list[tuple[str, str]], ...] = (
    [("lead", "2025-11-02"), ("proposal", "2026-01-10"), ("won", "2026-04-03")],
    [("lead", "2026-04-02"), ("proposal", "2026-04-20")],
    [("lead", "2025-08-01"), ("negotiation", "2025-09-01"), ("lost", "2025-12-20")],
    [("proposal", "2026-02-14"), ("negotiation", "2026-03-01"), ("proposal", "2026-05-02")],
    [("lead", "2026-05-03")],
)


@pytest.fixture
def frozen() -> Iterator[None]:
    with clock.frozen_at(NOW):
        yield


def _statements(client: TestClient, db: Session, path: str, user: User, **params: Any) -> list[str]:
    headers = login(client, user)
    with counting_statements(db) as statements:
        response = client.get(path, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return list(statements)


def _grow(db: Session, world: World, rows: int) -> None:
    """Deals in new teams of both subsidiaries, on the standard and on a variant, in three
    currencies (one without rates), each with a history of two or three moves."""
    versions = [make_process(db), make_process(db, subsidiary=world.sub_b)]
    make_rate(db, "USD", "CNY", date(2026, 5, 1), "7.10", "period_end")
    parents = [world.team_a, world.dept_a, world.dept_b]
    for index in range(rows):
        unit = make_unit(db, parents[index % len(parents)], "team")
        owner = make_user(db, unit, "sales_rep")
        make_deal(
            db,
            unit,
            versions[index % 2],
            PATHS[index % len(PATHS)],
            amount=str(1000 * (index + 1)),
            currency=("CNY", "HKD", "USD", "EUR")[index % 4],
            category=("pipeline", "best_case", "commit", "omitted")[index % 4],
            expected_close=("2026-06-30", "2026-03-31", "2025-12-31", "2026-05-31")[index % 4],
            owner=owner,
        )
    db.commit()


@pytest.mark.parametrize(
    ("path", "params", "most"),
    [
        ("/api/v1/analytics/funnel", {"from": "2025-07-01", "to": "2026-05-20"}, 17),
        ("/api/v1/analytics/forecast", {}, 26),
        ("/api/v1/analytics/forecast", {"currency": "USD", "period": "2026"}, 26),
    ],
)
def test_funnel_and_forecast_run_a_fixed_number_of_statements(
    client: TestClient, db: Session, frozen: None, path: str, params: dict[str, str], most: int
) -> None:
    example = make_example(db)
    users = (example.vp, example.director_a)
    few = [_statements(client, db, path, user, **params) for user in users]
    _grow(db, example.world, 24)
    many = [_statements(client, db, path, user, **params) for user in users]
    for before, after in zip(few, many, strict=True):
        assert len(before) == len(after), (
            f"{path}: {len(before)} statements before and {len(after)} after adding deals:\n"
            + "\n---\n".join(after)
        )
        assert len(after) <= most, "\n---\n".join(after)
