"""The demo approval configuration: idempotent, valid, and delegating differently per
subsidiary."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.approval_policy import rules, steps
from flotilla.approval_policy.seed import DEMO_MATRICES, DEMO_POLICIES, ensure_demo_approvals
from flotilla.approval_policy.service import find_matching_policy, limits_for
from flotilla.models.approval import ApprovalPolicy, AuthorityLimit
from flotilla.models.identity import Role
from flotilla.models.org import OrgUnit
from flotilla.role.builtin import ensure_builtin_roles
from tests.fixtures.factories import make_unit


@pytest.fixture
def demo(db: Session) -> dict[str, OrgUnit]:
    ensure_builtin_roles(db)
    group = make_unit(db, None, "group", "星海控股集团", code="XH")
    currencies = {"BJ": "CNY", "SH": "CNY", "SZ": "CNY", "HK": "HKD", "SG": "SGD"}
    return {
        code: make_unit(db, group, "subsidiary", code, currency=currency, code=code)
        for code, currency in currencies.items()
    }


def test_seed_is_idempotent_and_keeps_admin_changes(db: Session, demo: dict[str, OrgUnit]) -> None:
    first = ensure_demo_approvals(db)
    roles_per_subsidiary = len(DEMO_MATRICES["BJ"])
    assert first == {
        "authority_limit": roles_per_subsidiary * len(demo),
        "approval_policy": len(DEMO_POLICIES),
    }
    manager = db.execute(select(Role).where(Role.code == "sales_manager")).scalar_one()
    row = db.execute(
        select(AuthorityLimit).where(
            AuthorityLimit.subsidiary_id == demo["BJ"].id, AuthorityLimit.role_id == manager.id
        )
    ).scalar_one()
    row.limits = {"discount_pct": "12.00"}
    db.flush()
    assert ensure_demo_approvals(db) == {"authority_limit": 0, "approval_policy": 0}
    db.refresh(row)
    assert row.limits == {"discount_pct": "12.00"}


def test_seed_skips_subsidiaries_that_do_not_exist(db: Session) -> None:
    ensure_builtin_roles(db)
    group = make_unit(db, None, "group", code="XH")
    make_unit(db, group, "subsidiary", code="BJ")
    counts = ensure_demo_approvals(db)
    assert counts["authority_limit"] == len(DEMO_MATRICES["BJ"])


def test_every_seeded_policy_is_valid(db: Session, demo: dict[str, OrgUnit]) -> None:
    ensure_demo_approvals(db)
    codes = frozenset(db.execute(select(Role.code)).scalars())
    policies = db.execute(
        select(ApprovalPolicy).where(ApprovalPolicy.code.in_(DEMO_POLICIES))
    ).scalars()
    seen = 0
    for policy in policies:
        seen += 1
        assert policy.subsidiary_id is None
        assert rules.validate_condition(policy.condition, policy.action, roles=codes) == []
        assert steps.validate_steps(policy.steps, policy.action, roles=codes) == []
    assert seen == len(DEMO_POLICIES)


def test_subsidiaries_delegate_differently(db: Session, demo: dict[str, OrgUnit]) -> None:
    ensure_demo_approvals(db)
    bj = limits_for(db, demo["BJ"].id)
    sz = limits_for(db, demo["SZ"].id)
    hk = limits_for(db, demo["HK"].id)
    assert bj("sales_manager", "discount_pct") == Decimal("10.00")
    assert sz("sales_manager", "discount_pct") == Decimal("20.00")
    assert bj("sales_manager", "amount_base") == Decimal("500000.00")
    assert bj("sales_director", "amount_base") == Decimal("3000000.00")
    assert bj("subsidiary_gm", "discount_pct") == Decimal("25.00")
    assert bj("group_sales_vp", "amount_base") is None
    assert bj("finance", "credit_override_base") == Decimal("300000.00")
    assert hk("sales_manager", "amount_base") != bj("sales_manager", "amount_base")

    facts = {"discount_pct": Decimal("15"), "amount_base": Decimal("300000"), "below_floor": False}
    policy = find_matching_policy(db, "quote.submit", demo["BJ"].id, facts)
    assert policy is not None and policy.code == "DEMO-QUOTE-AUTHORITY"
    [step] = policy.steps
    [ladder] = step["approvers"]
    tops = {
        code: steps.covering_role(ladder["ladder"], ladder["limits"], facts, lookup)
        for code, lookup in (("BJ", bj), ("SZ", sz))
    }
    assert tops == {"BJ": "sales_director", "SZ": "sales_manager"}


def test_small_quotes_need_no_approval_and_floor_breaches_do(
    db: Session, demo: dict[str, OrgUnit]
) -> None:
    ensure_demo_approvals(db)
    small = {"discount_pct": Decimal("3"), "amount_base": Decimal("50000"), "below_floor": False}
    assert find_matching_policy(db, "quote.submit", demo["BJ"].id, small) is None
    below = {**small, "below_floor": True}
    assert find_matching_policy(db, "quote.submit", demo["BJ"].id, below) is not None
    transfer = find_matching_policy(
        db, "account.transfer", demo["SG"].id, {"cross_subsidiary": False}
    )
    assert transfer is None
    contract = find_matching_policy(db, "contract.sign", demo["SG"].id, {})
    assert contract is not None and contract.code == "DEMO-CONTRACT-SIGN"
