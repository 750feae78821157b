"""Reading the trail: ``GET /api/v1/audit-events`` through the caller's ``audit.read`` scope,
with filters, cursor pagination and per-record field history."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flotilla.core import clock
from flotilla.models.audit import AuditEvent
from flotilla.models.identity import Role
from flotilla.models.org import OrgUnit
from tests.fixtures.factories import World, as_user, make_unit, make_user, make_world

URL = "/api/v1/audit-events"


@pytest.fixture
def world(db: Session) -> World:
    return make_world(db)


def fetch(client: TestClient, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    response = client.get(URL, params=params, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def walk(client: TestClient, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    """Every item of a listing, following next_cursor to the end."""
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(10_000):
        query = {**params, **({"cursor": cursor} if cursor else {})}
        body = fetch(client, headers, **query)
        items.extend(body["items"])
        cursor = body["next_cursor"]
        if not cursor:
            return items
    raise AssertionError("pagination never ended")


def all_events(client: TestClient, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    return walk(client, headers, limit=500, **params)


def total_in_db(db: Session) -> int:
    return db.execute(select(func.count()).select_from(AuditEvent)).scalar_one()


def subtree_ids(db: Session, unit: OrgUnit) -> set[str]:
    rows = db.execute(select(OrgUnit.id).where(OrgUnit.path.startswith(unit.path))).scalars()
    return {str(i) for i in rows}


# --- who may read what --------------------------------------------------------------------


def test_a_caller_without_audit_read_gets_an_empty_list(
    client: TestClient, db: Session, world: World
) -> None:
    make_unit(db, world.team_a, "team", "甲一组下的小组")
    rep, headers = as_user(client, db, world.team_a, "sales_rep")
    assert total_in_db(db) > 0  # there is plenty to leak, including the rep's own login

    body = fetch(client, headers, include_total="true")
    assert body["items"] == []
    assert body["total"] == 0
    assert body["next_cursor"] is None
    # Not even the rep's own records or own actions, by filter.
    assert fetch(client, headers, actor_id=str(rep.id))["items"] == []
    assert fetch(client, headers, entity_id=str(world.team_a.id))["items"] == []


def test_anonymous_callers_are_refused(client: TestClient) -> None:
    response = client.get(URL)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_a_subsidiary_admin_sees_their_subsidiarys_events_only(
    client: TestClient, db: Session, world: World
) -> None:
    own_team = make_unit(db, world.dept_a, "team", "甲二组")
    own_person = make_user(db, world.team_a, "sales_rep")
    sibling_team = make_unit(db, world.dept_b, "team", "乙一组")
    sibling_person = make_user(db, world.dept_b, "sales_rep")
    custom_role = Role(code="custom_viewer", name="自定义角色", data_scope="group", permissions=[])
    db.add(custom_role)
    _auditor = make_user(db, world.group, "auditor")  # a grant anchored at the group root
    db.flush()
    sub_admin, headers = as_user(client, db, world.sub_a, "subsidiary_admin")

    seen = all_events(client, headers)
    seen_entities = {e["entity_id"] for e in seen}
    assert {str(own_team.id), str(own_person.id)} <= seen_entities
    assert str(sibling_team.id) not in seen_entities
    assert str(sibling_person.id) not in seen_entities
    assert str(custom_role.id) not in seen_entities
    assert not [e for e in seen if e["entity_type"] == "role"], "group-level role events leaked"

    reachable = subtree_ids(db, world.sub_a)
    for event in seen:
        assert event["unit_id"] in reachable or event["actor_id"] == str(sub_admin.id), event
    # What they can see is exactly what the trail holds inside subsidiary A (+ own actions).
    in_reach = db.execute(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.unit_id.in_([uuid.UUID(u) for u in reachable])
            | (AuditEvent.actor_id == sub_admin.id)
        )
    ).scalar_one()
    assert len(seen) == in_reach


def test_a_subsidiary_admin_cannot_reach_a_sibling_event_by_filtering_for_it(
    client: TestClient, db: Session, world: World
) -> None:
    sibling_team = make_unit(db, world.dept_b, "team", "乙一组")
    _sub_admin, headers = as_user(client, db, world.sub_a, "subsidiary_admin")
    for params in (
        {"entity_id": str(sibling_team.id)},
        {"entity_type": "org_unit", "entity_id": str(sibling_team.id)},
        {"entity_type": "role"},
    ):
        assert fetch(client, headers, **params)["items"] == [], params


def test_a_group_auditor_sees_every_event(client: TestClient, db: Session, world: World) -> None:
    make_unit(db, world.dept_b, "team", "乙一组")
    _auditor, headers = as_user(client, db, world.group, "auditor")
    seen = all_events(client, headers)
    assert len(seen) == total_in_db(db)
    assert {e["entity_type"] for e in seen} >= {"role", "org_unit", "app_user", "role_grant"}


# --- filters -------------------------------------------------------------------------------


def test_filtering_by_entity_type_returns_only_that_type(
    client: TestClient, db: Session, world: World
) -> None:
    _auditor, headers = as_user(client, db, world.group, "auditor")
    units = all_events(client, headers, entity_type="org_unit")
    assert units and {e["entity_type"] for e in units} == {"org_unit"}
    expected = db.execute(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.entity_type == "org_unit")
    ).scalar_one()
    assert len(units) == expected


def test_filtering_by_entity_id_returns_only_that_record(
    client: TestClient, db: Session, world: World
) -> None:
    _auditor, headers = as_user(client, db, world.group, "auditor")
    found = all_events(client, headers, entity_id=str(world.dept_a.id))
    assert [(e["action"], e["entity_id"]) for e in found] == [
        ("org_unit.create", str(world.dept_a.id))
    ]


def test_filtering_by_actor_returns_only_that_actors_events(
    client: TestClient, db: Session, world: World
) -> None:
    first, first_headers = as_user(client, db, world.group, "group_admin")
    second, second_headers = as_user(client, db, world.group, "group_admin")
    for headers, code in ((first_headers, "BY-FIRST"), (second_headers, "BY-SECOND")):
        response = client.post(
            "/api/v1/org-units",
            json={
                "parent_id": str(world.sub_a.id),
                "kind": "department",
                "code": code,
                "name": code,
            },
            headers=headers,
        )
        assert response.status_code == 201, response.text

    mine = all_events(client, first_headers, actor_id=str(first.id))
    assert [e["action"] for e in mine] == ["org_unit.create", "auth.login"]
    assert {e["actor_id"] for e in mine} == {str(first.id)}
    assert mine[0]["entity_label"] == "BY-FIRST"
    theirs = all_events(client, first_headers, actor_id=str(second.id))
    assert [e["entity_label"] for e in theirs if e["action"] == "org_unit.create"] == ["BY-SECOND"]


def test_filtering_by_time_window_includes_since_and_excludes_until(
    client: TestClient, db: Session, world: World
) -> None:
    start = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
    made: dict[str, OrgUnit] = {}
    for hours in (0, 1, 2, 3):
        with clock.frozen_at(start + timedelta(hours=hours)):
            made[f"h{hours}"] = make_unit(db, world.dept_a, "team", f"时段{hours}")
    _auditor, headers = as_user(client, db, world.group, "auditor")

    def labels(**window: str) -> list[str]:
        return [e["entity_label"] for e in all_events(client, headers, **window)]

    at = (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    until = (start + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert labels(since=at, until=until) == ["时段2", "时段1"]
    assert labels(until=at) == ["时段0"]
    since_three = labels(since=until)
    assert "时段3" in since_three and "时段2" not in since_three
    # Without an offset the time is read as UTC.
    assert labels(since=at[:-1], until=until[:-1]) == ["时段2", "时段1"]


def test_a_window_that_ends_before_it_starts_is_refused(
    client: TestClient, db: Session, world: World
) -> None:
    _auditor, headers = as_user(client, db, world.group, "auditor")
    response = client.get(
        URL,
        params={"since": "2025-03-02T00:00:00Z", "until": "2025-03-01T00:00:00Z"},
        headers=headers,
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == "until"


# --- pagination and history ----------------------------------------------------------------


def test_cursor_pagination_walks_every_event_exactly_once(
    client: TestClient, db: Session, world: World
) -> None:
    for n in range(7):
        make_unit(db, world.dept_a, "team", f"分页{n}")
    _auditor, headers = as_user(client, db, world.group, "auditor")
    expected = db.execute(select(AuditEvent.seq).order_by(AuditEvent.seq.desc())).scalars().all()
    assert len(expected) > 12

    newest_first = walk(client, headers, limit=4)
    assert [e["seq"] for e in newest_first] == list(expected)
    oldest_first = walk(client, headers, limit=5, sort="seq")
    assert [e["seq"] for e in oldest_first] == sorted(expected)
    by_time = walk(client, headers, limit=3, sort="occurred_at")
    assert sorted(e["seq"] for e in by_time) == sorted(expected)
    assert len({e["id"] for e in by_time}) == len(expected)


def test_a_records_history_lists_its_changes_in_order(
    client: TestClient, db: Session, world: World
) -> None:
    admin, headers = as_user(client, db, world.group, "group_admin")
    created = client.post(
        "/api/v1/org-units",
        json={
            "parent_id": str(world.sub_a.id),
            "kind": "department",
            "code": "HIST",
            "name": "第一版",
        },
        headers=headers,
    )
    assert created.status_code == 201, created.text
    unit = created.json()
    version = unit["version"]
    for name in ("第二版", "第三版"):
        response = client.patch(
            f"/api/v1/org-units/{unit['id']}",
            json={"version": version, "name": name},
            headers=headers,
        )
        assert response.status_code == 200, response.text
        version = response.json()["version"]
    response = client.patch(
        f"/api/v1/org-units/{unit['id']}",
        json={"version": version, "region": "华北"},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    make_unit(db, world.dept_a, "team", "无关的单元")  # noise on the same entity type
    db.commit()

    history = walk(
        client, headers, entity_type="org_unit", entity_id=unit["id"], sort="seq", limit=2
    )
    assert [e["action"] for e in history] == [
        "org_unit.create",
        "org_unit.update",
        "org_unit.update",
        "org_unit.update",
    ]
    assert history[0]["changes"]["name"] == {"before": None, "after": "第一版"}
    assert [e["changes"] for e in history[1:]] == [
        {"name": {"before": "第一版", "after": "第二版"}},
        {"name": {"before": "第二版", "after": "第三版"}},
        {"region": {"before": None, "after": "华北"}},
    ]
    assert {e["actor_id"] for e in history} == {str(admin.id)}
    seqs = [e["seq"] for e in history]
    assert seqs == sorted(seqs)
