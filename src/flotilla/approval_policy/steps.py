"""Approval steps: who approves, in which order, stored as a JSON list on the policy.

A step is ``{"name", "name_en", "mode": "any"|"all", "approvers": [resolution, ...]}``; steps
run in order, the approvers of one step in parallel (``any``: one approval passes the step,
``all``: every approver must approve). A resolution names approvers indirectly:

- ``{"type": "user", "user_id": uuid}``: that (active) user;
- ``{"type": "line_manager", "levels": 1..5}``: the n-th unit head (``OrgUnit.manager_id``)
  climbing from the requester's unit;
- ``{"type": "role", "role": code, "at": "subsidiary"|"group"}``: holders of a role at the
  record's subsidiary or at the group;
- ``{"type": "authority", "ladder": [code, ...], "limits": [limit, ...]}``: the lowest role of
  the ladder whose authority limits (of the record's subsidiary) cover every named fact
  (``covering_role``); when none does, the last role.

``validate_steps`` checks the shape against the guarded action; the approval engine resolves
the people when a request is submitted.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from decimal import Decimal
from typing import Any, Final

from flotilla.approval.registry import ACTIONS, AUTHORITY_LIMITS
from flotilla.approval_policy.rules import MISSING, LimitLookup, Missing, parse_decimal
from flotilla.core.errors import FieldError, field_error

MAX_STEPS: Final = 10
MAX_APPROVERS: Final = 10
MAX_LADDER: Final = 10
MAX_LINE_LEVELS: Final = 5
MAX_NAME_LENGTH: Final = 100
MODES: Final = ("any", "all")
RESOLUTION_TYPES: Final = ("user", "line_manager", "role", "authority")
ROLE_LEVELS: Final = ("subsidiary", "group")

# Which fact each authority limit covers (limit name → fact name the guarded action
# supplies). A credit override is judged on the contract's amount in base currency.
LIMIT_FACTS: Final[Mapping[str, str]] = {
    "discount_pct": "discount_pct",
    "amount_base": "amount_base",
    "payment_days": "payment_days",
    "credit_override_base": "amount_base",
}

_STEP_KEYS: Final = frozenset({"name", "name_en", "mode", "approvers"})
_STEP_REQUIRED: Final = frozenset({"name", "mode", "approvers"})
_RESOLUTION_KEYS: Final[Mapping[str, frozenset[str]]] = {
    "user": frozenset({"type", "user_id"}),
    "line_manager": frozenset({"type", "levels"}),
    "role": frozenset({"type", "role", "at"}),
    "authority": frozenset({"type", "ladder", "limits"}),
}


class _Validator:
    def __init__(
        self,
        action: str,
        roles: Collection[str] | None,
        active_users: Collection[uuid.UUID] | None,
    ) -> None:
        self.facts = ACTIONS[action].fields
        self.roles = roles
        self.active_users = active_users
        self.errors: list[FieldError] = []

    def error(self, path: str, code: str, **params: Any) -> None:
        self.errors.append(field_error(path, code, **params))

    def steps(self, steps: object) -> None:
        if not isinstance(steps, list):
            self.error("steps", "step_invalid_shape")
            return
        if not 1 <= len(steps) <= MAX_STEPS:
            self.error("steps", "steps_count", min=1, max=MAX_STEPS)
            return
        for index, step in enumerate(steps):
            self.step(step, f"steps[{index}]")

    def step(self, step: object, path: str) -> None:
        if not isinstance(step, dict):
            self.error(path, "step_invalid_shape")
            return
        for key in sorted(set(step) - _STEP_KEYS, key=str):
            self.error(f"{path}.{key}", "step_invalid_shape")
        for key in sorted(_STEP_REQUIRED - set(step)):
            self.error(f"{path}.{key}", "rule_required")
        if "name" in step:
            self.name(step["name"], f"{path}.name", required=True)
        if "name_en" in step:
            self.name(step["name_en"], f"{path}.name_en", required=False)
        if "mode" in step and step["mode"] not in MODES:
            self.error(f"{path}.mode", "step_unknown_mode", modes=", ".join(MODES))
        if "approvers" not in step:
            return
        approvers = step["approvers"]
        if not isinstance(approvers, list):
            self.error(f"{path}.approvers", "step_invalid_shape")
            return
        if not 1 <= len(approvers) <= MAX_APPROVERS:
            self.error(f"{path}.approvers", "step_approvers_count", min=1, max=MAX_APPROVERS)
            return
        for index, resolution in enumerate(approvers):
            self.resolution(resolution, f"{path}.approvers[{index}]")

    def name(self, value: object, path: str, *, required: bool) -> None:
        if value is None and not required:
            return
        if not isinstance(value, str) or not value.strip():
            self.error(path, "step_name_required")
        elif len(value) > MAX_NAME_LENGTH:
            self.error(path, "rule_value_too_long", max=MAX_NAME_LENGTH)

    def resolution(self, resolution: object, path: str) -> None:
        if not isinstance(resolution, dict):
            self.error(path, "step_invalid_shape")
            return
        kind = resolution.get("type")
        if not isinstance(kind, str) or kind not in _RESOLUTION_KEYS:
            self.error(f"{path}.type", "step_unknown_type", types=", ".join(RESOLUTION_TYPES))
            return
        expected = _RESOLUTION_KEYS[kind]
        for key in sorted(set(resolution) - expected, key=str):
            self.error(f"{path}.{key}", "step_invalid_shape")
        for key in sorted(expected - set(resolution)):
            self.error(f"{path}.{key}", "rule_required")
        if kind == "user" and "user_id" in resolution:
            self.user(resolution["user_id"], f"{path}.user_id")
        elif kind == "line_manager" and "levels" in resolution:
            levels = resolution["levels"]
            if (
                isinstance(levels, bool)
                or not isinstance(levels, int)
                or not 1 <= levels <= MAX_LINE_LEVELS
            ):
                self.error(f"{path}.levels", "step_invalid_levels", max=MAX_LINE_LEVELS)
        elif kind == "role":
            if "role" in resolution:
                self.role(resolution["role"], f"{path}.role")
            if "at" in resolution and resolution["at"] not in ROLE_LEVELS:
                self.error(f"{path}.at", "step_invalid_at", levels=", ".join(ROLE_LEVELS))
        elif kind == "authority":
            if "ladder" in resolution:
                self.ladder(resolution["ladder"], f"{path}.ladder")
            if "limits" in resolution:
                self.limits(resolution["limits"], f"{path}.limits")

    def user(self, value: object, path: str) -> None:
        try:
            user_id = uuid.UUID(value) if isinstance(value, str) else None
        except ValueError:
            user_id = None
        if user_id is None:
            self.error(path, "step_invalid_user_id")
        elif self.active_users is not None and user_id not in self.active_users:
            self.error(path, "step_unknown_user")

    def role(self, value: object, path: str) -> None:
        if not isinstance(value, str) or not value:
            self.error(path, "step_invalid_shape")
        elif self.roles is not None and value not in self.roles:
            self.error(path, "rule_unknown_role", role=value[:64])

    def ladder(self, ladder: object, path: str) -> None:
        if not isinstance(ladder, list) or not 1 <= len(ladder) <= MAX_LADDER:
            self.error(path, "step_ladder_count", min=1, max=MAX_LADDER)
            return
        seen: set[str] = set()
        for index, role in enumerate(ladder):
            self.role(role, f"{path}[{index}]")
            if isinstance(role, str):
                if role in seen:
                    self.error(f"{path}[{index}]", "step_duplicate")
                seen.add(role)

    def limits(self, limits: object, path: str) -> None:
        if not isinstance(limits, list) or not 1 <= len(limits) <= len(AUTHORITY_LIMITS):
            self.error(path, "step_limits_count", min=1, max=len(AUTHORITY_LIMITS))
            return
        seen: set[str] = set()
        for index, limit in enumerate(limits):
            item = f"{path}[{index}]"
            if not isinstance(limit, str) or limit not in AUTHORITY_LIMITS:
                self.error(item, "rule_unknown_limit", limit=str(limit)[:64])
                continue
            if limit in seen:
                self.error(item, "step_duplicate")
            seen.add(limit)
            fact = LIMIT_FACTS[limit]
            if fact not in self.facts:
                self.error(item, "step_limit_not_supplied", limit=limit, fact=fact)


def validate_steps(
    steps: object,
    action: str,
    *,
    roles: Collection[str] | None = None,
    active_users: Collection[uuid.UUID] | None = None,
) -> list[FieldError]:
    """Every problem with ``steps`` as the approval chain of ``action``; empty when valid.

    Field paths start with ``steps`` (``steps[0].approvers[1].levels``). With ``roles`` (the
    known role codes) and ``active_users`` (the active users among those referenced, see
    ``referenced_users``) unknown roles and unknown or inactive users are refused as well;
    without them those checks are left to the caller.
    """
    if action not in ACTIONS:
        return [field_error("action", "rule_unknown_action", action=str(action)[:64])]
    validator = _Validator(action, roles, active_users)
    validator.steps(steps)
    return validator.errors


def _resolutions(steps: object) -> list[Mapping[str, Any]]:
    found: list[Mapping[str, Any]] = []
    if not isinstance(steps, list):
        return found
    for step in steps:
        if isinstance(step, dict) and isinstance(step.get("approvers"), list):
            found.extend(item for item in step["approvers"] if isinstance(item, dict))
    return found


def referenced_users(steps: object) -> frozenset[uuid.UUID]:
    """The well-formed user ids named by ``user`` resolutions (for an existence check)."""
    found: set[uuid.UUID] = set()
    for resolution in _resolutions(steps):
        value = resolution.get("user_id")
        if resolution.get("type") == "user" and isinstance(value, str):
            try:
                found.add(uuid.UUID(value))
            except ValueError:
                continue
    return frozenset(found)


def referenced_roles(steps: object) -> frozenset[str]:
    """The role codes named by ``role`` and ``authority`` resolutions."""
    found: set[str] = set()
    for resolution in _resolutions(steps):
        if resolution.get("type") == "role" and isinstance(resolution.get("role"), str):
            found.add(resolution["role"])
        ladder = resolution.get("ladder")
        if resolution.get("type") == "authority" and isinstance(ladder, list):
            found.update(role for role in ladder if isinstance(role, str))
    return frozenset(found)


def step_read_fields(steps: Sequence[Mapping[str, Any]]) -> frozenset[str]:
    """The facts the authority steps of validated ``steps`` compare against limits: a later
    change to one of them can change who must approve, so it voids a pending approval even
    when the policy's condition does not read it."""
    found: set[str] = set()
    for step in steps:
        for resolution in step.get("approvers", ()):
            if resolution.get("type") == "authority":
                found.update(LIMIT_FACTS[limit] for limit in resolution.get("limits", ()))
    return frozenset(found)


def covers(limit: Decimal | Missing | None, value: object) -> bool:
    """Whether one authority limit covers one fact value.

    A null limit (unlimited) covers anything, even an unknown value; a missing limit (no
    matrix row, or the key absent) is no authority and covers nothing; otherwise the value
    must be known and not above the limit.
    """
    if limit is None:
        return True
    if limit is MISSING or not isinstance(limit, Decimal):
        return False
    number = parse_decimal(value)
    return number is not None and number <= limit


def covering_role(
    ladder: Sequence[str],
    limit_names: Sequence[str],
    facts: Mapping[str, Any],
    lookup: LimitLookup,
) -> str:
    """The lowest role of ``ladder`` whose limits cover every named fact; the last role when
    none does (the top of the ladder decides what nobody below may).

    Limit ``credit_override_base`` covers the fact ``amount_base`` (``LIMIT_FACTS``). A fact
    whose value is unknown is covered only by an unlimited limit: authority cannot be proven
    for an amount nobody knows.
    """
    if not ladder:
        raise ValueError("an authority ladder needs at least one role")
    for role in ladder:
        if all(covers(lookup(role, name), facts.get(LIMIT_FACTS[name])) for name in limit_names):
            return role
    return ladder[-1]
