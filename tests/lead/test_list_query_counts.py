"""N+1 guard for the lead list (masking is decided for the whole page in one query)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.fixtures.factories import as_user, make_user, make_world
from tests.fixtures.sales import make_lead
from tests.pool.test_list_query_counts import ROWS, assert_constant_statements


@pytest.mark.parametrize("role_code", ["auditor", "sales_director", "sales_manager"])
def test_lead_list_runs_a_fixed_number_of_statements(
    client: TestClient, db: Session, role_code: str
) -> None:
    world = make_world(db)
    owner = make_user(db, world.team_a, "sales_rep")
    units = [world.team_a, world.dept_a, world.team_a, world.dept_a, world.dept_b]
    for index in range(ROWS + 5):
        make_lead(db, units[index % len(units)], owner=owner if index % 2 else None)
    anchor = {"auditor": world.group, "sales_director": world.sub_a}.get(role_code, world.dept_a)
    _caller, headers = as_user(client, db, anchor, role_code)

    assert_constant_statements(client, db, "/api/v1/leads", headers)
