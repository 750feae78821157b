"""Leads: capture, placement, status transitions, masking, filters, conversion hooks."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.core.errors import Conflict, NotFound
from flotilla.core.scope import resolve_scope
from flotilla.lead import service
from flotilla.models.audit import AuditEvent
from flotilla.models.identity import Role, RoleGrant
from flotilla.models.sales import Lead
from tests.fixtures.factories import as_user, login, make_user, make_world
from tests.fixtures.sales import make_account, make_lead

LEADS = "/api/v1/leads"


def _patch(
    client: TestClient, headers: dict[str, str], lead: dict[str, Any], **changes: Any
) -> Any:
    return client.patch(
        f"{LEADS}/{lead['id']}", json={"version": lead["version"], **changes}, headers=headers
    )


def test_rep_creates_a_lead_owned_by_them_in_their_primary_unit(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    rep, headers = as_user(client, db, world.team_a, "sales_rep")

    response = client.post(
        LEADS,
        json={
            "company_name": "星河科技",
            "contact_name": "王经理",
            "phone": "13800001234",
            "email": "wang@xinghe.cn",
            "source": "trade_show",
        },
        headers=headers,
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["owner_id"] == str(rep.id)
    assert body["unit_id"] == str(world.team_a.id)
    assert body["subsidiary_id"] == str(world.sub_a.id)
    assert body["status"] == "new"
    assert body["phone"] == "13800001234"  # the owner's own pii.read reaches it
    event = db.execute(select(AuditEvent).where(AuditEvent.action == "lead.create")).scalar_one()
    assert event.actor_id == rep.id
    assert event.subsidiary_id == world.sub_a.id


def test_manager_places_a_lead_in_a_team_below_and_assigns_it(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    member = make_user(db, world.team_a, "sales_rep")
    _manager, headers = as_user(client, db, world.dept_a, "sales_manager")

    response = client.post(
        LEADS,
        json={
            "company_name": "分配线索",
            "unit_id": str(world.team_a.id),
            "owner_id": str(member.id),
        },
        headers=headers,
    )

    assert response.status_code == 201, response.text
    assert response.json()["unit_id"] == str(world.team_a.id)
    assert response.json()["owner_id"] == str(member.id)


def test_rep_cannot_place_a_lead_outside_their_own_seats(client: TestClient, db: Session) -> None:
    world = make_world(db)
    _rep, headers = as_user(client, db, world.team_a, "sales_rep")

    visible_elsewhere = client.post(
        LEADS, json={"company_name": "X", "unit_id": str(world.dept_a.id)}, headers=headers
    )
    invisible = client.post(
        LEADS, json={"company_name": "X", "unit_id": str(world.dept_b.id)}, headers=headers
    )

    # The rep's org.read is "own" too, so neither unit is visible to them: no such unit.
    assert visible_elsewhere.status_code == 422
    assert invisible.status_code == 422
    assert invisible.json()["error"]["fields"][0] == {
        "field": "unit_id",
        "code": "unknown_reference",
        "message": "引用的记录不存在",
    }


def test_a_unit_the_caller_sees_but_cannot_write_to_is_out_of_scope(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    # A rep who also administers the subsidiary's org: org.read sees dept_a, lead.write
    # covers only their own records.
    rep = make_user(db, world.team_a, "sales_rep")
    admin_role = db.execute(select(Role).where(Role.code == "subsidiary_admin")).scalar_one()
    db.add(RoleGrant(user_id=rep.id, role_id=admin_role.id, unit_id=world.sub_a.id))
    db.commit()
    headers = login(client, rep)

    response = client.post(
        LEADS, json={"company_name": "X", "unit_id": str(world.dept_a.id)}, headers=headers
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "out_of_scope"


def test_a_lead_must_sit_inside_a_subsidiary(client: TestClient, db: Session) -> None:
    world = make_world(db)
    _admin, headers = as_user(client, db, world.group, "group_admin")

    response = client.post(LEADS, json={"company_name": "集团线索"}, headers=headers)

    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["code"] == "subsidiary_required"


def test_assigning_to_a_user_the_caller_cannot_see_is_an_unknown_reference(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    stranger = make_user(db, world.dept_b, "sales_rep")
    _manager, headers = as_user(client, db, world.dept_a, "sales_manager")

    response = client.post(
        LEADS, json={"company_name": "X", "owner_id": str(stranger.id)}, headers=headers
    )

    assert response.status_code == 422
    assert response.json()["error"]["fields"][0] == {
        "field": "owner_id",
        "code": "unknown_reference",
        "message": "引用的记录不存在",
    }


def test_status_moves_new_to_working_to_qualified(client: TestClient, db: Session) -> None:
    world = make_world(db)
    rep, headers = as_user(client, db, world.team_a, "sales_rep")
    lead = client.get(f"{LEADS}/{make_lead(db, world.team_a, owner=rep).id}", headers=headers)
    db.commit()
    body = lead.json()

    working = _patch(client, headers, body, status="working")
    assert working.status_code == 200, working.text
    qualified = _patch(client, headers, working.json(), status="qualified")
    assert qualified.status_code == 200, qualified.text
    assert qualified.json()["status"] == "qualified"
    assert qualified.json()["version"] == body["version"] + 2


def test_a_new_lead_cannot_skip_straight_to_qualified(client: TestClient, db: Session) -> None:
    world = make_world(db)
    rep, headers = as_user(client, db, world.team_a, "sales_rep")
    lead = make_lead(db, world.team_a, owner=rep)
    db.commit()

    response = client.patch(
        f"{LEADS}/{lead.id}",
        json={"version": 1, "status": "qualified"},
        headers={**headers, "Accept-Language": "en"},
    )

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_transition"
    assert error["message"] == "A lead cannot move from new to qualified"


def test_converted_cannot_be_set_by_hand(client: TestClient, db: Session) -> None:
    world = make_world(db)
    rep, headers = as_user(client, db, world.team_a, "sales_rep")
    lead = make_lead(db, world.team_a, owner=rep, status="qualified")
    db.commit()

    response = client.patch(
        f"{LEADS}/{lead.id}", json={"version": 1, "status": "converted"}, headers=headers
    )

    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == "status"


def test_disqualifying_needs_a_reason_and_reopening_clears_it(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    rep, headers = as_user(client, db, world.team_a, "sales_rep")
    lead = make_lead(db, world.team_a, owner=rep, status="working")
    db.commit()

    no_reason = client.patch(
        f"{LEADS}/{lead.id}", json={"version": 1, "status": "disqualified"}, headers=headers
    )
    assert no_reason.status_code == 422
    assert no_reason.json()["error"]["fields"][0]["field"] == "disqualify_reason"

    disqualified = client.patch(
        f"{LEADS}/{lead.id}",
        json={"version": 1, "status": "disqualified", "disqualify_reason": "预算不足"},
        headers=headers,
    )
    assert disqualified.status_code == 200, disqualified.text
    assert disqualified.json()["disqualify_reason"] == "预算不足"

    reopened = _patch(client, headers, disqualified.json(), status="working")
    assert reopened.status_code == 200, reopened.text
    assert reopened.json()["status"] == "working"
    assert reopened.json()["disqualify_reason"] is None


def test_a_reason_without_disqualifying_is_refused(client: TestClient, db: Session) -> None:
    world = make_world(db)
    rep, headers = as_user(client, db, world.team_a, "sales_rep")
    lead = make_lead(db, world.team_a, owner=rep)
    db.commit()

    response = client.patch(
        f"{LEADS}/{lead.id}", json={"version": 1, "disqualify_reason": "随手写"}, headers=headers
    )

    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["code"] == "not_disqualified"


def test_a_stale_version_is_a_conflict_and_changes_nothing(client: TestClient, db: Session) -> None:
    world = make_world(db)
    rep, headers = as_user(client, db, world.team_a, "sales_rep")
    lead = make_lead(db, world.team_a, owner=rep, company_name="原名")
    db.commit()

    first = client.patch(
        f"{LEADS}/{lead.id}", json={"version": 1, "company_name": "新名"}, headers=headers
    )
    stale = client.patch(
        f"{LEADS}/{lead.id}", json={"version": 1, "company_name": "另一个名"}, headers=headers
    )

    assert first.status_code == 200
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "version_conflict"
    assert client.get(f"{LEADS}/{lead.id}", headers=headers).json()["company_name"] == "新名"


def test_phone_and_email_are_masked_without_pii_read(client: TestClient, db: Session) -> None:
    world = make_world(db)
    lead = make_lead(db, world.team_a, phone="13712345678", email="buyer@example.cn")
    _auditor, auditor = as_user(client, db, world.group, "auditor")
    _director, director = as_user(client, db, world.sub_a, "sales_director")

    masked = client.get(f"{LEADS}/{lead.id}", headers=auditor).json()
    clear = client.get(f"{LEADS}/{lead.id}", headers=director).json()
    listed = client.get(LEADS, headers=auditor).json()["items"]

    assert (masked["phone"], masked["email"]) == ("137****5678", "b***@example.cn")
    assert (clear["phone"], clear["email"]) == ("13712345678", "buyer@example.cn")
    assert [(i["phone"], i["email"]) for i in listed] == [("137****5678", "b***@example.cn")]


def test_list_filters_by_status_source_owner_and_text(client: TestClient, db: Session) -> None:
    world = make_world(db)
    rep, headers = as_user(client, db, world.team_a, "sales_rep")
    other = make_user(db, world.team_a, "sales_rep")
    mine_new = make_lead(db, world.team_a, owner=rep, source="website", contact_name="李雷")
    mine_working = make_lead(db, world.team_a, owner=rep, status="working", source="referral")
    theirs = make_lead(db, world.team_a, owner=other)
    _manager, manager = as_user(client, db, world.dept_a, "sales_manager")

    def ids(headers: dict[str, str], **params: str) -> set[str]:
        response = client.get(LEADS, params=params, headers=headers)
        assert response.status_code == 200, response.text
        return {item["id"] for item in response.json()["items"]}

    assert ids(manager) == {str(mine_new.id), str(mine_working.id), str(theirs.id)}
    assert ids(manager, status="working") == {str(mine_working.id)}
    assert ids(manager, source="website") == {str(mine_new.id), str(theirs.id)}
    assert ids(manager, owner_id=str(other.id)) == {str(theirs.id)}
    assert ids(headers, owner_id="me") == {str(mine_new.id), str(mine_working.id)}
    assert ids(manager, q="李雷") == {str(mine_new.id)}
    assert ids(manager, q=theirs.company_name[-3:]) == {str(theirs.id)}
    bad = client.get(LEADS, params={"owner_id": "someone"}, headers=manager)
    assert bad.status_code == 422


def test_reading_is_not_writing(client: TestClient, db: Session) -> None:
    world = make_world(db)
    lead = make_lead(db, world.team_a)
    _auditor, headers = as_user(client, db, world.group, "auditor")

    assert client.get(f"{LEADS}/{lead.id}", headers=headers).status_code == 200
    patched = client.patch(
        f"{LEADS}/{lead.id}", json={"version": 1, "company_name": "改"}, headers=headers
    )
    created = client.post(LEADS, json={"company_name": "新"}, headers=headers)

    assert patched.status_code == 404
    assert created.status_code == 403


# --- the conversion hooks the convert endpoint builds on ------------------------------------


def test_conversion_marks_the_lead_converted_and_read_only(client: TestClient, db: Session) -> None:
    world = make_world(db)
    rep, headers = as_user(client, db, world.team_a, "sales_rep")
    lead = make_lead(db, world.team_a, owner=rep, status="qualified")
    account = make_account(db, world.team_a, owner=rep)
    scope = resolve_scope(db, rep)

    loaded = service.get_for_conversion(db, scope, lead.id)
    service.mark_converted(db, loaded, account_id=account.id)
    db.commit()

    body = client.get(f"{LEADS}/{lead.id}", headers=headers).json()
    assert body["status"] == "converted"
    assert body["converted_account_id"] == str(account.id)
    assert body["converted_at"] is not None
    edit = client.patch(
        f"{LEADS}/{lead.id}", json={"version": body["version"], "notes": "x"}, headers=headers
    )
    assert edit.status_code == 409
    assert edit.json()["error"]["code"] == "lead_converted"
    assert (
        db.execute(select(AuditEvent).where(AuditEvent.action == "lead.convert"))
        .scalar_one()
        .entity_id
        == lead.id
    )


@pytest.mark.parametrize("status", ["converted", "disqualified"])
def test_only_open_leads_convert(db: Session, status: str) -> None:
    world = make_world(db)
    rep = make_user(db, world.team_a, "sales_rep")
    lead = make_lead(db, world.team_a, owner=rep, status=status)

    with pytest.raises(Conflict) as refused:
        service.get_for_conversion(db, resolve_scope(db, rep), lead.id)

    assert refused.value.code == "lead_not_convertible"
    assert refused.value.status == 409


def test_conversion_needs_write_reach(db: Session) -> None:
    world = make_world(db)
    lead = make_lead(db, world.team_a)
    auditor = make_user(db, world.group, "auditor")

    with pytest.raises(NotFound):
        service.get_for_conversion(db, resolve_scope(db, auditor), lead.id)
    assert db.execute(select(Lead.status).where(Lead.id == lead.id)).scalar_one() == "new"
