"""Delegation while away (审批代理): creating, validating, listing and revoking."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.core import clock
from flotilla.models.approval import ApprovalDelegation
from flotilla.models.audit import AuditEvent
from tests.fixtures.approval import make_delegation
from tests.fixtures.factories import as_user, login, make_user, make_world, unknown_id

BASE = "/api/v1/approval-delegations"
NOW = datetime(2026, 11, 10, 8, 0, tzinfo=UTC)


def window(days_from: float, days_to: float) -> dict[str, str]:
    return {
        "starts_at": (NOW + timedelta(days=days_from)).isoformat(),
        "ends_at": (NOW + timedelta(days=days_to)).isoformat(),
    }


def fields(response: Any) -> set[tuple[str, str]]:
    assert response.status_code == 422, response.text
    return {(f["field"], f["code"]) for f in response.json()["error"]["fields"]}


def test_a_manager_delegates_their_approvals_for_a_while(client: TestClient, db: Session) -> None:
    with clock.frozen_at(NOW):
        world = make_world(db)
        manager, headers = as_user(client, db, world.dept_a, "sales_manager")
        deputy = make_user(db, world.team_a, "sales_rep")
        db.commit()
        created = client.post(
            BASE,
            json={"delegate_id": str(deputy.id), **window(1, 8), "reason": "年假"},
            headers=headers,
        )
        assert created.status_code == 201, created.text
        body = created.json()
        assert (body["user_id"], body["delegate_id"], body["delegate_name"]) == (
            str(manager.id),
            str(deputy.id),
            deputy.display_name,
        )
        assert (body["is_active"], body["in_effect"], body["reason"]) == (True, False, "年假")
        stored = db.execute(
            select(ApprovalDelegation).where(ApprovalDelegation.id == uuid.UUID(body["id"]))
        ).scalar_one()
        assert (stored.unit_id, stored.subsidiary_id) == (world.dept_a.id, world.sub_a.id)
        assert db.execute(
            select(AuditEvent).where(
                AuditEvent.entity_id == stored.id, AuditEvent.action == "approval_delegation.create"
            )
        ).scalar_one()

        # Both sides see it in their list.
        mine = client.get(BASE, headers=headers).json()["items"]
        assert [d["id"] for d in mine] == [body["id"]]
        theirs = client.get(BASE, headers=login(client, deputy)).json()["items"]
        assert [d["id"] for d in theirs] == [body["id"]]
        assert client.get(BASE, params={"in_effect": "true"}, headers=headers).json()["items"] == []

        clock.advance(timedelta(days=2))
        headers = login(client, manager)
        current = client.get(BASE, params={"in_effect": "true"}, headers=headers).json()
        assert [d["id"] for d in current["items"]] == [body["id"]]
        assert current["items"][0]["in_effect"] is True


def test_a_delegation_is_validated_in_both_languages(client: TestClient, db: Session) -> None:
    with clock.frozen_at(NOW):
        world = make_world(db)
        manager, headers = as_user(client, db, world.dept_a, "sales_manager")
        retired = make_user(db, world.dept_a, "sales_rep")
        retired.is_active = False
        deputy = make_user(db, world.team_a, "sales_rep")
        db.commit()
        to_self = client.post(
            BASE, json={"delegate_id": str(manager.id), **window(0, 1)}, headers=headers
        )
        assert fields(to_self) == {("delegate_id", "delegation_to_self")}
        assert to_self.json()["error"]["fields"][0]["message"] == "不能委托给自己"
        inverted = client.post(
            BASE,
            json={"delegate_id": str(deputy.id), **window(3, 2)},
            headers={**headers, "Accept-Language": "en-US"},
        )
        assert fields(inverted) == {("ends_at", "delegation_ends_before_start")}
        assert inverted.json()["error"]["fields"][0]["message"] == "The end must be after the start"
        assert fields(
            client.post(
                BASE, json={"delegate_id": str(deputy.id), **window(-3, -1)}, headers=headers
            )
        ) == {("ends_at", "delegation_ended")}
        for nobody in (retired.id, unknown_id()):
            assert fields(
                client.post(
                    BASE, json={"delegate_id": str(nobody), **window(0, 1)}, headers=headers
                )
            ) == {("delegate_id", "unknown_reference")}
        naive = client.post(
            BASE,
            json={
                "delegate_id": str(deputy.id),
                "starts_at": "2026-11-11T08:00:00",
                "ends_at": "2026-11-12T08:00:00",
            },
            headers=headers,
        )
        assert naive.status_code == 422
        extra = client.post(
            BASE,
            json={"delegate_id": str(deputy.id), **window(0, 1), "user_id": str(deputy.id)},
            headers=headers,
        )
        assert fields(extra) == {("user_id", "extra_forbidden")}
        assert db.execute(select(ApprovalDelegation)).first() is None


def test_overlapping_delegations_of_one_person_are_refused(client: TestClient, db: Session) -> None:
    with clock.frozen_at(NOW):
        world = make_world(db)
        _manager, headers = as_user(client, db, world.dept_a, "sales_manager")
        first, second = make_user(db, world.team_a), make_user(db, world.team_a)
        db.commit()
        ok = client.post(BASE, json={"delegate_id": str(first.id), **window(1, 5)}, headers=headers)
        assert ok.status_code == 201
        clash = client.post(
            BASE, json={"delegate_id": str(second.id), **window(4, 9)}, headers=headers
        )
        assert (clash.status_code, clash.json()["error"]["code"]) == (409, "delegation_overlap")
        # Back to back is fine: [starts, ends) windows.
        after = client.post(
            BASE, json={"delegate_id": str(second.id), **window(5, 9)}, headers=headers
        )
        assert after.status_code == 201, after.text
        # Once revoked, the window is free again.
        revoked = client.post(f"{BASE}/{ok.json()['id']}/revoke", headers=headers)
        assert revoked.status_code == 200
        again = client.post(
            BASE, json={"delegate_id": str(second.id), **window(2, 4)}, headers=headers
        )
        assert again.status_code == 201, again.text


def test_only_the_delegator_or_an_admin_revokes(client: TestClient, db: Session) -> None:
    world = make_world(db)
    manager = make_user(db, world.dept_a, "sales_manager")
    deputy = make_user(db, world.team_a, "sales_rep")
    delegation = make_delegation(db, manager, deputy)
    _stranger, stranger = as_user(client, db, world.dept_b, "sales_director")
    db.commit()
    url = f"{BASE}/{delegation.id}/revoke"
    assert client.post(url, headers=stranger).status_code == 404
    assert client.post(url, headers=login(client, deputy)).status_code == 403
    assert client.post(f"{BASE}/{unknown_id()}/revoke", headers=stranger).status_code == 404
    revoked = client.post(url, headers=login(client, manager))
    assert revoked.status_code == 200, revoked.text
    assert (revoked.json()["is_active"], revoked.json()["in_effect"]) == (False, False)
    again = client.post(url, headers=login(client, manager))
    assert (again.status_code, again.json()["error"]["code"]) == (409, "delegation_revoked")

    other = make_delegation(db, deputy, manager)
    _admin, admin = as_user(client, db, world.group, "group_admin")
    db.commit()
    assert client.post(f"{BASE}/{other.id}/revoke", headers=admin).status_code == 200


def test_admins_list_every_delegation_others_only_their_own(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    a = make_user(db, world.dept_a, "sales_manager")
    b = make_user(db, world.dept_b, "sales_manager")
    in_a = make_delegation(db, a, make_user(db, world.dept_a))
    in_b = make_delegation(db, b, make_user(db, world.dept_b))
    ended = make_delegation(db, a, make_user(db, world.dept_a), is_active=False)
    _admin, admin = as_user(client, db, world.group, "group_admin")
    db.commit()
    listed = client.get(BASE, params={"all": "true"}, headers=admin).json()["items"]
    assert {d["id"] for d in listed} == {str(in_a.id), str(in_b.id), str(ended.id)}
    active = client.get(BASE, params={"all": "true", "is_active": "true"}, headers=admin)
    assert {d["id"] for d in active.json()["items"]} == {str(in_a.id), str(in_b.id)}
    by_user = client.get(BASE, params={"all": "true", "user_id": str(b.id)}, headers=admin)
    assert [d["id"] for d in by_user.json()["items"]] == [str(in_b.id)]

    headers = login(client, a)
    assert {d["id"] for d in client.get(BASE, headers=headers).json()["items"]} == {
        str(in_a.id),
        str(ended.id),
    }
    refused = client.get(BASE, params={"all": "true"}, headers=headers)
    assert refused.status_code == 403
    _nobody, nobody = as_user(client, db, world.team_a, None)
    assert client.get(BASE, headers=nobody).status_code == 403
