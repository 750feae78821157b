"""Org-tree rules: one root, parent kinds, legal-entity fields, subtree moves, deletes."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from stdnum.cn import uscc as uscc_number

from flotilla.models.audit import AuditEvent
from flotilla.models.identity import Position, User
from flotilla.models.org import OrgUnit
from tests.fixtures.factories import World, as_user, make_unit, make_user, make_world

UNITS = "/api/v1/org-units"


def _error(response: Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert error["code"] == code, error
    assert error["message"], error
    return error


def _fields(error: dict[str, Any]) -> list[tuple[str, str]]:
    return [(f["field"], f["code"]) for f in error["fields"]]


def _tree(db: Session) -> dict[str, tuple[Any, ...]]:
    """Every unit's placement and version, plus how many audit events exist."""
    db.expire_all()
    units = db.execute(select(OrgUnit)).scalars()
    snapshot: dict[str, tuple[Any, ...]] = {
        u.code: (u.parent_id, u.path, u.depth, u.subsidiary_id, u.name, u.version) for u in units
    }
    snapshot["#audit"] = (db.execute(select(func.count()).select_from(AuditEvent)).scalar_one(),)
    return snapshot


def _unit(db: Session, unit_id: uuid.UUID | str) -> OrgUnit:
    db.expire_all()
    return db.execute(select(OrgUnit).where(OrgUnit.id == uuid.UUID(str(unit_id)))).scalar_one()


def _admin(client: TestClient, db: Session) -> tuple[World, dict[str, str]]:
    world = make_world(db)
    _user, headers = as_user(client, db, world.group, "group_admin")
    return world, headers


def _uscc(body17: str) -> str:
    return body17 + uscc_number.calc_check_digit(body17)


def test_a_second_group_root_is_refused(client: TestClient, db: Session) -> None:
    _world, headers = _admin(client, db)
    before = _tree(db)

    response = client.post(
        UNITS, json={"kind": "group", "code": "G2", "name": "第二集团"}, headers=headers
    )

    _error(response, 409, "org_single_root")
    assert _tree(db) == before


def test_a_team_cannot_sit_directly_under_a_subsidiary(client: TestClient, db: Session) -> None:
    world, headers = _admin(client, db)
    before = _tree(db)

    response = client.post(
        UNITS,
        json={"parent_id": str(world.sub_a.id), "kind": "team", "code": "T1", "name": "团队"},
        headers=headers,
    )

    error = _error(response, 422, "org_parent_kind")
    assert _fields(error) == [("parent_id", "org_parent_kind")]
    assert _tree(db) == before


@pytest.mark.parametrize(
    ("kind", "parent"),
    [("subsidiary", "dept_a"), ("department", "group"), ("team", "group")],
)
def test_other_misplaced_kinds_are_refused(
    client: TestClient, db: Session, kind: str, parent: str
) -> None:
    world, headers = _admin(client, db)
    before = _tree(db)

    response = client.post(
        UNITS,
        json={
            "parent_id": str(getattr(world, parent).id),
            "kind": kind,
            "code": "MISPLACED",
            "name": "放错位置",
            "currency": "CNY",
        },
        headers=headers,
    )

    _error(response, 422, "org_parent_kind")
    assert _tree(db) == before


def test_creating_a_department_places_it_in_the_tree(client: TestClient, db: Session) -> None:
    world, headers = _admin(client, db)

    response = client.post(
        UNITS,
        json={
            "parent_id": str(world.sub_b.id),
            "kind": "department",
            "code": "B-NEW",
            "name": "乙新部门",
        },
        headers=headers,
    )

    assert response.status_code == 201, response.text
    created = _unit(db, response.json()["id"])
    assert created.parent_id == world.sub_b.id
    assert created.path == f"{world.sub_b.path}{created.id.hex}/"
    assert created.depth == world.sub_b.depth + 1
    assert created.subsidiary_id == world.sub_b.id
    assert created.currency == "HKD", "a department inherits its subsidiary's currency"


def test_an_invalid_uscc_is_refused_and_nothing_is_created(client: TestClient, db: Session) -> None:
    world, headers = _admin(client, db)
    good = _uscc("91310115MA1K4A2B3")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    before = _tree(db)

    response = client.post(
        UNITS,
        json={
            "parent_id": str(world.group.id),
            "kind": "subsidiary",
            "code": "SUB-C",
            "name": "丙子公司",
            "currency": "CNY",
            "uscc": bad,
        },
        headers=headers,
    )

    error = _error(response, 422, "validation_failed")
    assert _fields(error) == [("uscc", "invalid_uscc")]
    assert error["fields"][0]["message"] == "统一社会信用代码无效"
    assert _tree(db) == before


def test_a_valid_uscc_is_stored_normalized(client: TestClient, db: Session) -> None:
    world, headers = _admin(client, db)
    uscc = _uscc("91310115MA1K4A2B3")
    typed = f" {uscc[:6].lower()} {uscc[6:12].lower()}-{uscc[12:].lower()} "

    response = client.post(
        UNITS,
        json={
            "parent_id": str(world.group.id),
            "kind": "subsidiary",
            "code": "SUB-C",
            "name": "丙子公司",
            "currency": "cny",
            "uscc": typed,
        },
        headers=headers,
    )

    assert response.status_code == 201, response.text
    assert response.json()["uscc"] == uscc
    stored = _unit(db, response.json()["id"])
    assert (stored.uscc, stored.currency) == (uscc, "CNY")


def test_a_uscc_already_used_by_another_unit_is_refused(client: TestClient, db: Session) -> None:
    world, headers = _admin(client, db)
    uscc = _uscc("91310115MA1K4A2B3")
    world.sub_b.uscc = uscc
    db.commit()
    before = _tree(db)

    response = client.post(
        UNITS,
        json={
            "parent_id": str(world.group.id),
            "kind": "subsidiary",
            "code": "SUB-C",
            "name": "丙子公司",
            "currency": "CNY",
            "uscc": uscc.lower(),
        },
        headers=headers,
    )

    error = _error(response, 409, "duplicate")
    assert _fields(error) == [("uscc", "duplicate")]
    assert _tree(db) == before


@pytest.mark.parametrize("code", ["SUB-A", "sub-a"])
def test_a_duplicate_code_is_refused(client: TestClient, db: Session, code: str) -> None:
    world, headers = _admin(client, db)
    before = _tree(db)

    response = client.post(
        UNITS,
        json={
            "parent_id": str(world.group.id),
            "kind": "subsidiary",
            "code": code,
            "name": "重复编码",
            "currency": "CNY",
        },
        headers=headers,
    )

    error = _error(response, 409, "duplicate")
    assert _fields(error) == [("code", "duplicate")]
    assert _tree(db) == before


def test_renaming_to_a_taken_code_is_refused(client: TestClient, db: Session) -> None:
    world, headers = _admin(client, db)
    before = _tree(db)

    response = client.patch(
        f"{UNITS}/{world.dept_b.id}",
        json={"version": world.dept_b.version, "code": "A-KA"},
        headers=headers,
    )

    error = _error(response, 409, "duplicate")
    assert _fields(error) == [("code", "duplicate")]
    assert _tree(db) == before


@pytest.mark.parametrize("currency", ["ABC", "RMB", "12X"])
def test_an_unknown_currency_is_refused(client: TestClient, db: Session, currency: str) -> None:
    world, headers = _admin(client, db)
    before = _tree(db)

    response = client.post(
        UNITS,
        json={
            "parent_id": str(world.group.id),
            "kind": "subsidiary",
            "code": "SUB-C",
            "name": "丙子公司",
            "currency": currency,
        },
        headers=headers,
    )

    error = _error(response, 422, "validation_failed")
    assert _fields(error) == [("currency", "invalid_currency")]
    assert _tree(db) == before


def test_a_subsidiary_needs_a_currency(client: TestClient, db: Session) -> None:
    world, headers = _admin(client, db)

    response = client.post(
        UNITS,
        json={
            "parent_id": str(world.group.id),
            "kind": "subsidiary",
            "code": "SUB-C",
            "name": "丙子公司",
        },
        headers=headers,
    )

    error = _error(response, 422, "validation_failed")
    assert _fields(error) == [("currency", "missing")]


def test_an_unknown_time_zone_is_refused(client: TestClient, db: Session) -> None:
    world, headers = _admin(client, db)
    before = _tree(db)

    response = client.patch(
        f"{UNITS}/{world.sub_a.id}",
        json={"version": world.sub_a.version, "timezone": "Mars/Olympus_Mons"},
        headers=headers,
    )

    error = _error(response, 422, "validation_failed")
    assert _fields(error) == [("timezone", "invalid_timezone")]
    assert _tree(db) == before


def test_moving_a_department_moves_its_subtree_and_its_people(
    client: TestClient, db: Session
) -> None:
    world, headers = _admin(client, db)
    sub_team = make_unit(db, world.team_a, "team", "甲一组子组")
    in_dept = make_user(db, world.dept_a, None)
    in_team = make_user(db, world.team_a, None)
    in_sub_team = make_user(db, sub_team, None)
    stays = make_user(db, world.sub_a, None)
    # Primary seat in subsidiary A, part-time in the moving department: stays in A.
    part_timer = make_user(db, world.sub_a, None)
    db.add(Position(user_id=part_timer.id, unit_id=world.team_a.id, is_primary=False))
    db.commit()

    response = client.post(
        f"{UNITS}/{world.dept_a.id}/move",
        json={"new_parent_id": str(world.sub_b.id), "version": world.dept_a.version},
        headers=headers,
    )

    assert response.status_code == 200, response.text
    dept, team, deeper = (_unit(db, u.id) for u in (world.dept_a, world.team_a, sub_team))
    assert dept.parent_id == world.sub_b.id
    assert dept.path == f"{world.sub_b.path}{dept.id.hex}/"
    assert team.path == f"{dept.path}{team.id.hex}/"
    assert deeper.path == f"{team.path}{deeper.id.hex}/"
    assert (dept.depth, team.depth, deeper.depth) == (2, 3, 4)
    assert {dept.subsidiary_id, team.subsidiary_id, deeper.subsidiary_id} == {world.sub_b.id}
    db.expire_all()
    subsidiary_of = dict(
        db.execute(
            select(User.id, User.subsidiary_id).where(
                User.id.in_([in_dept.id, in_team.id, in_sub_team.id, stays.id, part_timer.id])
            )
        ).all()
    )
    assert subsidiary_of == {
        in_dept.id: world.sub_b.id,
        in_team.id: world.sub_b.id,
        in_sub_team.id: world.sub_b.id,
        stays.id: world.sub_a.id,
        part_timer.id: world.sub_a.id,
    }


def test_a_moved_subtree_is_visible_to_its_new_subsidiary_only(
    client: TestClient, db: Session
) -> None:
    world, headers = _admin(client, db)
    _director_a, director_a = as_user(client, db, world.sub_a, "sales_director")
    _director_b, director_b = as_user(client, db, world.sub_b, "sales_director")

    moved = client.post(
        f"{UNITS}/{world.dept_a.id}/move",
        json={"new_parent_id": str(world.sub_b.id), "version": world.dept_a.version},
        headers=headers,
    )

    assert moved.status_code == 200, moved.text
    assert client.get(f"{UNITS}/{world.team_a.id}", headers=director_a).status_code == 404
    assert client.get(f"{UNITS}/{world.team_a.id}", headers=director_b).status_code == 200


def test_moving_a_unit_under_its_own_descendant_is_refused(client: TestClient, db: Session) -> None:
    world, headers = _admin(client, db)
    sub_dept = make_unit(db, world.dept_a, "department", "甲大客户部二处")
    db.commit()
    before = _tree(db)

    response = client.post(
        f"{UNITS}/{world.dept_a.id}/move",
        json={"new_parent_id": str(sub_dept.id), "version": world.dept_a.version},
        headers=headers,
    )

    error = _error(response, 422, "org_cycle")
    assert _fields(error) == [("new_parent_id", "org_cycle")]
    assert _tree(db) == before


def test_moving_a_unit_under_itself_is_refused(client: TestClient, db: Session) -> None:
    world, headers = _admin(client, db)
    before = _tree(db)

    response = client.post(
        f"{UNITS}/{world.dept_a.id}/move",
        json={"new_parent_id": str(world.dept_a.id), "version": world.dept_a.version},
        headers=headers,
    )

    _error(response, 422, "org_cycle")
    assert _tree(db) == before


def test_patch_with_a_stale_version_is_refused(client: TestClient, db: Session) -> None:
    world, headers = _admin(client, db)
    seen = world.dept_a.version
    first = client.patch(
        f"{UNITS}/{world.dept_a.id}",
        json={"version": seen, "name": "第一次改名"},
        headers=headers,
    )
    assert first.status_code == 200, first.text
    assert first.json()["version"] == seen + 1
    before = _tree(db)

    second = client.patch(
        f"{UNITS}/{world.dept_a.id}",
        json={"version": seen, "name": "第二次改名"},
        headers=headers,
    )

    _error(second, 409, "version_conflict")
    assert _tree(db) == before
    assert _unit(db, world.dept_a.id).name == "第一次改名"


def test_move_with_a_stale_version_is_refused(client: TestClient, db: Session) -> None:
    world, headers = _admin(client, db)
    before = _tree(db)

    response = client.post(
        f"{UNITS}/{world.dept_a.id}/move",
        json={"new_parent_id": str(world.sub_b.id), "version": world.dept_a.version + 5},
        headers=headers,
    )

    _error(response, 409, "version_conflict")
    assert _tree(db) == before


def test_deleting_a_unit_with_children_is_refused(client: TestClient, db: Session) -> None:
    world, headers = _admin(client, db)
    before = _tree(db)

    response = client.delete(f"{UNITS}/{world.dept_a.id}", headers=headers)

    _error(response, 409, "org_not_empty")
    assert _tree(db) == before


def test_deleting_a_unit_with_people_is_refused(client: TestClient, db: Session) -> None:
    world, headers = _admin(client, db)
    make_user(db, world.team_a, None)
    db.commit()
    before = _tree(db)

    response = client.delete(f"{UNITS}/{world.team_a.id}", headers=headers)

    _error(response, 409, "org_not_empty")
    assert _tree(db) == before


def test_deleting_a_unit_where_only_a_part_timer_sits_is_refused(
    client: TestClient, db: Session
) -> None:
    world, headers = _admin(client, db)
    user = make_user(db, world.sub_a, None)
    db.add(Position(user_id=user.id, unit_id=world.team_a.id, is_primary=False))
    db.commit()
    before = _tree(db)

    response = client.delete(f"{UNITS}/{world.team_a.id}", headers=headers)

    _error(response, 409, "org_not_empty")
    assert _tree(db) == before


def test_deleting_an_empty_unit_removes_it(client: TestClient, db: Session) -> None:
    world, headers = _admin(client, db)
    team_id = world.team_a.id

    response = client.delete(f"{UNITS}/{team_id}", headers=headers)

    assert response.status_code == 204, response.text
    db.expire_all()
    assert db.execute(select(OrgUnit).where(OrgUnit.id == team_id)).first() is None


def test_subsidiary_admin_cannot_create_a_unit_in_another_subsidiary(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    _admin_a, headers = as_user(client, db, world.sub_a, "subsidiary_admin")
    before = _tree(db)

    response = client.post(
        UNITS,
        json={
            "parent_id": str(world.sub_b.id),
            "kind": "department",
            "code": "B-X",
            "name": "乙新部门",
        },
        headers=headers,
    )

    error = _error(response, 422, "validation_failed")
    assert _fields(error) == [("parent_id", "unknown_reference")]
    assert str(world.sub_b.id) not in response.text
    assert _tree(db) == before


def test_subsidiary_admin_can_create_a_unit_in_their_own_subsidiary(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    _admin_a, headers = as_user(client, db, world.sub_a, "subsidiary_admin")

    response = client.post(
        UNITS,
        json={
            "parent_id": str(world.dept_a.id),
            "kind": "team",
            "code": "A-KA-2",
            "name": "甲二组",
        },
        headers=headers,
    )

    assert response.status_code == 201, response.text
    assert response.json()["subsidiary_id"] == str(world.sub_a.id)


def test_subsidiary_admin_cannot_patch_a_unit_in_another_subsidiary(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    _admin_a, headers = as_user(client, db, world.sub_a, "subsidiary_admin")
    before = _tree(db)

    for unit in (world.sub_b, world.dept_b):
        response = client.patch(
            f"{UNITS}/{unit.id}",
            json={"version": unit.version, "name": "被篡改"},
            headers=headers,
        )
        _error(response, 404, "not_found")

    assert _tree(db) == before


def test_subsidiary_admin_cannot_move_or_delete_in_another_subsidiary(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    _admin_a, headers = as_user(client, db, world.sub_a, "subsidiary_admin")
    before = _tree(db)

    moved = client.post(
        f"{UNITS}/{world.dept_b.id}/move",
        json={"new_parent_id": str(world.sub_a.id), "version": world.dept_b.version},
        headers=headers,
    )
    deleted = client.delete(f"{UNITS}/{world.dept_b.id}", headers=headers)

    _error(moved, 404, "not_found")
    _error(deleted, 404, "not_found")
    assert _tree(db) == before


def test_subsidiary_admin_cannot_create_a_second_root(client: TestClient, db: Session) -> None:
    world = make_world(db)
    _admin_a, headers = as_user(client, db, world.sub_a, "subsidiary_admin")
    before = _tree(db)

    response = client.post(
        UNITS, json={"kind": "group", "code": "G2", "name": "第二集团"}, headers=headers
    )

    assert response.status_code in (403, 409), response.text
    assert _tree(db) == before


def test_subsidiary_admin_cannot_reparent_their_subsidiary_under_another(
    client: TestClient, db: Session
) -> None:
    """Moving their own subsidiary under B would put it out of reach via B's invisibility."""
    world = make_world(db)
    _admin_a, headers = as_user(client, db, world.sub_a, "subsidiary_admin")
    before = _tree(db)

    response = client.post(
        f"{UNITS}/{world.sub_a.id}/move",
        json={"new_parent_id": str(world.sub_b.id), "version": world.sub_a.version},
        headers=headers,
    )

    error = _error(response, 422, "validation_failed")
    assert _fields(error) == [("new_parent_id", "unknown_reference")]
    assert _tree(db) == before


def test_a_unit_head_is_set_and_must_be_a_known_active_user(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    head = make_user(db, world.dept_a, "sales_manager")
    gone = make_user(db, world.dept_a)
    gone.is_active = False
    _, headers = as_user(client, db, world.sub_a, "subsidiary_admin")
    unit = db.get(OrgUnit, world.dept_a.id)
    assert unit is not None
    response = client.patch(
        f"{UNITS}/{unit.id}",
        json={"version": unit.version, "manager_id": str(head.id)},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["manager_id"] == str(head.id)
    version = response.json()["version"]
    for candidate, code in ((gone.id, "user_inactive"), (uuid.uuid4(), "not_found")):
        refused = client.patch(
            f"{UNITS}/{unit.id}",
            json={"version": version, "manager_id": str(candidate)},
            headers={**headers, "Accept-Language": "en-US"},
        )
        error = _error(refused, 422, "validation_failed")
        assert _fields(error) == [("manager_id", code)]
    db.expire_all()
    assert db.get(OrgUnit, world.dept_a.id).manager_id == head.id  # type: ignore[union-attr]
