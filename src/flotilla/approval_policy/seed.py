"""Demo approval configuration: per-subsidiary authority matrices and group-wide policies.

``ensure_demo_approvals`` is idempotent: it adds what is missing (a matrix row per
subsidiary and role, a policy per code) and never overwrites what an administrator changed.
It expects a system session (seeding is deliberate system work).
"""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.core.scope import system_access
from flotilla.models.approval import ApprovalPolicy, AuthorityLimit
from flotilla.models.org import OrgUnit
from flotilla.role.builtin import ensure_builtin_roles

Limits = dict[str, Any]

_UNLIMITED: Limits = {
    "discount_pct": None,
    "amount_base": None,
    "payment_days": None,
    "credit_override_base": None,
}


def _limits(discount: str, amount: str, days: int, credit: str | None = None) -> Limits:
    limits: Limits = {"discount_pct": discount, "amount_base": amount, "payment_days": days}
    if credit is not None:
        limits["credit_override_base"] = credit
    return limits


# Subsidiary code → role code → limits, in the subsidiary's base currency. Each subsidiary
# delegates differently: Shenzhen (medical devices) lets managers give deeper discounts, Hong
# Kong and Singapore set their amounts in HKD and SGD.
DEMO_MATRICES: dict[str, dict[str, Limits]] = {
    "BJ": {
        "sales_rep": _limits("5.00", "100000.00", 30),
        "sales_manager": _limits("10.00", "500000.00", 60),
        "sales_director": _limits("20.00", "3000000.00", 90),
        "subsidiary_gm": _limits("25.00", "10000000.00", 120, "2000000.00"),
        "finance": {"credit_override_base": "300000.00"},
        "group_sales_vp": _UNLIMITED,
    },
    "SH": {
        "sales_rep": _limits("5.00", "80000.00", 30),
        "sales_manager": _limits("12.00", "600000.00", 60),
        "sales_director": _limits("20.00", "2000000.00", 90),
        "subsidiary_gm": _limits("25.00", "8000000.00", 120, "1500000.00"),
        "finance": {"credit_override_base": "200000.00"},
        "group_sales_vp": _UNLIMITED,
    },
    "SZ": {
        "sales_rep": _limits("8.00", "100000.00", 45),
        "sales_manager": _limits("20.00", "800000.00", 90),
        "sales_director": _limits("30.00", "3000000.00", 120),
        "subsidiary_gm": _limits("35.00", "10000000.00", 180, "2000000.00"),
        "finance": {"credit_override_base": "300000.00"},
        "group_sales_vp": _UNLIMITED,
    },
    "HK": {
        "sales_rep": _limits("5.00", "100000.00", 30),
        "sales_manager": _limits("10.00", "600000.00", 60),
        "sales_director": _limits("18.00", "3500000.00", 90),
        "subsidiary_gm": _limits("25.00", "12000000.00", 90, "2500000.00"),
        "finance": {"credit_override_base": "350000.00"},
        "group_sales_vp": _UNLIMITED,
    },
    "SG": {
        "sales_rep": _limits("5.00", "20000.00", 30),
        "sales_manager": _limits("10.00", "100000.00", 60),
        "sales_director": _limits("18.00", "600000.00", 90),
        "subsidiary_gm": _limits("25.00", "2000000.00", 90, "400000.00"),
        "finance": {"credit_override_base": "60000.00"},
        "group_sales_vp": _UNLIMITED,
    },
}

_LADDER = ["sales_manager", "sales_director", "subsidiary_gm", "group_sales_vp"]


def _beyond(role: str, limit: str, fact: str | None = None) -> dict[str, Any]:
    return {
        "field": fact or limit,
        "op": "gt",
        "value": {"authority": {"role": role, "limit": limit}},
    }


def _authority_step(limits: list[str], ladder: list[str]) -> dict[str, Any]:
    return {
        "name": "授权审批",
        "name_en": "Approval within authority",
        "mode": "any",
        "approvers": [{"type": "authority", "ladder": ladder, "limits": limits}],
    }


_FINANCE_STEP: dict[str, Any] = {
    "name": "财务审核",
    "name_en": "Finance review",
    "mode": "any",
    "approvers": [{"type": "role", "role": "finance", "at": "subsidiary"}],
}
_LINE_MANAGER_STEP: dict[str, Any] = {
    "name": "直属上级",
    "name_en": "Line manager",
    "mode": "any",
    "approvers": [{"type": "line_manager", "levels": 1}],
}

# code → the policy's columns. All group-wide: thresholds come from each subsidiary's matrix.
DEMO_POLICIES: dict[str, dict[str, Any]] = {
    "DEMO-QUOTE-AUTHORITY": {
        "name": "报价超出销售代表权限",
        "name_en": "Quote beyond a rep's authority",
        "description": "折扣或金额超出销售代表授权，或低于底价：按授权矩阵逐级审批",
        "action": "quote.submit",
        "priority": 100,
        "condition": {
            "any": [
                _beyond("sales_rep", "discount_pct"),
                _beyond("sales_rep", "amount_base"),
                {"field": "below_floor", "op": "eq", "value": True},
            ]
        },
        "steps": [_authority_step(["discount_pct", "amount_base"], _LADDER)],
    },
    "DEMO-CONTRACT-SIGN": {
        "name": "合同签订审批",
        "name_en": "Contract signing",
        "description": "每份合同先经财务审核，再按金额由授权矩阵确定审批人",
        "action": "contract.sign",
        "priority": 100,
        "condition": {"always": True},
        "steps": [_FINANCE_STEP, _authority_step(["amount_base"], _LADDER)],
    },
    "DEMO-CREDIT-OVERRIDE": {
        "name": "突破信用冻结",
        "name_en": "Credit hold override",
        "description": "信用冻结客户签约：财务审核后由子公司总经理或集团副总按信用突破额度审批",
        "action": "credit.override",
        "priority": 100,
        "condition": {"always": True},
        "steps": [
            _FINANCE_STEP,
            _authority_step(["credit_override_base"], ["subsidiary_gm", "group_sales_vp"]),
        ],
    },
    "DEMO-SKIP-STAGE": {
        "name": "跳过销售阶段",
        "name_en": "Skipping sales stages",
        "description": "金额超出销售经理授权或跳过两个及以上阶段：上级审批",
        "action": "opportunity.skip_stage",
        "priority": 100,
        "condition": {
            "any": [
                _beyond("sales_manager", "amount_base"),
                {"field": "skipped_stages", "op": "gte", "value": 2},
            ]
        },
        "steps": [_LINE_MANAGER_STEP],
    },
    "DEMO-STAGE-GATE": {
        "name": "阶段准入审批",
        "name_en": "Stage entry approval",
        "description": "进入需审批的阶段时由直属上级审批",
        "action": "opportunity.stage_gate",
        "priority": 100,
        "condition": {"always": True},
        "steps": [_LINE_MANAGER_STEP],
    },
    "DEMO-ACCOUNT-TRANSFER": {
        "name": "跨子公司转移客户",
        "name_en": "Cross-subsidiary account transfer",
        "description": "客户在子公司之间转移须经集团销售副总审批",
        "action": "account.transfer",
        "priority": 100,
        "condition": {"field": "cross_subsidiary", "op": "eq", "value": True},
        "steps": [
            {
                "name": "集团审批",
                "name_en": "Group approval",
                "mode": "any",
                "approvers": [{"type": "role", "role": "group_sales_vp", "at": "group"}],
            }
        ],
    },
}


def ensure_demo_approvals(session: Session) -> dict[str, int]:
    """Add the demo authority matrices and group-wide policies that are missing; return how
    many matrix rows and policies were created (zero on a second run)."""
    roles = ensure_builtin_roles(session)
    # Seeding: the demo subsidiaries by code, whoever runs it.
    subsidiaries = {
        unit.code: unit
        for unit in session.execute(
            system_access(
                select(OrgUnit).where(OrgUnit.kind == "subsidiary", OrgUnit.code.in_(DEMO_MATRICES))
            )
        ).scalars()
    }
    existing_rows = {
        (row.subsidiary_id, row.role_id)
        for row in session.execute(
            select(AuthorityLimit).where(
                AuthorityLimit.subsidiary_id.in_([unit.id for unit in subsidiaries.values()])
            )
        ).scalars()
    }
    created_rows = 0
    for code, matrix in DEMO_MATRICES.items():
        unit = subsidiaries.get(code)
        if unit is None:
            continue
        for role_code, limits in matrix.items():
            role = roles[role_code]
            if (unit.id, role.id) in existing_rows:
                continue
            session.add(AuthorityLimit(subsidiary_id=unit.id, role_id=role.id, limits=dict(limits)))
            created_rows += 1
    existing_codes = set(
        session.execute(
            select(ApprovalPolicy.code).where(ApprovalPolicy.code.in_(DEMO_POLICIES))
        ).scalars()
    )
    created_policies = 0
    for code, spec in DEMO_POLICIES.items():
        if code in existing_codes:
            continue
        # A copy: the stored JSON must not share objects with this module's constants.
        columns = copy.deepcopy(spec)
        session.add(ApprovalPolicy(code=code, subsidiary_id=None, is_active=True, **columns))
        created_policies += 1
    session.flush()
    return {"authority_limit": created_rows, "approval_policy": created_policies}
