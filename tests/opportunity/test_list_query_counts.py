"""N+1 guard for the opportunity and process-template lists: a 2-row page and a 20-row page
run the same number of SQL statements."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from flotilla.process.seed import ensure_standard_template, ensure_subsidiary_variant
from tests.fixtures.factories import World, as_user, login, make_unit, make_user, make_world
from tests.fixtures.process import (
    SIMPLE_STAGES,
    add_member,
    latest_version,
    make_account,
    make_opportunity,
    make_template,
)
from tests.user.test_list_query_counts import counting_statements

ROWS = 32


def _statements(
    client: TestClient,
    db: Session,
    path: str,
    headers: dict[str, str],
    limit: int,
    params: dict[str, Any],
) -> list[str]:
    with counting_statements(db) as statements:
        response = client.get(
            path, params={"limit": limit, "include_total": "true", **params}, headers=headers
        )
    assert response.status_code == 200, response.text
    body = response.json()
    assert len(body["items"]) == limit, f"expected {limit} rows, got {len(body['items'])}"
    assert body["next_cursor"]
    return list(statements)


def assert_constant(
    client: TestClient, db: Session, path: str, headers: dict[str, str], **params: Any
) -> None:
    small = _statements(client, db, path, headers, 2, params)
    large = _statements(client, db, path, headers, 20, params)
    assert small
    assert len(large) == len(small), (
        f"{path} {params}: {len(small)} statements for 2 rows but {len(large)} for 20 rows. "
        "Statements for 20 rows:\n" + "\n---\n".join(large)
    )


def _populate(db: Session, world: World) -> None:
    standard = latest_version(db, ensure_standard_template(db))
    variant = latest_version(db, ensure_subsidiary_variant(db, world.sub_a))
    simple = latest_version(db, make_template(db, SIMPLE_STAGES, code="SIMPLE"))
    versions = [standard, variant, simple]
    units = [world.team_a, world.dept_a, world.sub_a, world.dept_b]
    specialist = make_user(db, world.dept_b, "sales_rep", username="specialist")
    for index in range(ROWS):
        unit = make_unit(db, units[index % len(units)], "team")
        owner = make_user(db, unit, "sales_rep")
        account = make_account(db, unit, owner)
        deal = make_opportunity(
            db,
            unit,
            owner,
            version=versions[index % len(versions)],
            account=account,
            expected_close_date=date(2027, 1, 1) + timedelta(days=index) if index % 3 else None,
        )
        deal.stage_entered_at = deal.stage_entered_at - timedelta(days=40)  # stalled
        add_member(db, deal, specialist, "SR")
        add_member(db, deal, make_user(db, world.team_a), "FR")
    db.flush()


@pytest.mark.parametrize(
    ("role_code", "anchor"),
    [("group_sales_vp", "group"), ("sales_director", "sub_a"), ("sales_manager", "dept_a")],
)
def test_opportunity_list_runs_a_fixed_number_of_statements(
    client: TestClient, db: Session, role_code: str, anchor: str
) -> None:
    world = make_world(db)
    _populate(db, world)
    _caller, headers = as_user(client, db, getattr(world, anchor), role_code)
    if role_code == "sales_manager":
        # Only part of the population sits below dept_a: add a full page's worth there.
        standard = latest_version(db, ensure_standard_template(db))
        for _ in range(ROWS):
            deal = make_opportunity(db, make_unit(db, world.dept_a, "team"), version=standard)
            deal.stage_entered_at = deal.stage_entered_at - timedelta(days=40)
        db.commit()

    path = "/api/v1/opportunities"
    assert_constant(client, db, path, headers)
    assert_constant(client, db, path, headers, sort="expected_close_date", status="open")
    assert_constant(client, db, path, headers, sort="-amount", stalled="true")


def test_a_member_s_list_runs_a_fixed_number_of_statements(client: TestClient, db: Session) -> None:
    world = make_world(db)
    _populate(db, world)
    db.commit()
    headers = login(client, "specialist")
    assert_constant(client, db, "/api/v1/opportunities", headers)


def test_process_template_list_runs_a_fixed_number_of_statements(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    for index in range(ROWS):
        template = make_template(db, SIMPLE_STAGES if index % 2 else None, code=f"T-{index:02d}")
        template.is_active = False
    _caller, headers = as_user(client, db, world.team_a, "sales_rep")
    assert_constant(client, db, "/api/v1/process-templates", headers)
