"""Who sees which approval requests: the shared scoped-resource contract, the approvers and
delegates who see requests outside their data scope, and N+1 guards on the lists."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.models.approval import ApprovalRequest
from flotilla.models.identity import User
from tests.contracts.scoped_resource import ScopedResourceContract
from tests.fixtures.approval import make_delegation, make_request, make_staff
from tests.fixtures.factories import World, as_user, login, make_unit, make_user, make_world
from tests.opportunity.test_list_query_counts import assert_constant

BASE = "/api/v1/approvals"


class TestApprovalRequestsAreScoped(ScopedResourceContract):
    collection = BASE

    def make_record(self, db: Session, world: World, unit_name: str) -> tuple[uuid.UUID, str]:
        unit = getattr(world, unit_name)
        label = f"审批-{uuid.uuid4().hex[:10]}"
        requester = make_user(db, unit)
        approver = make_user(db, unit)
        request = make_request(db, unit, requester, approvers=[[approver]], label=label)
        return request.id, label

    def own_record(self, db: Session, world: World, owner_id: uuid.UUID) -> uuid.UUID:
        owner = db.execute(select(User).where(User.id == owner_id)).scalar_one()
        approver = make_user(db, world.dept_a)
        return make_request(db, world.team_a, owner, approvers=[[approver]]).id

    def move_out(
        self, client: TestClient, headers: dict[str, str], record_id: uuid.UUID, world: World
    ) -> Response:
        # A request has no endpoint that places it anywhere: it sits where its record does.
        # The only writes are decisions, and a caller with no task is refused one.
        response: Response = client.post(f"{BASE}/{record_id}/approve", json={}, headers=headers)
        return response

    def placement(self, db: Session, record_id: uuid.UUID) -> Any:
        request = db.execute(
            select(ApprovalRequest).where(ApprovalRequest.id == record_id)
        ).scalar_one()
        return (request.unit_id, request.subsidiary_id, request.owner_id, request.status)


def test_approvers_delegates_and_record_owners_see_requests_beyond_their_scope(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    requester = make_user(db, world.team_a, "sales_rep")
    # People of subsidiary B with an own-records scope only.
    approver = make_user(db, world.dept_b, "sales_rep")
    delegate = make_user(db, world.dept_b, "sales_rep")
    owner = make_user(db, world.dept_b, "sales_rep")
    stranger = make_user(db, world.dept_b, "sales_rep")
    request = make_request(
        db, world.team_a, requester, approvers=[[approver]], record_owner=owner, label="跨子公司"
    )
    make_delegation(db, approver, delegate)
    db.commit()
    for user in (requester, approver, delegate, owner):
        headers = login(client, user)
        assert client.get(f"{BASE}/{request.id}", headers=headers).status_code == 200
        listed = client.get(BASE, params={"q": "跨子公司"}, headers=headers).json()["items"]
        assert [i["id"] for i in listed] == [str(request.id)]
    headers = login(client, stranger)
    assert client.get(f"{BASE}/{request.id}", headers=headers).status_code == 404
    assert client.get(BASE, headers=headers).json()["items"] == []


def test_list_filters_are_validated(client: TestClient, db: Session) -> None:
    world = make_world(db)
    _user, headers = as_user(client, db, world.team_a, "sales_rep")
    for params in (
        {"assigned_to": "somebody"},
        {"requested_by": "x"},
        {"status": "maybe"},
        {"action": "quote.delete"},
        {"sort": "amount"},
    ):
        response = client.get(BASE, params=params, headers=headers)
        assert response.status_code == 422, (params, response.text)
        assert response.json()["error"]["fields"], params


ROWS = 32


def _populate(db: Session) -> tuple[Any, User]:
    staff = make_staff(db)
    world = staff.world
    units = [world.team_a, world.dept_a, world.sub_a]
    for index in range(ROWS):
        unit = make_unit(db, units[index % len(units)], "team")
        requester = make_user(db, unit, "sales_rep")
        owner = make_user(db, unit, "sales_rep")
        other = make_user(db, unit)
        # Every request waits for the lead, half of them directly, half through a manager
        # who delegated to the lead.
        first = staff.lead if index % 2 else staff.manager
        make_request(
            db,
            unit,
            requester,
            approvers=[[first, other], [staff.director]],
            record_owner=owner,
        )
    make_delegation(db, staff.manager, staff.lead)
    return staff, staff.lead


@pytest.mark.parametrize("who", ["vp", "director", "lead"])
def test_the_request_list_runs_a_fixed_number_of_statements(
    client: TestClient, db: Session, who: str
) -> None:
    staff, _lead = _populate(db)
    db.commit()
    headers = login(client, getattr(staff, who))
    assert_constant(client, db, BASE, headers)
    if who == "lead":
        assert_constant(client, db, BASE, headers, assigned_to="me", status="pending")
    else:
        assert_constant(client, db, BASE, headers, status="pending", sort="updated_at")


def test_the_delegation_list_runs_a_fixed_number_of_statements(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    me = make_user(db, world.team_a, "sales_manager")
    for index in range(ROWS):
        other = make_user(db, world.dept_a, "sales_rep")
        start = db.execute(select(User.created_at).where(User.id == me.id)).scalar_one()
        starts_at = start + timedelta(days=10 * index)
        make_delegation(
            db,
            me if index % 2 else other,
            other if index % 2 else me,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(days=5),
        )
    _admin, admin = as_user(client, db, world.group, "group_admin")
    db.commit()
    assert_constant(client, db, "/api/v1/approval-delegations", login(client, me))
    assert_constant(client, db, "/api/v1/approval-delegations", admin, all="true")
