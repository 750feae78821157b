"""Stage transitions: entry gates, skips and moves back, closing and reopening, the stage
history and its audit event, and deals staying on the process version they started on."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.models.audit import AuditEvent
from flotilla.models.identity import User
from flotilla.models.sales import Opportunity, ProcessTemplate, StageHistory
from flotilla.process.seed import (
    StageSpec,
    ensure_standard_template,
    ensure_subsidiary_variant,
)
from tests.fixtures.factories import World, as_user, make_user, make_world
from tests.fixtures.process import (
    SIMPLE_STAGES,
    add_member,
    latest_version,
    make_account,
    make_contact,
    make_opportunity,
    make_template,
    publish,
)

BASE = "/api/v1/opportunities"
NEEDS_ANALYSIS_TICKS = ["budget_confirmed", "decision_maker_identified"]
NEGOTIATION_TICKS = ["solution_reviewed", "quote_submitted"]


@pytest.fixture
def world(db: Session) -> World:
    return make_world(db)


@pytest.fixture
def standard(db: Session, world: World) -> ProcessTemplate:
    return ensure_standard_template(db)


@pytest.fixture
def rep(client: TestClient, db: Session, world: World) -> tuple[User, dict[str, str]]:
    return as_user(client, db, world.team_a, "sales_rep")


def current(client: TestClient, headers: dict[str, str], deal_id: Any) -> Any:
    response = client.get(f"{BASE}/{deal_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def move(
    client: TestClient, headers: dict[str, str], deal_id: Any, to_stage: str, **body: Any
) -> Any:
    version = current(client, headers, deal_id)["version"]
    return client.post(
        f"{BASE}/{deal_id}/transitions",
        json={"to_stage": to_stage, "version": version, **body},
        headers=headers,
    )


def tick(
    client: TestClient, headers: dict[str, str], deal_id: Any, stage: str, items: list[str]
) -> None:
    response = client.put(
        f"{BASE}/{deal_id}/checklist", json={"stage_code": stage, "items": items}, headers=headers
    )
    assert response.status_code == 200, response.text


def refused_fields(response: Any) -> set[tuple[str, str]]:
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "transition_refused"
    return {(f["field"], f["code"]) for f in response.json()["error"]["fields"]}


def ready_deal(
    db: Session, world: World, owner: User, standard: ProcessTemplate, stage_code: str
) -> Opportunity:
    """A deal in ``stage_code`` whose facts meet every gate of the standard process."""
    account = make_account(db, world.team_a, owner)
    make_contact(db, account)
    deal = make_opportunity(
        db,
        world.team_a,
        owner,
        version=latest_version(db, standard),
        account=account,
        stage_code=stage_code,
        amount="500000",
        competitors=["竞品甲"],
    )
    deal.expected_close_date = deal.created_at.date()
    deal.checklist_state = {
        "needs_analysis": NEEDS_ANALYSIS_TICKS,
        "solution_quote": ["requirements_confirmed"],
        "negotiation": NEGOTIATION_TICKS,
        "won": ["contract_terms_agreed", "legal_review_done"],
    }
    db.commit()
    return deal


# --- entry gates --------------------------------------------------------------------------


def test_a_refusal_lists_every_unmet_gate_then_the_move_succeeds_once_they_are_met(
    client: TestClient,
    db: Session,
    world: World,
    standard: ProcessTemplate,
    rep: tuple[User, dict[str, str]],
) -> None:
    owner, headers = rep
    deal = make_opportunity(
        db, world.team_a, owner, version=latest_version(db, standard), amount="0"
    )
    db.commit()
    refused = move(client, headers, deal.id, "needs_analysis")
    assert refused_fields(refused) == {
        ("amount", "gate_required_field"),
        ("expected_close_date", "gate_required_field"),
        ("checklist.budget_confirmed", "gate_checklist"),
        ("checklist.decision_maker_identified", "gate_checklist"),
    }
    messages = {f["field"]: f["message"] for f in refused.json()["error"]["fields"]}
    assert messages["checklist.budget_confirmed"] == "进入该阶段前必须完成此检查项"
    assert messages["amount"] == "进入该阶段前必须填写此项"
    assert current(client, headers, deal.id)["stage"]["code"] == "qualify"
    assert len(client.get(f"{BASE}/{deal.id}/history", headers=headers).json()) == 1

    patched = client.patch(
        f"{BASE}/{deal.id}",
        json={"version": deal.version, "amount": "800000", "expected_close_date": "2027-06-30"},
        headers=headers,
    )
    assert patched.status_code == 200
    tick(client, headers, deal.id, "needs_analysis", ["budget_confirmed"])
    assert refused_fields(move(client, headers, deal.id, "needs_analysis")) == {
        ("checklist.decision_maker_identified", "gate_checklist")
    }
    tick(client, headers, deal.id, "needs_analysis", NEEDS_ANALYSIS_TICKS)
    moved = move(client, headers, deal.id, "needs_analysis", reason="客户确认立项")
    assert moved.status_code == 200, moved.text
    body = moved.json()
    assert (body["stage"]["code"], body["stage"]["probability"]) == ("needs_analysis", 25)
    history = client.get(f"{BASE}/{deal.id}/history", headers=headers).json()
    assert [
        (h["from_stage"] and h["from_stage"]["code"], h["to_stage"]["code"]) for h in history
    ] == [
        (None, "qualify"),
        ("qualify", "needs_analysis"),
    ]
    last = history[-1]
    assert (last["is_skip"], last["is_backward"], last["reason"]) == (False, False, "客户确认立项")
    assert (last["days_in_previous"], last["changed_by_id"]) == (0, str(owner.id))

    event = db.execute(
        select(AuditEvent).where(AuditEvent.action == "opportunity.transition")
    ).scalar_one()
    assert (event.entity_id, event.actor_id) == (deal.id, owner.id)
    assert (event.unit_id, event.subsidiary_id) == (world.team_a.id, world.sub_a.id)
    assert event.changes["stage"] == {"before": "qualify", "after": "needs_analysis"}
    assert event.changes["reason"] == {"before": None, "after": "客户确认立项"}


def test_the_team_and_contact_gates_read_the_deal_s_team_and_account(
    client: TestClient,
    db: Session,
    world: World,
    standard: ProcessTemplate,
    rep: tuple[User, dict[str, str]],
) -> None:
    owner, headers = rep
    variant = ensure_subsidiary_variant(db, world.sub_a)
    account = make_account(db, world.team_a, owner)
    deal = make_opportunity(
        db,
        world.team_a,
        owner,
        version=latest_version(db, variant),
        account=account,
        stage_code="needs_analysis",
        amount="10",
        expected_close_date=None,
        competitors=["竞品甲"],
    )
    deal.checklist_state = {"poc": ["poc_scope_agreed", "poc_environment_ready"]}
    db.commit()
    assert refused_fields(move(client, headers, deal.id, "poc")) == {
        ("expected_close_date", "gate_required_field"),
        ("members.SR", "gate_required_field"),
    }
    add_member(db, deal, make_user(db, world.dept_b), "SR")
    deal.expected_close_date = deal.created_at.date()
    db.commit()
    assert move(client, headers, deal.id, "poc").status_code == 200
    tick(client, headers, deal.id, "solution_quote", ["requirements_confirmed"])
    assert refused_fields(move(client, headers, deal.id, "solution_quote")) == {
        ("contact", "gate_required_field")
    }
    make_contact(db, account)
    db.commit()
    assert move(client, headers, deal.id, "solution_quote").status_code == 200


def test_a_stage_that_requires_approval_waits_for_an_approval(
    client: TestClient, db: Session, world: World, rep: tuple[User, dict[str, str]]
) -> None:
    owner, headers = rep
    stages = (
        StageSpec("prospect", "初步接触", "Prospect", 10),
        StageSpec("big_deal", "重大交易评审", "Big deal review", 60, requires_approval=True),
        StageSpec("won", "赢单", "Won", 100, kind="won"),
        StageSpec("lost", "输单", "Lost", 0, kind="lost"),
    )
    version = latest_version(db, make_template(db, stages, code="APPROVAL"))
    deal = make_opportunity(db, world.team_a, owner, version=version)
    world.dept_a.manager_id = make_user(db, world.dept_a, "sales_manager").id
    db.commit()
    response = move(client, headers, deal.id, "big_deal")
    assert response.status_code == 409, response.text
    assert response.json()["error"]["code"] == "approval_pending"
    request_id = response.json()["error"]["approval_request_id"]
    _director, director = as_user(client, db, world.sub_a, "sales_director")
    # A skip passes over a stage's tasks, never its approval: it waits for the same one.
    skipped = move(client, director, deal.id, "won", reason="总经理口头同意")
    assert skipped.status_code == 409, skipped.text
    assert skipped.json()["error"]["approval_request_id"] == request_id
    assert current(client, headers, deal.id)["stage"]["code"] == "prospect"


# --- skips and moves back -----------------------------------------------------------------


def test_a_skip_needs_the_permission_and_a_reason_and_still_checks_the_target_s_gates(
    client: TestClient,
    db: Session,
    world: World,
    standard: ProcessTemplate,
    rep: tuple[User, dict[str, str]],
) -> None:
    owner, headers = rep
    deal = ready_deal(db, world, owner, standard, "qualify")
    assert refused_fields(move(client, headers, deal.id, "negotiation")) == {
        ("to_stage", "skip_not_allowed"),
        ("reason", "reason_required"),
    }
    assert refused_fields(move(client, headers, deal.id, "negotiation", reason="老客户续约")) == {
        ("to_stage", "skip_not_allowed")
    }
    _director, director = as_user(client, db, world.sub_a, "sales_director")
    assert refused_fields(move(client, director, deal.id, "negotiation")) == {
        ("reason", "reason_required")
    }
    tick(client, director, deal.id, "negotiation", ["quote_submitted"])
    assert refused_fields(move(client, director, deal.id, "negotiation", reason="老客户续约")) == {
        ("checklist.solution_reviewed", "gate_checklist")
    }
    tick(client, director, deal.id, "negotiation", NEGOTIATION_TICKS)
    skipped = move(client, director, deal.id, "negotiation", reason="老客户续约")
    assert skipped.status_code == 200, skipped.text
    last = client.get(f"{BASE}/{deal.id}/history", headers=director).json()[-1]
    assert (last["is_skip"], last["is_backward"], last["reason"]) == (True, False, "老客户续约")
    event = db.execute(
        select(AuditEvent).where(AuditEvent.action == "opportunity.transition")
    ).scalar_one()
    assert event.changes["is_skip"] == {"before": None, "after": True}


def test_winning_from_an_earlier_stage_is_a_skip(
    client: TestClient,
    db: Session,
    world: World,
    standard: ProcessTemplate,
    rep: tuple[User, dict[str, str]],
) -> None:
    owner, headers = rep
    deal = ready_deal(db, world, owner, standard, "solution_quote")
    assert ("to_stage", "skip_not_allowed") in refused_fields(move(client, headers, deal.id, "won"))


def test_moving_back_needs_the_permission_and_a_reason_but_no_gates(
    client: TestClient,
    db: Session,
    world: World,
    standard: ProcessTemplate,
    rep: tuple[User, dict[str, str]],
) -> None:
    owner, headers = rep
    deal = make_opportunity(
        db, world.team_a, owner, version=latest_version(db, standard), stage_code="negotiation"
    )
    db.commit()
    assert refused_fields(move(client, headers, deal.id, "needs_analysis", reason="需求变更")) == {
        ("to_stage", "skip_not_allowed")
    }
    _manager, manager = as_user(client, db, world.dept_a, "sales_manager")
    assert refused_fields(move(client, manager, deal.id, "needs_analysis", reason="需求变更")) == {
        ("to_stage", "skip_not_allowed")
    }
    _director, director = as_user(client, db, world.sub_a, "sales_director")
    back = move(client, director, deal.id, "needs_analysis", reason="需求变更")
    assert back.status_code == 200, back.text
    last = client.get(f"{BASE}/{deal.id}/history", headers=director).json()[-1]
    assert (last["is_skip"], last["is_backward"]) == (False, True)


# --- closing and reopening ----------------------------------------------------------------


def test_closing_lost_needs_a_loss_reason_and_closes_the_deal(
    client: TestClient,
    db: Session,
    world: World,
    standard: ProcessTemplate,
    rep: tuple[User, dict[str, str]],
) -> None:
    owner, headers = rep
    deal = make_opportunity(db, world.team_a, owner, version=latest_version(db, standard))
    db.commit()
    assert refused_fields(move(client, headers, deal.id, "lost")) == {
        ("loss_reason", "loss_reason_required")
    }
    assert refused_fields(move(client, headers, deal.id, "lost", loss_reason="  ")) == {
        ("loss_reason", "loss_reason_required")
    }
    assert refused_fields(move(client, headers, deal.id, "needs_analysis", loss_reason="价格")) >= {
        ("loss_reason", "loss_reason_not_applicable")
    }
    lost = move(client, headers, deal.id, "lost", loss_reason="价格高于竞品 15%")
    assert lost.status_code == 200, lost.text
    body = lost.json()
    assert (body["status"], body["forecast_category"]) == ("lost", "omitted")
    assert body["loss_reason"] == "价格高于竞品 15%"
    assert body["closed_at"] is not None
    assert body["stalled"] is False

    reopen = move(client, headers, deal.id, "qualify", reason="客户重新启动采购")
    assert refused_fields(reopen) == {("to_stage", "skip_not_allowed")}
    _director, director = as_user(client, db, world.sub_a, "sales_director")
    assert refused_fields(move(client, director, deal.id, "qualify")) == {
        ("reason", "reason_required")
    }
    reopened = move(client, director, deal.id, "qualify", reason="客户重新启动采购")
    assert reopened.status_code == 200, reopened.text
    body = reopened.json()
    assert (body["status"], body["forecast_category"]) == ("open", "pipeline")
    assert (body["closed_at"], body["loss_reason"]) == (None, None)
    last = client.get(f"{BASE}/{deal.id}/history", headers=director).json()[-1]
    assert (last["from_stage"]["code"], last["is_backward"]) == ("lost", True)


def test_winning_closes_the_deal(
    client: TestClient,
    db: Session,
    world: World,
    standard: ProcessTemplate,
    rep: tuple[User, dict[str, str]],
) -> None:
    owner, headers = rep
    deal = ready_deal(db, world, owner, standard, "negotiation")
    won = move(client, headers, deal.id, "won")
    assert won.status_code == 200, won.text
    body = won.json()
    assert (body["status"], body["forecast_category"]) == ("won", "closed")
    assert (body["stage"]["probability"], body["closed_at"] is not None) == (100, True)
    tick_closed = client.put(
        f"{BASE}/{deal.id}/checklist",
        json={"stage_code": "won", "items": []},
        headers=headers,
    )
    assert tick_closed.status_code == 409
    assert tick_closed.json()["error"]["code"] == "opportunity_closed"


def test_bad_transition_requests(
    client: TestClient,
    db: Session,
    world: World,
    standard: ProcessTemplate,
    rep: tuple[User, dict[str, str]],
) -> None:
    owner, headers = rep
    deal = make_opportunity(db, world.team_a, owner, version=latest_version(db, standard))
    db.commit()
    assert refused_fields(move(client, headers, deal.id, "nowhere")) == {
        ("to_stage", "unknown_stage")
    }
    assert refused_fields(move(client, headers, deal.id, "qualify")) == {("to_stage", "same_stage")}
    stale = client.post(
        f"{BASE}/{deal.id}/transitions",
        json={"to_stage": "lost", "loss_reason": "x", "version": deal.version + 5},
        headers=headers,
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "version_conflict"
    _outsider, outsider = as_user(client, db, world.dept_b, "sales_director")
    hidden = client.post(
        f"{BASE}/{deal.id}/transitions",
        json={"to_stage": "lost", "loss_reason": "x", "version": deal.version},
        headers=outsider,
    )
    assert hidden.status_code == 404
    _auditor, auditor = as_user(client, db, world.group, "auditor")
    read_only = client.post(
        f"{BASE}/{deal.id}/transitions",
        json={"to_stage": "lost", "loss_reason": "x", "version": deal.version},
        headers=auditor,
    )
    assert read_only.status_code == 404
    assert len(db.execute(select(StageHistory)).scalars().all()) == 1


# --- versions -----------------------------------------------------------------------------


def test_publishing_a_new_version_leaves_running_deals_on_their_own_version(
    client: TestClient, db: Session, world: World, rep: tuple[User, dict[str, str]]
) -> None:
    owner, headers = rep
    template = make_template(db, SIMPLE_STAGES, code="SIMPLE")
    v1 = latest_version(db, template)
    old_deal = make_opportunity(db, world.team_a, owner, version=v1)
    v2_stages = (
        StageSpec("discovery", "需求发现", "Discovery", 10),
        StageSpec("demo", "产品演示", "Demo", 40),
        StageSpec("won", "赢单", "Won", 100, kind="won"),
        StageSpec("lost", "输单", "Lost", 0, kind="lost"),
    )
    v2 = publish(db, template, v2_stages)
    account = make_account(db, world.team_a, owner)
    db.commit()

    body = current(client, headers, old_deal.id)
    assert body["process_version_id"] == str(v1.id)
    assert [s["code"] for s in body["path"]] == [s.code for s in SIMPLE_STAGES]
    assert refused_fields(move(client, headers, old_deal.id, "demo")) == {
        ("to_stage", "unknown_stage")
    }
    assert move(client, headers, old_deal.id, "proposal").status_code == 200
    assert move(client, headers, old_deal.id, "closing").status_code == 200

    new_deal = client.post(
        BASE, json={"account_id": str(account.id), "name": "新版本商机"}, headers=headers
    )
    assert new_deal.status_code == 201
    assert new_deal.json()["process_version_id"] == str(v2.id)
    assert new_deal.json()["stage"]["code"] == "discovery"
    assert refused_fields(move(client, headers, new_deal.json()["id"], "proposal")) == {
        ("to_stage", "unknown_stage")
    }
    assert move(client, headers, new_deal.json()["id"], "demo").status_code == 200
