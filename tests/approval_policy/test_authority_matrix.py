"""The authority matrix over HTTP: who reads and writes a subsidiary's limits, how limits are
validated and stored, versions, and deleting a row."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flotilla.models.approval import AuthorityLimit
from tests.fixtures.approval_policy import (
    SUBSIDIARY_APPROVAL_ADMIN,
    ensure_subsidiary_approval_admin,
    set_limits,
)
from tests.fixtures.factories import World, as_user, make_world

BASE = "/api/v1/authority-matrix"


@pytest.fixture
def world(db: Session) -> World:
    return make_world(db)


@pytest.fixture
def group_admin(client: TestClient, db: Session, world: World) -> dict[str, str]:
    return as_user(client, db, world.group, "group_admin")[1]


def matrix(client: TestClient, headers: dict[str, str], subsidiary: Any) -> Any:
    return client.get(BASE, params={"subsidiary_id": str(subsidiary.id)}, headers=headers)


def row_count(db: Session) -> int:
    return db.execute(select(func.count()).select_from(AuthorityLimit)).scalar_one()


def test_matrix_shows_limits_as_stored(
    client: TestClient, db: Session, world: World, group_admin: dict[str, str]
) -> None:
    put = client.put(
        f"{BASE}/{world.sub_a.id}/sales_manager",
        json={
            "limits": {
                "discount_pct": 10,
                "amount_base": "500000",
                "payment_days": 60,
                "credit_override_base": None,
            }
        },
        headers=group_admin,
    )
    assert put.status_code == 200, put.text
    assert put.json()["limits"] == {
        "discount_pct": "10.00",
        "amount_base": "500000.00",
        "payment_days": 60,
        "credit_override_base": None,
    }
    set_limits(db, world.sub_a, "sales_rep", {"discount_pct": "5.00"})
    db.commit()
    got = matrix(client, group_admin, world.sub_a)
    assert got.status_code == 200
    data = got.json()
    assert (data["subsidiary_id"], data["currency"]) == (str(world.sub_a.id), "CNY")
    assert [r["role_code"] for r in data["rows"]] == ["sales_manager", "sales_rep"]
    manager = data["rows"][0]
    assert manager["role_name"] == "销售经理"
    assert manager["role_name_en"] == "Sales manager"
    assert manager["limits"]["amount_base"] == "500000.00"
    assert data["rows"][1]["limits"] == {"discount_pct": "5.00"}


def test_matrix_is_read_by_its_subsidiary_and_by_reach_over_it(
    client: TestClient, db: Session, world: World
) -> None:
    set_limits(db, world.sub_a, "sales_manager", {"discount_pct": "10.00"})
    _rep, rep = as_user(client, db, world.team_a, "sales_rep")
    _director_a, director_a = as_user(client, db, world.sub_a, "sales_director")
    _director_b, director_b = as_user(client, db, world.sub_b, "sales_director")
    _vp, vp = as_user(client, db, world.group, "group_sales_vp")
    _nobody, nobody = as_user(client, db, world.team_a, None)
    for headers in (rep, director_a, vp):
        assert matrix(client, headers, world.sub_a).status_code == 200
    for headers in (director_b, nobody):
        hidden = matrix(client, headers, world.sub_a)
        assert hidden.status_code == 404
        assert "discount_pct" not in hidden.text


def test_only_approval_admins_reaching_the_subsidiary_write_it(
    client: TestClient, db: Session, world: World
) -> None:
    ensure_subsidiary_approval_admin(db)
    _admin, admin_a = as_user(client, db, world.sub_a, SUBSIDIARY_APPROVAL_ADMIN)
    _director, director = as_user(client, db, world.sub_a, "sales_director")
    limits = {"limits": {"discount_pct": "15"}}
    assert (
        client.put(
            f"{BASE}/{world.sub_a.id}/sales_manager", json=limits, headers=admin_a
        ).status_code
        == 200
    )
    sibling = client.put(f"{BASE}/{world.sub_b.id}/sales_manager", json=limits, headers=admin_a)
    assert sibling.status_code == 404
    refused = client.put(f"{BASE}/{world.sub_a.id}/sales_manager", json=limits, headers=director)
    assert refused.status_code == 403
    assert (
        client.delete(f"{BASE}/{world.sub_a.id}/sales_manager", headers=director).status_code == 403
    )
    assert row_count(db) == 1


def test_invalid_limits_are_refused_each_and_nothing_is_saved(
    client: TestClient, db: Session, world: World, group_admin: dict[str, str]
) -> None:
    response = client.put(
        f"{BASE}/{world.sub_a.id}/sales_manager",
        json={
            "limits": {
                "discount": 10,
                "discount_pct": "10.005",
                "amount_base": -1,
                "payment_days": 30.5,
                "credit_override_base": True,
            }
        },
        headers={**group_admin, "Accept-Language": "en"},
    )
    assert response.status_code == 422
    fields = [(f["field"], f["code"]) for f in response.json()["error"]["fields"]]
    assert fields == [
        ("limits.discount", "rule_unknown_limit"),
        ("limits.discount_pct", "authority_limit_invalid"),
        ("limits.amount_base", "authority_limit_invalid"),
        ("limits.payment_days", "authority_limit_integer"),
        ("limits.credit_override_base", "authority_limit_invalid"),
    ]
    assert response.json()["error"]["fields"][0]["message"] == "Unknown authority limit: discount"
    for bad in ("NaN", "Infinity", "1e3", "abc"):
        refused = client.put(
            f"{BASE}/{world.sub_a.id}/sales_manager",
            json={"limits": {"amount_base": bad}},
            headers=group_admin,
        )
        assert refused.status_code == 422, bad
    too_large = client.put(
        f"{BASE}/{world.sub_a.id}/sales_manager",
        json={"limits": {"amount_base": "100000000000000"}},
        headers=group_admin,
    )
    assert too_large.json()["error"]["fields"][0]["code"] == "authority_limit_too_large"
    assert row_count(db) == 0


def test_matrix_belongs_to_subsidiaries_and_roles_that_exist(
    client: TestClient, db: Session, world: World, group_admin: dict[str, str]
) -> None:
    limits = {"limits": {"discount_pct": "15"}}
    department = client.put(
        f"{BASE}/{world.dept_a.id}/sales_manager", json=limits, headers=group_admin
    )
    assert department.status_code == 422
    assert department.json()["error"]["fields"][0]["code"] == "policy_not_a_subsidiary"
    assert matrix(client, group_admin, world.dept_a).status_code == 422
    unknown = client.put(f"{BASE}/{world.sub_a.id}/czar", json=limits, headers=group_admin)
    assert unknown.status_code == 404
    assert row_count(db) == 0


def test_versions_guard_concurrent_edits_and_delete_removes_the_row(
    client: TestClient, db: Session, world: World, group_admin: dict[str, str]
) -> None:
    path = f"{BASE}/{world.sub_a.id}/sales_director"
    created = client.put(
        path, json={"limits": {"discount_pct": "20"}, "version": None}, headers=group_admin
    )
    assert created.status_code == 200
    assert created.json()["version"] == 1
    again = client.put(
        path, json={"limits": {"discount_pct": "21"}, "version": None}, headers=group_admin
    )
    assert again.status_code == 409
    updated = client.put(
        path, json={"limits": {"discount_pct": "25"}, "version": 1}, headers=group_admin
    )
    assert updated.status_code == 200
    assert updated.json()["version"] == 2
    assert updated.json()["limits"] == {"discount_pct": "25.00"}
    # Without a version the row is simply replaced.
    replaced = client.put(path, json={"limits": {"amount_base": "1"}}, headers=group_admin)
    assert replaced.json()["limits"] == {"amount_base": "1.00"}

    assert client.delete(path, headers=group_admin).status_code == 204
    assert matrix(client, group_admin, world.sub_a).json()["rows"] == []
    assert client.delete(path, headers=group_admin).status_code == 404


def test_matrix_reads_need_a_subsidiary_id(
    client: TestClient, db: Session, world: World, group_admin: dict[str, str]
) -> None:
    response = client.get(BASE, headers=group_admin)
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == "subsidiary_id"


def test_a_fresh_world_has_no_limits(client: TestClient, db: Session) -> None:
    world = make_world(db)
    _vp, vp = as_user(client, db, world.group, "group_sales_vp")
    assert matrix(client, vp, world.sub_b).json()["rows"] == []
    assert matrix(client, vp, world.sub_b).json()["currency"] == "HKD"
