"""The approval rule language: a small declarative condition stored as JSON.

A rule is data, never code: it is walked node by node, nothing is ever ``eval``-ed. Nodes:

- ``{"always": true}`` matches every attempt;
- ``{"all": [c, ...]}``, ``{"any": [c, ...]}`` (non-empty), ``{"not": c}``;
- ``{"field": fact, "op": op, "value": operand}`` with ``op`` one of ``eq ne gt gte lt lte
  in not_in``. The operand is a literal (a JSON number or decimal string for
  number/integer/money facts, a string, a boolean), a list of literals for ``in``/``not_in``,
  another fact ``{"field": name}``, or a limit of the record's subsidiary authority matrix
  ``{"authority": {"role": code, "limit": name}}``.

Fact names and types come from ``flotilla.approval.registry`` (the guarded action's fields);
limit names and types from ``registry.AUTHORITY_LIMITS``. Numbers are compared as ``Decimal``,
never as floats. ``validate_condition`` refuses anything outside this grammar with field errors
whose paths start with ``condition``; ``evaluate`` assumes a validated rule.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Callable, Collection, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from flotilla.approval.registry import ACTIONS, AUTHORITY_LIMITS, FactField, FactType
from flotilla.core.errors import FieldError, field_error


class Missing(enum.Enum):
    """A limit the matrix does not define (no row for the role, or the key absent)."""

    MISSING = "missing"


MISSING: Final = Missing.MISSING

# (role_code, limit_name) → the limit of the record's subsidiary: a Decimal, None for
# "unlimited", or MISSING for "no authority".
LimitLookup = Callable[[str, str], Decimal | Missing | None]

OPERATORS: Final = ("eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in")
ORDERING_OPERATORS: Final = frozenset({"gt", "gte", "lt", "lte"})
LIST_OPERATORS: Final = frozenset({"in", "not_in"})
NUMERIC_TYPES: Final = frozenset({"number", "integer", "money"})
MAX_DEPTH: Final = 8
MAX_NODES: Final = 100
MAX_LIST_ITEMS: Final = 100
MAX_STRING_LENGTH: Final = 200

# A decimal string operand: plain fixed-point, no exponent, no NaN/Infinity, no underscores.
_DECIMAL_STRING = re.compile(r"^[+-]?\d{1,30}(\.\d{1,30})?$")
_COMBINATORS: Final = ("all", "any", "not", "always")
_COMPARISON_KEYS: Final = frozenset({"field", "op", "value"})


def _fact_types() -> dict[str, FactType]:
    """Every fact name the registry knows with its type (a name has one type everywhere;
    ``tests/approval_policy/test_rules.py`` proves the registry keeps to that)."""
    types: dict[str, FactType] = {}
    for action in ACTIONS.values():
        for name, fact in action.fields.items():
            types.setdefault(name, fact.type)
    return types


FACT_TYPES: Final = _fact_types()


def compatible_types(left: FactType, right: FactType) -> bool:
    """Whether two numeric-or-not types may be compared: money only with money; number and
    integer with each other; strings with strings; booleans with booleans."""
    if left == right:
        return True
    return {left, right} == {"number", "integer"}


def parse_decimal(value: object) -> Decimal | None:
    """A finite Decimal from a JSON number or a plain decimal string, else None.

    Floats go through ``str`` (``Decimal(str(10.005)) == Decimal("10.005")``), so a JSON
    number means what it says; booleans are not numbers.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return Decimal(str(value))
    if isinstance(value, str) and _DECIMAL_STRING.match(value):
        try:
            return Decimal(value)
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
            return None
    return None


# --------------------------------------------------------------------------- validation


def _storable(number: Decimal) -> bool:
    """At most 30 digits before and after the point: a literal that round-trips through
    its stored decimal-string form (``canonical_condition``)."""
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)
    return number.adjusted() < 30 and exponent >= -30


class _Validator:
    def __init__(self, action: str, roles: Collection[str] | None) -> None:
        self.fields: dict[str, FactField] = ACTIONS[action].fields
        self.roles = roles
        self.errors: list[FieldError] = []
        self.nodes = 0
        self.too_large = False

    def error(self, path: str, code: str, **params: Any) -> None:
        self.errors.append(field_error(path, code, **params))

    def node(self, node: object, path: str, depth: int) -> None:
        if self.too_large:
            return
        self.nodes += 1
        if self.nodes > MAX_NODES:
            self.too_large = True
            self.error("condition", "rule_too_large", max=MAX_NODES)
            return
        if depth > MAX_DEPTH:
            self.error(path, "rule_too_deep", max=MAX_DEPTH)
            return
        if not isinstance(node, dict) or not node:
            self.error(path, "rule_invalid_shape")
            return
        keys = set(node)
        if any(not isinstance(key, str) for key in keys):
            self.error(path, "rule_invalid_shape")
            return
        if "field" in keys or "op" in keys or "value" in keys:
            self.comparison(node, path)
            return
        if len(keys) != 1:
            self.error(path, "rule_invalid_shape")
            return
        (key,) = keys
        value = node[key]
        if key == "always":
            if value is not True:
                self.error(f"{path}.always", "rule_invalid_shape")
        elif key in ("all", "any"):
            if not isinstance(value, list):
                self.error(f"{path}.{key}", "rule_list_expected")
                return
            if not value:
                self.error(f"{path}.{key}", "rule_empty_list")
                return
            for index, child in enumerate(value):
                self.node(child, f"{path}.{key}[{index}]", depth + 1)
        elif key == "not":
            self.node(value, f"{path}.not", depth + 1)
        else:
            self.error(path, "rule_unknown_operator", operator=key[:50])

    def comparison(self, node: dict[str, Any], path: str) -> None:
        extra = set(node) - _COMPARISON_KEYS
        missing = _COMPARISON_KEYS - set(node)
        if extra or missing:
            for key in sorted(extra):
                self.error(f"{path}.{key}", "rule_invalid_shape")
            for key in sorted(missing):
                self.error(f"{path}.{key}", "rule_required")
            return
        name, op, operand = node["field"], node["op"], node["value"]
        fact = self.fact(name, f"{path}.field")
        if not isinstance(op, str) or op not in OPERATORS:
            self.error(f"{path}.op", "rule_unknown_operator", operator=str(op)[:50])
            return
        if fact is None:
            return
        if fact.type in ("string", "bool") and op in ORDERING_OPERATORS:
            self.error(f"{path}.op", "rule_operator_not_applicable", operator=op, type=fact.type)
            return
        if fact.type == "bool" and op in LIST_OPERATORS:
            self.error(f"{path}.op", "rule_operator_not_applicable", operator=op, type=fact.type)
            return
        value_path = f"{path}.value"
        if op in LIST_OPERATORS:
            if not isinstance(operand, list):
                self.error(value_path, "rule_list_expected")
                return
            if not operand:
                self.error(value_path, "rule_empty_list")
                return
            if len(operand) > MAX_LIST_ITEMS:
                self.error(value_path, "rule_too_large", max=MAX_LIST_ITEMS)
                return
            for index, item in enumerate(operand):
                self.literal(item, fact, f"{value_path}[{index}]")
            return
        if isinstance(operand, dict):
            self.reference(operand, fact, value_path)
            return
        self.literal(operand, fact, value_path)

    def fact(self, name: object, path: str) -> FactField | None:
        if not isinstance(name, str) or not name:
            self.error(path, "rule_invalid_shape")
            return None
        fact = self.fields.get(name)
        if fact is None:
            self.error(path, "rule_unknown_field", field=name[:100])
        return fact

    def literal(self, value: object, fact: FactField, path: str) -> None:
        if isinstance(value, (list, dict)) or value is None:
            self.error(path, "rule_type_mismatch", type=fact.type)
            return
        if fact.type in NUMERIC_TYPES:
            if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                self.error(path, "rule_type_mismatch", type=fact.type)
                return
            number = parse_decimal(value)
            if number is None or not _storable(number):
                self.error(path, "rule_invalid_number")
            elif fact.type == "integer" and number != number.to_integral_value():
                self.error(path, "rule_type_mismatch", type=fact.type)
            return
        if fact.type == "bool":
            if not isinstance(value, bool):
                self.error(path, "rule_type_mismatch", type=fact.type)
            return
        if not isinstance(value, str):
            self.error(path, "rule_type_mismatch", type=fact.type)
        elif len(value) > MAX_STRING_LENGTH:
            self.error(path, "rule_value_too_long", max=MAX_STRING_LENGTH)
        elif fact.choices and value not in fact.choices:
            self.error(path, "rule_invalid_choice", choices=", ".join(fact.choices))

    def reference(self, operand: dict[str, Any], fact: FactField, path: str) -> None:
        if set(operand) == {"field"}:
            other = self.fact(operand["field"], f"{path}.field")
            if other is not None and not compatible_types(fact.type, other.type):
                self.error(path, "rule_type_mismatch", type=fact.type)
            return
        if set(operand) != {"authority"}:
            self.error(path, "rule_invalid_shape")
            return
        authority = operand["authority"]
        apath = f"{path}.authority"
        if not isinstance(authority, dict) or set(authority) != {"role", "limit"}:
            self.error(apath, "rule_invalid_shape")
            return
        role, limit = authority["role"], authority["limit"]
        if not isinstance(role, str) or not role:
            self.error(f"{apath}.role", "rule_invalid_shape")
        elif self.roles is not None and role not in self.roles:
            self.error(f"{apath}.role", "rule_unknown_role", role=role[:64])
        if not isinstance(limit, str) or limit not in AUTHORITY_LIMITS:
            self.error(f"{apath}.limit", "rule_unknown_limit", limit=str(limit)[:64])
            return
        if fact.type not in NUMERIC_TYPES:
            self.error(path, "rule_type_mismatch", type=fact.type)
            return
        limit_type = AUTHORITY_LIMITS[limit][0]
        if not compatible_types(fact.type, limit_type):
            self.error(path, "rule_type_mismatch", type=fact.type)


def validate_condition(
    condition: object, action: str, *, roles: Collection[str] | None = None
) -> list[FieldError]:
    """Every problem with ``condition`` as a rule for ``action``; empty when it is valid.

    Field paths start with ``condition`` (``condition.any[1].field``). With ``roles`` (the
    known role codes) an authority operand naming another role is refused too; without it
    role existence is left to the caller.
    """
    if action not in ACTIONS:
        return [field_error("action", "rule_unknown_action", action=str(action)[:64])]
    validator = _Validator(action, roles)
    validator.node(condition, "condition", 1)
    return validator.errors


def referenced_roles(condition: Mapping[str, Any]) -> frozenset[str]:
    """The role codes a validated rule's authority operands name."""
    found: set[str] = set()

    def walk(node: Mapping[str, Any]) -> None:
        for key in ("all", "any"):
            for child in node.get(key, ()):
                walk(child)
        if "not" in node:
            walk(node["not"])
        operand = node.get("value")
        if isinstance(operand, dict) and "authority" in operand:
            found.add(operand["authority"]["role"])

    walk(condition)
    return frozenset(found)


# --------------------------------------------------------------------------- evaluation

_INFINITY: Final = Decimal("Infinity")


def _compare(left: Any, op: str, right: Any) -> bool:
    if op == "eq":
        return bool(left == right)
    if op == "ne":
        return bool(left != right)
    if op == "gt":
        return bool(left > right)
    if op == "gte":
        return bool(left >= right)
    if op == "lt":
        return bool(left < right)
    if op == "lte":
        return bool(left <= right)
    raise ValueError(f"unknown operator {op!r}")


def _limit_value(found: Decimal | Missing | None) -> Decimal:
    # An explicit null in the matrix is "unlimited"; no row or no key is "no authority".
    if found is MISSING:
        return Decimal(0)
    if found is None:
        return _INFINITY
    assert isinstance(found, Decimal)
    return found


def _comparison(node: Mapping[str, Any], facts: Mapping[str, Any], limits: LimitLookup) -> bool:
    name: str = node["field"]
    op: str = node["op"]
    operand = node["value"]
    raw = facts.get(name)
    if raw is None:
        return False
    kind = FACT_TYPES.get(name, "string")
    if kind in NUMERIC_TYPES:
        left = parse_decimal(raw)
        if left is None:
            return False
        if op in LIST_OPERATORS:
            members = {parse_decimal(item) for item in operand}
            return (left in members) == (op == "in")
        if isinstance(operand, dict) and "field" in operand:
            right = parse_decimal(facts.get(operand["field"]))
            if right is None:
                return False
        elif isinstance(operand, dict) and "authority" in operand:
            authority = operand["authority"]
            right = _limit_value(limits(authority["role"], authority["limit"]))
        else:
            right = parse_decimal(operand)
            if right is None:
                return False
        return _compare(left, op, right)
    if kind == "bool":
        if not isinstance(raw, bool):
            return False
        if isinstance(operand, dict):
            other = facts.get(operand["field"])
            if not isinstance(other, bool):
                return False
            return _compare(raw, op, other)
        return _compare(raw, op, operand)
    if not isinstance(raw, str):
        return False
    if op in LIST_OPERATORS:
        return (raw in operand) == (op == "in")
    if isinstance(operand, dict):
        other = facts.get(operand["field"])
        if not isinstance(other, str):
            return False
        return _compare(raw, op, other)
    return _compare(raw, op, operand)


def evaluate(condition: Mapping[str, Any], facts: Mapping[str, Any], limits: LimitLookup) -> bool:
    """Whether a validated rule matches ``facts``.

    A fact that is None (or absent) makes a comparison false; an authority limit that is
    null in the matrix is unlimited (+∞), a missing one is no authority (0). Numbers compare
    as exact Decimals.
    """
    if "always" in condition:
        return True
    if "all" in condition:
        return all(evaluate(child, facts, limits) for child in condition["all"])
    if "any" in condition:
        return any(evaluate(child, facts, limits) for child in condition["any"])
    if "not" in condition:
        return not evaluate(condition["not"], facts, limits)
    return _comparison(condition, facts, limits)


def read_fields(condition: Mapping[str, Any]) -> frozenset[str]:
    """The fact names a validated rule reads (compared fields and fact operands), so a later
    change to any of them can void an approval granted on the old values."""
    found: set[str] = set()

    def walk(node: Mapping[str, Any]) -> None:
        for key in ("all", "any"):
            for child in node.get(key, ()):
                walk(child)
        if "not" in node:
            walk(node["not"])
        if "field" in node:
            found.add(node["field"])
            operand = node.get("value")
            if isinstance(operand, dict) and "field" in operand:
                found.add(operand["field"])

    walk(condition)
    return frozenset(found)


def canonical_condition(condition: Any) -> Any:
    """A validated rule as stored: JSON floats become decimal strings (``10.005`` →
    ``"10.005"``), so the stored rule is exact whatever a driver does with JSON numbers."""
    if isinstance(condition, dict):
        return {key: canonical_condition(value) for key, value in condition.items()}
    if isinstance(condition, list):
        return [canonical_condition(item) for item in condition]
    if isinstance(condition, float) and math.isfinite(condition):
        return format(Decimal(str(condition)), "f")
    return condition
