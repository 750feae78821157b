"""N+1 guard for the policy list: a 2-row page and a 20-row page run the same number of SQL
statements, whoever reads it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.fixtures.approval_policy import make_policy
from tests.fixtures.factories import as_user, make_unit, make_world
from tests.opportunity.test_list_query_counts import assert_constant

ROWS = 24


@pytest.mark.parametrize(
    ("role_code", "anchor"),
    [("group_admin", "group"), ("sales_director", "sub_a"), ("sales_rep", "team_a")],
)
def test_policy_list_runs_a_fixed_number_of_statements(
    client: TestClient, db: Session, role_code: str, anchor: str
) -> None:
    world = make_world(db)
    extra_subsidiaries = [make_unit(db, world.group, "subsidiary") for _ in range(4)]
    for index in range(ROWS):
        make_policy(db, priority=index % 5)
        make_policy(db, subsidiary=world.sub_a, action="contract.sign")
        make_policy(db, subsidiary=extra_subsidiaries[index % 4])
    _caller, headers = as_user(client, db, getattr(world, anchor), role_code)
    path = "/api/v1/approval-policies"
    assert_constant(client, db, path, headers)
    assert_constant(client, db, path, headers, sort="-code", is_active="true")
    assert_constant(client, db, path, headers, action="contract.sign")
