"""Opportunities (商机): deals that move through the stages of the process version they
started on, with a team (iron triangle 铁三角) and a recorded stage history.

Invariants:
- A deal keeps ``process_version_id`` for life; it moves only along that version's stages.
- The stage changes only through ``transition``: one step forward when the target's entry
  gates are met; a skip, a move back or reopening a closed deal needs
  ``opportunity.skip_stage`` over the deal and a reason (a skip still meets the target's
  gates and the approvals of the stages it passes over); closing lost needs a loss reason.
- Every stage entered (including the first) leaves a ``StageHistory`` row, and every
  transition an explicit ``opportunity.transition`` audit event.
- A stage's approval gate and a skip/move back pass through the approval gate
  (``approval.gate``): missing approvals are requested (409 ``approval_pending``), and a
  move made on an approval consumes it.
- Nobody places a deal outside their own reach (``ensure_still_visible`` after each write).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from flotilla.approval import gate
from flotilla.claim.service import guard_protection
from flotilla.core import audit, clock, lookup, placement
from flotilla.core.errors import Conflict, FieldError, Invalid, NotFound, field_error
from flotilla.core.money import quantize
from flotilla.core.pagination import PageRequest, RowPage
from flotilla.core.scope import Scope, ensure_still_visible, get_visible
from flotilla.core.validators import is_valid_currency
from flotilla.models.approval import ApprovalRequest
from flotilla.models.customer import Account
from flotilla.models.sales import Opportunity, OpportunityMember, ProcessStage, StageHistory
from flotilla.opportunity import gates, repository
from flotilla.opportunity.repository import OpportunityFilters
from flotilla.opportunity.schemas import (
    ChecklistUpdate,
    MemberAdd,
    MemberOut,
    OpportunityCreate,
    OpportunityDetailOut,
    OpportunityOut,
    OpportunityUpdate,
    PathStageOut,
    StageHistoryOut,
    StageRef,
    TransitionRequest,
)
from flotilla.process import repository as process_repository
from flotilla.process import service as process_service
from flotilla.process.schemas import ChecklistItemOut

READ = "opportunity.read"
WRITE = "opportunity.write"
SKIP = "opportunity.skip_stage"
SKIP_ACTION = "opportunity.skip_stage"  # the guarded action (registry) for skips and moves back
ACCOUNT_READ = "account.read"
ONE_DAY = timedelta(days=1)


def whole_days(since: datetime, now: datetime) -> int:
    return max(0, (now - since) // ONE_DAY)


def is_stalled(deal: Opportunity, stage: ProcessStage, now: datetime) -> bool:
    """An open deal is stalled once its whole days in the stage exceed the stage's limit."""
    return (
        deal.status == "open"
        and stage.max_days is not None
        and whole_days(deal.stage_entered_at, now) > stage.max_days
    )


# --- presentation ------------------------------------------------------------------------


def _stage_ref(stage: ProcessStage) -> StageRef:
    return StageRef(
        id=stage.id,
        code=stage.code,
        name=stage.name,
        name_en=stage.name_en,
        position=stage.position,
        probability=stage.probability,
        kind=stage.kind,
        max_days=stage.max_days,
    )


def present(session: Session, scope: Scope, deals: Sequence[Opportunity]) -> list[OpportunityOut]:
    """Render a page of deals: stages, account and owner names in one query each."""
    now = clock.now()
    stages = process_repository.stages_by_id(session, (d.stage_id for d in deals))
    accounts = lookup.visible_account_names(session, scope, (d.account_id for d in deals))
    owners = lookup.user_names(session, (d.owner_id for d in deals if d.owner_id))
    out = []
    for deal in deals:
        stage = stages[deal.stage_id]
        out.append(
            OpportunityOut(
                id=deal.id,
                name=deal.name,
                account_id=deal.account_id,
                account_name=accounts.get(deal.account_id),
                amount=deal.amount,
                currency=deal.currency,
                expected_close_date=deal.expected_close_date,
                status=deal.status,
                forecast_category=deal.forecast_category,
                source=deal.source,
                competitors=[str(c) for c in deal.competitors],
                loss_reason=deal.loss_reason,
                closed_at=deal.closed_at,
                subsidiary_id=deal.subsidiary_id,
                unit_id=deal.unit_id,
                owner_id=deal.owner_id,
                owner_name=owners.get(deal.owner_id) if deal.owner_id else None,
                process_version_id=deal.process_version_id,
                stage=_stage_ref(stage),
                stage_entered_at=deal.stage_entered_at,
                days_in_stage=whole_days(deal.stage_entered_at, now),
                stalled=is_stalled(deal, stage, now),
                lead_id=deal.lead_id,
                version=deal.version,
                created_at=deal.created_at,
                updated_at=deal.updated_at,
            )
        )
    return out


def present_detail(session: Session, scope: Scope, deal: Opportunity) -> OpportunityDetailOut:
    """One deal with its team and the stage path of its own process version."""
    summary = present(session, scope, [deal])[0]
    members = repository.members_of(session, deal.id)
    names = lookup.user_names(session, (m.user_id for m in members))
    path = [
        PathStageOut(
            **_stage_ref(stage).model_dump(),
            playbook=stage.playbook,
            required_fields=[str(f) for f in stage.required_fields],
            checklist=[ChecklistItemOut.model_validate(item) for item in stage.checklist],
            checklist_ticked=[str(c) for c in deal.checklist_state.get(stage.code, [])],
            requires_approval=stage.requires_approval,
            is_current=stage.id == deal.stage_id,
        )
        for stage in process_repository.stages_of(session, deal.process_version_id)
    ]
    return OpportunityDetailOut(
        **summary.model_dump(),
        members=[
            MemberOut(
                id=m.id,
                user_id=m.user_id,
                display_name=names.get(m.user_id),
                role=m.role,
                added_at=m.added_at,
            )
            for m in members
        ],
        path=path,
    )


# --- reads --------------------------------------------------------------------------------


def list_opportunities(
    session: Session, scope: Scope, page: PageRequest, filters: OpportunityFilters
) -> RowPage[Opportunity]:
    return repository.list_opportunities(session, scope, READ, page, filters, clock.now())


def get_opportunity(session: Session, scope: Scope, opportunity_id: uuid.UUID) -> Opportunity:
    return get_visible(session, scope, Opportunity, READ, opportunity_id)


def history(session: Session, scope: Scope, opportunity_id: uuid.UUID) -> list[StageHistoryOut]:
    deal = get_visible(session, scope, Opportunity, READ, opportunity_id)
    rows = repository.history_of(session, deal.id)
    stages = process_repository.stages_by_id(
        session,
        [r.to_stage_id for r in rows] + [r.from_stage_id for r in rows if r.from_stage_id],
    )
    names = lookup.user_names(session, (r.changed_by_id for r in rows if r.changed_by_id))
    return [
        StageHistoryOut(
            id=row.id,
            from_stage=_stage_ref(stages[row.from_stage_id]) if row.from_stage_id else None,
            to_stage=_stage_ref(stages[row.to_stage_id]),
            changed_by_id=row.changed_by_id,
            changed_by_name=names.get(row.changed_by_id) if row.changed_by_id else None,
            changed_at=row.changed_at,
            days_in_previous=row.days_in_previous,
            reason=row.reason,
            is_skip=row.is_skip,
            is_backward=row.is_backward,
        )
        for row in rows
    ]


# --- writes -------------------------------------------------------------------------------


def _currency(code: str | None, field: str = "currency") -> str:
    normalized = (code or "").upper()
    if not is_valid_currency(normalized):
        raise Invalid(fields=[field_error(field, "invalid_currency")])
    return normalized


def _visible_account(session: Session, scope: Scope, account_id: uuid.UUID) -> Account:
    try:
        return get_visible(session, scope, Account, ACCOUNT_READ, account_id)
    except NotFound:
        raise Invalid(fields=[field_error("account_id", "unknown_reference")]) from None


def _record_stage_entry(
    session: Session,
    scope: Scope,
    deal: Opportunity,
    *,
    from_stage: ProcessStage | None,
    to_stage: ProcessStage,
    now: datetime,
    reason: str | None = None,
    move: gates.Move | None = None,
) -> StageHistory:
    row = StageHistory(
        opportunity_id=deal.id,
        subsidiary_id=deal.subsidiary_id,
        from_stage_id=from_stage.id if from_stage else None,
        to_stage_id=to_stage.id,
        changed_by_id=scope.user_id,
        changed_at=now,
        days_in_previous=whole_days(deal.stage_entered_at, now) if from_stage else None,
        reason=reason,
        is_skip=move.is_skip if move else False,
        is_backward=move.is_backward if move else False,
    )
    session.add(row)
    return row


def create_opportunity(
    session: Session, scope: Scope, data: OpportunityCreate, *, lead_id: uuid.UUID | None = None
) -> Opportunity:
    """Open a deal on a visible account, after the claim guard, on the first open stage of
    the latest published version of its subsidiary's effective process."""
    scope.require(WRITE)
    account = _visible_account(session, scope, data.account_id)
    # Before anything is written: a refusal here commits only the conflict record.
    guard_protection(session, scope, account, "opportunity.create")
    place = placement.resolve(session, scope, WRITE, unit_id=data.unit_id, owner_id=data.owner_id)
    effective = process_service.effective_process(session, place.subsidiary_id)
    if effective is None:
        raise Conflict("no_published_process")
    stages = process_repository.stages_of(session, effective.version.id)
    first = next(s for s in stages if s.kind == "open")
    subsidiary = repository.unit_by_id(session, place.subsidiary_id)
    currency = _currency(data.currency or (subsidiary.currency if subsidiary else None))
    now = clock.now()
    deal = Opportunity(
        account_id=account.id,
        name=data.name,
        amount=quantize(data.amount),
        currency=currency,
        expected_close_date=data.expected_close_date,
        source=data.source,
        competitors=list(data.competitors),
        forecast_category=data.forecast_category,
        process_version_id=effective.version.id,
        stage_id=first.id,
        stage_entered_at=now,
        status="open",
        checklist_state={},
        lead_id=lead_id,
        subsidiary_id=place.subsidiary_id,
        unit_id=place.unit_id,
        owner_id=place.owner_id,
    )
    session.add(deal)
    session.flush()
    _record_stage_entry(session, scope, deal, from_stage=None, to_stage=first, now=now)
    ensure_still_visible(session, scope, Opportunity, WRITE, deal.id)
    return deal


def _writable(
    session: Session, scope: Scope, opportunity_id: uuid.UUID, version: int | None
) -> Opportunity:
    deal = get_visible(session, scope, Opportunity, WRITE, opportunity_id)
    if version is not None and deal.version != version:
        raise Conflict("version_conflict")
    return deal


def _require_open(deal: Opportunity) -> None:
    if deal.status != "open":
        raise Conflict("opportunity_closed")


def update_opportunity(
    session: Session, scope: Scope, opportunity_id: uuid.UUID, data: OpportunityUpdate
) -> Opportunity:
    """Edit a deal's facts (never its stage or status: those move by transition). A closed
    deal is read-only until reopened; a deal moves between units of its own subsidiary."""
    deal = _writable(session, scope, opportunity_id, data.version)
    changes: dict[str, Any] = data.model_dump(exclude_unset=True, exclude={"version"})
    for key in (
        "name",
        "amount",
        "currency",
        "competitors",
        "forecast_category",
        "unit_id",
        "owner_id",
    ):
        if key in changes and changes[key] is None:
            raise Invalid(fields=[field_error(key, "missing")])
    if not changes:
        return deal
    _require_open(deal)
    if changes.get("unit_id") not in (None, deal.unit_id):
        unit = placement.unit_for_write(session, scope, WRITE, changes["unit_id"])
        if unit.subsidiary_id != deal.subsidiary_id:
            raise Invalid(fields=[field_error("unit_id", "opportunity_other_subsidiary")])
        deal.unit_id = unit.id
    if changes.get("owner_id") not in (None, deal.owner_id):
        deal.owner_id = placement.owner_for_write(session, scope, changes["owner_id"])
    if "currency" in changes:
        changes["currency"] = _currency(changes["currency"])
    if "competitors" in changes:
        changes["competitors"] = list(changes["competitors"])
    if "amount" in changes:
        changes["amount"] = quantize(changes["amount"])
    for key, value in changes.items():
        if key not in ("unit_id", "owner_id"):
            setattr(deal, key, value)
    ensure_still_visible(session, scope, Opportunity, WRITE, deal.id)
    return deal


def _stage_by_code(stages: Sequence[ProcessStage], code: str) -> ProcessStage | None:
    return next((s for s in stages if s.code == code), None)


def set_checklist(
    session: Session, scope: Scope, opportunity_id: uuid.UUID, data: ChecklistUpdate
) -> Opportunity:
    """Tick exactly ``items`` of one stage's checklist (ticks are kept per stage code)."""
    deal = _writable(session, scope, opportunity_id, data.version)
    _require_open(deal)
    stages = process_repository.stages_of(session, deal.process_version_id)
    stage = _stage_by_code(stages, data.stage_code)
    if stage is None:
        raise Invalid(fields=[field_error("stage_code", "unknown_stage")])
    known = [str(item["code"]) for item in stage.checklist]
    unknown = [
        field_error(f"items.{index}", "unknown_checklist_item")
        for index, code in enumerate(data.items)
        if code not in known
    ]
    if unknown:
        raise Invalid(fields=unknown)
    ticked = [code for code in known if code in set(data.items)]
    state = {k: list(v) for k, v in deal.checklist_state.items() if k != stage.code}
    if ticked:
        state[stage.code] = ticked
    if state != deal.checklist_state:
        deal.checklist_state = state
    session.flush()
    return deal


def add_member(
    session: Session, scope: Scope, opportunity_id: uuid.UUID, data: MemberAdd
) -> OpportunityMember:
    """Put a person on the deal team. Members see and work the deal from any unit."""
    deal = _writable(session, scope, opportunity_id, None)
    if repository.active_user(session, data.user_id) is None:
        raise Invalid(fields=[field_error("user_id", "unknown_reference")])
    if repository.member(session, deal.id, data.user_id) is not None:
        raise Conflict("duplicate", fields=[field_error("user_id", "duplicate")])
    member = OpportunityMember(
        opportunity_id=deal.id, user_id=data.user_id, role=data.role, added_at=clock.now()
    )
    session.add(member)
    session.flush()
    return member


def present_member(session: Session, member: OpportunityMember) -> MemberOut:
    names = lookup.user_names(session, [member.user_id])
    return MemberOut(
        id=member.id,
        user_id=member.user_id,
        display_name=names.get(member.user_id),
        role=member.role,
        added_at=member.added_at,
    )


def remove_member(
    session: Session,
    scope: Scope,
    opportunity_id: uuid.UUID,
    user_id: uuid.UUID,
    role: str | None = None,
) -> None:
    """Take a person off the deal team (``role``, when given, must be the seat they hold)."""
    deal = _writable(session, scope, opportunity_id, None)
    member = repository.member(session, deal.id, user_id)
    if member is None or (role is not None and member.role != role):
        raise NotFound()
    session.delete(member)
    session.flush()


def _deal_facts(session: Session, deal: Opportunity) -> gates.DealFacts:
    return gates.DealFacts(
        member_roles=frozenset(m.role for m in repository.members_of(session, deal.id)),
        account_has_contact=repository.account_has_contact(session, deal.account_id),
    )


def _refusals(
    session: Session,
    scope: Scope,
    deal: Opportunity,
    stages: Sequence[ProcessStage],
    current: ProcessStage,
    target: ProcessStage,
    move: gates.Move,
    data: TransitionRequest,
) -> list[FieldError]:
    problems: list[FieldError] = []
    if move.needs_override:
        if not repository.reachable(session, scope, SKIP, deal.id):
            problems.append(field_error("to_stage", "skip_not_allowed"))
        if not data.reason:
            problems.append(field_error("reason", "reason_required"))
    if target.kind == "lost" and not data.loss_reason:
        problems.append(field_error("loss_reason", "loss_reason_required"))
    if target.kind != "lost" and data.loss_reason:
        problems.append(field_error("loss_reason", "loss_reason_not_applicable"))
    if move.checks_gates:
        problems.extend(gates.unmet_entry_gates(session, deal, target, _deal_facts(session, deal)))
    if move.is_skip:
        skipped = gates.skipped_stages(stages, current, target)
        problems.extend(gates.unmet_skipped_approvals(session, deal, skipped))
    return problems


# A stage that requires approval and no policy for ``opportunity.stage_gate``: the
# requester's line manager approves.
STAGE_GATE_FALLBACK: list[dict[str, Any]] = [
    {
        "name": "直属上级",
        "name_en": "Line manager",
        "mode": "any",
        "approvers": [{"type": "line_manager", "levels": 1}],
    }
]


def _approvals(
    session: Session,
    scope: Scope,
    deal: Opportunity,
    stages: Sequence[ProcessStage],
    current: ProcessStage,
    target: ProcessStage,
    move: gates.Move,
) -> list[ApprovalRequest]:
    """The approvals a move runs on: entering (or skipping over) a stage that requires
    approval needs an ``opportunity.stage_gate`` approval per such stage, and a skip or a
    move back an ``opportunity.skip_stage`` approval when a policy asks for one. Returns
    the approved requests (to consume once the move is made); raises ``ApprovalPending``
    (409, the new requests kept) while any is still waiting."""
    gated = [target] if move.checks_gates and target.requires_approval else []
    skipped = gates.skipped_stages(stages, current, target) if move.is_skip else []
    gated = [stage for stage in skipped if stage.requires_approval] + gated
    # A skip or move back is guarded only where a policy exists (no fallback): otherwise
    # its facts (an FX conversion) are not worked out at all.
    guard_skip = move.needs_override and gate.policy_may_apply(
        session, action=SKIP_ACTION, subsidiary_id=deal.subsidiary_id
    )
    if not gated and not guard_skip:
        return []
    base: dict[str, Any] = {
        "amount": deal.amount,
        "amount_base": gate.amount_in_base(session, deal.amount, deal.currency, deal.subsidiary_id),
        "currency": deal.currency,
        **gate.account_facts(session, deal.account_id),
    }
    results = [
        gate.guard(
            session,
            scope,
            action=gates.STAGE_GATE_ACTION,
            record=deal,
            label=f"{deal.name} → {stage.name}",
            facts={**base, "stage": stage.code, "forecast_category": deal.forecast_category},
            fallback_steps=STAGE_GATE_FALLBACK,
        )
        for stage in gated
    ]
    if guard_skip:
        results.append(
            gate.guard(
                session,
                scope,
                action=SKIP_ACTION,
                record=deal,
                label=f"{deal.name}: {current.name} → {target.name}",
                facts={
                    **base,
                    "from_stage": current.code,
                    "to_stage": target.code,
                    "skipped_stages": len(skipped),
                    "is_backward": move.is_backward,
                },
            )
        )
    pending = [r.request for r in results if r.status == "pending" and r.request is not None]
    if pending:
        raise gate.ApprovalPending(pending[0], also=pending[1:])
    return [r.request for r in results if r.status == "approved" and r.request is not None]


def transition(
    session: Session, scope: Scope, opportunity_id: uuid.UUID, data: TransitionRequest
) -> Opportunity:
    """Move the deal to ``data.to_stage`` of its own process version, or refuse with 422
    ``transition_refused`` listing every unmet gate (see the module invariants). When only
    approvals are missing, they are requested (409 ``approval_pending``); a move made on
    approvals consumes them (one approval, one move)."""
    deal = _writable(session, scope, opportunity_id, data.version)
    stages = process_repository.stages_of(session, deal.process_version_id)
    current = next(s for s in stages if s.id == deal.stage_id)
    target = _stage_by_code(stages, data.to_stage)
    if target is None:
        raise Invalid("transition_refused", fields=[field_error("to_stage", "unknown_stage")])
    if target.id == current.id:
        raise Invalid("transition_refused", fields=[field_error("to_stage", "same_stage")])
    move = gates.classify(stages, current, target)
    problems = _refusals(session, scope, deal, stages, current, target, move, data)
    if any(problem.code != "gate_approval" for problem in problems):
        raise Invalid("transition_refused", fields=problems)
    # Only approvals are missing (or none): raise them, or run on the approved ones.
    approvals = _approvals(session, scope, deal, stages, current, target, move)

    now = clock.now()
    days_in_previous = whole_days(deal.stage_entered_at, now)
    _record_stage_entry(
        session,
        scope,
        deal,
        from_stage=current,
        to_stage=target,
        now=now,
        reason=data.reason,
        move=move,
    )
    for approval in approvals:
        gate.consume(session, approval)
    previous_status = deal.status
    deal.stage_id = target.id
    deal.stage_entered_at = now
    if target.kind == "won":
        deal.status, deal.closed_at, deal.forecast_category = "won", now, "closed"
        deal.loss_reason = None
    elif target.kind == "lost":
        deal.status, deal.closed_at, deal.forecast_category = "lost", now, "omitted"
        deal.loss_reason = data.loss_reason
    elif previous_status != "open":
        deal.status, deal.closed_at, deal.forecast_category = "open", None, "pipeline"
        deal.loss_reason = None
    session.flush()
    changes: dict[str, Any] = {
        "stage": {"before": current.code, "after": target.code},
        "days_in_previous": {"before": None, "after": days_in_previous},
    }
    if previous_status != deal.status:
        changes["status"] = {"before": previous_status, "after": deal.status}
    for key, value in (
        ("reason", data.reason),
        ("loss_reason", data.loss_reason),
        ("is_skip", move.is_skip or None),
        ("is_backward", move.is_backward or None),
    ):
        if value:
            changes[key] = {"before": None, "after": value}
    audit.record(
        session,
        "opportunity.transition",
        entity_type="opportunity",
        entity_id=deal.id,
        entity_label=deal.name,
        unit_id=deal.unit_id,
        subsidiary_id=deal.subsidiary_id,
        changes=changes,
    )
    return deal
