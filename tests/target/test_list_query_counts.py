"""N+1 guard for targets: the list (with achievement and ranks), the cascade view and the
consistency check run the same number of SQL statements for 2 teams as for 14."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.fixtures.factories import World, as_user, make_unit, make_user, make_world
from tests.fixtures.receivable import make_rate
from tests.fixtures.target import make_target, signed_contract
from tests.user.test_list_query_counts import counting_statements

TARGETS = "/api/v1/targets"


def _populate(db: Session, world: World, teams: int) -> None:
    """Per team under dept_a: a rep, a CNY and an HKD contract, and team and rep targets for
    two metrics."""
    for index in range(teams):
        team = make_unit(db, world.dept_a, "team")
        rep = make_user(db, team, "sales_rep")
        signed_contract(db, team, "1000.00", date(2026, 4, 10 + index % 10), owner=rep)
        signed_contract(db, team, "500.00", date(2026, 5, 3), owner=rep, currency="HKD")
        for metric, value in (("contract_amount", "3000.00"), ("won_deals", "2")):
            make_target(db, team, value, metric=metric)
            make_target(db, team, value, metric=metric, assignee=rep)
    db.commit()


def _statements(
    client: TestClient, db: Session, headers: dict[str, str], path: str, **params: Any
) -> tuple[int, int]:
    with counting_statements(db) as statements:
        response = client.get(path, params={"period": "2026-Q2", **params}, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    return len(statements), len(body.get("items", body.get("issues", [])))


@pytest.mark.parametrize(
    ("role_code", "anchor"), [("group_sales_vp", "group"), ("sales_director", "sub_a")]
)
def test_target_reads_run_a_fixed_number_of_statements(
    client: TestClient, db: Session, role_code: str, anchor: str
) -> None:
    world = make_world(db)
    make_rate(db, "HKD", "CNY", date(2026, 5, 1), "0.92", rate_type="average")
    make_target(db, world.dept_a, "10000.00")
    make_target(db, world.dept_a, "10", metric="won_deals")
    _populate(db, world, teams=2)
    _caller, headers = as_user(client, db, getattr(world, anchor), role_code)
    reads: list[tuple[str, dict[str, Any]]] = [
        (TARGETS, {}),
        (TARGETS, {"metric": "contract_amount"}),
        (TARGETS, {"unit_id": str(world.dept_a.id), "include_children": "true"}),
        (f"{TARGETS}/consistency", {"all": "true"}),
    ]
    few = [_statements(client, db, headers, path, **params) for path, params in reads]

    _populate(db, world, teams=12)
    many = [_statements(client, db, headers, path, **params) for path, params in reads]

    for (path, params), (few_count, few_rows), (many_count, many_rows) in zip(
        reads, few, many, strict=True
    ):
        assert many_rows > few_rows, f"{path} {params}: the population did not grow"
        assert many_count == few_count, (
            f"{path} {params}: {few_count} statements for {few_rows} rows but {many_count} "
            f"for {many_rows} (a per-row query)"
        )
