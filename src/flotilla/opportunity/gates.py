"""Stage moves and entry gates: what a transition is, and what must be true to make it.

A stage's gates guard its *entry*: its required fields must be filled on the deal, every
item of its checklist ticked (ticks are kept per stage code), and, when it requires
approval, an approval must be on record. Each unmet gate is reported as its own field error
so a refusal lists everything left to do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from flotilla.approval import gate
from flotilla.core.errors import FieldError, field_error
from flotilla.models.sales import Opportunity, ProcessStage


@dataclass(frozen=True)
class DealFacts:
    """What gates read beyond the opportunity row itself."""

    member_roles: frozenset[str]
    account_has_contact: bool


def _filled(value: object) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, Decimal):
        return value > 0
    if isinstance(value, list | tuple | dict | set):
        return bool(value)
    return True


RequiredFieldCheck = Callable[[Opportunity, DealFacts], bool]

# One check per name of ``process.schemas.RequiredField`` (the whitelist templates pick from).
REQUIRED_FIELD_CHECKS: dict[str, RequiredFieldCheck] = {
    "amount": lambda deal, _facts: _filled(deal.amount),
    "expected_close_date": lambda deal, _facts: _filled(deal.expected_close_date),
    "forecast_category": lambda deal, _facts: _filled(deal.forecast_category),
    "source": lambda deal, _facts: _filled(deal.source),
    "competitors": lambda deal, _facts: _filled(deal.competitors),
    "contact": lambda _deal, facts: facts.account_has_contact,
    "members": lambda _deal, facts: bool(facts.member_roles),
    "members.AR": lambda _deal, facts: "AR" in facts.member_roles,
    "members.SR": lambda _deal, facts: "SR" in facts.member_roles,
    "members.FR": lambda _deal, facts: "FR" in facts.member_roles,
}


# The guarded action whose approval opens a stage that ``requires_approval``.
STAGE_GATE_ACTION = "opportunity.stage_gate"


def approval_on_record(session: Session, deal: Opportunity, stage: ProcessStage) -> bool:
    """Whether an approval to enter ``stage`` has been granted for the deal: an approved,
    not yet consumed ``opportunity.stage_gate`` request whose facts name the stage. (The
    transition still passes it through the gate, which voids it if the deal changed.)"""
    return any(
        request.facts.get("stage") == stage.code
        for request in gate.approved_unconsumed(
            session, action=STAGE_GATE_ACTION, record_id=deal.id
        )
    )


@dataclass(frozen=True)
class Move:
    """How a transition relates to the process path.

    ``is_skip``: forward past at least one open stage; ``is_backward``: to an earlier stage,
    or out of a closed outcome (reopening); ``checks_gates``: the target's entry gates apply
    (every forward move into an open or the won stage, and reopening straight into won).
    """

    is_skip: bool
    is_backward: bool
    checks_gates: bool

    @property
    def needs_override(self) -> bool:
        return self.is_skip or self.is_backward


def classify(stages: Sequence[ProcessStage], current: ProcessStage, target: ProcessStage) -> Move:
    """Classify a move between two distinct stages of one version."""
    open_path = [
        s.id for s in sorted(stages, key=lambda s: (s.position, s.code)) if s.kind == "open"
    ]
    if current.kind != "open":
        return Move(is_skip=False, is_backward=True, checks_gates=target.kind == "won")
    here = open_path.index(current.id)
    if target.kind == "lost":
        return Move(is_skip=False, is_backward=False, checks_gates=False)
    if target.kind == "won":
        return Move(is_skip=here != len(open_path) - 1, is_backward=False, checks_gates=True)
    there = open_path.index(target.id)
    if there < here:
        return Move(is_skip=False, is_backward=True, checks_gates=False)
    return Move(is_skip=there > here + 1, is_backward=False, checks_gates=True)


def skipped_stages(
    stages: Sequence[ProcessStage], current: ProcessStage, target: ProcessStage
) -> list[ProcessStage]:
    """The open stages a forward move passes over without entering."""
    ordered = sorted(stages, key=lambda s: (s.position, s.code))
    if current.kind != "open" or target.kind == "lost":
        return []
    start = ordered.index(current) + 1
    end = ordered.index(target) if target.kind == "open" else len(ordered)
    return [s for s in ordered[start:end] if s.kind == "open"]


def unmet_skipped_approvals(
    session: Session, deal: Opportunity, skipped: Sequence[ProcessStage]
) -> list[FieldError]:
    """A skip passes over a stage's tasks, never its approval: an approval a skipped stage
    requires must be on record as if the stage had been entered."""
    return [
        field_error("approval", "gate_approval", stage=stage.code)
        for stage in skipped
        if stage.requires_approval and not approval_on_record(session, deal, stage)
    ]


def unmet_entry_gates(
    session: Session, deal: Opportunity, stage: ProcessStage, facts: DealFacts
) -> list[FieldError]:
    """Every entry gate of ``stage`` the deal does not meet, one field error each."""
    problems: list[FieldError] = []
    for name in stage.required_fields:
        check = REQUIRED_FIELD_CHECKS.get(str(name))
        if check is not None and not check(deal, facts):
            problems.append(field_error(str(name), "gate_required_field", stage=stage.code))
    ticked = set(deal.checklist_state.get(stage.code, []))
    for item in stage.checklist:
        if item["code"] not in ticked:
            problems.append(
                field_error(f"checklist.{item['code']}", "gate_checklist", stage=stage.code)
            )
    if stage.requires_approval and not approval_on_record(session, deal, stage):
        problems.append(field_error("approval", "gate_approval", stage=stage.code))
    return problems
