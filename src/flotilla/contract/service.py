"""Contracts (合同): gap-free numbers, approval-guarded signing, frozen terms after signing,
amendments, payment plans (回款计划) and the credit-hold override.

Invariants:
- A contract is created from exactly one source (an accepted quote, a won opportunity or an
  account) and placed where the source sits (subsidiary, unit, owner); the seller is the
  subsidiary legal entity, which must have a USCC. Its number ``<SUB>-HT-<year>-<n>`` is
  taken from the gap-free series in the creating transaction, and contracts are never
  deleted (a draft ends by ``terminate``), so the numbers that exist are 1..n.
- A quote backs at most one non-terminated contract.
- Status machine: draft → submit → pending_approval | approved → sign → signed → activate →
  active → complete → completed; terminate from any state but completed/terminated.
- Signing is impossible without an approved, unconsumed ``contract.sign`` request when a
  policy requires one (``gate.require_approval``), and while the account is on credit hold in
  the contract's subsidiary without an approved ``credit.override`` request; both are consumed
  by the signing. Signing also needs a payment plan adding up exactly to the amount.
- Commercial fields change freely before signing (each change re-checks the approvals'
  facts; a voided request sends the contract back to ``draft``); after signing only through
  an amendment, which is recorded with its before/after values in the same transaction.
- A payment plan always adds up exactly to the contract amount; installments with invoices
  or payments stay (never below what was invoiced or paid).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from flotilla.approval import gate, registry
from flotilla.contract import repository
from flotilla.contract.repository import ContractFilters
from flotilla.contract.schemas import (
    AmendmentCreate,
    AmendmentOut,
    ApprovalStatusOut,
    ContractCreate,
    ContractDetailOut,
    ContractOut,
    ContractUpdate,
    InstallmentIn,
    InstallmentOut,
    PaymentPlanIn,
    PaymentPlanOut,
    SignRequest,
    TerminateRequest,
    VersionBody,
)
from flotilla.core import clock, lookup, placement
from flotilla.core.errors import (
    Conflict,
    FieldError,
    Forbidden,
    Invalid,
    NotFound,
    field_error,
)
from flotilla.core.money import quantize
from flotilla.core.pagination import PageRequest, RowPage
from flotilla.core.scope import Scope, ensure_still_visible, get_visible
from flotilla.core.sequence import document_number
from flotilla.core.validators import is_valid_currency
from flotilla.models.approval import ApprovalRequest
from flotilla.models.customer import Account
from flotilla.models.ltc import (
    Contract,
    ContractAmendment,
    CreditHold,
    PaymentInstallment,
    Quote,
)
from flotilla.models.org import OrgUnit
from flotilla.models.sales import Opportunity

READ = "contract.read"
WRITE = "contract.write"
SIGN_ACTION = "contract.sign"
CREDIT_ACTION = "credit.override"
NUMBER_KIND = "contract"
NUMBER_PREFIX = "HT"

EDITABLE = ("draft", "pending_approval", "approved")
SIGNED = ("signed", "active", "completed")
PLANNABLE = ("draft", "pending_approval", "approved", "signed", "active")
AMENDABLE = ("signed", "active")
# Why open approval requests of a terminated contract were voided.
VOID_TERMINATED = "合同已终止 (contract terminated)"
COMMERCIAL_FIELDS = (
    "title",
    "amount",
    "tax_amount",
    "currency",
    "payment_days",
    "start_date",
    "end_date",
    "terms",
)
# The contract's own columns the approval facts are computed from.
FACT_FIELDS = frozenset({"amount", "currency", "payment_days"})
REQUIRED_WHEN_GIVEN = ("title", "amount", "tax_amount", "currency", "payment_days")
# A hold must be overridden by someone even where no credit.override policy is configured:
# the subsidiary's finance (the engine escalates to the line managers if there is none).
CREDIT_FALLBACK_STEPS: list[dict[str, Any]] = [
    {
        "name": "财务审批",
        "name_en": "Finance approval",
        "mode": "any",
        "approvers": [{"type": "role", "role": "finance", "at": "subsidiary"}],
    }
]


# --- small helpers ------------------------------------------------------------------------


def local_today(unit: OrgUnit | None) -> date:
    """Today in the subsidiary's own time zone (numbers, due dates and signing are local)."""
    now = clock.now()
    if unit is None or not unit.timezone:
        return now.date()
    try:
        return now.astimezone(ZoneInfo(unit.timezone)).date()
    except (ZoneInfoNotFoundError, ValueError):
        return now.date()


def _subsidiary(session: Session, subsidiary_id: uuid.UUID) -> OrgUnit:
    unit = lookup.unit_by_id(session, subsidiary_id)
    assert unit is not None, "every contract sits in an existing subsidiary"
    return unit


def _label(contract: Contract) -> str:
    return f"{contract.number} {contract.title}"[:300]


def _currency(code: str, field: str = "currency") -> str:
    normalized = code.upper()
    if not is_valid_currency(normalized):
        raise Invalid(fields=[field_error(field, "invalid_currency")])
    return normalized


def _money(value: Decimal) -> str:
    return str(quantize(value))


def _check_terms(
    *,
    amount: Decimal,
    tax_amount: Decimal,
    start_date: date | None,
    end_date: date | None,
) -> None:
    problems: list[FieldError] = []
    if tax_amount > amount:
        problems.append(field_error("tax_amount", "contract_tax_exceeds_amount"))
    if start_date is not None and end_date is not None and end_date < start_date:
        problems.append(field_error("end_date", "contract_end_before_start"))
    if problems:
        raise Invalid(fields=problems)


def _touch(contract: Contract) -> None:
    """Update the contract row even when none of its own columns changed, so its version
    moves: two concurrent changes of its plan or amendments cannot both win (the second
    fails its version check)."""
    contract.updated_at = clock.now()
    flag_modified(contract, "updated_at")


def _bad_state(contract: Contract) -> Conflict:
    return Conflict("contract_bad_state", state=contract.status)


# --- presentation -------------------------------------------------------------------------


def present(session: Session, scope: Scope, contracts: Sequence[Contract]) -> list[ContractOut]:
    """Render a page of contracts: account, owner and seller names in one query each."""
    accounts = lookup.visible_account_names(session, scope, (c.account_id for c in contracts))
    owners = lookup.user_names(session, (c.owner_id for c in contracts))
    entities = lookup.units_by_id(session, (c.selling_entity_id for c in contracts))
    out = []
    for contract in contracts:
        entity = entities.get(contract.selling_entity_id)
        out.append(
            ContractOut(
                id=contract.id,
                number=contract.number,
                title=contract.title,
                status=contract.status,
                account_id=contract.account_id,
                account_name=accounts.get(contract.account_id),
                opportunity_id=contract.opportunity_id,
                quote_id=contract.quote_id,
                selling_entity_id=contract.selling_entity_id,
                selling_entity_name=entity.name if entity else None,
                amount=contract.amount,
                tax_amount=contract.tax_amount,
                currency=contract.currency,
                payment_days=contract.payment_days,
                signing_date=contract.signing_date,
                start_date=contract.start_date,
                end_date=contract.end_date,
                subsidiary_id=contract.subsidiary_id,
                unit_id=contract.unit_id,
                owner_id=contract.owner_id,
                owner_name=owners.get(contract.owner_id) if contract.owner_id else None,
                approval_request_id=contract.approval_request_id,
                signed_at=contract.signed_at,
                signed_by_id=contract.signed_by_id,
                completed_at=contract.completed_at,
                terminated_at=contract.terminated_at,
                termination_reason=contract.termination_reason,
                version=contract.version,
                created_at=contract.created_at,
                updated_at=contract.updated_at,
            )
        )
    return out


def _approval_out(request: ApprovalRequest | None) -> ApprovalStatusOut | None:
    if request is None:
        return None
    steps = request.policy_snapshot.get("steps") if request.policy_snapshot else None
    step: dict[str, Any] = {}
    if isinstance(steps, list) and 0 <= request.current_step < len(steps):
        found = steps[request.current_step]
        step = found if isinstance(found, dict) else {}
    return ApprovalStatusOut(
        id=request.id,
        action=request.action,
        status=request.status,
        current_step=request.current_step,
        step_name=step.get("name"),
        step_name_en=step.get("name_en"),
        submitted_at=request.submitted_at,
        decided_at=request.decided_at,
        consumed_at=request.consumed_at,
        comment=request.comment,
        void_reason=request.void_reason,
    )


def _plan_out(
    contract: Contract, installments: Sequence[PaymentInstallment], as_of: date
) -> PaymentPlanOut:
    rows = []
    for item in installments:
        outstanding = item.amount - item.paid_amount
        overdue = (as_of - item.due_date).days if outstanding > 0 else 0
        rows.append(
            InstallmentOut(
                id=item.id,
                seq=item.seq,
                label=item.label,
                due_date=item.due_date,
                amount=item.amount,
                currency=item.currency,
                invoiced_amount=item.invoiced_amount,
                paid_amount=item.paid_amount,
                outstanding=outstanding,
                days_overdue=max(0, overdue),
                paid_at=item.paid_at,
                version=item.version,
            )
        )
    planned = sum((i.amount for i in installments), Decimal("0.00"))
    paid = sum((i.paid_amount for i in installments), Decimal("0.00"))
    return PaymentPlanOut(
        contract_id=contract.id,
        currency=contract.currency,
        contract_amount=contract.amount,
        planned=planned,
        invoiced=sum((i.invoiced_amount for i in installments), Decimal("0.00")),
        paid=paid,
        outstanding=planned - paid,
        complete=bool(installments) and planned == contract.amount,
        as_of=as_of,
        installments=rows,
    )


def _amendments_out(
    session: Session, amendments: Sequence[ContractAmendment]
) -> list[AmendmentOut]:
    names = lookup.user_names(session, (a.created_by_id for a in amendments))
    return [
        AmendmentOut(
            id=a.id,
            seq=a.seq,
            reason=a.reason,
            effective_date=a.effective_date,
            changes={
                str(k): [None if v is None else str(v) for v in pair]
                for k, pair in a.changes.items()
            },
            created_at=a.created_at,
            created_by_id=a.created_by_id,
            created_by_name=names.get(a.created_by_id) if a.created_by_id else None,
        )
        for a in amendments
    ]


def present_detail(session: Session, scope: Scope, contract: Contract) -> ContractDetailOut:
    """One contract with its payment plan, amendments, approval states and credit-hold flag
    (the flag only: another subsidiary's receivables are never shown)."""
    summary = present(session, scope, [contract])[0]
    today = local_today(_subsidiary(session, contract.subsidiary_id))
    hold = repository.active_credit_hold(session, contract.account_id, contract.subsidiary_id)
    return ContractDetailOut(
        **summary.model_dump(),
        terms=contract.terms,
        credit_hold=hold is not None,
        approval=_approval_out(
            gate.latest_request(session, action=SIGN_ACTION, record_id=contract.id)
        ),
        credit_override=_approval_out(
            gate.latest_request(session, action=CREDIT_ACTION, record_id=contract.id)
        ),
        payment_plan=_plan_out(contract, repository.installments_of(session, contract.id), today),
        amendments=_amendments_out(session, repository.amendments_of(session, contract.id)),
    )


# --- reads --------------------------------------------------------------------------------


def list_contracts(
    session: Session, scope: Scope, page: PageRequest, filters: ContractFilters
) -> RowPage[Contract]:
    return repository.list_contracts(session, scope, READ, page, filters)


def get_contract(session: Session, scope: Scope, contract_id: uuid.UUID) -> Contract:
    return get_visible(session, scope, Contract, READ, contract_id)


def payment_plan(session: Session, scope: Scope, contract_id: uuid.UUID) -> PaymentPlanOut:
    """The plan with invoiced, paid, outstanding and days overdue as of the subsidiary's
    today."""
    contract = get_contract(session, scope, contract_id)
    today = local_today(_subsidiary(session, contract.subsidiary_id))
    return _plan_out(contract, repository.installments_of(session, contract.id), today)


def amendments(session: Session, scope: Scope, contract_id: uuid.UUID) -> list[AmendmentOut]:
    contract = get_contract(session, scope, contract_id)
    return _amendments_out(session, repository.amendments_of(session, contract.id))


# --- approval facts -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Facts:
    sign: dict[str, Any]
    credit: dict[str, Any]


def _facts(
    session: Session,
    contract: Contract,
    hold: CreditHold | None,
    today: date,
    *,
    strict: bool,
) -> _Facts:
    """The facts the ``contract.sign`` and ``credit.override`` policies may read."""
    amount_base = gate.base_amount(
        session,
        action=SIGN_ACTION,
        record_id=contract.id,
        amount=contract.amount,
        currency=contract.currency,
        subsidiary_id=contract.subsidiary_id,
        field="currency",
        strict=strict,
    )
    discount = repository.quote_discount(session, contract.quote_id) if contract.quote_id else None
    common = {
        "amount": contract.amount,
        "amount_base": amount_base,
        "currency": contract.currency,
        **gate.account_facts(session, contract.account_id),
    }
    sign = {
        **common,
        "discount_pct": discount if discount is not None else Decimal("0"),
        "payment_days": contract.payment_days,
        "credit_hold": hold is not None,
    }
    credit = {
        **common,
        "overdue_amount_base": hold.overdue_amount if hold else None,
        "max_days_overdue": hold.max_days_overdue if hold else None,
    }
    return _Facts(sign=sign, credit=credit)


def _require_credit_override(
    session: Session, scope: Scope, contract: Contract, facts: _Facts
) -> ApprovalRequest | None:
    """While the account is on hold here, an approved ``credit.override`` is needed first
    (409 ``approval_pending`` with the request id until then)."""
    return gate.require_approval(
        session,
        scope,
        action=CREDIT_ACTION,
        record=contract,
        label=_label(contract),
        facts=facts.credit,
        fallback_steps=CREDIT_FALLBACK_STEPS,
    )


def _recheck_approvals(session: Session, contract: Contract, changed: Iterable[str]) -> None:
    """After a change: void the requests whose facts no longer hold; a voided request sends
    the contract back to draft, and so does a changed fact of a contract that was approved
    without any request (nothing was ever checked against the new facts)."""
    if (
        contract.status == "approved"
        and contract.approval_request_id is None
        and FACT_FIELDS & set(changed)
    ):
        contract.status = "draft"
    subsidiary = _subsidiary(session, contract.subsidiary_id)
    hold = repository.active_credit_hold(session, contract.account_id, contract.subsidiary_id)
    facts = _facts(session, contract, hold, local_today(subsidiary), strict=False)
    voided = gate.record_changed(
        session, action=SIGN_ACTION, record_id=contract.id, facts=facts.sign
    )
    gate.record_changed(session, action=CREDIT_ACTION, record_id=contract.id, facts=facts.credit)
    if voided and contract.status in ("pending_approval", "approved"):
        contract.status = "draft"
    session.flush()


@registry.on_outcome(SIGN_ACTION)
def on_sign_outcome(session: Session, request: ApprovalRequest, outcome: registry.Outcome) -> None:
    """A decided ``contract.sign`` request moves its contract: approved → ``approved``;
    rejected, withdrawn or voided → ``draft`` (the rejection stays visible as the latest
    request). Only the contract's current request moves it, and never once signed."""
    contract = repository.contract_for_system(session, request.record_id)
    if contract is None or contract.status not in ("pending_approval", "approved"):
        return
    if contract.approval_request_id not in (None, request.id):
        return
    if outcome == "approved":
        if contract.status == "pending_approval":
            contract.status = "approved"
    else:
        contract.status = "draft"
    contract.approval_request_id = request.id
    session.flush()


# --- create -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Source:
    subsidiary_id: uuid.UUID
    unit_id: uuid.UUID
    owner_id: uuid.UUID | None
    account_id: uuid.UUID
    opportunity_id: uuid.UUID | None
    quote_id: uuid.UUID | None
    title: str
    amount: Decimal | None
    tax_amount: Decimal
    currency: str | None
    payment_days: int | None


def _source_for_write(
    session: Session,
    scope: Scope,
    model: Any,
    read_permission: str,
    record_id: uuid.UUID,
    field: str,
) -> Any:
    """The source record, which ``contract.write`` must reach. One the caller can see but
    not write contracts for is 403 ``out_of_scope``; one they cannot see is unknown."""
    try:
        return get_visible(session, scope, model, WRITE, record_id)
    except NotFound:
        if repository.reachable(session, scope, model, read_permission, record_id):
            raise Forbidden("out_of_scope") from None
        raise Invalid(fields=[field_error(field, "unknown_reference")]) from None


def _resolve_source(session: Session, scope: Scope, data: ContractCreate) -> _Source:
    given = [
        name
        for name in ("quote_id", "opportunity_id", "account_id")
        if getattr(data, name) is not None
    ]
    if len(given) != 1:
        fields = given or ["quote_id", "opportunity_id", "account_id"]
        raise Invalid(
            "contract_source_required",
            fields=[field_error(name, "contract_source_required") for name in fields],
        )
    if data.quote_id is not None:
        fixed = [
            name
            for name in ("amount", "tax_amount", "currency", "payment_days")
            if getattr(data, name) is not None
        ]
        if fixed:
            raise Invalid(fields=[field_error(name, "contract_quote_field") for name in fixed])
        quote: Quote = _source_for_write(
            session, scope, Quote, "quote.read", data.quote_id, "quote_id"
        )
        if quote.status != "accepted":
            raise Conflict("contract_quote_not_accepted", quote_status=quote.status)
        return _Source(
            subsidiary_id=quote.subsidiary_id,
            unit_id=quote.unit_id,
            owner_id=quote.owner_id,
            account_id=quote.account_id,
            opportunity_id=quote.opportunity_id,
            quote_id=quote.id,
            title=quote.title,
            amount=quote.total,
            tax_amount=quote.tax_amount,
            currency=quote.currency,
            payment_days=quote.payment_days,
        )
    if data.opportunity_id is not None:
        deal: Opportunity = _source_for_write(
            session, scope, Opportunity, "opportunity.read", data.opportunity_id, "opportunity_id"
        )
        if deal.status != "won":
            raise Conflict("contract_opportunity_not_won")
        return _Source(
            subsidiary_id=deal.subsidiary_id,
            unit_id=deal.unit_id,
            owner_id=deal.owner_id,
            account_id=deal.account_id,
            opportunity_id=deal.id,
            quote_id=None,
            title=deal.name,
            amount=data.amount if data.amount is not None else deal.amount,
            tax_amount=data.tax_amount or Decimal("0"),
            currency=data.currency or deal.currency,
            payment_days=data.payment_days,
        )
    assert data.account_id is not None
    account: Account = _source_for_write(
        session, scope, Account, "account.read", data.account_id, "account_id"
    )
    return _Source(
        subsidiary_id=account.subsidiary_id,
        unit_id=account.unit_id,
        owner_id=account.owner_id,
        account_id=account.id,
        opportunity_id=None,
        quote_id=None,
        title=account.name,
        amount=data.amount,
        tax_amount=data.tax_amount or Decimal("0"),
        currency=data.currency,
        payment_days=data.payment_days,
    )


def create_contract(session: Session, scope: Scope, data: ContractCreate) -> Contract:
    """Create a draft contract from its one source, placed where the source sits, numbered
    from the subsidiary's gap-free series in this transaction (a failed creation gives its
    number back by rolling back)."""
    scope.require(WRITE)
    source = _resolve_source(session, scope, data)
    if source.amount is None or source.amount <= 0:
        raise Invalid(fields=[field_error("amount", "missing")])
    subsidiary = _subsidiary(session, source.subsidiary_id)
    if not subsidiary.uscc:
        raise Conflict("contract_entity_no_uscc", entity=subsidiary.name)
    currency = _currency(source.currency or subsidiary.currency or "")
    amount, tax_amount = quantize(source.amount), quantize(source.tax_amount)
    _check_terms(
        amount=amount, tax_amount=tax_amount, start_date=data.start_date, end_date=data.end_date
    )
    today = local_today(subsidiary)
    # Taking the number locks the subsidiary's counter row until commit, so concurrent
    # creations in this subsidiary run one after the other from here on; the quote check
    # below therefore sees any contract a concurrent creation committed for the same quote.
    number = document_number(
        session, subsidiary.id, subsidiary.code, NUMBER_KIND, NUMBER_PREFIX, today.year
    )
    if source.quote_id is not None and repository.live_contract_for_quote(session, source.quote_id):
        raise Conflict("contract_quote_in_use")
    contract = Contract(
        number=number,
        title=data.title or source.title[:200],
        account_id=source.account_id,
        opportunity_id=source.opportunity_id,
        quote_id=source.quote_id,
        selling_entity_id=subsidiary.id,
        amount=amount,
        tax_amount=tax_amount,
        currency=currency,
        payment_days=source.payment_days if source.payment_days is not None else 30,
        start_date=data.start_date,
        end_date=data.end_date,
        terms=data.terms,
        status="draft",
        subsidiary_id=source.subsidiary_id,
        unit_id=source.unit_id,
        owner_id=source.owner_id,
    )
    session.add(contract)
    session.flush()
    ensure_still_visible(session, scope, Contract, WRITE, contract.id)
    return contract


# --- edit ---------------------------------------------------------------------------------


def _writable(
    session: Session, scope: Scope, contract_id: uuid.UUID, version: int | None
) -> Contract:
    contract = get_visible(session, scope, Contract, WRITE, contract_id)
    if version is not None and contract.version != version:
        raise Conflict("version_conflict")
    return contract


def _move(session: Session, scope: Scope, contract: Contract, changes: dict[str, Any]) -> bool:
    """Reassign the contract (and its plan) to another unit of its subsidiary or owner."""
    moved = False
    if changes.get("unit_id") not in (None, contract.unit_id):
        unit = placement.unit_for_write(session, scope, WRITE, changes["unit_id"])
        if unit.subsidiary_id != contract.subsidiary_id:
            raise Invalid(fields=[field_error("unit_id", "contract_other_subsidiary")])
        contract.unit_id = unit.id
        moved = True
    if changes.get("owner_id") not in (None, contract.owner_id):
        contract.owner_id = placement.owner_for_write(session, scope, changes["owner_id"])
        moved = True
    return moved


def update_contract(
    session: Session, scope: Scope, contract_id: uuid.UUID, data: ContractUpdate
) -> Contract:
    """Edit the contract. Commercial fields change only before signing (409
    ``contract_frozen`` after: amendments only) and re-check the approvals' facts; the unit
    and owner may be reassigned within the subsidiary at any time."""
    contract = _writable(session, scope, contract_id, data.version)
    changes: dict[str, Any] = data.model_dump(exclude_unset=True, exclude={"version"})
    missing = [
        k
        for k in (*REQUIRED_WHEN_GIVEN, "unit_id", "owner_id")
        if k in changes and changes[k] is None
    ]
    if missing:
        raise Invalid(fields=[field_error(k, "missing") for k in missing])
    if "currency" in changes:
        changes["currency"] = _currency(changes["currency"])
    for key in ("amount", "tax_amount"):
        if key in changes:
            changes[key] = quantize(changes[key])
    commercial = {
        key: changes[key]
        for key in COMMERCIAL_FIELDS
        if key in changes and getattr(contract, key) != changes[key]
    }
    if commercial and contract.status in SIGNED:
        raise Conflict(
            "contract_frozen", fields=[field_error(key, "contract_frozen") for key in commercial]
        )
    if commercial and contract.status not in EDITABLE:
        raise _bad_state(contract)
    _check_terms(
        amount=commercial.get("amount", contract.amount),
        tax_amount=commercial.get("tax_amount", contract.tax_amount),
        start_date=commercial.get("start_date", contract.start_date),
        end_date=commercial.get("end_date", contract.end_date),
    )
    moved = _move(session, scope, contract, changes)
    for key, value in commercial.items():
        setattr(contract, key, value)
    if moved or "currency" in commercial:
        # Installments carry their contract's placement and currency.
        for item in repository.installments_of(session, contract.id):
            item.unit_id, item.owner_id = contract.unit_id, contract.owner_id
            item.currency = contract.currency
    session.flush()
    if commercial:
        _recheck_approvals(session, contract, commercial)
    ensure_still_visible(session, scope, Contract, WRITE, contract.id)
    return contract


# --- status machine -----------------------------------------------------------------------


def submit(session: Session, scope: Scope, contract_id: uuid.UUID, data: VersionBody) -> Contract:
    """Ask for the ``contract.sign`` approval: ``approved`` when no policy requires one (or an
    approval for the same facts is already granted), else ``pending_approval``. While the
    account is on credit hold here, a ``credit.override`` approval is needed first."""
    contract = _writable(session, scope, contract_id, data.version)
    if contract.status != "draft":
        raise _bad_state(contract)
    subsidiary = _subsidiary(session, contract.subsidiary_id)
    hold = repository.active_credit_hold(session, contract.account_id, contract.subsidiary_id)
    facts = _facts(session, contract, hold, local_today(subsidiary), strict=True)
    if hold is not None:
        _require_credit_override(session, scope, contract, facts)
    result = gate.guard(
        session,
        scope,
        action=SIGN_ACTION,
        record=contract,
        label=_label(contract),
        facts=facts.sign,
    )
    contract.status = "pending_approval" if result.status == "pending" else "approved"
    contract.approval_request_id = result.request.id if result.request else None
    session.flush()
    return contract


def _plan_problems(
    contract: Contract, installments: Sequence[PaymentInstallment], signing_date: date
) -> list[FieldError]:
    floor = min(d for d in (signing_date, contract.start_date) if d is not None)
    return [
        field_error(
            f"installments.{index}.due_date", "installment_due_before_start", date=floor.isoformat()
        )
        for index, item in enumerate(installments)
        if item.due_date < floor
    ]


def sign(session: Session, scope: Scope, contract_id: uuid.UUID, data: SignRequest) -> Contract:
    """Sign the contract: a plan adding up to the amount, the credit-hold override if the
    account is on hold here, and the ``contract.sign`` approval (raised now if missing: 409
    ``approval_pending`` with its id, the contract waiting in ``pending_approval``). The
    approvals are consumed: one approval, one signing."""
    contract = _writable(session, scope, contract_id, data.version)
    if contract.status not in EDITABLE:
        raise _bad_state(contract)
    subsidiary = _subsidiary(session, contract.subsidiary_id)
    today = local_today(subsidiary)
    if data.signing_date > today:
        raise Invalid(fields=[field_error("signing_date", "signing_date_in_future")])
    installments = repository.installments_of(session, contract.id)
    planned = sum((i.amount for i in installments), Decimal("0.00"))
    if not installments or planned != contract.amount:
        params: dict[str, Any] = {"expected": _money(contract.amount), "planned": _money(planned)}
        raise Invalid(
            "payment_plan_incomplete",
            fields=[field_error("payment_plan", "payment_plan_incomplete", **params)],
            extra=params,
            **params,
        )
    problems = _plan_problems(contract, installments, data.signing_date)
    if problems:
        raise Invalid(fields=problems)
    hold = repository.active_credit_hold(session, contract.account_id, contract.subsidiary_id)
    facts = _facts(session, contract, hold, today, strict=True)
    credit_request = (
        _require_credit_override(session, scope, contract, facts) if hold is not None else None
    )
    try:
        sign_request = gate.require_approval(
            session,
            scope,
            action=SIGN_ACTION,
            record=contract,
            label=_label(contract),
            facts=facts.sign,
        )
    except gate.ApprovalPending as pending:
        # The refusal is kept (the request stays raised): the contract waits for it.
        contract.status = "pending_approval"
        contract.approval_request_id = pending.request.id
        session.flush()
        raise
    contract.status = "signed"
    contract.signing_date = data.signing_date
    contract.signed_at = clock.now()
    contract.signed_by_id = scope.user_id
    if sign_request is not None:
        gate.consume(session, sign_request)
        contract.approval_request_id = sign_request.id
    if credit_request is not None:
        gate.consume(session, credit_request)
    session.flush()
    return contract


def activate(session: Session, scope: Scope, contract_id: uuid.UUID, data: VersionBody) -> Contract:
    """signed → active (delivery under way)."""
    contract = _writable(session, scope, contract_id, data.version)
    if contract.status != "signed":
        raise _bad_state(contract)
    contract.status = "active"
    session.flush()
    return contract


def complete(session: Session, scope: Scope, contract_id: uuid.UUID, data: VersionBody) -> Contract:
    """active → completed, only once every installment is fully paid."""
    contract = _writable(session, scope, contract_id, data.version)
    if contract.status != "active":
        raise _bad_state(contract)
    installments = repository.installments_of(session, contract.id)
    # Per installment: an over-paid one never makes up for another's shortfall.
    outstanding = sum(
        (max(i.amount - i.paid_amount, Decimal("0.00")) for i in installments), Decimal("0.00")
    )
    if outstanding > 0 or not installments:
        raise Conflict(
            "contract_not_fully_paid",
            outstanding=_money(outstanding),
            currency=contract.currency,
        )
    contract.status = "completed"
    contract.completed_at = clock.now()
    session.flush()
    return contract


def terminate(
    session: Session, scope: Scope, contract_id: uuid.UUID, data: TerminateRequest
) -> Contract:
    """End the contract from any state but completed (a draft is never deleted: its number
    stays taken). Open approval requests lose their object and are voided."""
    contract = _writable(session, scope, contract_id, data.version)
    if contract.status in ("completed", "terminated"):
        raise _bad_state(contract)
    contract.status = "terminated"
    contract.terminated_at = clock.now()
    contract.termination_reason = data.reason
    session.flush()
    for action in (SIGN_ACTION, CREDIT_ACTION):
        request = gate.latest_request(session, action=action, record_id=contract.id)
        if request is not None and (
            request.status == "pending"
            or (request.status == "approved" and request.consumed_at is None)
        ):
            gate.void(session, request, VOID_TERMINATED)
    return contract


# --- payment plan -------------------------------------------------------------------------


def _plan_floor(contract: Contract) -> date | None:
    dates = [d for d in (contract.signing_date, contract.start_date) if d is not None]
    return min(dates) if dates else None


def _apply_plan(
    session: Session,
    contract: Contract,
    items: Sequence[InstallmentIn],
    expected: Decimal,
    prefix: str,
) -> None:
    """Replace the plan with ``items`` (which must add up exactly to ``expected``). Items
    with an ``id`` keep that installment (never below its invoiced or paid amount); an
    installment left out is removed unless invoices or payments refer to it. Every problem
    is reported at once (422), and nothing changes unless all are solved."""
    existing = repository.installments_of(session, contract.id)
    by_id = {item.id: item for item in existing}
    problems: list[FieldError] = []
    kept: dict[uuid.UUID, int] = {}
    floor = _plan_floor(contract)
    for index, item in enumerate(items):
        if item.id is not None:
            if item.id in kept:
                problems.append(field_error(f"{prefix}.{index}.id", "installment_duplicate"))
            elif item.id not in by_id:
                problems.append(field_error(f"{prefix}.{index}.id", "unknown_reference"))
            else:
                kept[item.id] = index
        if floor is not None and item.due_date < floor:
            problems.append(
                field_error(
                    f"{prefix}.{index}.due_date",
                    "installment_due_before_start",
                    date=floor.isoformat(),
                )
            )
    with_history = repository.installments_with_history(session, by_id)
    for current in existing:
        minimum = max(current.invoiced_amount, current.paid_amount)
        in_use = current.id in with_history or minimum > 0
        if current.id in kept:
            index = kept[current.id]
            if quantize(items[index].amount) < minimum:
                problems.append(
                    field_error(
                        f"{prefix}.{index}.amount",
                        "installment_below_invoiced",
                        minimum=_money(minimum),
                    )
                )
        elif in_use:
            problems.append(field_error(prefix, "installment_in_use", label=current.label))
    total = sum((quantize(item.amount) for item in items), Decimal("0.00"))
    code = None
    params: dict[str, Any] = {}
    if total != expected:
        code = "payment_plan_sum_mismatch"
        params = {"expected": _money(expected), "actual": _money(total)}
        problems.append(field_error(prefix, code, **params))
    if problems:
        raise Invalid(code, fields=problems, extra=params, **params)

    for current in existing:
        if current.id not in kept:
            session.delete(current)
    session.flush()
    renumbered = [by_id[i] for i in kept if by_id[i].seq != kept[i] + 1]
    if renumbered:
        # Park the moving rows on negative numbers first so renumbering never collides
        # with the unique (contract_id, seq) of a row not yet moved.
        for n, current in enumerate(renumbered, 1):
            current.seq = -n
        session.flush()
    for index, item in enumerate(items):
        target = by_id[item.id] if item.id is not None else None
        if target is None:
            session.add(
                PaymentInstallment(
                    contract_id=contract.id,
                    account_id=contract.account_id,
                    seq=index + 1,
                    label=item.label,
                    due_date=item.due_date,
                    amount=quantize(item.amount),
                    currency=contract.currency,
                    subsidiary_id=contract.subsidiary_id,
                    unit_id=contract.unit_id,
                    owner_id=contract.owner_id,
                )
            )
            continue
        target.seq = index + 1
        target.label = item.label
        target.due_date = item.due_date
        target.amount = quantize(item.amount)
    session.flush()


def replace_payment_plan(
    session: Session, scope: Scope, contract_id: uuid.UUID, data: PaymentPlanIn
) -> PaymentPlanOut:
    """Replace the whole plan (see ``_apply_plan``); not once completed or terminated."""
    contract = _writable(session, scope, contract_id, data.version)
    if contract.status not in PLANNABLE:
        raise _bad_state(contract)
    _apply_plan(session, contract, data.installments, contract.amount, "installments")
    _touch(contract)
    session.flush()
    today = local_today(_subsidiary(session, contract.subsidiary_id))
    return _plan_out(contract, repository.installments_of(session, contract.id), today)


# --- amendments ---------------------------------------------------------------------------


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return _money(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _plan_text(installments: Sequence[Any]) -> str:
    return "; ".join(f"{i.due_date.isoformat()} {_money(i.amount)}" for i in installments)


def amend(
    session: Session, scope: Scope, contract_id: uuid.UUID, data: AmendmentCreate
) -> ContractAmendment:
    """Change a signed or active contract's commercial terms: the changes and the new plan
    (required when the amount changes, adding up to the new amount) are applied and recorded
    as amendment ``seq`` with before/after strings, all in this one transaction."""
    contract = _writable(session, scope, contract_id, data.version)
    if contract.status not in AMENDABLE:
        raise _bad_state(contract)
    given: dict[str, Any] = data.changes.model_dump(exclude_unset=True)
    missing = [
        k
        for k in ("amount", "tax_amount", "payment_days", "title")
        if k in given and given[k] is None
    ]
    if missing:
        raise Invalid(fields=[field_error(f"changes.{k}", "missing") for k in missing])
    for key in ("amount", "tax_amount"):
        if key in given:
            given[key] = quantize(given[key])
    diff = {key: value for key, value in given.items() if getattr(contract, key) != value}
    problems: list[FieldError] = []
    if not diff and data.payment_plan is None:
        problems.append(field_error("changes", "amendment_no_change"))
    if "amount" in diff and data.payment_plan is None:
        problems.append(field_error("payment_plan", "amendment_plan_required"))
    if contract.signing_date is not None and data.effective_date < contract.signing_date:
        problems.append(
            field_error(
                "effective_date",
                "amendment_before_signing",
                date=contract.signing_date.isoformat(),
            )
        )
    if problems:
        raise Invalid(fields=problems)
    new_amount = diff.get("amount", contract.amount)
    _check_terms(
        amount=new_amount,
        tax_amount=diff.get("tax_amount", contract.tax_amount),
        start_date=contract.start_date,
        end_date=diff.get("end_date", contract.end_date),
    )
    changes: dict[str, Any] = {
        key: [_text(getattr(contract, key)), _text(value)] for key, value in diff.items()
    }
    if data.payment_plan is not None:
        before = _plan_text(repository.installments_of(session, contract.id))
        _apply_plan(session, contract, data.payment_plan, new_amount, "payment_plan")
        after = _plan_text(repository.installments_of(session, contract.id))
        if before != after:
            changes["payment_plan"] = [before, after]
    if not changes:
        raise Invalid(fields=[field_error("changes", "amendment_no_change")])
    for key, value in diff.items():
        setattr(contract, key, value)
    _touch(contract)
    amendment = ContractAmendment(
        contract_id=contract.id,
        subsidiary_id=contract.subsidiary_id,
        unit_id=contract.unit_id,
        seq=repository.last_amendment_seq(session, contract.id) + 1,
        reason=data.reason,
        changes=changes,
        effective_date=data.effective_date,
        created_at=clock.now(),
        created_by_id=scope.user_id,
    )
    session.add(amendment)
    session.flush()
    return amendment


def present_amendment(session: Session, amendment: ContractAmendment) -> AmendmentOut:
    return _amendments_out(session, [amendment])[0]
