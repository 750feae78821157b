"""Deciding requests through the API: inboxes, sequential and parallel steps, segregation of
duties, delegation windows, withdrawal, rejection and what the guarding feature hears."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.approval import gate, registry
from flotilla.core import clock
from flotilla.models.approval import ApprovalRequest
from flotilla.models.audit import AuditEvent
from flotilla.models.identity import User
from tests.fixtures.approval import (
    Staff,
    make_deal,
    make_delegation,
    make_policy,
    make_request,
    make_staff,
    reload,
    scope_of,
    stage_gate_facts,
    tasks_of,
)
from tests.fixtures.factories import as_user, login, make_user

BASE = "/api/v1/approvals"
EN = {"Accept-Language": "en-US"}


def user_step(name: str, users: list[User], mode: str = "any") -> dict[str, Any]:
    return {
        "name": name,
        "name_en": f"{name} (en)",
        "mode": mode,
        "approvers": [{"type": "user", "user_id": str(u.id)} for u in users],
    }


def inbox(client: TestClient, headers: dict[str, str]) -> set[str]:
    response = client.get(BASE, params={"assigned_to": "me", "status": "pending"}, headers=headers)
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["items"]}


def decide(
    client: TestClient,
    headers: dict[str, str],
    request_id: Any,
    verb: str = "approve",
    comment: str | None = None,
) -> Any:
    body = {} if comment is None else {"comment": comment}
    return client.post(f"{BASE}/{request_id}/{verb}", json=body, headers=headers)


def error_code(response: Any) -> str:
    return str(response.json()["error"]["code"])


def test_each_approver_s_inbox_holds_the_requests_waiting_for_them(
    client: TestClient, db: Session
) -> None:
    staff = make_staff(db)
    team = staff.world.team_a
    for_lead = make_request(db, team, staff.rep, approvers=[[staff.lead]], label="组长审批")
    for_manager = make_request(db, team, staff.rep, approvers=[[staff.manager]], label="经理")
    done = make_request(db, team, staff.rep, approvers=[[staff.lead]], status="approved")
    later = make_request(db, team, staff.rep, approvers=[[staff.director], [staff.lead]])
    db.commit()
    lead, manager, rep = (login(client, u) for u in (staff.lead, staff.manager, staff.rep))

    assert inbox(client, lead) == {str(for_lead.id)}
    assert inbox(client, manager) == {str(for_manager.id)}
    assert inbox(client, rep) == set()
    mine = client.get(BASE, params={"requested_by": "me"}, headers=rep).json()["items"]
    assert {i["id"] for i in mine} == {str(r.id) for r in (for_lead, for_manager, done, later)}

    item = client.get(BASE, params={"assigned_to": "me"}, headers=lead).json()["items"]
    assert {i["id"] for i in item} == {str(for_lead.id)}  # ``later`` waits for step 1
    first = item[0]
    assert (first["action"], first["action_name"], first["action_name_en"]) == (
        "opportunity.stage_gate",
        "阶段准入审批",
        "Stage entry approval",
    )
    assert (first["requester_name"], first["current_step_name"]) == (
        staff.rep.display_name,
        "第1步",
    )
    assert (first["amount_base"], first["base_currency"], first["status"]) == (
        "100000.00",
        "CNY",
        "pending",
    )
    by_status = client.get(BASE, params={"status": "approved"}, headers=rep).json()["items"]
    assert [i["id"] for i in by_status] == [str(done.id)]


def test_a_two_step_policy_runs_any_then_all(client: TestClient, db: Session) -> None:
    staff = make_staff(db)
    deal = make_deal(db, staff)
    make_policy(
        db,
        "opportunity.stage_gate",
        steps=[
            user_step("经理审批", [staff.lead, staff.manager], "any"),
            user_step("总监与总经理会签", [staff.director, staff.gm], "all"),
        ],
    )
    request = gate.guard(
        db,
        scope_of(db, staff.rep),
        action="opportunity.stage_gate",
        record=deal,
        label=deal.name,
        facts=stage_gate_facts(),
    ).request
    assert request is not None
    db.commit()
    lead, manager, director, gm = (
        login(client, u) for u in (staff.lead, staff.manager, staff.director, staff.gm)
    )
    assert inbox(client, director) == set()

    first = decide(client, lead, request.id, comment="同意")
    assert first.status_code == 200, first.text
    body = first.json()
    assert (body["status"], body["current_step"], body["current_step_name"]) == (
        "pending",
        1,
        "总监与总经理会签",
    )
    assert [(s["status"], s["is_current"]) for s in body["steps"]] == [
        ("approved", False),
        ("pending", True),
    ]
    assert [(t["approver_id"], t["status"], t["comment"]) for t in body["steps"][0]["tasks"]] == [
        (str(staff.lead.id), "approved", "同意"),
        (str(staff.manager.id), "skipped", None),
    ]
    # The other manager's task was skipped: nothing left for them to decide.
    late = decide(client, manager, request.id)
    assert (late.status_code, error_code(late)) == (403, "approval_not_assigned")
    assert inbox(client, director) == {str(request.id)}
    assert inbox(client, gm) == {str(request.id)}

    half = decide(client, director, request.id)
    assert half.status_code == 200, half.text
    assert (half.json()["status"], half.json()["can_decide"]) == ("pending", False)
    assert inbox(client, director) == set()
    done = decide(client, gm, request.id, comment="会签通过")
    assert done.status_code == 200, done.text
    body = done.json()
    assert (body["status"], body["comment"]) == ("approved", "会签通过")
    assert body["decided_at"] is not None
    assert [s["status"] for s in body["steps"]] == ["approved", "approved"]
    events = db.execute(
        select(AuditEvent.action, AuditEvent.actor_id)
        .where(AuditEvent.entity_id == request.id, AuditEvent.action.like("approval.%"))
        .order_by(AuditEvent.seq)
    ).all()
    assert [(e.action, e.actor_id) for e in events] == [
        ("approval.approve", staff.lead.id),
        ("approval.approve", staff.director.id),
        ("approval.approve", staff.gm.id),
    ]


def test_the_requester_and_the_record_owner_can_never_decide(
    client: TestClient, db: Session
) -> None:
    staff = make_staff(db)
    # The group VP (whole-group scope) asks about the rep's deal; the team lead and the
    # manager approve, and have left the requester and the owner as their delegates.
    request = make_request(
        db,
        staff.world.team_a,
        staff.vp,
        approvers=[[staff.lead, staff.manager]],
        record_owner=staff.rep,
    )
    make_delegation(db, staff.lead, staff.vp)
    make_delegation(db, staff.manager, staff.rep)
    db.commit()
    for user in (staff.vp, staff.rep):
        headers = login(client, user)
        refused = decide(client, headers, request.id)
        assert (refused.status_code, error_code(refused)) == (403, "self_approval")
        assert "不能审批自己" in refused.json()["error"]["message"]
        rejected = decide(client, {**headers, **EN}, request.id, "reject", "no")
        assert rejected.status_code == 403
        assert "cannot decide a request you raised" in rejected.json()["error"]["message"]
        detail = client.get(f"{BASE}/{request.id}", headers=headers).json()
        assert detail["can_decide"] is False
    assert {t.status for t in tasks_of(db, reload(db, request.id))} == {"pending"}
    assert decide(client, login(client, staff.lead), request.id).status_code == 200


def test_a_delegate_decides_only_while_the_delegation_is_in_effect(
    client: TestClient, db: Session
) -> None:
    start = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    with clock.frozen_at(start):
        staff = make_staff(db)
        # Someone from subsidiary B who cannot otherwise see subsidiary A's requests.
        delegate = make_user(db, staff.world.dept_b, "sales_rep")
        make_delegation(
            db,
            staff.lead,
            delegate,
            starts_at=start + timedelta(days=1),
            ends_at=start + timedelta(days=3),
        )
        request = make_request(
            db, staff.world.team_a, staff.rep, approvers=[[staff.lead]], record_owner=staff.rep
        )
        db.commit()
        headers = login(client, delegate)
        assert client.get(f"{BASE}/{request.id}", headers=headers).status_code == 404
        assert inbox(client, headers) == set()
        assert decide(client, headers, request.id).status_code == 404

        clock.advance(timedelta(days=2))
        headers = login(client, delegate)
        assert inbox(client, headers) == {str(request.id)}
        assert client.get(f"{BASE}/{request.id}", headers=headers).json()["can_decide"] is True
        approved = decide(client, headers, request.id, comment="代组长审批")
        assert approved.status_code == 200, approved.text
        task = approved.json()["steps"][0]["tasks"][0]
        assert (task["approver_id"], task["decided_by_id"], task["by_delegate"]) == (
            str(staff.lead.id),
            str(delegate.id),
            True,
        )
        assert task["decided_by_name"] == delegate.display_name
        event = db.execute(
            select(AuditEvent).where(
                AuditEvent.entity_id == request.id, AuditEvent.action == "approval.approve"
            )
        ).scalar_one()
        assert event.actor_id == delegate.id
        assert event.changes["approver_id"] == str(staff.lead.id)
        assert event.changes["decided_by_id"] == str(delegate.id)
        assert event.changes["by_delegate"] is True
        # The one who decided keeps seeing what they decided.
        assert client.get(f"{BASE}/{request.id}", headers=headers).status_code == 200

        after = make_request(db, staff.world.team_a, staff.rep, approvers=[[staff.lead]])
        db.commit()
        assert inbox(client, headers) == {str(after.id)}
        clock.advance(timedelta(days=1))
        headers = login(client, delegate)
        assert inbox(client, headers) == set()
        assert decide(client, headers, after.id).status_code == 404


def test_a_revoked_delegation_no_longer_lets_the_delegate_act(
    client: TestClient, db: Session
) -> None:
    staff = make_staff(db)
    colleague = make_user(db, staff.world.team_a, "sales_rep")
    delegation = make_delegation(db, staff.lead, colleague)
    request = make_request(db, staff.world.team_a, staff.rep, approvers=[[staff.lead]])
    db.commit()
    headers = login(client, colleague)
    assert inbox(client, headers) == {str(request.id)}
    revoked = client.post(
        f"/api/v1/approval-delegations/{delegation.id}/revoke", headers=login(client, staff.lead)
    )
    assert revoked.status_code == 200, revoked.text
    assert inbox(client, headers) == set()
    refused = decide(client, headers, request.id)
    assert refused.status_code == 404


def test_the_requester_withdraws_a_pending_request(client: TestClient, db: Session) -> None:
    staff = make_staff(db)
    request = make_request(
        db, staff.world.team_a, staff.rep, approvers=[[staff.lead], [staff.manager]]
    )
    db.commit()
    rep, lead = login(client, staff.rep), login(client, staff.lead)
    assert client.get(f"{BASE}/{request.id}", headers=rep).json()["can_withdraw"] is True
    assert client.get(f"{BASE}/{request.id}", headers=lead).json()["can_withdraw"] is False
    not_mine = client.post(f"{BASE}/{request.id}/withdraw", headers=lead)
    assert (not_mine.status_code, error_code(not_mine)) == (403, "approval_not_requester")

    withdrawn = client.post(
        f"{BASE}/{request.id}/withdraw", json={"comment": "客户暂缓"}, headers=rep
    )
    assert withdrawn.status_code == 200, withdrawn.text
    body = withdrawn.json()
    assert (body["status"], body["comment"], body["can_withdraw"]) == (
        "withdrawn",
        "客户暂缓",
        False,
    )
    assert {t.status for t in tasks_of(db, reload(db, request.id))} == {"cancelled"}
    again = client.post(f"{BASE}/{request.id}/withdraw", headers=rep)
    assert (again.status_code, error_code(again)) == (409, "approval_not_pending")
    too_late = decide(client, lead, request.id)
    assert (too_late.status_code, error_code(too_late)) == (409, "approval_not_pending")
    assert too_late.json()["error"]["request_status"] == "withdrawn"
    assert "已结束" in too_late.json()["error"]["message"]
    assert inbox(client, lead) == set()


@pytest.mark.parametrize("status", ["voided", "approved", "rejected"])
def test_deciding_a_request_that_is_no_longer_pending_is_a_409(
    client: TestClient, db: Session, status: str
) -> None:
    staff = make_staff(db)
    request = make_request(
        db, staff.world.team_a, staff.rep, approvers=[[staff.lead]], status=status
    )
    db.commit()
    lead = login(client, staff.lead)
    for verb in ("approve", "reject"):
        refused = decide(client, {**lead, **EN}, request.id, verb, "意见")
        assert (refused.status_code, error_code(refused)) == (409, "approval_not_pending")
        assert "no longer pending" in refused.json()["error"]["message"]
        assert refused.json()["error"]["request_status"] == status
    assert reload(db, request.id).status == status


def test_a_rejection_needs_a_comment_and_ends_the_whole_request(
    client: TestClient, db: Session
) -> None:
    staff = make_staff(db)
    request = make_request(
        db,
        staff.world.team_a,
        staff.rep,
        approvers=[[staff.lead, staff.manager], [staff.director]],
    )
    db.commit()
    lead = login(client, staff.lead)
    for body in ({}, {"comment": "   "}):
        missing = client.post(f"{BASE}/{request.id}/reject", json=body, headers=lead)
        assert missing.status_code == 422, missing.text
        field = missing.json()["error"]["fields"][0]
        assert (field["field"], field["code"], field["message"]) == (
            "comment",
            "approval_comment_required",
            "驳回时必须填写审批意见",
        )
    english = client.post(f"{BASE}/{request.id}/reject", json={}, headers={**lead, **EN})
    assert english.json()["error"]["fields"][0]["message"] == "A comment is required to reject"
    assert reload(db, request.id).status == "pending"

    rejected = decide(client, lead, request.id, "reject", "折扣过高")
    assert rejected.status_code == 200, rejected.text
    assert (rejected.json()["status"], rejected.json()["comment"]) == ("rejected", "折扣过高")
    assert [(t.approver_id, t.status) for t in tasks_of(db, reload(db, request.id))] == [
        (staff.lead.id, "rejected"),
        (staff.manager.id, "cancelled"),
        (staff.director.id, "cancelled"),
    ]
    assert [s["status"] for s in rejected.json()["steps"]] == ["rejected", "cancelled"]


def test_a_caller_without_a_task_gets_403_if_they_see_the_request_else_404(
    client: TestClient, db: Session
) -> None:
    staff = make_staff(db)
    request = make_request(db, staff.world.team_a, staff.rep, approvers=[[staff.lead]])
    db.commit()
    director = login(client, staff.director)
    seen = decide(client, director, request.id)
    assert (seen.status_code, error_code(seen)) == (403, "approval_not_assigned")
    assert client.get(f"{BASE}/{request.id}", headers=director).json()["can_decide"] is False
    _b, other = as_user(client, db, staff.world.sub_b, "sales_director")
    hidden = decide(client, other, request.id)
    assert (hidden.status_code, error_code(hidden)) == (404, "not_found")
    _nobody, nobody = as_user(client, db, staff.world.team_a, None)
    assert decide(client, nobody, request.id).status_code == 404
    assert decide(client, director, uuid.uuid4()).status_code == 404
    assert reload(db, request.id).status == "pending"


def test_final_decisions_reach_the_guarding_feature(
    client: TestClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    heard: list[tuple[uuid.UUID, str, str]] = []

    def handler(_session: Session, request: ApprovalRequest, outcome: str) -> None:
        heard.append((request.id, outcome, request.status))

    monkeypatch.setitem(registry._HANDLERS, "opportunity.stage_gate", handler)
    staff = make_staff(db)
    team = staff.world.team_a
    approved = make_request(db, team, staff.rep, approvers=[[staff.lead], [staff.manager]])
    rejected = make_request(db, team, staff.rep, approvers=[[staff.lead]])
    withdrawn = make_request(db, team, staff.rep, approvers=[[staff.lead]])
    db.commit()
    lead, manager, rep = (login(client, u) for u in (staff.lead, staff.manager, staff.rep))
    assert decide(client, lead, approved.id).status_code == 200
    assert heard == []  # one step of two: nothing final yet
    assert decide(client, manager, approved.id).status_code == 200
    assert decide(client, lead, rejected.id, "reject", "不同意").status_code == 200
    assert client.post(f"{BASE}/{withdrawn.id}/withdraw", headers=rep).status_code == 200
    assert heard == [
        (approved.id, "approved", "approved"),
        (rejected.id, "rejected", "rejected"),
        (withdrawn.id, "withdrawn", "withdrawn"),
    ]


def test_the_request_page_shows_the_snapshot_the_policy_and_what_the_caller_may_do(
    client: TestClient, db: Session
) -> None:
    staff: Staff = make_staff(db)
    deal = make_deal(db, staff)
    policy = make_policy(
        db,
        "opportunity.stage_gate",
        name="大额商机准入",
        condition={"field": "amount_base", "op": "gt", "value": "50000"},
    )
    request = gate.guard(
        db,
        scope_of(db, staff.rep),
        action="opportunity.stage_gate",
        record=deal,
        label="大额商机 → 方案",
        facts=stage_gate_facts(),
    ).request
    assert request is not None
    db.commit()
    lead = client.get(f"{BASE}/{request.id}", headers=login(client, staff.lead)).json()
    assert (lead["record_label"], lead["record_type"], lead["record_id"]) == (
        "大额商机 → 方案",
        "opportunity",
        str(deal.id),
    )
    assert lead["facts"]["amount_base"] == "100000.00"
    assert lead["read_fields"] == ["amount_base", "stage"]
    assert (lead["policy"]["id"], lead["policy"]["name"], lead["policy_name"]) == (
        str(policy.id),
        "大额商机准入",
        "大额商机准入",
    )
    assert lead["policy"]["condition"] == {"field": "amount_base", "op": "gt", "value": "50000"}
    assert lead["steps"][0]["name"] == "直属上级"
    assert lead["steps"][0]["is_current"] is True
    assert lead["steps"][0]["tasks"][0]["approver_name"] == staff.lead.display_name
    assert (lead["can_decide"], lead["can_withdraw"]) == (True, False)
    rep = client.get(f"{BASE}/{request.id}", headers=login(client, staff.rep)).json()
    assert (rep["can_decide"], rep["can_withdraw"]) == (False, True)

    gate.record_changed(
        db,
        action="opportunity.stage_gate",
        record_id=deal.id,
        facts=stage_gate_facts(amount_base=stage_gate_facts()["amount_base"] * 2),
    )
    db.commit()
    voided = client.get(f"{BASE}/{request.id}", headers={**login(client, staff.rep), **EN})
    body = voided.json()
    assert (body["status"], body["void_reason"]) == ("voided", "facts_changed:amount_base")
    assert body["void_message"] == (
        "The facts the approval was based on changed (amount_base); the request was voided"
    )
    assert body["steps"][0]["status"] == "cancelled"
