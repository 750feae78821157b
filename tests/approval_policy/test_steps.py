"""Approval steps: shape validation with field paths, the facts authority steps read, and
the lowest covering role of an authority ladder."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest

from flotilla.approval.registry import ACTIONS, AUTHORITY_LIMITS
from flotilla.approval_policy.rules import MISSING, LimitLookup, Missing
from flotilla.approval_policy.steps import (
    LIMIT_FACTS,
    covering_role,
    referenced_roles,
    referenced_users,
    step_read_fields,
    validate_steps,
)
from flotilla.core.i18n import MESSAGES

LADDER = ["sales_manager", "sales_director", "subsidiary_gm", "group_sales_vp"]


def errors(steps: object, action: str = "quote.submit", **kwargs: Any) -> list[tuple[str, str]]:
    return [(e.field, e.code) for e in validate_steps(steps, action, **kwargs)]


def step(*approvers: dict[str, Any], mode: str = "any", **extra: Any) -> dict[str, Any]:
    return {
        "name": "审批",
        "name_en": "Approval",
        "mode": mode,
        "approvers": list(approvers),
        **extra,
    }


def authority(*limits: str, ladder: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "authority",
        "ladder": LADDER if ladder is None else ladder,
        "limits": list(limits),
    }


def matrix(rows: dict[str, dict[str, str | None]]) -> LimitLookup:
    def lookup(role: str, limit: str) -> Decimal | Missing | None:
        if role not in rows or limit not in rows[role]:
            return MISSING
        value = rows[role][limit]
        return None if value is None else Decimal(value)

    return lookup


def test_limit_fact_mapping_covers_every_authority_limit() -> None:
    assert set(LIMIT_FACTS) == set(AUTHORITY_LIMITS)
    assert LIMIT_FACTS["credit_override_base"] == "amount_base"


def test_every_step_error_code_has_both_messages() -> None:
    for code in (
        "step_invalid_shape",
        "steps_count",
        "step_name_required",
        "step_unknown_mode",
        "step_approvers_count",
        "step_unknown_type",
        "step_invalid_levels",
        "step_invalid_at",
        "step_invalid_user_id",
        "step_unknown_user",
        "step_ladder_count",
        "step_limits_count",
        "step_duplicate",
        "step_limit_not_supplied",
    ):
        zh, en = MESSAGES[code]
        assert zh and en


def test_valid_steps_of_every_resolution_type() -> None:
    user_id = uuid.uuid4()
    steps = [
        step({"type": "line_manager", "levels": 1}),
        step(
            {"type": "role", "role": "finance", "at": "subsidiary"},
            {"type": "user", "user_id": str(user_id)},
            mode="all",
        ),
        step(authority("discount_pct", "amount_base")),
        {
            "name": "集团",
            "mode": "any",
            "approvers": [{"type": "role", "role": "group_sales_vp", "at": "group"}],
        },
    ]
    assert errors(steps) == []
    assert errors(steps, roles=set(LADDER) | {"finance"}, active_users={user_id}) == []


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        ({"name": "x"}, [("steps", "step_invalid_shape")]),
        ([], [("steps", "steps_count")]),
        ([step({"type": "line_manager", "levels": 1})] * 11, [("steps", "steps_count")]),
        (["step"], [("steps[0]", "step_invalid_shape")]),
        (
            [{"mode": "any", "approvers": [{"type": "line_manager", "levels": 1}], "x": 1}],
            [("steps[0].x", "step_invalid_shape"), ("steps[0].name", "rule_required")],
        ),
        (
            [step({"type": "line_manager", "levels": 1}, name="  ")],
            [("steps[0].name", "step_name_required")],
        ),
        (
            [step({"type": "line_manager", "levels": 1}, name="x" * 101)],
            [("steps[0].name", "rule_value_too_long")],
        ),
        (
            [step({"type": "line_manager", "levels": 1}, mode="some")],
            [("steps[0].mode", "step_unknown_mode")],
        ),
        ([step()], [("steps[0].approvers", "step_approvers_count")]),
        (
            [step(*[{"type": "line_manager", "levels": 1}] * 11)],
            [("steps[0].approvers", "step_approvers_count")],
        ),
        ([step({"type": "boss"})], [("steps[0].approvers[0].type", "step_unknown_type")]),
        (
            [step({"type": "line_manager", "levels": 0})],
            [("steps[0].approvers[0].levels", "step_invalid_levels")],
        ),
        (
            [step({"type": "line_manager", "levels": 6})],
            [("steps[0].approvers[0].levels", "step_invalid_levels")],
        ),
        (
            [step({"type": "line_manager", "levels": True})],
            [("steps[0].approvers[0].levels", "step_invalid_levels")],
        ),
        ([step({"type": "line_manager"})], [("steps[0].approvers[0].levels", "rule_required")]),
        (
            [step({"type": "line_manager", "levels": 1, "role": "x"})],
            [("steps[0].approvers[0].role", "step_invalid_shape")],
        ),
        (
            [step({"type": "user", "user_id": "bob"})],
            [("steps[0].approvers[0].user_id", "step_invalid_user_id")],
        ),
        (
            [step({"type": "role", "role": "finance", "at": "unit"})],
            [("steps[0].approvers[0].at", "step_invalid_at")],
        ),
        (
            [step({"type": "role", "role": "", "at": "group"})],
            [("steps[0].approvers[0].role", "step_invalid_shape")],
        ),
        (
            [step(authority("discount_pct", ladder=[]))],
            [("steps[0].approvers[0].ladder", "step_ladder_count")],
        ),
        (
            [step(authority("discount_pct", ladder=["sales_manager", "sales_manager"]))],
            [("steps[0].approvers[0].ladder[1]", "step_duplicate")],
        ),
        ([step(authority())], [("steps[0].approvers[0].limits", "step_limits_count")]),
        (
            [step(authority("discount"))],
            [("steps[0].approvers[0].limits[0]", "rule_unknown_limit")],
        ),
        (
            [step(authority("amount_base", "amount_base"))],
            [("steps[0].approvers[0].limits[1]", "step_duplicate")],
        ),
    ],
)
def test_invalid_steps_are_refused_with_paths(
    steps: object, expected: list[tuple[str, str]]
) -> None:
    assert errors(steps) == expected


def test_authority_limits_must_map_to_facts_the_action_supplies() -> None:
    # account.transfer supplies no discount_pct and no amount_base.
    assert errors(
        [step(authority("discount_pct", "credit_override_base"))], "account.transfer"
    ) == [
        ("steps[0].approvers[0].limits[0]", "step_limit_not_supplied"),
        ("steps[0].approvers[0].limits[1]", "step_limit_not_supplied"),
    ]
    # credit_override_base covers amount_base, which credit.override supplies.
    assert "amount_base" in ACTIONS["credit.override"].fields
    assert errors([step(authority("credit_override_base"))], "credit.override") == []


def test_unknown_roles_and_users_are_refused_when_known_sets_are_given() -> None:
    ghost = uuid.uuid4()
    steps = [
        step(
            {"type": "role", "role": "finance", "at": "subsidiary"},
            {"type": "user", "user_id": str(ghost)},
        ),
        step(authority("amount_base", ladder=["sales_manager", "czar"])),
    ]
    assert errors(steps, roles={"finance", "sales_manager"}, active_users=set()) == [
        ("steps[0].approvers[1].user_id", "step_unknown_user"),
        ("steps[1].approvers[0].ladder[1]", "rule_unknown_role"),
    ]
    assert referenced_users(steps) == frozenset({ghost})
    assert referenced_roles(steps) == frozenset({"finance", "sales_manager", "czar"})


def test_step_read_fields_are_the_facts_authority_steps_compare() -> None:
    steps = [
        step({"type": "role", "role": "finance", "at": "subsidiary"}),
        step(authority("discount_pct", "amount_base")),
        step(authority("credit_override_base", "payment_days")),
    ]
    assert step_read_fields(steps) == frozenset({"discount_pct", "amount_base", "payment_days"})
    assert step_read_fields([step({"type": "line_manager", "levels": 2})]) == frozenset()


# ----------------------------------------------------------------------------- covering role

BJ = matrix(
    {
        "sales_manager": {"discount_pct": "10", "amount_base": "500000"},
        "sales_director": {"discount_pct": "20", "amount_base": "3000000"},
        "subsidiary_gm": {"discount_pct": "25", "amount_base": "10000000"},
        "group_sales_vp": {"discount_pct": None, "amount_base": None},
    }
)
SZ = matrix(
    {
        "sales_manager": {"discount_pct": "20", "amount_base": "800000"},
        "sales_director": {"discount_pct": "30", "amount_base": "3000000"},
        "group_sales_vp": {"discount_pct": None, "amount_base": None},
    }
)


def test_lowest_role_whose_limits_cover_every_fact() -> None:
    limits = ["discount_pct", "amount_base"]
    facts = {"discount_pct": Decimal("8"), "amount_base": Decimal("400000")}
    assert covering_role(LADDER, limits, facts, BJ) == "sales_manager"
    # The amount is within the manager's limit, the discount is not: both must be covered.
    facts = {"discount_pct": Decimal("15"), "amount_base": Decimal("400000")}
    assert covering_role(LADDER, limits, facts, BJ) == "sales_director"
    facts = {"discount_pct": Decimal("5"), "amount_base": Decimal("5000000")}
    assert covering_role(LADDER, limits, facts, BJ) == "subsidiary_gm"
    facts = {"discount_pct": Decimal("26"), "amount_base": Decimal("1")}
    assert covering_role(LADDER, limits, facts, BJ) == "group_sales_vp"


def test_limits_are_inclusive_and_exact() -> None:
    limits = ["discount_pct"]
    assert covering_role(LADDER, limits, {"discount_pct": Decimal("10.00")}, BJ) == "sales_manager"
    assert covering_role(LADDER, limits, {"discount_pct": "10.001"}, BJ) == "sales_director"


def test_same_facts_reach_different_roles_in_different_subsidiaries() -> None:
    facts = {"discount_pct": Decimal("18"), "amount_base": Decimal("600000")}
    limits = ["discount_pct", "amount_base"]
    assert covering_role(LADDER, limits, facts, BJ) == "sales_director"
    assert covering_role(LADDER, limits, facts, SZ) == "sales_manager"


def test_a_role_without_a_matrix_row_is_skipped() -> None:
    # SZ has no subsidiary_gm row: beyond the director goes straight to the group VP.
    facts = {"discount_pct": Decimal("31"), "amount_base": Decimal("1")}
    assert covering_role(LADDER, ["discount_pct", "amount_base"], facts, SZ) == "group_sales_vp"
    # A row without the named key is no authority for that limit either.
    only_discount = matrix(
        {"sales_manager": {"discount_pct": "50"}, "sales_director": {"amount_base": "1"}}
    )
    assert (
        covering_role(LADDER, ["amount_base"], {"amount_base": 0}, only_discount)
        == "sales_director"
    )


def test_when_nobody_covers_the_top_of_the_ladder_decides() -> None:
    nobody = matrix({})
    facts = {"discount_pct": Decimal("1")}
    assert covering_role(LADDER, ["discount_pct"], facts, nobody) == "group_sales_vp"
    assert (
        covering_role(["sales_manager"], ["discount_pct"], {"discount_pct": 99}, BJ)
        == "sales_manager"
    )


def test_an_unknown_fact_is_covered_only_by_an_unlimited_limit() -> None:
    assert covering_role(LADDER, ["discount_pct"], {"discount_pct": None}, BJ) == "group_sales_vp"
    assert covering_role(LADDER, ["discount_pct"], {}, BJ) == "group_sales_vp"


def test_credit_override_limit_covers_the_amount() -> None:
    lookup = matrix(
        {
            "subsidiary_gm": {"credit_override_base": "200000"},
            "group_sales_vp": {"credit_override_base": None},
        }
    )
    ladder = ["subsidiary_gm", "group_sales_vp"]
    limit = ["credit_override_base"]
    assert (
        covering_role(ladder, limit, {"amount_base": Decimal("150000")}, lookup) == "subsidiary_gm"
    )
    assert (
        covering_role(ladder, limit, {"amount_base": Decimal("250000")}, lookup) == "group_sales_vp"
    )


def test_an_empty_ladder_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        covering_role([], ["discount_pct"], {}, BJ)
