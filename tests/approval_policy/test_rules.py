"""The rule language: validation (shapes, operators, types, limits, size) with exact field
paths and codes, and evaluation (every operator, nesting, authority operands, Decimal
exactness)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from flotilla.approval.registry import ACTIONS
from flotilla.approval_policy.rules import (
    FACT_TYPES,
    MAX_DEPTH,
    MISSING,
    LimitLookup,
    Missing,
    evaluate,
    read_fields,
    referenced_roles,
    validate_condition,
)
from flotilla.core.i18n import MESSAGES

QUOTE = "quote.submit"


def errors(condition: object, action: str = QUOTE, **kwargs: Any) -> list[tuple[str, str]]:
    return [(e.field, e.code) for e in validate_condition(condition, action, **kwargs)]


def no_limits(role: str, limit: str) -> Decimal | Missing | None:
    return MISSING


def matrix(rows: dict[str, dict[str, str | None]]) -> LimitLookup:
    def lookup(role: str, limit: str) -> Decimal | Missing | None:
        if role not in rows or limit not in rows[role]:
            return MISSING
        value = rows[role][limit]
        return None if value is None else Decimal(value)

    return lookup


def cmp(field: str, op: str, value: Any) -> dict[str, Any]:
    return {"field": field, "op": op, "value": value}


# ----------------------------------------------------------------------------- registry


def test_every_fact_name_has_one_type_across_actions() -> None:
    for action in ACTIONS.values():
        for name, fact in action.fields.items():
            assert FACT_TYPES[name] == fact.type, (action.code, name)


def test_every_rule_error_code_has_both_messages() -> None:
    for code in (
        "rule_invalid_shape",
        "rule_required",
        "rule_unknown_operator",
        "rule_operator_not_applicable",
        "rule_unknown_field",
        "rule_type_mismatch",
        "rule_invalid_number",
        "rule_invalid_choice",
        "rule_list_expected",
        "rule_empty_list",
        "rule_unknown_limit",
        "rule_unknown_role",
        "rule_too_deep",
        "rule_too_large",
        "rule_unknown_action",
        "rule_value_too_long",
    ):
        zh, en = MESSAGES[code]
        assert zh and en


# ----------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "condition",
    [
        {"always": True},
        cmp("discount_pct", "gt", 10),
        cmp("discount_pct", "gte", "10.5"),
        cmp("amount_base", "lt", 1000.25),
        cmp("payment_days", "lte", 60),
        cmp("payment_days", "eq", "60"),
        cmp("currency", "ne", "CNY"),
        cmp("currency", "in", ["CNY", "HKD"]),
        cmp("account.tier", "not_in", ["smb"]),
        cmp("below_floor", "eq", True),
        cmp("below_floor", "ne", False),
        cmp("amount", "gt", {"field": "amount_base"}),
        cmp("discount_pct", "gt", {"field": "max_line_discount_pct"}),
        cmp("payment_days", "gt", {"field": "discount_pct"}),
        cmp("discount_pct", "gt", {"authority": {"role": "sales_rep", "limit": "discount_pct"}}),
        cmp("amount_base", "gt", {"authority": {"role": "sales_rep", "limit": "amount_base"}}),
        cmp("payment_days", "gt", {"authority": {"role": "sales_rep", "limit": "payment_days"}}),
        cmp("amount_base", "in", [1, "2.50", 3.75]),
        {"all": [{"always": True}, {"not": cmp("below_floor", "eq", True)}]},
        {"any": [{"all": [cmp("discount_pct", "gt", 5)]}, {"not": {"not": {"always": True}}}]},
    ],
)
def test_valid_rules_are_accepted(condition: dict[str, Any]) -> None:
    assert errors(condition) == []


def test_a_rule_that_is_not_a_json_object_is_refused() -> None:
    assert errors([{"always": True}]) == [("condition", "rule_invalid_shape")]
    assert errors("always") == [("condition", "rule_invalid_shape")]
    assert errors(None) == [("condition", "rule_invalid_shape")]
    assert errors({}) == [("condition", "rule_invalid_shape")]


def test_unknown_node_key_is_an_unknown_operator() -> None:
    assert errors({"xor": []}) == [("condition", "rule_unknown_operator")]
    assert errors({"any": [{"always": True}, {"exec": "rm -rf /"}]}) == [
        ("condition.any[1]", "rule_unknown_operator")
    ]


def test_extra_keys_in_a_node_are_refused() -> None:
    assert errors({"always": True, "all": []}) == [("condition", "rule_invalid_shape")]
    assert errors({**cmp("discount_pct", "gt", 1), "note": "x"}) == [
        ("condition.note", "rule_invalid_shape")
    ]


def test_missing_comparison_parts_are_reported_each() -> None:
    assert errors({"field": "discount_pct"}) == [
        ("condition.op", "rule_required"),
        ("condition.value", "rule_required"),
    ]


def test_always_must_be_true() -> None:
    assert errors({"always": False}) == [("condition.always", "rule_invalid_shape")]
    assert errors({"always": 1}) == [("condition.always", "rule_invalid_shape")]


def test_empty_or_non_list_combinators_are_refused() -> None:
    assert errors({"all": []}) == [("condition.all", "rule_empty_list")]
    assert errors({"any": {"always": True}}) == [("condition.any", "rule_list_expected")]
    assert errors(cmp("currency", "in", [])) == [("condition.value", "rule_empty_list")]
    assert errors(cmp("currency", "in", "CNY")) == [("condition.value", "rule_list_expected")]


def test_unknown_field_names_the_field_and_path() -> None:
    found = validate_condition({"any": [{"always": True}, cmp("discount", "gt", 1)]}, QUOTE)
    assert [(e.field, e.code, e.params) for e in found] == [
        ("condition.any[1].field", "rule_unknown_field", {"field": "discount"})
    ]


def test_a_field_of_another_action_is_unknown() -> None:
    # cross_subsidiary exists for account.transfer only.
    assert errors(cmp("cross_subsidiary", "eq", True)) == [
        ("condition.field", "rule_unknown_field")
    ]
    assert errors(cmp("cross_subsidiary", "eq", True), "account.transfer") == []


def test_unknown_operator_in_comparison() -> None:
    assert errors(cmp("discount_pct", "between", [1, 2])) == [
        ("condition.op", "rule_unknown_operator")
    ]
    assert errors(cmp("discount_pct", "GT", 1)) == [("condition.op", "rule_unknown_operator")]


def test_ordering_operators_do_not_apply_to_strings_or_booleans() -> None:
    assert errors(cmp("currency", "gt", "CNY")) == [
        ("condition.op", "rule_operator_not_applicable")
    ]
    assert errors(cmp("below_floor", "lt", True)) == [
        ("condition.op", "rule_operator_not_applicable")
    ]
    assert errors(cmp("below_floor", "in", [True])) == [
        ("condition.op", "rule_operator_not_applicable")
    ]


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (cmp("discount_pct", "gt", True), ("condition.value", "rule_type_mismatch")),
        (cmp("discount_pct", "gt", None), ("condition.value", "rule_type_mismatch")),
        (cmp("discount_pct", "gt", [1]), ("condition.value", "rule_type_mismatch")),
        (cmp("discount_pct", "gt", "ten"), ("condition.value", "rule_invalid_number")),
        (cmp("discount_pct", "gt", "NaN"), ("condition.value", "rule_invalid_number")),
        (cmp("discount_pct", "gt", "Infinity"), ("condition.value", "rule_invalid_number")),
        (cmp("discount_pct", "gt", "-inf"), ("condition.value", "rule_invalid_number")),
        (cmp("discount_pct", "gt", "1e5"), ("condition.value", "rule_invalid_number")),
        (cmp("discount_pct", "gt", float("nan")), ("condition.value", "rule_invalid_number")),
        (cmp("discount_pct", "gt", float("inf")), ("condition.value", "rule_invalid_number")),
        (cmp("payment_days", "gt", 30.5), ("condition.value", "rule_type_mismatch")),
        (cmp("below_floor", "eq", "true"), ("condition.value", "rule_type_mismatch")),
        (cmp("below_floor", "eq", 1), ("condition.value", "rule_type_mismatch")),
        (cmp("currency", "eq", 1), ("condition.value", "rule_type_mismatch")),
        (cmp("account.tier", "eq", "vip"), ("condition.value", "rule_invalid_choice")),
        (cmp("account.tier", "in", ["smb", "gold"]), ("condition.value[1]", "rule_invalid_choice")),
        (cmp("amount", "in", [1, False]), ("condition.value[1]", "rule_type_mismatch")),
        (cmp("amount", "gt", {"field": "discount_pct"}), ("condition.value", "rule_type_mismatch")),
        (cmp("currency", "eq", {"field": "amount"}), ("condition.value", "rule_type_mismatch")),
        (cmp("amount", "gt", {"field": "nope"}), ("condition.value.field", "rule_unknown_field")),
        (
            cmp("amount", "gt", {"field": "amount", "x": 1}),
            ("condition.value", "rule_invalid_shape"),
        ),
    ],
)
def test_operand_type_errors(condition: dict[str, Any], expected: tuple[str, str]) -> None:
    assert errors(condition) == [expected]


def test_comparing_a_money_fact_to_a_percentage_limit_is_a_type_mismatch() -> None:
    rule = cmp("amount_base", "gt", {"authority": {"role": "sales_rep", "limit": "discount_pct"}})
    assert errors(rule) == [("condition.value", "rule_type_mismatch")]
    rule = cmp("discount_pct", "gt", {"authority": {"role": "sales_rep", "limit": "amount_base"}})
    assert errors(rule) == [("condition.value", "rule_type_mismatch")]
    rule = cmp("currency", "eq", {"authority": {"role": "sales_rep", "limit": "amount_base"}})
    assert errors(rule) == [("condition.value", "rule_type_mismatch")]


def test_unknown_limit_and_role_in_authority_operands() -> None:
    rule = cmp("discount_pct", "gt", {"authority": {"role": "sales_rep", "limit": "discount"}})
    assert errors(rule) == [("condition.value.authority.limit", "rule_unknown_limit")]
    rule = cmp("discount_pct", "gt", {"authority": {"role": "ghost", "limit": "discount_pct"}})
    assert errors(rule) == []  # without the known roles the caller checks them
    assert errors(rule, roles={"sales_rep"}) == [
        ("condition.value.authority.role", "rule_unknown_role")
    ]
    rule = cmp("discount_pct", "gt", {"authority": {"role": "sales_rep"}})
    assert errors(rule) == [("condition.value.authority", "rule_invalid_shape")]


def test_nesting_deeper_than_the_limit_is_refused_at_the_offending_node() -> None:
    rule: dict[str, Any] = {"always": True}
    for _ in range(MAX_DEPTH - 1):
        rule = {"not": rule}
    assert errors(rule) == []
    too_deep = {"not": rule}
    path = "condition" + ".not" * MAX_DEPTH
    assert errors(too_deep) == [(path, "rule_too_deep")]


def test_more_than_a_hundred_nodes_is_refused_once() -> None:
    rule = {"any": [cmp("discount_pct", "gt", n) for n in range(100)]}
    assert errors(rule) == [("condition", "rule_too_large")]
    assert errors({"any": [cmp("discount_pct", "gt", n) for n in range(99)]}) == []


def test_every_error_is_reported_not_only_the_first() -> None:
    rule = {"all": [cmp("nope", "gt", 1), cmp("discount_pct", "gt", "x"), {"always": 2}]}
    assert errors(rule) == [
        ("condition.all[0].field", "rule_unknown_field"),
        ("condition.all[1].value", "rule_invalid_number"),
        ("condition.all[2].always", "rule_invalid_shape"),
    ]


def test_unknown_action_is_reported_on_the_action() -> None:
    assert errors({"always": True}, "quote.delete") == [("action", "rule_unknown_action")]


# ----------------------------------------------------------------------------- evaluation

FACTS: dict[str, Any] = {
    "amount": Decimal("120000.00"),
    "amount_base": Decimal("120000.00"),
    "currency": "CNY",
    "discount_pct": Decimal("12.50"),
    "max_line_discount_pct": Decimal("15"),
    "below_floor": False,
    "payment_days": 45,
    "account.tier": "key_account",
    "account.value_class": None,
}


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"always": True}, True),
        (cmp("discount_pct", "eq", "12.5"), True),
        (cmp("discount_pct", "eq", 12.50), True),
        (cmp("discount_pct", "ne", 12.5), False),
        (cmp("discount_pct", "gt", 12), True),
        (cmp("discount_pct", "gt", "12.50"), False),
        (cmp("discount_pct", "gte", "12.50"), True),
        (cmp("discount_pct", "lt", "12.51"), True),
        (cmp("discount_pct", "lt", "12.5"), False),
        (cmp("discount_pct", "lte", "12.5"), True),
        (cmp("discount_pct", "in", [10, "12.5", 15]), True),
        (cmp("discount_pct", "not_in", [10, "12.5"]), False),
        (cmp("payment_days", "in", [30, 45]), True),
        (cmp("payment_days", "gt", "44"), True),
        (cmp("currency", "eq", "CNY"), True),
        (cmp("currency", "ne", "CNY"), False),
        (cmp("currency", "in", ["HKD", "SGD"]), False),
        (cmp("currency", "not_in", ["HKD", "SGD"]), True),
        (cmp("account.tier", "in", ["strategic", "key_account"]), True),
        (cmp("below_floor", "eq", False), True),
        (cmp("below_floor", "ne", False), False),
        (cmp("max_line_discount_pct", "gt", {"field": "discount_pct"}), True),
        (cmp("amount", "eq", {"field": "amount_base"}), True),
        (cmp("amount", "gt", {"field": "amount_base"}), False),
    ],
)
def test_every_operator(rule: dict[str, Any], expected: bool) -> None:
    assert errors(rule) == []
    assert evaluate(rule, FACTS, no_limits) is expected


def test_nesting_of_all_any_and_not() -> None:
    big = cmp("amount_base", "gte", 100000)
    small_discount = cmp("discount_pct", "lt", 5)
    strategic = cmp("account.tier", "eq", "strategic")
    assert evaluate({"all": [big, {"not": small_discount}]}, FACTS, no_limits) is True
    assert evaluate({"all": [big, small_discount]}, FACTS, no_limits) is False
    assert evaluate({"any": [small_discount, strategic]}, FACTS, no_limits) is False
    assert evaluate({"any": [small_discount, {"not": strategic}]}, FACTS, no_limits) is True
    nested = {"not": {"any": [small_discount, {"all": [big, {"not": strategic}]}]}}
    assert evaluate(nested, FACTS, no_limits) is False


def test_decimal_comparison_is_exact() -> None:
    facts = {"discount_pct": Decimal("10.005")}
    assert evaluate(cmp("discount_pct", "lt", "10.01"), facts, no_limits) is True
    assert evaluate(cmp("discount_pct", "lt", 10.01), facts, no_limits) is True
    assert evaluate(cmp("discount_pct", "eq", "10.01"), facts, no_limits) is False
    assert evaluate(cmp("discount_pct", "gt", "10.00"), facts, no_limits) is True
    assert evaluate(cmp("discount_pct", "eq", 10.005), facts, no_limits) is True
    # A classic float trap: 0.1 + 0.2 != 0.3, but the facts are Decimals.
    total = {"amount_base": Decimal("0.1") + Decimal("0.2")}
    assert evaluate(cmp("amount_base", "eq", 0.3), total, no_limits) is True
    # Facts snapshotted as JSON strings compare the same way.
    assert evaluate(cmp("discount_pct", "lt", "10.01"), {"discount_pct": "10.005"}, no_limits)


def test_a_fact_that_is_none_or_absent_makes_the_comparison_false() -> None:
    for op, value in (("eq", "A"), ("ne", "A"), ("in", ["A"]), ("not_in", ["A"])):
        assert evaluate(cmp("account.value_class", op, value), FACTS, no_limits) is False
    assert evaluate(cmp("payment_days", "ne", 1), {}, no_limits) is False
    assert (
        evaluate(cmp("amount", "gt", {"field": "amount_base"}), {"amount": 1}, no_limits) is False
    )
    # ... and so its negation true.
    assert evaluate({"not": cmp("payment_days", "gt", 1)}, {}, no_limits) is True


def test_authority_operand_reads_the_matrix() -> None:
    lookup = matrix(
        {
            "sales_rep": {"discount_pct": "10.00", "amount_base": "100000.00"},
            "sales_manager": {"discount_pct": "20.00", "amount_base": None},
        }
    )
    beyond_rep = cmp(
        "discount_pct", "gt", {"authority": {"role": "sales_rep", "limit": "discount_pct"}}
    )
    beyond_mgr = cmp(
        "discount_pct", "gt", {"authority": {"role": "sales_manager", "limit": "discount_pct"}}
    )
    assert evaluate(beyond_rep, FACTS, lookup) is True
    assert evaluate(beyond_mgr, FACTS, lookup) is False
    at_limit = {"discount_pct": Decimal("10.00")}
    assert evaluate(beyond_rep, at_limit, lookup) is False
    assert evaluate({**beyond_rep, "op": "gte"}, at_limit, lookup) is True


def test_an_unlimited_limit_is_never_exceeded() -> None:
    lookup = matrix({"sales_manager": {"amount_base": None}})
    limit = {"authority": {"role": "sales_manager", "limit": "amount_base"}}
    huge = {"amount_base": Decimal("999999999999.99")}
    assert evaluate(cmp("amount_base", "gt", limit), huge, lookup) is False
    assert evaluate(cmp("amount_base", "lte", limit), huge, lookup) is True
    assert evaluate(cmp("amount_base", "eq", limit), huge, lookup) is False
    assert evaluate(cmp("amount_base", "ne", limit), huge, lookup) is True


def test_a_missing_limit_means_no_authority() -> None:
    # No row for the role at all, and a row without the key: both are zero authority.
    lookup = matrix({"sales_rep": {"discount_pct": "5"}})
    tiny = {"amount_base": Decimal("0.01"), "discount_pct": Decimal("0.01")}
    no_row = cmp(
        "discount_pct", "gt", {"authority": {"role": "sales_manager", "limit": "discount_pct"}}
    )
    no_key = cmp("amount_base", "gt", {"authority": {"role": "sales_rep", "limit": "amount_base"}})
    assert evaluate(no_row, tiny, lookup) is True
    assert evaluate(no_key, tiny, lookup) is True
    assert evaluate(no_key, {"amount_base": Decimal("0")}, lookup) is False


def test_evaluation_never_executes_strings() -> None:
    # A string operand is data: a Python expression in it is compared, not run.
    rule = cmp("currency", "eq", "__import__('os').system('false')")
    assert validate_condition(rule, QUOTE) == []
    assert evaluate(rule, {"currency": "CNY"}, no_limits) is False


# ----------------------------------------------------------------------------- read fields


def test_read_fields_lists_compared_facts_and_fact_operands() -> None:
    rule = {
        "any": [
            cmp(
                "discount_pct", "gt", {"authority": {"role": "sales_rep", "limit": "discount_pct"}}
            ),
            {"not": cmp("amount", "gt", {"field": "amount_base"})},
            {"always": True},
            {"all": [cmp("below_floor", "eq", True)]},
        ]
    }
    assert read_fields(rule) == frozenset({"discount_pct", "amount", "amount_base", "below_floor"})
    assert read_fields({"always": True}) == frozenset()
    assert referenced_roles(rule) == frozenset({"sales_rep"})
