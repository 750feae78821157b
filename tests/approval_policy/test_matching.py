"""Which policy governs an attempt (``find_matching_policy``), the authority look-up of a
subsidiary (``limits_for``), and the administrators' dry run over HTTP."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from flotilla.approval_policy.rules import MISSING
from flotilla.approval_policy.service import find_matching_policy, limits_for
from tests.fixtures.approval_policy import (
    SUBSIDIARY_APPROVAL_ADMIN,
    authority_step,
    beyond,
    ensure_subsidiary_approval_admin,
    make_policy,
    set_limits,
)
from tests.fixtures.factories import World, as_user, make_world

EVALUATE = "/api/v1/approval-policies/evaluate"


@pytest.fixture
def world(db: Session) -> World:
    return make_world(db)


def quote_facts(discount: str, amount: str, **more: Any) -> dict[str, Any]:
    return {"discount_pct": Decimal(discount), "amount_base": Decimal(amount), **more}


# ----------------------------------------------------------------------------- limits_for


def test_limits_for_reads_one_subsidiary_s_matrix(db: Session, world: World) -> None:
    set_limits(db, world.sub_a, "sales_manager", {"discount_pct": "10.00", "amount_base": None})
    set_limits(db, world.sub_b, "sales_manager", {"discount_pct": "30.00"})
    lookup = limits_for(db, world.sub_a.id)
    assert lookup("sales_manager", "discount_pct") == Decimal("10.00")
    assert lookup("sales_manager", "amount_base") is None  # unlimited
    assert lookup("sales_manager", "payment_days") is MISSING  # no such key
    assert lookup("sales_director", "discount_pct") is MISSING  # no row
    assert limits_for(db, world.sub_b.id)("sales_manager", "discount_pct") == Decimal("30.00")


# ----------------------------------------------------------------------------- matching


def test_no_active_policy_means_no_approval(db: Session, world: World) -> None:
    make_policy(db, is_active=False)
    make_policy(db, action="contract.sign")
    make_policy(db, subsidiary=world.sub_b)
    assert find_matching_policy(db, "quote.submit", world.sub_a.id, {}) is None


def test_lowest_priority_whose_condition_holds_wins(db: Session, world: World) -> None:
    big = make_policy(
        db, priority=10, condition={"field": "amount_base", "op": "gte", "value": 1000000}
    )
    everything = make_policy(db, priority=20)
    assert (
        find_matching_policy(db, "quote.submit", world.sub_a.id, quote_facts("1", "2000000")) is big
    )
    assert (
        find_matching_policy(db, "quote.submit", world.sub_a.id, quote_facts("1", "999999.99"))
        is everything
    )


def test_a_subsidiary_s_own_policy_beats_a_group_wide_one_at_equal_priority(
    db: Session, world: World
) -> None:
    make_policy(db, code="A-GROUP", priority=50)
    own = make_policy(db, code="Z-OWN", priority=50, subsidiary=world.sub_a)
    other = make_policy(db, code="B-OTHER", priority=1, subsidiary=world.sub_b)
    assert find_matching_policy(db, "quote.submit", world.sub_a.id, {}) is own
    assert find_matching_policy(db, "quote.submit", world.sub_b.id, {}) is other


def test_a_group_wide_policy_with_a_lower_priority_still_comes_first(
    db: Session, world: World
) -> None:
    group_wide = make_policy(db, priority=5)
    make_policy(db, priority=50, subsidiary=world.sub_a)
    assert find_matching_policy(db, "quote.submit", world.sub_a.id, {}) is group_wide


def test_the_same_group_policy_matches_by_each_subsidiary_s_matrix(
    db: Session, world: World
) -> None:
    policy = make_policy(db, condition=beyond("sales_rep", "discount_pct"))
    set_limits(db, world.sub_a, "sales_rep", {"discount_pct": "5.00"})
    set_limits(db, world.sub_b, "sales_rep", {"discount_pct": "10.00"})
    facts = quote_facts("8", "100")
    assert find_matching_policy(db, "quote.submit", world.sub_a.id, facts) is policy
    assert find_matching_policy(db, "quote.submit", world.sub_b.id, facts) is None


def test_a_policy_the_registry_outgrew_matches_rather_than_letting_the_action_through(
    db: Session, world: World
) -> None:
    broken = make_policy(db, condition={"field": "retired_fact", "op": "gt", "value": 1})
    assert find_matching_policy(db, "quote.submit", world.sub_a.id, quote_facts("0", "0")) is broken


# ----------------------------------------------------------------------------- dry run


@pytest.fixture
def group_admin(client: TestClient, db: Session, world: World) -> dict[str, str]:
    return as_user(client, db, world.group, "group_admin")[1]


def _matrices(db: Session, world: World) -> None:
    # Subsidiary A delegates little, B much more.
    for subsidiary, manager, director in (
        (world.sub_a, ("10", "500000"), ("20", "3000000")),
        (world.sub_b, ("20", "800000"), ("30", "5000000")),
    ):
        set_limits(db, subsidiary, "sales_rep", {"discount_pct": "5", "amount_base": "100000"})
        set_limits(
            db, subsidiary, "sales_manager", {"discount_pct": manager[0], "amount_base": manager[1]}
        )
        set_limits(
            db,
            subsidiary,
            "sales_director",
            {"discount_pct": director[0], "amount_base": director[1]},
        )
        set_limits(db, subsidiary, "subsidiary_gm", {"discount_pct": "40", "amount_base": None})
        set_limits(db, subsidiary, "group_sales_vp", {"discount_pct": None, "amount_base": None})


def test_the_same_policy_reaches_different_ladder_tops_in_two_subsidiaries(
    client: TestClient, db: Session, world: World, group_admin: dict[str, str]
) -> None:
    policy = make_policy(
        db,
        code="QUOTE-LADDER",
        condition={
            "any": [beyond("sales_rep", "discount_pct"), beyond("sales_rep", "amount_base")]
        },
        steps=[authority_step("discount_pct", "amount_base")],
    )
    _matrices(db, world)
    db.commit()
    facts = {"discount_pct": "15", "amount_base": 600000}
    roles = {}
    for subsidiary in (world.sub_a, world.sub_b):
        response = client.post(
            EVALUATE,
            json={"action": "quote.submit", "subsidiary_id": str(subsidiary.id), "facts": facts},
            headers=group_admin,
        )
        assert response.status_code == 200, response.text
        data = response.json()
        assert data["matched"] is True
        assert data["policy"]["id"] == str(policy.id)
        assert data["candidates"] == [
            {
                "policy_id": str(policy.id),
                "code": "QUOTE-LADDER",
                "name": policy.name,
                "priority": 100,
                "subsidiary_id": None,
                "matched": True,
            }
        ]
        [approver] = data["approvers"]
        assert (approver["step_index"], approver["type"]) == (0, "authority")
        roles[subsidiary.code] = approver["role"]
    # 15% / 600,000 exceeds A's manager (10% / 500,000) but not B's (20% / 800,000).
    assert roles == {"SUB-A": "sales_director", "SUB-B": "sales_manager"}


def test_dry_run_reports_every_candidate_and_no_match(
    client: TestClient, db: Session, world: World, group_admin: dict[str, str]
) -> None:
    make_policy(
        db,
        code="BIG",
        priority=1,
        condition={"field": "amount_base", "op": "gt", "value": "1000000"},
    )
    make_policy(
        db, code="FLOOR", priority=2, condition={"field": "below_floor", "op": "eq", "value": True}
    )
    db.commit()
    response = client.post(
        EVALUATE,
        json={
            "action": "quote.submit",
            "subsidiary_id": str(world.sub_a.id),
            "facts": {"amount_base": "1000000.00", "below_floor": False, "currency": "CNY"},
        },
        headers=group_admin,
    )
    assert response.status_code == 200, response.text
    data = response.json()
    assert (data["matched"], data["policy"], data["approvers"]) == (False, None, [])
    assert [(c["code"], c["matched"]) for c in data["candidates"]] == [
        ("BIG", False),
        ("FLOOR", False),
    ]


def test_dry_run_refuses_ill_typed_facts(
    client: TestClient, db: Session, world: World, group_admin: dict[str, str]
) -> None:
    response = client.post(
        EVALUATE,
        json={
            "action": "quote.submit",
            "subsidiary_id": str(world.sub_a.id),
            "facts": {
                "amount_base": "lots",
                "below_floor": "yes",
                "payment_days": 1.5,
                "colour": "red",
                "currency": 7,
            },
        },
        headers=group_admin,
    )
    assert response.status_code == 422
    assert [(f["field"], f["code"]) for f in response.json()["error"]["fields"]] == [
        ("facts.amount_base", "rule_type_mismatch"),
        ("facts.below_floor", "rule_type_mismatch"),
        ("facts.payment_days", "rule_type_mismatch"),
        ("facts.colour", "rule_unknown_field"),
        ("facts.currency", "rule_type_mismatch"),
    ]
    unknown = client.post(
        EVALUATE,
        json={"action": "nope", "subsidiary_id": str(world.sub_a.id), "facts": {}},
        headers=group_admin,
    )
    assert unknown.status_code == 422
    assert unknown.json()["error"]["fields"][0]["field"] == "action"


def test_dry_run_is_for_approval_admins_reaching_the_subsidiary(
    client: TestClient, db: Session, world: World
) -> None:
    ensure_subsidiary_approval_admin(db)
    _admin, admin_a = as_user(client, db, world.sub_a, SUBSIDIARY_APPROVAL_ADMIN)
    _director, director = as_user(client, db, world.sub_a, "sales_director")

    def dry_run(headers: dict[str, str], subsidiary: Any) -> int:
        response = client.post(
            EVALUATE,
            json={"action": "quote.submit", "subsidiary_id": str(subsidiary.id), "facts": {}},
            headers=headers,
        )
        return int(response.status_code)

    assert dry_run(admin_a, world.sub_a) == 200
    assert dry_run(admin_a, world.sub_b) == 404
    assert dry_run(director, world.sub_a) == 403
