"""N+1 guard for the pool pages: 2 rows and 20 rows cost the same number of statements."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from flotilla.core import clock
from flotilla.models.customer import PoolRelease
from flotilla.models.identity import Position
from tests.fixtures.factories import as_user, make_unit, make_world
from tests.fixtures.sales import make_account, make_pool_account, make_pool_rule
from tests.user.test_list_query_counts import counting_statements

ROWS = 25


def assert_constant_statements(
    client: TestClient, db: Session, path: str, headers: dict[str, str], **params: str
) -> None:
    """Fail when a 20-row page runs more statements than a 2-row page (a per-row query)."""
    counts = []
    for limit in (2, 20):
        with counting_statements(db) as statements:
            response = client.get(
                path,
                params={"limit": limit, "include_total": "true", **params},
                headers=headers,
            )
        assert response.status_code == 200, response.text
        assert len(response.json()["items"]) == limit
        assert response.json()["next_cursor"]
        counts.append(list(statements))
    small, large = counts
    assert small, "the statement counter saw nothing"
    assert len(large) == len(small), (
        f"{path}: {len(small)} statements for 2 rows but {len(large)} for 20 rows:\n"
        + "\n---\n".join(large)
    )


@pytest.mark.parametrize("role_code", ["sales_rep", "sales_director", "group_sales_vp"])
def test_pool_page_runs_a_fixed_number_of_statements(
    client: TestClient, db: Session, role_code: str
) -> None:
    world = make_world(db)
    make_pool_rule(db, world.sub_b, max_accounts_per_rep=3)
    anchor = world.group if role_code == "group_sales_vp" else world.team_a
    caller, headers = as_user(
        client,
        db,
        anchor,
        role_code,
        grant_unit=world.sub_a if role_code == "sales_director" else None,
    )
    db.add(Position(user_id=caller.id, unit_id=world.dept_b.id, is_primary=False))
    make_account(db, world.team_a, owner=caller)
    for index in range(ROWS):
        account = make_pool_account(db, world.sub_a if index % 2 else world.sub_b)
        if index % 3 == 0:
            db.add(
                PoolRelease(
                    account_id=account.id,
                    user_id=caller.id,
                    subsidiary_id=account.subsidiary_id,
                    released_at=clock.now() - timedelta(days=index % 20),
                    reason="released",
                )
            )
    db.commit()

    assert_constant_statements(client, db, "/api/v1/pool", headers)


def test_pool_rules_list_runs_a_fixed_number_of_statements(client: TestClient, db: Session) -> None:
    world = make_world(db)
    for index in range(ROWS):
        subsidiary = make_unit(db, world.group, "subsidiary")
        if index % 2:
            make_pool_rule(db, subsidiary, cooldown_days=index)
    _admin, headers = as_user(client, db, world.group, "group_admin")

    assert_constant_statements(client, db, "/api/v1/pool-rules", headers)
