"""Pool rules per subsidiary: defaults, who reads them, who may change them, versions."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.models.audit import AuditEvent
from flotilla.models.customer import PoolRule
from tests.fixtures.factories import as_user, make_world
from tests.fixtures.sales import make_pool_rule

RULES = "/api/v1/pool-rules"
NEW_RULES = {
    "protection_days": 60,
    "reclaim_after_days": 21,
    "max_accounts_per_rep": 80,
    "cooldown_days": 7,
}


def _by_subsidiary(response: Any) -> dict[str, dict[str, Any]]:
    assert response.status_code == 200, response.text
    return {item["subsidiary_id"]: item for item in response.json()["items"]}


def test_a_subsidiary_without_rules_runs_on_the_defaults(client: TestClient, db: Session) -> None:
    world = make_world(db)
    make_pool_rule(db, world.sub_b, reclaim_after_days=10)
    _admin, headers = as_user(client, db, world.group, "group_admin")

    rules = _by_subsidiary(client.get(RULES, headers=headers))

    assert set(rules) == {str(world.sub_a.id), str(world.sub_b.id)}
    assert rules[str(world.sub_a.id)] | {"updated_at": None} == {
        "subsidiary_id": str(world.sub_a.id),
        "subsidiary_name": "甲子公司",
        "protection_days": 90,
        "reclaim_after_days": 30,
        "max_accounts_per_rep": 200,
        "cooldown_days": 15,
        "is_default": True,
        "version": None,
        "updated_at": None,
    }
    assert rules[str(world.sub_b.id)]["reclaim_after_days"] == 10
    assert rules[str(world.sub_b.id)]["is_default"] is False
    assert rules[str(world.sub_b.id)]["version"] == 1


def test_reps_read_the_rules_of_their_own_subsidiary_only(client: TestClient, db: Session) -> None:
    world = make_world(db)
    _rep, rep = as_user(client, db, world.team_a, "sales_rep")
    _director, director = as_user(client, db, world.sub_b, "sales_director")

    assert set(_by_subsidiary(client.get(RULES, headers=rep))) == {str(world.sub_a.id)}
    assert set(_by_subsidiary(client.get(RULES, headers=director))) == {str(world.sub_b.id)}
    assert client.get(f"{RULES}/{world.sub_b.id}", headers=rep).status_code == 404
    assert client.get(f"{RULES}/{world.sub_a.id}", headers=rep).status_code == 200


def test_pool_admin_sets_rules_creating_the_row_then_updating_it_by_version(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    admin, headers = as_user(client, db, world.sub_a, "subsidiary_admin")

    created = client.put(f"{RULES}/{world.sub_a.id}", json=NEW_RULES, headers=headers)
    assert created.status_code == 200, created.text
    assert created.json()["is_default"] is False
    assert created.json()["version"] == 1
    assert created.json()["reclaim_after_days"] == 21

    updated = client.put(
        f"{RULES}/{world.sub_a.id}",
        json={**NEW_RULES, "cooldown_days": 0, "version": 1},
        headers=headers,
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["version"] == 2
    assert updated.json()["cooldown_days"] == 0

    stale = client.put(
        f"{RULES}/{world.sub_a.id}", json={**NEW_RULES, "version": 1}, headers=headers
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "version_conflict"
    row = db.execute(select(PoolRule).where(PoolRule.subsidiary_id == world.sub_a.id)).scalar_one()
    assert (row.cooldown_days, row.version) == (0, 2)
    actions = [
        (e.action, e.actor_id)
        for e in db.execute(
            select(AuditEvent).where(AuditEvent.entity_type == "pool_rule").order_by(AuditEvent.seq)
        ).scalars()
    ]
    assert actions == [("pool_rule.create", admin.id), ("pool_rule.update", admin.id)]


def test_setting_rules_over_existing_ones_needs_their_version(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    make_pool_rule(db, world.sub_a)
    _admin, headers = as_user(client, db, world.group, "group_admin")

    response = client.put(f"{RULES}/{world.sub_a.id}", json=NEW_RULES, headers=headers)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "version_conflict"


def test_rules_outside_the_admins_subsidiary_do_not_exist_for_them(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    _admin, headers = as_user(client, db, world.sub_a, "subsidiary_admin")

    response = client.put(f"{RULES}/{world.sub_b.id}", json=NEW_RULES, headers=headers)

    assert response.status_code == 404
    assert db.execute(select(PoolRule)).first() is None


def test_reading_the_rules_is_not_enough_to_change_them(client: TestClient, db: Session) -> None:
    world = make_world(db)
    _director, headers = as_user(client, db, world.sub_a, "sales_director")

    response = client.put(f"{RULES}/{world.sub_a.id}", json=NEW_RULES, headers=headers)

    assert response.status_code == 403
    assert db.execute(select(PoolRule)).first() is None


def test_rules_exist_only_for_subsidiaries(client: TestClient, db: Session) -> None:
    world = make_world(db)
    _admin, headers = as_user(client, db, world.group, "group_admin")

    assert (
        client.put(f"{RULES}/{world.dept_a.id}", json=NEW_RULES, headers=headers).status_code == 404
    )
    assert client.get(f"{RULES}/{world.group.id}", headers=headers).status_code == 404


def test_rules_have_sane_bounds(client: TestClient, db: Session) -> None:
    world = make_world(db)
    _admin, headers = as_user(client, db, world.group, "group_admin")

    response = client.put(
        f"{RULES}/{world.sub_a.id}",
        json={
            "protection_days": 0,
            "reclaim_after_days": 36500,
            "max_accounts_per_rep": -1,
            "cooldown_days": -1,
        },
        headers=headers,
    )

    assert response.status_code == 422
    assert {f["field"] for f in response.json()["error"]["fields"]} == {
        "protection_days",
        "reclaim_after_days",
        "max_accounts_per_rep",
        "cooldown_days",
    }
