"""The approval gate: what a feature calls before it runs a guarded action.

A guarded action (``registry.ACTIONS``: submit a quote, sign a contract, skip a stage …)
passes the record it acts on and the typed facts of this attempt. The gate finds the policy
that applies (or the caller's fallback steps) and answers:

- ``not_required``: no policy matched and there is no fallback — run the action;
- ``approved``: an approved request of (action, record) whose facts equal this attempt's on
  every field the policy reads, not yet consumed — run the action, then ``consume`` it (one
  approval, one action);
- ``pending``: such a request waits for its decision, or a new one was raised just now.

A request whose facts differ from the attempt's on a read field is voided before a new one
is raised, and ``record_changed`` voids open requests when the record changes under them.
Some actions approve a specific move (``IDENTITY_FACTS``: entering stage X, skipping from A
to B); requests for another move of the same record are another subject and are left alone.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, Protocol

from sqlalchemy.orm import Session

from flotilla.approval import registry, repository
from flotilla.approval.resolution import Resolver
from flotilla.approval_policy.rules import read_fields as condition_fields
from flotilla.approval_policy.service import find_matching_policy
from flotilla.approval_policy.steps import step_read_fields
from flotilla.core import clock, fx, lookup
from flotilla.core.errors import Conflict
from flotilla.core.money import quantize
from flotilla.core.scope import Scope
from flotilla.models.approval import ApprovalRequest, ApprovalTask

GuardStatus = Literal["not_required", "approved", "pending"]

# The policy snapshot of a request raised on the caller's fallback steps (no policy matched).
DEFAULT_POLICY_CODE = "default"
DEFAULT_POLICY_NAME = "默认审批"
DEFAULT_POLICY_NAME_EN = "Default approval"
ALWAYS: dict[str, Any] = {"always": True}

# Facts that name WHAT is approved rather than describe the record: an approval to enter
# stage "proposal" never counts for entering "closing", so these are always compared, and
# open requests for another value are a different subject (neither matched nor voided).
IDENTITY_FACTS: dict[str, tuple[str, ...]] = {
    "opportunity.stage_gate": ("stage",),
    "opportunity.skip_stage": ("from_stage", "to_stage"),
}

# ``void_reason`` values (the request page renders them through the message catalogue).
VOID_NOT_REQUIRED = "not_required"
VOID_FACTS_CHANGED = "facts_changed:"


class GuardedRecord(Protocol):
    """A unit-owned row a guarded action works on (quote, contract, opportunity …)."""

    @property
    def id(self) -> uuid.UUID: ...

    @property
    def subsidiary_id(self) -> uuid.UUID: ...

    @property
    def unit_id(self) -> uuid.UUID: ...

    @property
    def owner_id(self) -> uuid.UUID | None: ...


@dataclass(frozen=True)
class GuardResult:
    status: GuardStatus
    request: ApprovalRequest | None
    created: bool  # this call raised a new request


class ApprovalPending(Conflict):
    """409 ``approval_pending``: the action waits for a decision. The request (new or
    voided-and-replaced) is KEPT although the HTTP request fails (``keep_writes``), and its
    id travels in the error body as ``approval_request_id``."""

    def __init__(self, request: ApprovalRequest, *, also: Iterable[ApprovalRequest] = ()) -> None:
        extra: dict[str, Any] = {"approval_request_id": str(request.id)}
        others = [str(r.id) for r in also if r.id != request.id]
        if others:
            extra["approval_request_ids"] = [str(request.id), *others]
        super().__init__("approval_pending", keep_writes=True, extra=extra)
        self.request = request


# --- facts ---------------------------------------------------------------------------------


def _spec(action: str, facts: Mapping[str, Any]) -> registry.GuardedAction:
    spec = registry.ACTIONS.get(action)
    assert spec is not None, f"unknown guarded action {action!r}"
    unknown = sorted(set(facts) - set(spec.fields))
    assert not unknown, f"facts {unknown} are not fields of {action!r} in the registry"
    return spec


def json_facts(facts: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON-safe snapshot of facts: Decimals as strings, never floats."""
    out: dict[str, Any] = {}
    for key, value in facts.items():
        if isinstance(value, float):
            raise TypeError(f"fact {key!r} is a float; pass a Decimal")
        if value is None or isinstance(value, bool | int | str):
            out[key] = value
        elif isinstance(value, Decimal):
            out[key] = str(value)
        else:
            out[key] = str(value)
    return out


def _as_decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _same(spec: registry.GuardedAction, name: str, before: Any, after: Any) -> bool:
    """Whether a fact kept its value: numbers compare by value ("10" == "10.00"), booleans
    only equal booleans, everything else by equality."""
    if before is None or after is None:
        return before is None and after is None
    fact = spec.fields.get(name)
    if fact is not None and fact.type in ("number", "integer", "money"):
        left, right = _as_decimal(before), _as_decimal(after)
        if left is None or right is None:
            return False
        return left == right
    if isinstance(before, bool) or isinstance(after, bool):
        return isinstance(before, bool) and isinstance(after, bool) and before == after
    return bool(before == after)


def _changed_fields(
    spec: registry.GuardedAction,
    snapshot: Mapping[str, Any],
    current: Mapping[str, Any],
    fields: Iterable[str],
) -> list[str]:
    return sorted(f for f in set(fields) if not _same(spec, f, snapshot.get(f), current.get(f)))


def _same_subject(
    spec: registry.GuardedAction, request: ApprovalRequest, current: Mapping[str, Any]
) -> bool:
    identity = IDENTITY_FACTS.get(spec.code, ())
    return all(
        f not in current or _same(spec, f, request.facts.get(f), current.get(f)) for f in identity
    )


def policy_may_apply(session: Session, *, action: str, subsidiary_id: uuid.UUID) -> bool:
    """Whether any active policy could govern ``action`` in the subsidiary. A feature whose
    facts are costly or may fail (FX conversions) checks this first and, when False, runs
    the action without a guard (nothing could require approval)."""
    return repository.has_active_policy(session, action, subsidiary_id)


# --- facts helpers for guarding features -------------------------------------------------------


def amount_in_base(
    session: Session,
    amount: Decimal,
    currency: str,
    subsidiary_id: uuid.UUID,
    *,
    field: str = "amount",
) -> Decimal:
    """``amount`` in the subsidiary's base currency at this month's average rate.

    A missing rate is never taken as 1: 422 ``fx_rate_missing`` on ``field``."""
    subsidiary = lookup.unit_by_id(session, subsidiary_id)
    base = (subsidiary.currency if subsidiary is not None else None) or currency
    today = clock.now().date()
    converted = fx.convert(session, amount, currency, base, today, "average")
    if converted is None:
        raise fx.rate_missing(field, currency, base, today, "average")
    return converted


def base_amount(
    session: Session,
    *,
    action: str,
    record_id: uuid.UUID,
    amount: Decimal,
    currency: str,
    subsidiary_id: uuid.UUID,
    field: str = "amount",
    strict: bool = True,
) -> Decimal | None:
    """The ``amount_base`` fact: ``amount`` in the subsidiary's base currency.

    While a live request of ``action`` on the record (pending, or approved and not yet used)
    was raised on this same amount and currency, its base amount stands — a new month's rate
    is not a change to the document and must not void an approval. Otherwise this month's
    average rate; without a rate, 422 ``fx_rate_missing`` when deciding (``strict``), or
    ``None`` when only re-checking an edit (it differs from any snapshot, so it voids)."""
    request = latest_request(session, action=action, record_id=record_id)
    if request is not None and request.status in ("pending", "approved"):
        facts = request.facts
        same = facts.get("currency") == currency and _as_decimal(facts.get("amount")) == amount
        settled = _as_decimal(facts.get("amount_base"))
        if same and settled is not None and request.consumed_at is None:
            return settled
    if not strict:
        subsidiary = lookup.unit_by_id(session, subsidiary_id)
        base = (subsidiary.currency if subsidiary is not None else None) or currency
        return fx.convert(session, amount, currency, base, clock.now().date(), "average")
    return amount_in_base(session, amount, currency, subsidiary_id, field=field)


def account_facts(session: Session, account_id: uuid.UUID) -> dict[str, Any]:
    """The ``account.tier`` / ``account.value_class`` facts every action supplies."""
    found = repository.account_classes(session, account_id)
    tier, value_class = found if found is not None else (None, None)
    return {"account.tier": tier, "account.value_class": value_class}


def open_pipeline_base(
    session: Session, account_id: uuid.UUID, subsidiary_id: uuid.UUID, *, field: str
) -> Decimal:
    """The account's open opportunities summed in the subsidiary's base currency (each at
    this month's average rate; a missing rate is 422 ``fx_rate_missing`` on ``field``)."""
    deals = repository.open_deal_amounts(session, account_id)
    subsidiary = lookup.unit_by_id(session, subsidiary_id)
    base = subsidiary.currency if subsidiary is not None and subsidiary.currency else None
    today = clock.now().date()
    currencies = {c for _a, c in deals} | ({base} if base else set())
    rates = fx.RateTable.load(session, currencies, [today], ["average"])
    total = Decimal("0.00")
    for amount, currency in deals:
        target = base or currency
        converted = rates.convert(amount, currency, target, today, "average")
        if converted is None:
            raise fx.rate_missing(field, currency, target, today, "average")
        total += converted
    return quantize(total)


def approved_unconsumed(
    session: Session, *, action: str, record_id: uuid.UUID
) -> list[ApprovalRequest]:
    """Approved requests of (action, record) not yet used by the action."""
    return [
        r for r in repository.open_requests(session, action, record_id) if r.status == "approved"
    ]


# --- final states ----------------------------------------------------------------------------


def dispatch_outcome(session: Session, request: ApprovalRequest, outcome: registry.Outcome) -> None:
    """Let the guarding feature react to a final decision (e.g. a quote becomes approved)."""
    handler = registry.outcome_handler(request.action)
    if handler is not None:
        handler(session, request, outcome)


def close_open_tasks(session: Session, request: ApprovalRequest) -> None:
    for task in repository.tasks_of(session, [request.id]):
        if task.status in ("pending", "waiting"):
            task.status = "cancelled"


def void(session: Session, request: ApprovalRequest, reason: str) -> None:
    """Void an open request (pending, or approved but unconsumed): its open tasks are
    cancelled and the guarding feature is told (``voided``)."""
    request.status = "voided"
    request.void_reason = reason[:500]
    request.decided_at = clock.now()
    close_open_tasks(session, request)
    session.flush()
    dispatch_outcome(session, request, "voided")


# --- raising a request -----------------------------------------------------------------------


def _raise_request(
    session: Session,
    scope: Scope,
    *,
    spec: registry.GuardedAction,
    record: GuardedRecord,
    label: str,
    facts: Mapping[str, Any],
    snapshot: Mapping[str, Any],
    read_fields: Sequence[str],
    policy_id: uuid.UUID | None,
    policy_snapshot: dict[str, Any],
    steps: Sequence[Mapping[str, Any]],
) -> ApprovalRequest:
    """A new pending request with one task per (step, approver); every step is resolved
    now (so a step nobody can approve is refused before anything is written)."""
    excluded = {scope.user_id}
    if record.owner_id is not None:
        excluded.add(record.owner_id)
    resolver = Resolver(
        session,
        requester_id=scope.user_id,
        subsidiary_id=record.subsidiary_id,
        excluded=frozenset(excluded),
        facts=facts,
    )
    resolved = [resolver.resolve_step(step) for step in steps]
    amount_base = facts.get("amount_base")
    base_currency = None
    if amount_base is not None:
        amount_base = quantize(amount_base)
        subsidiary = lookup.unit_by_id(session, record.subsidiary_id)
        base_currency = subsidiary.currency if subsidiary is not None else None
    request = ApprovalRequest(
        action=spec.code,
        record_type=spec.record_type,
        record_id=record.id,
        record_label=label[:300],
        record_owner_id=record.owner_id,
        policy_id=policy_id,
        policy_snapshot={**policy_snapshot, "resolved": [r.snapshot() for r in resolved]},
        facts=dict(snapshot),
        read_fields=list(read_fields),
        status="pending",
        current_step=0,
        submitted_at=clock.now(),
        amount_base=amount_base,
        base_currency=base_currency,
        subsidiary_id=record.subsidiary_id,
        unit_id=record.unit_id,
        owner_id=scope.user_id,
    )
    session.add(request)
    session.flush()
    for index, (step, found) in enumerate(zip(steps, resolved, strict=True)):
        for approver_id in found.approver_ids:
            session.add(
                ApprovalTask(
                    request_id=request.id,
                    subsidiary_id=request.subsidiary_id,
                    unit_id=request.unit_id,
                    step_index=index,
                    step_name=str(step.get("name") or f"#{index + 1}")[:100],
                    mode=str(step.get("mode") or "any"),
                    approver_id=approver_id,
                    status="pending" if index == 0 else "waiting",
                )
            )
    session.flush()
    return request


# --- the gate API ------------------------------------------------------------------------------


def guard(
    session: Session,
    scope: Scope,
    *,
    action: str,
    record: GuardedRecord,
    label: str,
    facts: dict[str, Any],
    fallback_steps: list[dict[str, Any]] | None = None,
) -> GuardResult:
    """Decide whether ``action`` on ``record`` may run now (see the module docstring).

    Invariants: at most one open request per (action, record, identity facts) matches the
    attempt; a stale one (a read fact differs) is voided before a new one is raised; a new
    request snapshots the facts, the policy and every step's approvers, and is placed where
    the record is, owned by the requester (``scope.user_id``).
    """
    spec = _spec(action, facts)
    current = json_facts(facts)
    repository.lock_record(session, record)
    policy = find_matching_policy(session, action, record.subsidiary_id, facts)
    candidates = [
        r
        for r in repository.open_requests(session, action, record.id)
        if _same_subject(spec, r, current)
    ]
    if policy is None and fallback_steps is None:
        # Nothing needs approving any more: requests still waiting are obsolete.
        for stale in candidates:
            if stale.status == "pending":
                void(session, stale, VOID_NOT_REQUIRED)
        return GuardResult("not_required", None, False)

    if policy is not None:
        condition: Mapping[str, Any] = policy.condition
        steps: list[dict[str, Any]] = [dict(s) for s in policy.steps]
        policy_snapshot: dict[str, Any] = {
            "code": policy.code,
            "name": policy.name,
            "name_en": policy.name_en,
            "condition": policy.condition,
            "steps": steps,
        }
    else:
        assert fallback_steps is not None
        condition = ALWAYS
        steps = [dict(s) for s in fallback_steps]
        policy_snapshot = {
            "code": DEFAULT_POLICY_CODE,
            "name": DEFAULT_POLICY_NAME,
            "name_en": DEFAULT_POLICY_NAME_EN,
            "condition": ALWAYS,
            "steps": steps,
        }
    read = (
        set(condition_fields(condition))
        | set(step_read_fields(steps))
        | set(IDENTITY_FACTS.get(action, ()))
    )

    match: ApprovalRequest | None = None
    for candidate in candidates:
        fields = read | {str(f) for f in candidate.read_fields}
        changed = _changed_fields(spec, candidate.facts, current, fields)
        if match is None and not changed:
            match = candidate
            continue
        void(session, candidate, VOID_FACTS_CHANGED + ",".join(changed or sorted(read)))
    if match is not None:
        status: GuardStatus = "approved" if match.status == "approved" else "pending"
        return GuardResult(status, match, False)

    request = _raise_request(
        session,
        scope,
        spec=spec,
        record=record,
        label=label,
        facts=facts,
        snapshot=current,
        read_fields=sorted(read),
        policy_id=policy.id if policy is not None else None,
        policy_snapshot=policy_snapshot,
        steps=steps,
    )
    return GuardResult("pending", request, True)


def require_approval(
    session: Session,
    scope: Scope,
    *,
    action: str,
    record: GuardedRecord,
    label: str,
    facts: dict[str, Any],
    fallback_steps: list[dict[str, Any]] | None = None,
) -> ApprovalRequest | None:
    """``guard``, for actions that cannot wait: pending → raise ``ApprovalPending`` (409; the
    request is kept); approved → the request (call ``consume`` once the action ran);
    not required → ``None``."""
    result = guard(
        session,
        scope,
        action=action,
        record=record,
        label=label,
        facts=facts,
        fallback_steps=fallback_steps,
    )
    if result.status == "pending":
        assert result.request is not None
        raise ApprovalPending(result.request)
    return result.request


def consume(session: Session, request: ApprovalRequest) -> None:
    """Mark an approval used: one approval, one action. The versioned update makes two
    concurrent actions on one approval conflict (the second fails with 409)."""
    assert request.status == "approved", f"cannot consume a {request.status} request"
    if request.consumed_at is not None:
        raise Conflict("approval_consumed")
    request.consumed_at = clock.now()
    session.flush()


def record_changed(
    session: Session, *, action: str, record_id: uuid.UUID, facts: dict[str, Any]
) -> list[ApprovalRequest]:
    """After the record changed: void its pending and approved-but-unconsumed requests for
    ``action`` whose snapshot differs from ``facts`` on a field the policy read; return the
    voided ones. Facts not given are not compared (callers pass what the record knows;
    identity facts such as the target stage need not be repeated)."""
    spec = _spec(action, facts)
    current = json_facts(facts)
    voided: list[ApprovalRequest] = []
    for request in repository.open_requests(session, action, record_id):
        fields = [str(f) for f in request.read_fields if f in current]
        changed = _changed_fields(spec, request.facts, current, fields)
        if changed:
            void(session, request, VOID_FACTS_CHANGED + ",".join(changed))
            voided.append(request)
    return voided


def latest_request(
    session: Session, *, action: str, record_id: uuid.UUID
) -> ApprovalRequest | None:
    """The newest request of (action, record), whatever its status."""
    return repository.latest_request(session, action, record_id)
