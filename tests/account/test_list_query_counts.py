"""N+1 guard for the customer master: a list request runs the same number of SQL
statements for 2 rows as for 20 (accounts, contacts, conflicts)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.fixtures.customer import (
    company_name,
    make_account,
    make_conflict,
    make_contact,
    make_third_subsidiary,
)
from tests.fixtures.factories import World, as_user, make_unit, make_user, make_world
from tests.user.test_list_query_counts import _assert_constant, counting_statements

ROWS = 25


def _populate(db: Session, world: World) -> None:
    """Accounts spread over units and owners, each with a contact and a conflict raised
    from sub B against it."""
    _sub_c, dept_c = make_third_subsidiary(db, world.group)
    for index in range(ROWS):
        unit = make_unit(db, world.dept_a if index % 2 else world.sub_a, "team")
        owner = make_user(db, unit, "sales_rep")
        account = make_account(db, unit, company_name(500 + index), owner=owner)
        make_contact(db, account)
        requester = make_user(db, world.dept_b, "sales_rep")
        make_conflict(
            db,
            requesting_unit=world.dept_b,
            requested_by=requester,
            protecting_unit=unit,
            account=account,
        )
        make_conflict(
            db,
            requesting_unit=dept_c,
            requested_by=make_user(db, dept_c, None),
            protecting_unit=unit,
            account=account,
        )
    db.flush()


@pytest.mark.parametrize(
    ("role_code", "anchor"),
    [("group_admin", "group"), ("sales_director", "sub_a"), ("auditor", "group")],
)
@pytest.mark.parametrize("path", ["/api/v1/accounts", "/api/v1/contacts", "/api/v1/conflicts"])
def test_customer_lists_run_a_fixed_number_of_statements(
    client: TestClient, db: Session, role_code: str, anchor: str, path: str
) -> None:
    world = make_world(db)
    _populate(db, world)
    _caller, headers = as_user(client, db, getattr(world, anchor), role_code)

    _assert_constant(client, db, path, headers)


def test_account_search_runs_a_fixed_number_of_statements(client: TestClient, db: Session) -> None:
    world = make_world(db)
    _populate(db, world)
    _caller, headers = as_user(client, db, world.sub_a, "sales_director")

    counts = []
    for limit in (2, 20):
        with counting_statements(db) as statements:
            response = client.get(
                "/api/v1/accounts",
                params={"q": "youxian", "limit": limit, "include_total": "true"},
                headers=headers,
            )
        assert response.status_code == 200, response.text
        assert len(response.json()["items"]) == limit
        assert response.json()["total"] == ROWS
        assert any("account_search_key" in statement for statement in statements)
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
