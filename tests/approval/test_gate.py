"""The gate features call before a guarded action: not required / pending / approved, the
snapshot a request keeps, voiding on changed facts, and one approval for one action."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from flotilla.approval import gate, service
from flotilla.core.errors import Conflict
from tests.fixtures.approval import (
    LINE_MANAGER_STEP,
    make_deal,
    make_policy,
    make_staff,
    reload,
    scope_of,
    stage_gate_facts,
    tasks_of,
)

STAGE_GATE = "opportunity.stage_gate"
AMOUNT_RULE = {"field": "amount_base", "op": "gt", "value": "50000"}


def test_without_a_matching_policy_or_fallback_no_approval_is_required(db: Session) -> None:
    staff = make_staff(db)
    deal = make_deal(db, staff)
    make_policy(db, STAGE_GATE, condition=AMOUNT_RULE)
    result = gate.guard(
        db,
        scope_of(db, staff.rep),
        action=STAGE_GATE,
        record=deal,
        label=deal.name,
        facts=stage_gate_facts(amount_base=Decimal("50000.00")),
    )
    assert (result.status, result.request, result.created) == ("not_required", None, False)
    assert gate.latest_request(db, action=STAGE_GATE, record_id=deal.id) is None
    assert (
        gate.require_approval(
            db,
            scope_of(db, staff.rep),
            action=STAGE_GATE,
            record=deal,
            label=deal.name,
            facts=stage_gate_facts(amount_base=Decimal("50000.00")),
        )
        is None
    )


def test_a_new_request_snapshots_the_attempt_and_resolves_every_step(db: Session) -> None:
    staff = make_staff(db)
    deal = make_deal(db, staff, owner=staff.rep)
    second = {
        "name": "总监",
        "name_en": "Director",
        "mode": "all",
        "approvers": [{"type": "role", "role": "sales_director", "at": "subsidiary"}],
    }
    policy = make_policy(db, STAGE_GATE, condition=AMOUNT_RULE, steps=[LINE_MANAGER_STEP, second])
    result = gate.guard(
        db,
        scope_of(db, staff.manager),
        action=STAGE_GATE,
        record=deal,
        label="大单 → 方案",
        facts=stage_gate_facts(amount=Decimal("12345.6"), amount_base=Decimal("98765.4")),
    )
    assert (result.status, result.created) == ("pending", True)
    request = result.request
    assert request is not None
    assert (request.action, request.record_type, request.record_id) == (
        STAGE_GATE,
        "opportunity",
        deal.id,
    )
    assert (request.record_label, request.status, request.current_step) == (
        "大单 → 方案",
        "pending",
        0,
    )
    # Placed where the record is; owned by the requester; the record's owner kept apart.
    assert (request.subsidiary_id, request.unit_id) == (deal.subsidiary_id, deal.unit_id)
    assert (request.owner_id, request.record_owner_id) == (staff.manager.id, staff.rep.id)
    assert request.policy_id == policy.id
    # JSON-safe facts: decimals as strings, exactly as given.
    assert request.facts["amount"] == "12345.6"
    assert request.facts["amount_base"] == "98765.4"
    assert request.facts["account.tier"] == "smb"
    assert request.amount_base == Decimal("98765.40")
    assert request.base_currency == "CNY"
    assert request.read_fields == ["amount_base", "stage"]
    snapshot = request.policy_snapshot
    assert (snapshot["code"], snapshot["name"], snapshot["condition"]) == (
        policy.code,
        policy.name,
        AMOUNT_RULE,
    )
    assert [s["name"] for s in snapshot["steps"]] == ["直属上级", "总监"]
    tasks = tasks_of(db, request)
    # The manager asked: their own head is skipped, the next head up (the GM) approves
    # step 0; step 1 waits for the director.
    assert [(t.step_index, t.approver_id, t.status, t.mode) for t in tasks] == [
        (0, staff.gm.id, "pending", "any"),
        (1, staff.director.id, "waiting", "all"),
    ]


def test_without_a_policy_the_fallback_steps_apply_as_the_default_approval(db: Session) -> None:
    staff = make_staff(db)
    deal = make_deal(db, staff)
    result = gate.guard(
        db,
        scope_of(db, staff.rep),
        action=STAGE_GATE,
        record=deal,
        label=deal.name,
        facts=stage_gate_facts(),
        fallback_steps=[LINE_MANAGER_STEP],
    )
    request = result.request
    assert request is not None and result.status == "pending"
    assert request.policy_id is None
    assert (request.policy_snapshot["name"], request.policy_snapshot["name_en"]) == (
        "默认审批",
        "Default approval",
    )
    assert request.policy_snapshot["condition"] == {"always": True}
    assert request.read_fields == ["stage"]
    assert [(t.approver_id, t.status) for t in tasks_of(db, request)] == [
        (staff.lead.id, "pending")
    ]


def test_the_same_attempt_waits_then_runs_once_on_its_approval(db: Session) -> None:
    staff = make_staff(db)
    deal = make_deal(db, staff)
    make_policy(db, STAGE_GATE, condition=AMOUNT_RULE)
    rep = scope_of(db, staff.rep)

    def attempt() -> gate.GuardResult:
        return gate.guard(
            db, rep, action=STAGE_GATE, record=deal, label=deal.name, facts=stage_gate_facts()
        )

    first = attempt()
    again = attempt()
    assert first.request is not None and again.request is not None
    assert (again.status, again.created, again.request.id) == ("pending", False, first.request.id)

    service.approve(db, scope_of(db, staff.lead), first.request.id, "同意")
    approved = attempt()
    assert (approved.status, approved.created) == ("approved", False)
    assert approved.request is not None and approved.request.id == first.request.id
    assert (
        gate.require_approval(
            db, rep, action=STAGE_GATE, record=deal, label=deal.name, facts=stage_gate_facts()
        )
        == approved.request
    )

    gate.consume(db, approved.request)
    assert reload(db, first.request.id).consumed_at is not None
    with pytest.raises(Conflict) as consumed_twice:
        gate.consume(db, approved.request)
    assert consumed_twice.value.code == "approval_consumed"
    # One approval, one action: the next attempt needs a new approval.
    after = attempt()
    assert (after.status, after.created) == ("pending", True)
    assert after.request is not None and after.request.id != first.request.id


def test_a_changed_read_fact_voids_the_old_request_and_an_unread_one_does_not(
    db: Session,
) -> None:
    staff = make_staff(db)
    deal = make_deal(db, staff)
    make_policy(db, STAGE_GATE, condition=AMOUNT_RULE)
    rep = scope_of(db, staff.rep)
    first = gate.guard(
        db, rep, action=STAGE_GATE, record=deal, label=deal.name, facts=stage_gate_facts()
    ).request
    assert first is not None

    # forecast_category is not read by the rule: the waiting request still stands.
    unread = gate.guard(
        db,
        rep,
        action=STAGE_GATE,
        record=deal,
        label=deal.name,
        facts=stage_gate_facts(forecast_category="commit"),
    )
    assert (unread.status, unread.created) == ("pending", False)
    assert unread.request is not None and unread.request.id == first.id
    # The same amount written differently is the same fact.
    same_value = gate.guard(
        db,
        rep,
        action=STAGE_GATE,
        record=deal,
        label=deal.name,
        facts=stage_gate_facts(amount_base=Decimal("100000")),
    )
    assert same_value.created is False

    changed = gate.guard(
        db,
        rep,
        action=STAGE_GATE,
        record=deal,
        label=deal.name,
        facts=stage_gate_facts(amount_base=Decimal("100000.01")),
    )
    assert (changed.status, changed.created) == ("pending", True)
    old = reload(db, first.id)
    assert (old.status, old.void_reason) == ("voided", "facts_changed:amount_base")
    assert {t.status for t in tasks_of(db, old)} == {"cancelled"}
    assert changed.request is not None
    assert changed.request.facts["amount_base"] == "100000.01"


def test_record_changed_voids_open_requests_only_when_a_read_fact_changed(db: Session) -> None:
    staff = make_staff(db)
    deal = make_deal(db, staff)
    make_policy(db, STAGE_GATE, condition=AMOUNT_RULE)
    rep = scope_of(db, staff.rep)
    pending = gate.guard(
        db, rep, action=STAGE_GATE, record=deal, label=deal.name, facts=stage_gate_facts()
    ).request
    assert pending is not None

    unread = gate.record_changed(
        db,
        action=STAGE_GATE,
        record_id=deal.id,
        facts={"forecast_category": "best_case", "account.tier": "strategic"},
    )
    assert unread == []
    assert reload(db, pending.id).status == "pending"

    voided = gate.record_changed(
        db, action=STAGE_GATE, record_id=deal.id, facts={"amount_base": Decimal("70000")}
    )
    assert [r.id for r in voided] == [pending.id]
    assert reload(db, pending.id).status == "voided"

    # An approved, unconsumed approval is voided too; a consumed one is history.
    approved = gate.guard(
        db, rep, action=STAGE_GATE, record=deal, label=deal.name, facts=stage_gate_facts()
    ).request
    assert approved is not None
    service.approve(db, scope_of(db, staff.lead), approved.id, None)
    assert [
        r.id
        for r in gate.record_changed(
            db, action=STAGE_GATE, record_id=deal.id, facts={"amount_base": Decimal("1")}
        )
    ] == [approved.id]
    used = gate.guard(
        db, rep, action=STAGE_GATE, record=deal, label=deal.name, facts=stage_gate_facts()
    ).request
    assert used is not None
    service.approve(db, scope_of(db, staff.lead), used.id, None)
    gate.consume(db, reload(db, used.id))
    assert (
        gate.record_changed(
            db, action=STAGE_GATE, record_id=deal.id, facts={"amount_base": Decimal("2")}
        )
        == []
    )
    assert reload(db, used.id).status == "approved"


def test_an_approval_to_enter_one_stage_never_opens_another(db: Session) -> None:
    staff = make_staff(db)
    deal = make_deal(db, staff)
    rep = scope_of(db, staff.rep)
    kwargs: dict[str, Any] = {"action": STAGE_GATE, "record": deal, "label": deal.name}
    proposal = gate.guard(
        db,
        rep,
        **kwargs,
        facts=stage_gate_facts(stage="proposal"),
        fallback_steps=[LINE_MANAGER_STEP],
    ).request
    assert proposal is not None
    service.approve(db, scope_of(db, staff.lead), proposal.id, None)

    closing = gate.guard(
        db,
        rep,
        **kwargs,
        facts=stage_gate_facts(stage="closing"),
        fallback_steps=[LINE_MANAGER_STEP],
    )
    assert (closing.status, closing.created) == ("pending", True)
    # Requests for another stage are another subject: neither matched nor voided.
    assert reload(db, proposal.id).status == "approved"
    again = gate.guard(
        db,
        rep,
        **kwargs,
        facts=stage_gate_facts(stage="proposal"),
        fallback_steps=[LINE_MANAGER_STEP],
    )
    assert again.status == "approved"
    assert again.request is not None and again.request.id == proposal.id


def test_require_approval_raises_409_and_keeps_the_new_request(db: Session) -> None:
    staff = make_staff(db)
    deal = make_deal(db, staff)
    with pytest.raises(gate.ApprovalPending) as pending:
        gate.require_approval(
            db,
            scope_of(db, staff.rep),
            action=STAGE_GATE,
            record=deal,
            label=deal.name,
            facts=stage_gate_facts(),
            fallback_steps=[LINE_MANAGER_STEP],
        )
    error = pending.value
    assert (error.status, error.code, error.keep_writes) == (409, "approval_pending", True)
    assert error.extra == {"approval_request_id": str(error.request.id)}
    assert reload(db, error.request.id).status == "pending"


def test_no_longer_needing_approval_voids_the_waiting_request(db: Session) -> None:
    staff = make_staff(db)
    deal = make_deal(db, staff)
    policy = make_policy(db, STAGE_GATE, condition=AMOUNT_RULE)
    rep = scope_of(db, staff.rep)
    waiting = gate.guard(
        db, rep, action=STAGE_GATE, record=deal, label=deal.name, facts=stage_gate_facts()
    ).request
    assert waiting is not None
    policy.is_active = False
    db.flush()
    result = gate.guard(
        db, rep, action=STAGE_GATE, record=deal, label=deal.name, facts=stage_gate_facts()
    )
    assert result.status == "not_required"
    assert (reload(db, waiting.id).status, reload(db, waiting.id).void_reason) == (
        "voided",
        "not_required",
    )


def test_authority_steps_make_their_limits_read_fields(db: Session) -> None:
    staff = make_staff(db)
    deal = make_deal(db, staff)
    make_policy(
        db,
        "quote.submit",
        steps=[
            {
                "name": "授权审批",
                "name_en": "Authority",
                "mode": "any",
                "approvers": [
                    {
                        "type": "authority",
                        "ladder": ["sales_manager", "sales_director"],
                        "limits": ["discount_pct"],
                    }
                ],
            }
        ],
    )
    request = gate.guard(
        db,
        scope_of(db, staff.rep),
        action="quote.submit",
        record=deal,
        label="报价",
        facts={"discount_pct": Decimal("15.00"), "payment_days": 30},
    ).request
    assert request is not None
    assert request.read_fields == ["discount_pct"]
    assert request.record_type == "quote"
    # The payment terms are not read: changing them keeps the request.
    assert (
        gate.record_changed(
            db, action="quote.submit", record_id=deal.id, facts={"payment_days": 60}
        )
        == []
    )
    assert (
        len(
            gate.record_changed(
                db,
                action="quote.submit",
                record_id=deal.id,
                facts={"discount_pct": Decimal("15.01")},
            )
        )
        == 1
    )


def test_facts_outside_the_registry_and_floats_are_programming_errors(db: Session) -> None:
    staff = make_staff(db)
    deal = make_deal(db, staff)
    rep = scope_of(db, staff.rep)
    with pytest.raises(AssertionError, match="discount_pct"):
        gate.guard(
            db,
            rep,
            action=STAGE_GATE,
            record=deal,
            label=deal.name,
            facts={"discount_pct": Decimal("1")},
        )
    with pytest.raises(AssertionError, match="unknown guarded action"):
        gate.guard(db, rep, action="quote.delete", record=deal, label=deal.name, facts={})
    with pytest.raises(TypeError, match="float"):
        gate.guard(
            db,
            rep,
            action=STAGE_GATE,
            record=deal,
            label=deal.name,
            facts={"amount": 1.5},
            fallback_steps=[LINE_MANAGER_STEP],
        )
