"""Targets through the scope kernel — the proofs of ``ScopedResourceContract``, written out
because the contract's list helper pages with cursors and cannot send the required
``period``: anonymous 401; no grant → 404 and absent from lists; the sibling subsidiary is
invisible; a parent unit sees its descendants; ``own`` sees only own targets; nobody writes
or moves a target outside their reach."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.models.analytics import Target
from tests.fixtures.factories import as_user, login, make_user, make_world
from tests.fixtures.target import make_target

TARGETS = "/api/v1/targets"
PERIOD = {"period": "2026-Q2"}


def _ids(client: TestClient, headers: dict[str, str], **params: Any) -> set[str]:
    response = client.get(TARGETS, params={**PERIOD, **params}, headers=headers)
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["items"]}


def test_anonymous_gets_401(client: TestClient, db: Session) -> None:
    world = make_world(db)
    target = make_target(db, world.dept_a, "100.00")
    db.commit()

    for response in (
        client.get(TARGETS, params=PERIOD),
        client.get(f"{TARGETS}/{target.id}"),
        client.get(f"{TARGETS}/consistency", params=PERIOD),
        client.get(f"{TARGETS}/fiscal-year"),
        client.post(TARGETS, json={}),
    ):
        assert response.status_code == 401, response.text
        assert response.json()["error"]["code"] == "unauthenticated"


def test_caller_without_grant_sees_nothing(client: TestClient, db: Session) -> None:
    world = make_world(db)
    target = make_target(db, world.dept_a, "100.00")
    _nobody, headers = as_user(client, db, world.team_a, None)

    assert client.get(f"{TARGETS}/{target.id}", headers=headers).status_code == 404
    assert _ids(client, headers) == set()
    unit = client.get(TARGETS, params={**PERIOD, "unit_id": str(world.dept_a.id)}, headers=headers)
    assert unit.status_code == 404
    assert str(target.id) not in unit.text


def test_sibling_subsidiary_is_invisible(client: TestClient, db: Session) -> None:
    world = make_world(db)
    target = make_target(db, world.dept_b, "100.00")
    _director, headers = as_user(client, db, world.sub_a, "sales_director")

    got = client.get(f"{TARGETS}/{target.id}", headers=headers)
    assert got.status_code == 404
    assert str(target.id) not in got.text
    assert _ids(client, headers) == set()
    for path in (TARGETS, f"{TARGETS}/consistency"):
        response = client.get(
            path, params={**PERIOD, "unit_id": str(world.sub_b.id)}, headers=headers
        )
        assert response.status_code == 404, response.text
    assert (
        client.put(
            f"{TARGETS}/{target.id}", json={"version": 1, "value": "1"}, headers=headers
        ).status_code
        == 404
    )
    assert client.delete(f"{TARGETS}/{target.id}", headers=headers).status_code == 404


def test_parent_unit_sees_descendants(client: TestClient, db: Session) -> None:
    world = make_world(db)
    in_team_a = make_target(db, world.team_a, "100.00")
    in_dept_b = make_target(db, world.dept_b, "100.00")
    _director, director = as_user(client, db, world.sub_a, "sales_director")
    _vp, vp = as_user(client, db, world.group, "group_sales_vp")

    assert client.get(f"{TARGETS}/{in_team_a.id}", headers=director).status_code == 200
    assert _ids(client, director) == {str(in_team_a.id)}
    assert _ids(client, director, unit_id=str(world.team_a.id)) == {str(in_team_a.id)}
    assert _ids(client, vp) == {str(in_team_a.id), str(in_dept_b.id)}


def test_own_scope_sees_only_own_targets(client: TestClient, db: Session) -> None:
    world = make_world(db)
    rep = make_user(db, world.team_a, "sales_rep")
    colleague = make_user(db, world.team_a, "sales_rep")
    own = make_target(db, world.team_a, "5", metric="won_deals", assignee=rep)
    theirs = make_target(db, world.team_a, "5", metric="won_deals", assignee=colleague)
    team = make_target(db, world.team_a, "10", metric="won_deals")
    db.commit()
    headers = login(client, rep)

    assert _ids(client, headers) == {str(own.id)}
    assert client.get(f"{TARGETS}/{own.id}", headers=headers).status_code == 200
    for hidden in (theirs, team):
        assert client.get(f"{TARGETS}/{hidden.id}", headers=headers).status_code == 404
    # Seeing one's own target is not setting it: a rep has no target.write.
    refused = client.put(f"{TARGETS}/{own.id}", json={"version": 1, "value": "50"}, headers=headers)
    assert refused.status_code == 404


def test_nobody_sets_a_target_outside_their_reach(client: TestClient, db: Session) -> None:
    world = make_world(db)
    _director, headers = as_user(client, db, world.sub_a, "sales_director")
    payload = {"metric": "won_deals", "period": "2026-Q2", "value": 1}

    outside = client.post(
        TARGETS, json={**payload, "unit_id": str(world.dept_b.id)}, headers=headers
    )
    above = client.post(TARGETS, json={**payload, "unit_id": str(world.group.id)}, headers=headers)

    assert outside.status_code == 404, outside.text
    assert above.status_code == 404, above.text
    assert db.execute(select(Target.id)).first() is None


def test_a_manager_reads_but_may_not_set_targets(client: TestClient, db: Session) -> None:
    world = make_world(db)
    target = make_target(db, world.team_a, "100.00")
    _manager, headers = as_user(client, db, world.dept_a, "sales_manager")

    assert _ids(client, headers) == {str(target.id)}
    created = client.post(
        TARGETS,
        json={
            "metric": "won_deals",
            "period": "2026-Q2",
            "value": 1,
            "unit_id": str(world.team_a.id),
        },
        headers=headers,
    )
    assert created.status_code == 403, created.text


def test_moving_a_target_out_of_scope_is_refused(client: TestClient, db: Session) -> None:
    world = make_world(db)
    target = make_target(db, world.dept_a, "100.00", start=date(2026, 4, 1))
    _director, headers = as_user(client, db, world.sub_a, "sales_director")

    response = client.put(
        f"{TARGETS}/{target.id}",
        json={"version": 1, "unit_id": str(world.dept_b.id)},
        headers=headers,
    )

    assert response.status_code == 422, response.text
    db.expire_all()
    stored = db.execute(select(Target).where(Target.id == target.id)).scalar_one()
    assert (stored.unit_id, stored.subsidiary_id, stored.version) == (
        world.dept_a.id,
        world.sub_a.id,
        1,
    )
