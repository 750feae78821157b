"""N+1 guard: a list request runs the same number of SQL statements for 2 rows as for 20.

If one of these fails, something started loading data per row (a relationship, a lookup
in a loop). Load it in one query for the whole page instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from flotilla.models.identity import Position
from tests.fixtures.factories import World, as_user, make_unit, make_user, make_world

ROWS = 25


@contextmanager
def counting_statements(db: Session) -> Iterator[list[str]]:
    """Record every statement sent to the database on the test's connection."""
    target: Any = db.get_bind()  # the test's Connection (an Engine outside the harness)
    statements: list[str] = []

    def before_cursor_execute(
        _conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool
    ) -> None:
        statements.append(statement)

    event.listen(target, "before_cursor_execute", before_cursor_execute)
    try:
        yield statements
    finally:
        event.remove(target, "before_cursor_execute", before_cursor_execute)


def _statements_for(
    client: TestClient, db: Session, path: str, headers: dict[str, str], limit: int
) -> list[str]:
    with counting_statements(db) as statements:
        response = client.get(
            path, params={"limit": limit, "include_total": "true"}, headers=headers
        )
    assert response.status_code == 200, response.text
    body = response.json()
    assert len(body["items"]) == limit, f"expected a full page of {limit}, got {len(body['items'])}"
    assert body["next_cursor"], "the page should not be the last one"
    return list(statements)


def _assert_constant(client: TestClient, db: Session, path: str, headers: dict[str, str]) -> None:
    small = _statements_for(client, db, path, headers, limit=2)
    large = _statements_for(client, db, path, headers, limit=20)
    assert small, "the statement counter saw nothing; is it listening on the right connection?"
    assert len(large) == len(small), (
        f"{path}: {len(small)} statements for 2 rows but {len(large)} for 20 rows "
        "(a per-row query, i.e. N+1). Statements for 20 rows:\n" + "\n---\n".join(large)
    )


def _populate(db: Session, world: World) -> None:
    """Enough users (with part-time seats), units and audit events for a 20-row page."""
    units = [world.sub_a, world.dept_a, world.team_a, world.sub_b, world.dept_b]
    for index in range(ROWS):
        unit = make_unit(db, units[index % len(units)] if index % 2 else world.dept_a, "team")
        user = make_user(db, unit, "sales_rep")
        db.add(Position(user_id=user.id, unit_id=world.dept_b.id, is_primary=False))
    db.flush()


@pytest.mark.parametrize("role_code", ["group_admin", "auditor", "sales_director"])
def test_user_list_runs_a_fixed_number_of_statements(
    client: TestClient, db: Session, role_code: str
) -> None:
    world = make_world(db)
    _populate(db, world)
    anchor = world.group if role_code != "sales_director" else world.sub_b
    _caller, headers = as_user(client, db, anchor, role_code)

    _assert_constant(client, db, "/api/v1/users", headers)


@pytest.mark.parametrize("role_code", ["group_admin", "subsidiary_admin"])
def test_org_unit_list_runs_a_fixed_number_of_statements(
    client: TestClient, db: Session, role_code: str
) -> None:
    world = make_world(db)
    for _ in range(ROWS):
        make_unit(db, world.dept_b, "team")
    anchor = world.group if role_code == "group_admin" else world.sub_b
    _caller, headers = as_user(client, db, anchor, role_code)

    _assert_constant(client, db, "/api/v1/org-units", headers)


@pytest.mark.parametrize("role_code", ["auditor", "subsidiary_admin"])
def test_audit_event_list_runs_a_fixed_number_of_statements(
    client: TestClient, db: Session, role_code: str
) -> None:
    world = make_world(db)
    _populate(db, world)
    anchor = world.group if role_code == "auditor" else world.sub_b
    _caller, headers = as_user(client, db, anchor, role_code)

    _assert_constant(client, db, "/api/v1/audit-events", headers)
