"""The guarded actions this feature wires in, through their own APIs: a stage's approval
gate, skipping or moving back a stage, and transferring an account."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.approval import gate
from flotilla.models.approval import ApprovalRequest
from flotilla.process.seed import StageSpec
from tests.fixtures.approval import (
    Staff,
    make_policy,
    make_rate,
    make_staff,
    reload,
)
from tests.fixtures.customer import make_account as make_customer
from tests.fixtures.factories import as_user, login, make_user
from tests.fixtures.process import (
    latest_version,
    make_account,
    make_opportunity,
    make_template,
)

DEALS = "/api/v1/opportunities"
APPROVALS = "/api/v1/approvals"
GATED_STAGES = (
    StageSpec("prospect", "初步接触", "Prospect", 10),
    StageSpec("review", "重大交易评审", "Big deal review", 40, requires_approval=True),
    StageSpec("proposal", "方案", "Proposal", 60),
    StageSpec("closing", "签约", "Closing", 80),
    StageSpec("won", "赢单", "Won", 100, kind="won"),
    StageSpec("lost", "输单", "Lost", 0, kind="lost"),
)


def gated_deal(db: Session, staff: Staff, **fields: Any) -> Any:
    version = latest_version(db, make_template(db, GATED_STAGES))
    account = make_account(db, staff.world.team_a, staff.rep)
    account.tier, account.value_class = "key_account", "A"
    return make_opportunity(
        db, staff.world.team_a, staff.rep, version=version, account=account, **fields
    )


def move(client: TestClient, headers: dict[str, str], deal_id: Any, to: str, **body: Any) -> Any:
    version = client.get(f"{DEALS}/{deal_id}", headers=headers).json()["version"]
    return client.post(
        f"{DEALS}/{deal_id}/transitions",
        json={"to_stage": to, "version": version, **body},
        headers=headers,
    )


def pending_id(response: Any) -> uuid.UUID:
    assert response.status_code == 409, response.text
    error = response.json()["error"]
    assert error["code"] == "approval_pending"
    return uuid.UUID(error["approval_request_id"])


def stage_of(client: TestClient, headers: dict[str, str], deal_id: Any) -> str:
    return str(client.get(f"{DEALS}/{deal_id}", headers=headers).json()["stage"]["code"])


def test_a_gated_stage_waits_for_the_line_manager_then_needs_a_new_approval_next_time(
    client: TestClient, db: Session
) -> None:
    staff = make_staff(db)
    deal = gated_deal(db, staff, amount="250000.00")
    db.commit()
    rep, lead = login(client, staff.rep), login(client, staff.lead)

    first = move(client, rep, deal.id, "review")
    request_id = pending_id(first)
    assert "需要审批" in first.json()["error"]["message"]
    assert stage_of(client, rep, deal.id) == "prospect"
    # Asking again while it waits points at the same request.
    assert pending_id(move(client, rep, deal.id, "review")) == request_id

    detail = client.get(f"{APPROVALS}/{request_id}", headers=lead).json()
    assert (detail["action"], detail["policy_name"], detail["record_id"]) == (
        "opportunity.stage_gate",
        "默认审批",
        str(deal.id),
    )
    assert detail["facts"] == {
        "stage": "review",
        "amount": "250000.00",
        "amount_base": "250000.00",
        "currency": "CNY",
        "account.tier": "key_account",
        "account.value_class": "A",
        "forecast_category": "pipeline",
    }
    assert [t["approver_id"] for t in detail["steps"][0]["tasks"]] == [str(staff.lead.id)]
    approved = client.post(f"{APPROVALS}/{request_id}/approve", json={}, headers=lead)
    assert approved.status_code == 200, approved.text

    moved = move(client, rep, deal.id, "review")
    assert moved.status_code == 200, moved.text
    assert moved.json()["stage"]["code"] == "review"
    assert reload(db, request_id).consumed_at is not None

    # Back to the start (a director may move back), then entering again needs a new approval.
    director = login(client, staff.director)
    back = move(client, director, deal.id, "prospect", reason="需求变更")
    assert back.status_code == 200, back.text
    second = pending_id(move(client, rep, deal.id, "review"))
    assert second != request_id


def test_other_unmet_gates_still_refuse_with_422_listing_the_approval_too(
    client: TestClient, db: Session
) -> None:
    staff = make_staff(db)
    stages = (
        StageSpec("prospect", "初步接触", "Prospect", 10),
        StageSpec(
            "review",
            "评审",
            "Review",
            40,
            requires_approval=True,
            required_fields=("expected_close_date",),
        ),
        StageSpec("won", "赢单", "Won", 100, kind="won"),
        StageSpec("lost", "输单", "Lost", 0, kind="lost"),
    )
    version = latest_version(db, make_template(db, stages))
    deal = make_opportunity(db, staff.world.team_a, staff.rep, version=version)
    db.commit()
    refused = move(client, login(client, staff.rep), deal.id, "review")
    assert refused.status_code == 422, refused.text
    assert {(f["field"], f["code"]) for f in refused.json()["error"]["fields"]} == {
        ("expected_close_date", "gate_required_field"),
        ("approval", "gate_approval"),
    }
    assert gate.latest_request(db, action="opportunity.stage_gate", record_id=deal.id) is None


def test_a_skip_waits_for_its_policy_s_approval_and_uses_it_once(
    client: TestClient, db: Session
) -> None:
    staff = make_staff(db)
    make_policy(
        db,
        "opportunity.skip_stage",
        condition={"field": "skipped_stages", "op": "gte", "value": 1},
    )
    deal = gated_deal(db, staff, stage_code="review")
    db.commit()
    director, gm = login(client, staff.director), login(client, staff.gm)

    skip = move(client, director, deal.id, "closing", reason="客户加急")
    request_id = pending_id(skip)
    detail = client.get(f"{APPROVALS}/{request_id}", headers=gm).json()
    assert detail["facts"]["from_stage"] == "review"
    assert detail["facts"]["to_stage"] == "closing"
    assert (detail["facts"]["skipped_stages"], detail["facts"]["is_backward"]) == (1, False)
    # The director sits in the subsidiary itself: their line manager is its head, the GM.
    assert [t["approver_id"] for t in detail["steps"][0]["tasks"]] == [str(staff.gm.id)]
    assert client.post(f"{APPROVALS}/{request_id}/approve", json={}, headers=gm).status_code == 200

    done = move(client, director, deal.id, "closing", reason="客户加急")
    assert done.status_code == 200, done.text
    assert stage_of(client, director, deal.id) == "closing"
    # A move back skips nothing, so this policy does not ask; the next skip asks again.
    assert move(client, director, deal.id, "review", reason="重新评审").status_code == 200
    again = pending_id(move(client, director, deal.id, "closing", reason="再次加急"))
    assert again != request_id


def test_a_skip_over_a_gated_stage_needs_that_stage_s_approval_and_the_skip_s(
    client: TestClient, db: Session
) -> None:
    staff = make_staff(db)
    make_policy(db, "opportunity.skip_stage")
    deal = gated_deal(db, staff)
    db.commit()
    director = login(client, staff.director)
    refused = move(client, director, deal.id, "proposal", reason="老客户")
    assert refused.status_code == 409, refused.text
    ids = refused.json()["error"]["approval_request_ids"]
    assert refused.json()["error"]["approval_request_id"] == ids[0]
    actions = {
        r.action: r
        for r in db.execute(
            select(ApprovalRequest).where(ApprovalRequest.record_id == deal.id)
        ).scalars()
    }
    assert set(actions) == {"opportunity.stage_gate", "opportunity.skip_stage"}
    assert actions["opportunity.stage_gate"].facts["stage"] == "review"
    assert sorted(ids) == sorted(str(r.id) for r in actions.values())
    gm = login(client, staff.gm)
    for request_id in ids:
        approved = client.post(f"{APPROVALS}/{request_id}/approve", json={}, headers=gm)
        assert approved.status_code == 200, approved.text
    moved = move(client, director, deal.id, "proposal", reason="老客户")
    assert moved.status_code == 200, moved.text
    assert all(reload(db, r.id).consumed_at is not None for r in actions.values())


def test_the_deal_amount_is_converted_to_the_subsidiary_currency_or_refused(
    client: TestClient, db: Session
) -> None:
    staff = make_staff(db)
    deal = gated_deal(db, staff, amount="10000.00")
    deal.currency = "USD"
    db.commit()
    rep = login(client, staff.rep)
    missing = move(client, {**rep, "Accept-Language": "en-US"}, deal.id, "review")
    assert missing.status_code == 422, missing.text
    error = missing.json()["error"]
    assert error["code"] == "fx_rate_missing"
    assert error["fields"][0]["field"] == "amount"
    assert "USD→CNY" in error["fields"][0]["message"]
    assert gate.latest_request(db, action="opportunity.stage_gate", record_id=deal.id) is None

    make_rate(db, "USD", "CNY", "7.12345")
    db.commit()
    request_id = pending_id(move(client, rep, deal.id, "review"))
    stored = reload(db, request_id)
    assert (stored.facts["amount"], stored.facts["currency"]) == ("10000.00", "USD")
    assert stored.facts["amount_base"] == "71234.50"
    assert (stored.amount_base, stored.base_currency) == (Decimal("71234.50"), "CNY")


def test_a_transfer_across_subsidiaries_waits_for_the_group_vp(
    client: TestClient, db: Session
) -> None:
    staff = make_staff(db)
    world = staff.world
    make_policy(
        db,
        "account.transfer",
        condition={"field": "cross_subsidiary", "op": "eq", "value": True},
        steps=[
            {
                "name": "集团销售副总",
                "name_en": "Group sales VP",
                "mode": "any",
                "approvers": [{"type": "role", "role": "group_sales_vp", "at": "group"}],
            }
        ],
    )
    account = make_customer(db, world.team_a, "远航科技有限公司", owner=staff.rep)
    account.tier = "strategic"
    version = latest_version(db, make_template(db, GATED_STAGES))
    make_opportunity(db, world.team_a, staff.rep, version=version, account=account, amount="300")
    make_opportunity(db, world.team_a, staff.rep, version=version, account=account, amount="200")
    rep_b = make_user(db, world.dept_b, "sales_rep")
    colleague_b = make_user(db, world.dept_b, "sales_rep")
    _admin, admin = as_user(client, db, world.group, "group_admin")
    db.commit()

    def transfer(owner: Any, unit: Any) -> Any:
        return client.post(
            f"/api/v1/accounts/{account.id}/transfer",
            json={"owner_id": str(owner.id), "unit_id": str(unit.id), "reason": "区域调整"},
            headers=admin,
        )

    request_id = pending_id(transfer(rep_b, world.dept_b))
    stored = reload(db, request_id)
    assert stored.facts == {
        "account.tier": "strategic",
        "account.value_class": "C",
        "cross_subsidiary": True,
        "open_pipeline_base": "500.00",
    }
    assert (stored.record_type, stored.record_label) == ("account", "远航科技有限公司")
    assert (stored.owner_id, stored.record_owner_id) == (_admin.id, staff.rep.id)
    assert [t["approver_id"] for t in _tasks(client, admin, request_id)] == [str(staff.vp.id)]
    # Nothing moved while it waits.
    assert client.get(f"/api/v1/accounts/{account.id}", headers=admin).json()["unit_id"] == str(
        world.team_a.id
    )
    vp = login(client, staff.vp)
    assert client.post(f"{APPROVALS}/{request_id}/approve", json={}, headers=vp).status_code == 200
    moved = transfer(rep_b, world.dept_b)
    assert moved.status_code == 200, moved.text
    assert moved.json()["subsidiary_id"] == str(world.sub_b.id)
    assert reload(db, request_id).consumed_at is not None

    # Within one subsidiary the policy's condition does not hold: no approval is needed.
    # (Its facts are still computed: the open deals in CNY count in HKD now.)
    refused = transfer(colleague_b, world.dept_b)
    assert (refused.status_code, refused.json()["error"]["code"]) == (422, "fx_rate_missing")
    make_rate(db, "CNY", "HKD", "1.08")
    db.commit()
    within = transfer(colleague_b, world.dept_b)
    assert within.status_code == 200, within.text
    assert gate.latest_request(db, action="account.transfer", record_id=account.id) == reload(
        db,
        request_id,
    )


def _tasks(client: TestClient, headers: dict[str, str], request_id: uuid.UUID) -> list[Any]:
    detail = client.get(f"{APPROVALS}/{request_id}", headers=headers).json()
    return [task for step in detail["steps"] for task in step["tasks"]]


def test_without_a_skip_policy_a_move_back_needs_neither_an_approval_nor_a_rate(
    client: TestClient, db: Session
) -> None:
    staff = make_staff(db)
    deal = gated_deal(db, staff, stage_code="proposal")
    deal.currency = "USD"  # no USD rate on file: nothing may need one
    db.commit()
    back = move(client, login(client, staff.director), deal.id, "prospect", reason="重新评估")
    assert back.status_code == 200, back.text
    assert gate.latest_request(db, action="opportunity.skip_stage", record_id=deal.id) is None


def test_without_a_transfer_policy_an_account_moves_at_once(
    client: TestClient, db: Session
) -> None:
    staff = make_staff(db)
    world = staff.world
    account = make_customer(db, world.team_a, "直发贸易有限公司", owner=staff.rep)
    version = latest_version(db, make_template(db, GATED_STAGES))
    make_opportunity(db, world.team_a, staff.rep, version=version, account=account)
    rep_b = make_user(db, world.dept_b, "sales_rep")
    _admin, admin = as_user(client, db, world.group, "group_admin")
    db.commit()
    moved = client.post(
        f"/api/v1/accounts/{account.id}/transfer",
        json={"owner_id": str(rep_b.id), "unit_id": str(world.dept_b.id), "reason": "区域调整"},
        headers=admin,
    )
    assert moved.status_code == 200, moved.text
    assert gate.latest_request(db, action="account.transfer", record_id=account.id) is None
