"""Approval policies (审批策略) and the authority matrix (授权矩阵).

Invariants kept here:

- **Every stored policy is valid**: its action is in the registry, its condition passes
  ``rules.validate_condition`` and its steps ``steps.validate_steps`` for that action, every
  role it names exists and every user it names exists and is active — checked on create and
  on every change, with all problems reported at once (422) and nothing saved.
- **Placement**: a group-wide policy (``subsidiary_id`` NULL) is written only with
  ``approval.admin`` over the whole group; a subsidiary's policy and matrix rows only with
  ``approval.admin`` reaching that subsidiary. A subsidiary the caller cannot reach answers
  404; one they can read but not administer 403.
- **Visibility**: group-wide policies are read by everyone holding ``approval.read`` or
  ``approval.admin``; a subsidiary's policies and matrix only where those permissions reach
  the subsidiary or the caller holds a position in it (404 otherwise).
- **Matching** (``find_matching_policy``, used by the approval engine) is system
  configuration: lowest ``priority`` first, a subsidiary's own policy before a group-wide one
  at equal priority; the first active policy whose condition holds wins. A stored policy that
  no longer validates (the registry changed under it) matches: a broken rule must not let the
  guarded action through unapproved.
- **Limits** are non-negative decimals with at most two places (``payment_days`` whole days),
  or null for unlimited; a limit that is absent is no authority.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from flotilla.approval.registry import ACTIONS, AUTHORITY_LIMITS
from flotilla.approval_policy import repository, rules, steps
from flotilla.approval_policy.repository import ADMIN, READ, PolicyFilters
from flotilla.approval_policy.rules import MISSING, LimitLookup, Missing
from flotilla.approval_policy.schemas import (
    ActionFieldOut,
    ActionOut,
    ApprovalActionsOut,
    AuthorityLimitDefOut,
    CandidateOut,
    EvaluateOut,
    EvaluateRequest,
    MatrixOut,
    MatrixRowOut,
    MatrixRowPut,
    PolicyCreate,
    PolicyOut,
    PolicyUpdate,
    ResolvedApproverOut,
)
from flotilla.core.errors import (
    Conflict,
    FieldError,
    Forbidden,
    Invalid,
    NotFound,
    field_error,
)
from flotilla.core.lookup import units_by_id
from flotilla.core.money import quantize
from flotilla.core.pagination import PageRequest, RowPage
from flotilla.core.scope import Scope
from flotilla.models.approval import ApprovalPolicy, AuthorityLimit
from flotilla.models.identity import Role
from flotilla.models.org import OrgUnit

logger = logging.getLogger("flotilla.approval_policy")

# Upper bounds of matrix limits: money fits the BIGINT-cents columns amounts live in.
MAX_MONEY_LIMIT = Decimal("99999999999999.99")
MAX_NUMBER_LIMIT = Decimal("1000000")
MAX_INTEGER_LIMIT = 36500


def _require_reader(scope: Scope) -> None:
    if not (scope.has(READ) or scope.has(ADMIN)):
        raise Forbidden()


# --- the registry ---------------------------------------------------------------------------


def actions_catalogue(scope: Scope) -> ApprovalActionsOut:
    """The guarded actions with their typed facts and the authority limit names: what a
    policy editor may build rules from."""
    _require_reader(scope)
    return ApprovalActionsOut(
        actions=[
            ActionOut(
                code=action.code,
                record_type=action.record_type,
                name=action.name,
                name_en=action.name_en,
                fields=[
                    ActionFieldOut(
                        name=name,
                        type=fact.type,
                        label=fact.label,
                        label_en=fact.label_en,
                        choices=list(fact.choices),
                    )
                    for name, fact in action.fields.items()
                ],
            )
            for action in ACTIONS.values()
        ],
        authority_limits=[
            AuthorityLimitDefOut(
                name=name,
                type=kind,
                label=label,
                label_en=label_en,
                covers_fact=steps.LIMIT_FACTS[name],
            )
            for name, (kind, label, label_en) in AUTHORITY_LIMITS.items()
        ],
        operators=list(rules.OPERATORS),
        step_modes=list(steps.MODES),
        resolution_types=list(steps.RESOLUTION_TYPES),
    )


# --- presenting -----------------------------------------------------------------------------


def _read_fields(policy: ApprovalPolicy) -> list[str]:
    try:
        found = rules.read_fields(policy.condition) | steps.step_read_fields(policy.steps)
    except (AttributeError, KeyError, TypeError):  # a rule the registry outgrew
        return []
    return sorted(found)


def present(session: Session, policies: list[ApprovalPolicy]) -> list[PolicyOut]:
    """Policies as returned by the API (subsidiary names in one query for the page)."""
    units = units_by_id(session, (p.subsidiary_id for p in policies if p.subsidiary_id))
    out: list[PolicyOut] = []
    for policy in policies:
        action = ACTIONS.get(policy.action)
        unit = units.get(policy.subsidiary_id) if policy.subsidiary_id else None
        out.append(
            PolicyOut(
                id=policy.id,
                code=policy.code,
                name=policy.name,
                name_en=policy.name_en,
                description=policy.description,
                action=policy.action,
                action_name=action.name if action else policy.action,
                action_name_en=action.name_en if action else policy.action,
                subsidiary_id=policy.subsidiary_id,
                subsidiary_name=unit.name if unit else None,
                priority=policy.priority,
                condition=policy.condition,
                steps=policy.steps,
                read_fields=_read_fields(policy),
                is_active=policy.is_active,
                version=policy.version,
                created_at=policy.created_at,
                updated_at=policy.updated_at,
            )
        )
    return out


# --- policies: reads ------------------------------------------------------------------------


def list_policies(
    session: Session, scope: Scope, page: PageRequest, filters: PolicyFilters
) -> RowPage[ApprovalPolicy]:
    """The policies the caller may read (an empty page without any approval permission)."""
    return repository.list_policies(session, scope, page, filters)


def get_policy(session: Session, scope: Scope, policy_id: uuid.UUID) -> ApprovalPolicy:
    policy = repository.visible_policy(session, scope, policy_id)
    if policy is None:
        raise NotFound()
    return policy


# --- policies: writes -----------------------------------------------------------------------


def _admin_subsidiary(session: Session, scope: Scope, subsidiary_id: uuid.UUID) -> OrgUnit:
    """A subsidiary the caller's ``approval.admin`` reaches: 404 when it does not (or the
    unit does not exist), 422 when the unit is not an active subsidiary."""
    unit = repository.unit(session, subsidiary_id)
    if unit is None or not scope.reaches_unit(session, ADMIN, unit.id):
        raise NotFound()
    if unit.kind != "subsidiary" or not unit.is_active:
        raise Invalid(fields=[field_error("subsidiary_id", "policy_not_a_subsidiary")])
    return unit


def _place(session: Session, scope: Scope, subsidiary_id: uuid.UUID | None) -> None:
    """Refuse placing a policy where the caller may not administer approvals."""
    if subsidiary_id is None:
        if not scope.reach(ADMIN).everything:
            raise Forbidden()
        return
    _admin_subsidiary(session, scope, subsidiary_id)


def _rule_errors(
    session: Session, action: str, condition: Any, chain: Any
) -> tuple[list[FieldError], Any]:
    """Every problem with a condition and steps for ``action`` (roles and users included),
    and the condition in its stored form."""
    known_roles = repository.role_codes(session)
    active = repository.active_user_ids(session, steps.referenced_users(chain))
    errors = rules.validate_condition(condition, action, roles=known_roles)
    errors += steps.validate_steps(chain, action, roles=known_roles, active_users=active)
    return errors, rules.canonical_condition(condition)


def create_policy(session: Session, scope: Scope, data: PolicyCreate) -> ApprovalPolicy:
    """Create a policy after validating placement, action, condition and steps (all rule
    problems in one 422; nothing is written on any refusal)."""
    scope.require(ADMIN)
    _place(session, scope, data.subsidiary_id)
    if data.action not in ACTIONS:
        raise Invalid(fields=[field_error("action", "rule_unknown_action", action=data.action)])
    errors, condition = _rule_errors(session, data.action, data.condition, data.steps)
    if errors:
        raise Invalid(fields=errors)
    if repository.policy_code_taken(session, data.code):
        raise Conflict("duplicate", fields=[field_error("code", "duplicate")])
    policy = ApprovalPolicy(
        code=data.code,
        name=data.name,
        name_en=data.name_en,
        description=data.description,
        action=data.action,
        subsidiary_id=data.subsidiary_id,
        priority=data.priority,
        condition=condition,
        steps=data.steps,
        is_active=True,
    )
    session.add(policy)
    session.flush()
    return policy


def _writable(
    session: Session, scope: Scope, policy_id: uuid.UUID, version: int | None
) -> ApprovalPolicy:
    scope.require(ADMIN)
    policy = get_policy(session, scope, policy_id)
    if policy.subsidiary_id is None:
        if not scope.reach(ADMIN).everything:
            raise Forbidden()
    elif not scope.reaches_unit(session, ADMIN, policy.subsidiary_id):
        raise Forbidden()
    if version is not None and policy.version != version:
        raise Conflict("version_conflict")
    return policy


_REQUIRED_ON_UPDATE = ("code", "name", "priority", "condition", "steps", "is_active")


def update_policy(
    session: Session, scope: Scope, policy_id: uuid.UUID, data: PolicyUpdate
) -> ApprovalPolicy:
    """Change a policy (never its action). A new placement is checked like a new policy's;
    a changed condition or steps are validated again, the other part as stored."""
    policy = _writable(session, scope, policy_id, data.version)
    sent = data.model_fields_set - {"version"}
    missing = [
        field_error(key, "missing")
        for key in _REQUIRED_ON_UPDATE
        if key in sent and getattr(data, key) is None
    ]
    if missing:
        raise Invalid(fields=missing)
    if "subsidiary_id" in sent and data.subsidiary_id != policy.subsidiary_id:
        _place(session, scope, data.subsidiary_id)
    if "condition" in sent or "steps" in sent:
        condition = data.condition if "condition" in sent else policy.condition
        chain = data.steps if "steps" in sent else policy.steps
        errors, condition = _rule_errors(session, policy.action, condition, chain)
        if errors:
            raise Invalid(fields=errors)
        if "condition" in sent:
            policy.condition = condition
        if "steps" in sent:
            policy.steps = chain
    if "code" in sent and data.code != policy.code:
        assert data.code is not None
        if repository.policy_code_taken(session, data.code, except_id=policy.id):
            raise Conflict("duplicate", fields=[field_error("code", "duplicate")])
        policy.code = data.code
    for key in ("name", "name_en", "description", "subsidiary_id", "priority", "is_active"):
        if key in sent:
            setattr(policy, key, getattr(data, key))
    session.flush()
    return policy


def deactivate_policy(
    session: Session, scope: Scope, policy_id: uuid.UUID, version: int | None
) -> ApprovalPolicy:
    """Take a policy out of matching. Policies are never deleted: requests refer to them."""
    policy = _writable(session, scope, policy_id, version)
    if policy.is_active:
        policy.is_active = False
        session.flush()
    return policy


# --- matching -------------------------------------------------------------------------------


def _limit_value(value: Any) -> Decimal | Missing | None:
    if value is None:
        return None
    number = rules.parse_decimal(value)
    return MISSING if number is None else number


def limits_for(session: Session, subsidiary_id: uuid.UUID) -> LimitLookup:
    """The authority matrix of one subsidiary as a look-up ``(role_code, limit) → limit``:
    a Decimal, None for unlimited, ``MISSING`` for no authority (no row, or no such key).
    Reads the matrix once (one query)."""
    rows = repository.limit_rows(session, subsidiary_id)

    def lookup(role_code: str, limit: str) -> Decimal | Missing | None:
        row = rows.get(role_code)
        if row is None or limit not in row:
            return MISSING
        return _limit_value(row[limit])

    return lookup


def _condition_holds(policy: ApprovalPolicy, facts: Mapping[str, Any], limits: LimitLookup) -> bool:
    if rules.validate_condition(policy.condition, policy.action):
        logger.warning("approval policy %s no longer validates; it matches", policy.code)
        return True
    return rules.evaluate(policy.condition, facts, limits)


def find_matching_policy(
    session: Session,
    action: str,
    subsidiary_id: uuid.UUID,
    facts: Mapping[str, Any],
    *,
    limits: LimitLookup | None = None,
) -> ApprovalPolicy | None:
    """The policy that governs this attempt of ``action`` in ``subsidiary_id``, or None when
    no approval is needed.

    Active policies serving the subsidiary (its own and group-wide ones) are tried by
    ``priority``, the subsidiary's own first at equal priority; the first whose condition
    holds for ``facts`` (against this subsidiary's authority matrix) wins. No scope applies:
    this is system configuration. ``limits`` may be passed when the caller already holds
    ``limits_for(session, subsidiary_id)``.
    """
    candidates = repository.active_policies(session, action, subsidiary_id)
    if not candidates:
        return None
    lookup = limits if limits is not None else limits_for(session, subsidiary_id)
    for policy in candidates:
        if _condition_holds(policy, facts, lookup):
            return policy
    return None


def coerce_facts(action: str, facts: Mapping[str, Any]) -> tuple[dict[str, Any], list[FieldError]]:
    """Facts sent by a client for ``action``, typed as the registry says (numbers become
    Decimals), with a field error for every unknown fact or ill-typed value."""
    fields = ACTIONS[action].fields
    typed: dict[str, Any] = {}
    errors: list[FieldError] = []
    for name, value in facts.items():
        path = f"facts.{name}"
        fact = fields.get(name)
        if fact is None:
            errors.append(field_error(path, "rule_unknown_field", field=name[:100]))
            continue
        if value is None:
            typed[name] = None
        elif fact.type in rules.NUMERIC_TYPES:
            number = None if isinstance(value, bool) else rules.parse_decimal(value)
            if number is None or (fact.type == "integer" and number != number.to_integral()):
                errors.append(field_error(path, "rule_type_mismatch", type=fact.type))
            else:
                typed[name] = number
        elif fact.type == "bool":
            if isinstance(value, bool):
                typed[name] = value
            else:
                errors.append(field_error(path, "rule_type_mismatch", type=fact.type))
        elif isinstance(value, str):
            typed[name] = value
        else:
            errors.append(field_error(path, "rule_type_mismatch", type=fact.type))
    return typed, errors


def _resolved_approvers(
    policy: ApprovalPolicy, facts: Mapping[str, Any], limits: LimitLookup
) -> list[ResolvedApproverOut]:
    out: list[ResolvedApproverOut] = []
    for index, step in enumerate(policy.steps):
        for resolution in step.get("approvers", ()):
            kind = resolution.get("type", "")
            role: str | None = None
            if kind == "authority":
                role = steps.covering_role(
                    resolution["ladder"], resolution["limits"], facts, limits
                )
            elif kind == "role":
                role = resolution.get("role")
            out.append(
                ResolvedApproverOut(step_index=index, step_name=step["name"], type=kind, role=role)
            )
    return out


def evaluate(session: Session, scope: Scope, data: EvaluateRequest) -> EvaluateOut:
    """Dry run for administrators: which policy would govern ``facts`` in a subsidiary, every
    candidate's condition result, and the roles authority ladders reach there. Writes
    nothing."""
    scope.require(ADMIN)
    _admin_subsidiary(session, scope, data.subsidiary_id)
    if data.action not in ACTIONS:
        raise Invalid(fields=[field_error("action", "rule_unknown_action", action=data.action)])
    facts, errors = coerce_facts(data.action, data.facts)
    if errors:
        raise Invalid(fields=errors)
    lookup = limits_for(session, data.subsidiary_id)
    candidates = repository.active_policies(session, data.action, data.subsidiary_id)
    results = [(policy, _condition_holds(policy, facts, lookup)) for policy in candidates]
    winner = next((policy for policy, matched in results if matched), None)
    return EvaluateOut(
        action=data.action,
        subsidiary_id=data.subsidiary_id,
        matched=winner is not None,
        policy=present(session, [winner])[0] if winner is not None else None,
        candidates=[
            CandidateOut(
                policy_id=policy.id,
                code=policy.code,
                name=policy.name,
                priority=policy.priority,
                subsidiary_id=policy.subsidiary_id,
                matched=matched,
            )
            for policy, matched in results
        ],
        approvers=_resolved_approvers(winner, facts, lookup) if winner is not None else [],
    )


# --- the authority matrix -------------------------------------------------------------------


def _limits_out(limits: Mapping[str, Any]) -> dict[str, str | int | None]:
    out: dict[str, str | int | None] = {}
    for name in AUTHORITY_LIMITS:
        if name not in limits:
            continue
        value = limits[name]
        if value is None or isinstance(value, int):
            out[name] = value
        else:
            out[name] = str(value)
    return out


def _row_out(row: AuthorityLimit, role: Role) -> MatrixRowOut:
    return MatrixRowOut(
        role_id=role.id,
        role_code=role.code,
        role_name=role.name,
        role_name_en=role.name_en,
        limits=_limits_out(row.limits),
        version=row.version,
        updated_at=row.updated_at,
    )


def _readable_subsidiary(session: Session, scope: Scope, subsidiary_id: uuid.UUID) -> OrgUnit:
    unit = repository.unit(session, subsidiary_id)
    if unit is None or not repository.subsidiary_readable(session, scope, unit.id):
        raise NotFound()
    if unit.kind != "subsidiary":
        raise Invalid(fields=[field_error("subsidiary_id", "policy_not_a_subsidiary")])
    return unit


def get_matrix(session: Session, scope: Scope, subsidiary_id: uuid.UUID) -> MatrixOut:
    """One subsidiary's authority matrix, for readers of its approval configuration."""
    unit = _readable_subsidiary(session, scope, subsidiary_id)
    return MatrixOut(
        subsidiary_id=unit.id,
        subsidiary_name=unit.name,
        currency=unit.currency,
        rows=[_row_out(row, role) for row, role in repository.matrix_rows(session, unit.id)],
    )


def _matrix_target(
    session: Session, scope: Scope, subsidiary_id: uuid.UUID, role_code: str
) -> tuple[OrgUnit, Role]:
    scope.require(ADMIN)
    unit = _readable_subsidiary(session, scope, subsidiary_id)
    if not scope.reaches_unit(session, ADMIN, unit.id):
        raise Forbidden()
    role = repository.role_by_code(session, role_code)
    if role is None:
        raise NotFound()
    return unit, role


def clean_limits(raw: Mapping[str, Any]) -> tuple[dict[str, Any], list[FieldError]]:
    """Matrix limits in their stored form — decimal strings with two places, whole days as
    integers, null for unlimited — and a field error for every unknown or invalid limit."""
    cleaned: dict[str, Any] = {}
    errors: list[FieldError] = []
    for name, value in raw.items():
        path = f"limits.{name}"
        definition = AUTHORITY_LIMITS.get(name)
        if definition is None:
            errors.append(field_error(path, "rule_unknown_limit", limit=name[:64]))
            continue
        if value is None:
            cleaned[name] = None
            continue
        kind = definition[0]
        number = None if isinstance(value, bool) else rules.parse_decimal(value)
        if kind == "integer":
            if number is None or number < 0 or number != number.to_integral():
                errors.append(field_error(path, "authority_limit_integer"))
            elif number > MAX_INTEGER_LIMIT:
                errors.append(field_error(path, "authority_limit_too_large", max=MAX_INTEGER_LIMIT))
            else:
                cleaned[name] = int(number)
            continue
        exponent = number.as_tuple().exponent if number is not None else 0
        if number is None or number < 0 or not isinstance(exponent, int) or exponent < -2:
            errors.append(field_error(path, "authority_limit_invalid"))
            continue
        ceiling = MAX_MONEY_LIMIT if kind == "money" else MAX_NUMBER_LIMIT
        if number > ceiling:
            errors.append(field_error(path, "authority_limit_too_large", max=str(ceiling)))
            continue
        cleaned[name] = str(quantize(number))
    return cleaned, errors


def put_matrix_row(
    session: Session, scope: Scope, subsidiary_id: uuid.UUID, role_code: str, data: MatrixRowPut
) -> MatrixRowOut:
    """Set one role's limits in one subsidiary (the whole row is replaced). Needs
    ``approval.admin`` reaching the subsidiary; ``version``, when sent, must match."""
    unit, role = _matrix_target(session, scope, subsidiary_id, role_code)
    limits, errors = clean_limits(data.limits)
    if errors:
        raise Invalid(fields=errors)
    row = repository.matrix_row(session, unit.id, role.id)
    if "version" in data.model_fields_set and (row.version if row else None) != data.version:
        raise Conflict("version_conflict")
    if row is None:
        row = AuthorityLimit(subsidiary_id=unit.id, role_id=role.id, limits=limits)
        session.add(row)
    else:
        row.limits = limits
    session.flush()
    return _row_out(row, role)


def delete_matrix_row(
    session: Session, scope: Scope, subsidiary_id: uuid.UUID, role_code: str
) -> None:
    """Remove one role's row: the role then has no authority in that subsidiary."""
    unit, role = _matrix_target(session, scope, subsidiary_id, role_code)
    row = repository.matrix_row(session, unit.id, role.id)
    if row is None:
        raise NotFound()
    session.delete(row)
    session.flush()
