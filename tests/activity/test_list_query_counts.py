"""N+1 guard for the activity list and the overdue-task view."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from flotilla.core import clock
from tests.fixtures.factories import as_user, make_world
from tests.fixtures.sales import make_account, make_activity
from tests.pool.test_list_query_counts import ROWS, assert_constant_statements


@pytest.mark.parametrize("params", [{}, {"overdue": "true", "owner_id": "me"}])
def test_activity_list_runs_a_fixed_number_of_statements(
    client: TestClient, db: Session, params: dict[str, str]
) -> None:
    world = make_world(db)
    manager, headers = as_user(client, db, world.dept_a, "sales_manager")
    account = make_account(db, world.team_a, owner=manager)
    for index in range(ROWS):
        make_activity(
            db,
            world.team_a if index % 2 else world.dept_a,
            owner=manager,
            kind="task",
            account=account if index % 3 else None,
            due_at=clock.now() - timedelta(hours=index + 1),
        )
    db.commit()

    assert_constant_statements(client, db, "/api/v1/activities", headers, **params)
