"""Invoices (开票), payments received (回款) and their allocation (核销) to installments,
receivables and aging (应收/账龄), credit rules and holds (信用管控).

Invariants:
- An installment's ``invoiced_amount`` is the sum of its issued (not void) invoices and never
  exceeds its amount; its ``paid_amount`` is the sum of the allocations to it and never
  exceeds its amount; ``paid_at`` is set exactly while it is fully paid. Both are changed in
  the transaction that records the invoice or allocation, through the ORM (so the audit trail
  has them), and every change bumps the installment's ``version``: of two transactions that
  read the same installment, the second to write fails with ``409 version_conflict`` and
  writes nothing, so concurrent allocations can never over-allocate.
- A payment's ``allocated_amount`` is the sum of its allocations and never exceeds its
  amount; the rest is unapplied cash (prepayment) until allocated later.
- Allocation only to installments of the payment's account (and contract, when it has one),
  in its currency, on signed or active contracts, that the caller's ``payment.write``
  reaches; never more than an installment's outstanding.
- Records are placed where their source is (invoice: the installment; payment: the contract
  or else the account) and must stay inside the caller's ``payment.write`` reach.
- Recording, allocating or reversing a payment re-runs the credit review for the account.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from flotilla.core import audit, clock, lookup
from flotilla.core.errors import Conflict, FieldError, Forbidden, Invalid, NotFound, field_error
from flotilla.core.fx import RateTable
from flotilla.core.pagination import Page, PageRequest
from flotilla.core.scope import Scope, ensure_still_visible, get_visible
from flotilla.core.sequence import document_number
from flotilla.core.validators import is_valid_currency
from flotilla.models.customer import Account
from flotilla.models.ltc import (
    Contract,
    CreditHold,
    CreditRule,
    Invoice,
    Payment,
    PaymentAllocation,
    PaymentInstallment,
)
from flotilla.models.org import OrgUnit
from flotilla.receivable import aging, credit, repository
from flotilla.receivable.repository import (
    ALLOCATABLE_CONTRACT_STATUSES,
    RECEIVABLE_CONTRACT_STATUSES,
    HoldFilters,
    InvoiceFilters,
    PaymentFilters,
    ReceivableFilters,
)
from flotilla.receivable.schemas import (
    AccountCreditOut,
    AgingConverted,
    AgingCurrencyTotal,
    AgingOut,
    AgingRowOut,
    AgingTotals,
    AllocationIn,
    AllocationOut,
    AllocationRequest,
    BucketOut,
    CreditHoldOut,
    CreditRuleOut,
    CreditRulePut,
    InvoiceCreate,
    InvoiceOut,
    InvoiceVoid,
    PaymentCreate,
    PaymentDetailOut,
    PaymentOut,
    PaymentReverse,
    RateUsed,
    ReceivableOut,
)

READ = "payment.read"
WRITE = "payment.write"
ACCOUNT_READ = "account.read"
CONTRACT_READ = "contract.read"
ORG_READ = "org.read"
CREDIT_ADMIN = "credit.admin"
ZERO = Decimal("0.00")
ItemT = TypeVar("ItemT")
DEFAULT_MAX_OVERDUE_DAYS = 90


# --- shared helpers -----------------------------------------------------------------------


def _installment_for_write(
    session: Session, scope: Scope, installment_id: uuid.UUID, field: str
) -> PaymentInstallment:
    """An installment the caller may record against: reached by ``payment.write``. One they
    only read is ``403 out_of_scope``; one they cannot see at all does not exist (422)."""
    found = repository.installment(session, scope, WRITE, installment_id)
    if found is not None:
        return found
    if repository.installment(session, scope, READ, installment_id) is not None:
        raise Forbidden("out_of_scope")
    raise Invalid(fields=[field_error(field, "unknown_reference")])


def _installment_name(installment: PaymentInstallment, contract: Contract | None) -> str:
    prefix = f"{contract.number} " if contract is not None else ""
    return f"{prefix}#{installment.seq} {installment.label}"


def _group_today(session: Session) -> date:
    return credit.local_today(repository.group_root(session), clock.now())


def _page_out(items: list[ItemT], next_cursor: str | None, total: int | None) -> Page[ItemT]:
    return Page(items=items, next_cursor=next_cursor, total=total)


# --- invoices -----------------------------------------------------------------------------


def present_invoices(
    session: Session, scope: Scope, invoices: Sequence[Invoice]
) -> list[InvoiceOut]:
    """A page of invoices with contract numbers, installment labels and account names the
    caller may see (one query each)."""
    numbers = repository.visible_contract_numbers(
        session, scope, CONTRACT_READ, (i.contract_id for i in invoices)
    )
    accounts = lookup.visible_account_names(
        session, scope, (i.account_id for i in invoices), ACCOUNT_READ
    )
    labels = {
        inst.id: inst.label
        for inst in repository.installments(
            session, scope, READ, (i.installment_id for i in invoices)
        ).values()
    }
    return [
        InvoiceOut(
            id=invoice.id,
            number=invoice.number,
            kind=invoice.kind,
            status=invoice.status,
            amount=invoice.amount,
            tax_amount=invoice.tax_amount,
            currency=invoice.currency,
            issued_on=invoice.issued_on,
            external_number=invoice.external_number,
            void_reason=invoice.void_reason,
            installment_id=invoice.installment_id,
            installment_label=labels.get(invoice.installment_id),
            contract_id=invoice.contract_id,
            contract_number=numbers.get(invoice.contract_id),
            account_id=invoice.account_id,
            account_name=accounts.get(invoice.account_id),
            subsidiary_id=invoice.subsidiary_id,
            unit_id=invoice.unit_id,
            owner_id=invoice.owner_id,
            version=invoice.version,
            created_at=invoice.created_at,
            updated_at=invoice.updated_at,
        )
        for invoice in invoices
    ]


def list_invoices(
    session: Session, scope: Scope, page: PageRequest, filters: InvoiceFilters
) -> Page[InvoiceOut]:
    result = repository.list_invoices(session, scope, READ, page, filters)
    return _page_out(
        present_invoices(session, scope, result.rows), result.next_cursor, result.total
    )


def get_invoice(session: Session, scope: Scope, invoice_id: uuid.UUID) -> InvoiceOut:
    invoice = get_visible(session, scope, Invoice, READ, invoice_id)
    return present_invoices(session, scope, [invoice])[0]


def create_invoice(session: Session, scope: Scope, data: InvoiceCreate) -> Invoice:
    """Issue an invoice against an installment of a signed, active or completed contract.

    The installment's ``invoiced_amount`` plus the new amount may not exceed its amount
    (``422 invoice_exceeds_installment`` with the remaining amount). The number is the next
    of the subsidiary's gap-free ``FP`` series for the year of ``issued_on``, taken in this
    transaction. The installment's ``invoiced_amount`` rises in the same transaction."""
    scope.require(WRITE)
    installment = _installment_for_write(session, scope, data.installment_id, "installment_id")
    contract = repository.contract_by_id(session, installment.contract_id)
    if contract.status not in RECEIVABLE_CONTRACT_STATUSES:
        raise Invalid(
            "invoice_contract_status",
            fields=[
                field_error(
                    "installment_id", "invoice_contract_status", contract_status=contract.status
                )
            ],
            contract_status=contract.status,
        )
    if data.tax_amount > data.amount:
        raise Invalid(fields=[field_error("tax_amount", "invoice_tax_exceeds_amount")])
    remaining = installment.amount - installment.invoiced_amount
    if data.amount > remaining:
        params: dict[str, Any] = {"remaining": str(remaining), "currency": installment.currency}
        raise Invalid(
            "invoice_exceeds_installment",
            fields=[field_error("amount", "invoice_exceeds_installment", **params)],
            extra=params,
            **params,
        )
    subsidiary = lookup.unit_by_id(session, installment.subsidiary_id)
    assert subsidiary is not None
    number = document_number(
        session, subsidiary.id, subsidiary.code, "invoice", "FP", data.issued_on.year
    )
    invoice = Invoice(
        number=number,
        contract_id=installment.contract_id,
        installment_id=installment.id,
        account_id=installment.account_id,
        kind=data.kind,
        amount=data.amount,
        tax_amount=data.tax_amount,
        currency=installment.currency,
        issued_on=data.issued_on,
        external_number=data.external_number,
        status="issued",
        subsidiary_id=installment.subsidiary_id,
        unit_id=installment.unit_id,
        owner_id=installment.owner_id,
    )
    session.add(invoice)
    installment.invoiced_amount = installment.invoiced_amount + data.amount
    session.flush()  # assigns the id the visibility check needs
    ensure_still_visible(session, scope, Invoice, WRITE, invoice.id)
    return invoice


def void_invoice(
    session: Session, scope: Scope, invoice_id: uuid.UUID, data: InvoiceVoid
) -> Invoice:
    """Void an issued invoice: its amount is given back to the installment's invoiceable
    remainder in the same transaction; the invoice and its number stay (status ``void``)."""
    scope.require(WRITE)
    invoice = get_visible(session, scope, Invoice, WRITE, invoice_id)
    if invoice.status != "issued":
        raise Conflict("invoice_already_void")
    installment = repository.installments_by_id(session, [invoice.installment_id])[
        invoice.installment_id
    ]
    invoice.status = "void"
    invoice.void_reason = data.reason
    installment.invoiced_amount = installment.invoiced_amount - invoice.amount
    session.flush()
    return invoice


# --- payments -----------------------------------------------------------------------------


def present_payments(
    session: Session, scope: Scope, payments: Sequence[Payment]
) -> list[PaymentOut]:
    """A page of payments with the labels the caller may see (one query each)."""
    numbers = repository.visible_contract_numbers(
        session, scope, CONTRACT_READ, (p.contract_id for p in payments)
    )
    accounts = lookup.visible_account_names(
        session, scope, (p.account_id for p in payments), ACCOUNT_READ
    )
    owners = lookup.user_names(session, (p.owner_id for p in payments))
    return [
        PaymentOut(
            id=payment.id,
            account_id=payment.account_id,
            account_name=accounts.get(payment.account_id),
            contract_id=payment.contract_id,
            contract_number=numbers.get(payment.contract_id) if payment.contract_id else None,
            received_on=payment.received_on,
            amount=payment.amount,
            currency=payment.currency,
            allocated_amount=payment.allocated_amount,
            unapplied_amount=payment.amount - payment.allocated_amount,
            method=payment.method,
            reference=payment.reference,
            payer_name=payment.payer_name,
            notes=payment.notes,
            status=payment.status,
            subsidiary_id=payment.subsidiary_id,
            unit_id=payment.unit_id,
            owner_id=payment.owner_id,
            owner_name=owners.get(payment.owner_id) if payment.owner_id else None,
            version=payment.version,
            created_at=payment.created_at,
            updated_at=payment.updated_at,
        )
        for payment in payments
    ]


def present_payment(session: Session, scope: Scope, payment: Payment) -> PaymentDetailOut:
    """One payment with its allocations (the installments it paid, labelled)."""
    summary = present_payments(session, scope, [payment])[0]
    allocations = repository.allocations_of(session, payment.id)
    installments = repository.installments_by_id(session, (a.installment_id for a in allocations))
    numbers = repository.visible_contract_numbers(
        session, scope, CONTRACT_READ, (i.contract_id for i in installments.values())
    )
    out = []
    for allocation in allocations:
        inst = installments.get(allocation.installment_id)
        out.append(
            AllocationOut(
                id=allocation.id,
                installment_id=allocation.installment_id,
                contract_id=inst.contract_id if inst else None,
                contract_number=numbers.get(inst.contract_id) if inst else None,
                seq=inst.seq if inst else None,
                label=inst.label if inst else None,
                due_date=inst.due_date if inst else None,
                amount=allocation.amount,
                created_at=allocation.created_at,
            )
        )
    return PaymentDetailOut(**summary.model_dump(), allocations=out)


def list_payments(
    session: Session, scope: Scope, page: PageRequest, filters: PaymentFilters
) -> Page[PaymentOut]:
    result = repository.list_payments(session, scope, READ, page, filters)
    return _page_out(
        present_payments(session, scope, result.rows), result.next_cursor, result.total
    )


def get_payment(session: Session, scope: Scope, payment_id: uuid.UUID) -> Payment:
    return get_visible(session, scope, Payment, READ, payment_id)


def _check_allocation_mode(
    allocations: list[AllocationIn] | None, auto_allocate: bool, *, required: bool
) -> None:
    if allocations and auto_allocate:
        raise Invalid(fields=[field_error("auto_allocate", "allocation_mode_conflict")])
    if required and not allocations and not auto_allocate:
        raise Invalid(fields=[field_error("allocations", "allocation_required")])


def create_payment(session: Session, scope: Scope, data: PaymentCreate) -> Payment:
    """Record money received from an account, optionally allocating it at once (explicit
    ``allocations`` or ``auto_allocate``, oldest due first). The payment is placed at the
    contract (or, without one, the account) and must stay inside the caller's
    ``payment.write`` reach. Whatever is not allocated stays on the payment as unapplied
    cash. Any refusal writes nothing. The account's credit is re-reviewed at once."""
    scope.require(WRITE)
    currency = data.currency.upper()
    if not is_valid_currency(currency):
        raise Invalid(fields=[field_error("currency", "invalid_currency")])
    _check_allocation_mode(data.allocations, data.auto_allocate, required=False)
    account = repository.visible_account(session, scope, ACCOUNT_READ, data.account_id)
    if account is None:
        raise Invalid(fields=[field_error("account_id", "unknown_reference")])
    placement: Account | Contract = account
    if data.contract_id is not None:
        contract = repository.visible_contract(session, scope, CONTRACT_READ, data.contract_id)
        if contract is None:
            raise Invalid(fields=[field_error("contract_id", "unknown_reference")])
        if contract.account_id != account.id:
            raise Invalid(fields=[field_error("contract_id", "payment_contract_account_mismatch")])
        placement = contract
    payment = Payment(
        account_id=account.id,
        contract_id=data.contract_id,
        received_on=data.received_on,
        amount=data.amount,
        currency=currency,
        allocated_amount=ZERO,
        method=data.method,
        reference=data.reference,
        payer_name=data.payer_name,
        notes=data.notes,
        status="recorded",
        subsidiary_id=placement.subsidiary_id,
        unit_id=placement.unit_id,
        owner_id=placement.owner_id,
    )
    session.add(payment)
    session.flush()  # assigns the id the visibility check needs
    ensure_still_visible(session, scope, Payment, WRITE, payment.id)
    touched: set[uuid.UUID] = {payment.subsidiary_id}
    if data.allocations:
        touched |= _allocate(session, scope, payment, data.allocations)
    elif data.auto_allocate:
        touched |= _auto_allocate(session, scope, payment)
    session.flush()
    credit.review_after_payment(session, payment.account_id, touched)
    return payment


def allocate_payment(
    session: Session, scope: Scope, payment_id: uuid.UUID, data: AllocationRequest
) -> Payment:
    """Allocate a payment's unapplied remainder later, by the same rules as at recording."""
    scope.require(WRITE)
    payment = get_visible(session, scope, Payment, WRITE, payment_id)
    if payment.status == "reversed":
        raise Conflict("payment_reversed")
    _check_allocation_mode(data.allocations, data.auto_allocate, required=True)
    if payment.amount - payment.allocated_amount <= 0:
        raise Conflict("payment_fully_allocated")
    if data.allocations:
        touched = _allocate(session, scope, payment, data.allocations)
    else:
        touched = _auto_allocate(session, scope, payment)
        if not touched:
            raise Invalid("allocation_nothing_outstanding")
    session.flush()
    credit.review_after_payment(session, payment.account_id, touched | {payment.subsidiary_id})
    return payment


def reverse_payment(
    session: Session, scope: Scope, payment_id: uuid.UUID, data: PaymentReverse
) -> Payment:
    """Undo a payment: every allocation is removed (through the ORM, so the trail keeps
    them) and given back to its installment's outstanding; the payment stays, ``reversed``,
    and the reason is written to the audit trail (``payment.reverse``)."""
    scope.require(WRITE)
    payment = get_visible(session, scope, Payment, WRITE, payment_id)
    if payment.status == "reversed":
        raise Conflict("payment_reversed")
    allocations = repository.allocations_of(session, payment.id)
    installments = repository.installments_by_id(session, (a.installment_id for a in allocations))
    undone = []
    for allocation in allocations:
        inst = installments[allocation.installment_id]
        inst.paid_amount = inst.paid_amount - allocation.amount
        if inst.paid_amount < inst.amount:
            inst.paid_at = None
        undone.append({"installment_id": str(inst.id), "amount": str(allocation.amount)})
        session.delete(allocation)
    payment.allocated_amount = ZERO
    payment.status = "reversed"
    session.flush()
    audit.record(
        session,
        "payment.reverse",
        entity_type="payment",
        entity_id=payment.id,
        entity_label=payment.audit_label(),
        unit_id=payment.unit_id,
        subsidiary_id=payment.subsidiary_id,
        changes={"reason": data.reason, "allocations": undone},
    )
    touched = {inst.subsidiary_id for inst in installments.values()} | {payment.subsidiary_id}
    credit.review_after_payment(session, payment.account_id, touched)
    return payment


def _allocate(
    session: Session, scope: Scope, payment: Payment, requests: Sequence[AllocationIn]
) -> set[uuid.UUID]:
    """Apply explicit allocations after checking every one; returns the subsidiaries of the
    installments paid. Nothing is applied unless all of them pass."""
    wanted = [r.installment_id for r in requests]
    found = repository.installments(session, scope, WRITE, wanted)
    contracts = repository.contracts_by_id(session, (i.contract_id for i in found.values()))
    errors: list[FieldError] = []
    seen: set[uuid.UUID] = set()
    for index, request in enumerate(requests):
        field = f"allocations.{index}.installment_id"
        inst = found.get(request.installment_id)
        if request.installment_id in seen:
            errors.append(field_error(field, "duplicate"))
        seen.add(request.installment_id)
        if inst is None:
            errors.append(field_error(field, "unknown_reference"))
            continue
        contract = contracts[inst.contract_id]
        if inst.account_id != payment.account_id or (
            payment.contract_id is not None and inst.contract_id != payment.contract_id
        ):
            errors.append(field_error(field, "allocation_account_mismatch"))
        elif inst.currency != payment.currency:
            errors.append(
                field_error(
                    field,
                    "allocation_currency_mismatch",
                    installment_currency=inst.currency,
                    currency=payment.currency,
                )
            )
        elif contract.status not in ALLOCATABLE_CONTRACT_STATUSES:
            errors.append(
                field_error(field, "allocation_contract_status", contract_status=contract.status)
            )
    if errors:
        raise Invalid(fields=errors)

    over: list[FieldError] = []
    details: list[dict[str, Any]] = []
    for index, request in enumerate(requests):
        inst = found[request.installment_id]
        outstanding = inst.amount - inst.paid_amount
        if request.amount > outstanding:
            params: dict[str, Any] = {
                "installment": _installment_name(inst, contracts[inst.contract_id]),
                "outstanding": str(outstanding),
                "currency": inst.currency,
            }
            over.append(
                field_error(
                    f"allocations.{index}.amount", "allocation_exceeds_outstanding", **params
                )
            )
            details.append({"installment_id": str(inst.id), **params})
    if over:
        raise Invalid(
            "allocation_exceeds_outstanding",
            fields=over,
            extra={"installments": details},
            **{k: v for k, v in details[0].items() if k != "installment_id"},  # the first one
        )
    total = sum((r.amount for r in requests), ZERO)
    available = payment.amount - payment.allocated_amount
    if total > available:
        totals: dict[str, Any] = {
            "allocated": str(total),
            "available": str(available),
            "currency": payment.currency,
        }
        raise Invalid(
            "allocation_exceeds_payment",
            fields=[field_error("allocations", "allocation_exceeds_payment", **totals)],
            extra=totals,
            **totals,
        )
    existing = {a.installment_id: a for a in repository.allocations_of(session, payment.id)}
    for request in requests:
        _apply(session, payment, found[request.installment_id], request.amount, existing)
    return {found[r.installment_id].subsidiary_id for r in requests}


def _auto_allocate(session: Session, scope: Scope, payment: Payment) -> set[uuid.UUID]:
    """Fill the account's (or contract's) outstanding installments oldest due first with the
    payment's unapplied remainder; returns the subsidiaries of the installments paid."""
    available = payment.amount - payment.allocated_amount
    candidates = repository.open_installments_for(
        session,
        scope,
        WRITE,
        account_id=payment.account_id,
        contract_id=payment.contract_id,
        currency=payment.currency,
    )
    existing = {a.installment_id: a for a in repository.allocations_of(session, payment.id)}
    touched: set[uuid.UUID] = set()
    for inst in candidates:
        if available <= 0:
            break
        take = min(available, inst.amount - inst.paid_amount)
        _apply(session, payment, inst, take, existing)
        available -= take
        touched.add(inst.subsidiary_id)
    return touched


def _apply(
    session: Session,
    payment: Payment,
    inst: PaymentInstallment,
    amount: Decimal,
    existing: dict[uuid.UUID, PaymentAllocation],
) -> None:
    allocation = existing.get(inst.id)
    if allocation is None:
        allocation = PaymentAllocation(
            payment_id=payment.id,
            installment_id=inst.id,
            subsidiary_id=inst.subsidiary_id,
            unit_id=inst.unit_id,
            amount=amount,
            created_at=clock.now(),
        )
        session.add(allocation)
        existing[inst.id] = allocation
    else:
        allocation.amount = allocation.amount + amount
    # Updating the installment row bumps its version: a concurrent allocation that read the
    # same version fails at flush (409 version_conflict) instead of over-allocating.
    inst.paid_amount = inst.paid_amount + amount
    if inst.paid_amount >= inst.amount:
        inst.paid_at = payment.received_on
    payment.allocated_amount = payment.allocated_amount + amount


# --- receivables and aging ----------------------------------------------------------------


def list_receivables(
    session: Session,
    scope: Scope,
    page: PageRequest,
    *,
    as_of: date | None,
    account_id: uuid.UUID | None,
    contract_id: uuid.UUID | None,
    subsidiary_id: uuid.UUID | None,
    unit_id: uuid.UUID | None = None,
    owner_id: uuid.UUID | None = None,
    overdue: bool | None = None,
) -> Page[ReceivableOut]:
    """Installments with money outstanding that the caller's ``payment.read`` reaches, with
    their days overdue and aging bucket at ``as_of`` (default: today). ``overdue``: only
    those past due at ``as_of`` (true) or only those not yet due (false)."""
    day = as_of or _group_today(session)
    filters = ReceivableFilters(
        as_of=day,
        account_id=account_id,
        contract_id=contract_id,
        subsidiary_id=subsidiary_id,
        unit_id=unit_id,
        owner_id=owner_id,
        overdue=overdue,
    )
    result = repository.list_receivables(session, scope, READ, page, filters)
    rows = result.rows
    numbers = repository.visible_contract_numbers(
        session, scope, CONTRACT_READ, (r.contract_id for r in rows)
    )
    accounts = lookup.visible_account_names(
        session, scope, (r.account_id for r in rows), ACCOUNT_READ
    )
    owners = lookup.user_names(session, (r.owner_id for r in rows))
    items = []
    for inst in rows:
        days = aging.days_overdue(day, inst.due_date)
        items.append(
            ReceivableOut(
                id=inst.id,
                contract_id=inst.contract_id,
                contract_number=numbers.get(inst.contract_id),
                account_id=inst.account_id,
                account_name=accounts.get(inst.account_id),
                seq=inst.seq,
                label=inst.label,
                due_date=inst.due_date,
                amount=inst.amount,
                invoiced_amount=inst.invoiced_amount,
                paid_amount=inst.paid_amount,
                outstanding=inst.amount - inst.paid_amount,
                currency=inst.currency,
                days_overdue=days,
                bucket=aging.bucket_for(days),
                subsidiary_id=inst.subsidiary_id,
                unit_id=inst.unit_id,
                owner_id=inst.owner_id,
                owner_name=owners.get(inst.owner_id) if inst.owner_id else None,
                version=inst.version,
            )
        )
    return _page_out(items, result.next_cursor, result.total)


def aging_report(
    session: Session,
    scope: Scope,
    *,
    as_of: date | None = None,
    group_by: str = "account",
    subsidiary_id: uuid.UUID | None = None,
    account_id: uuid.UUID | None = None,
    currency: str | None = None,
) -> AgingOut:
    """Aging of the receivables the caller's ``payment.read`` reaches: one GROUP BY query
    with a CASE per bucket (``aging.BUCKETS``), rows per account / subsidiary / owning unit
    and currency, totals per currency, and all of it converted into ``currency`` (default:
    the group's) at the ``period_end`` rates of the ``as_of`` month. Currencies without a
    rate are listed in ``missing_rates`` and left out of the converted totals."""
    root = repository.group_root(session)
    day = as_of or credit.local_today(root, clock.now())
    target = (currency or (root.currency if root else None) or "CNY").upper()
    if not is_valid_currency(target):
        raise Invalid(fields=[field_error("currency", "invalid_currency")])
    raw = repository.aging_rows(
        session,
        scope,
        READ,
        as_of=day,
        group_by=group_by,
        subsidiary_id=subsidiary_id,
        account_id=account_id,
    )
    rows = [row._mapping for row in raw]
    labels = _aging_labels(session, scope, group_by, [row["key"] for row in rows])
    out_rows: list[AgingRowOut] = []
    by_currency: dict[str, dict[str, Decimal]] = {}
    for row in rows:
        amounts = aging.amounts_of(row)
        aging.add(by_currency.setdefault(row["currency"], {}), amounts)
        out_rows.append(
            AgingRowOut(
                key=row["key"],
                label=labels.get(row["key"]),
                currency=row["currency"],
                installments=row["installments"],
                oldest_due_date=row["oldest_due_date"],
                max_days_overdue=max(aging.days_overdue(day, row["oldest_due_date"]), 0),
                **amounts,
            )
        )
    totals = {code: aging.with_totals(amounts) for code, amounts in by_currency.items()}
    rates = RateTable.load(session, {target, *totals}, [day], [aging.RATE_TYPE])
    converted = aging.convert_totals(totals, target, day, rates)
    return AgingOut(
        as_of=day,
        group_by=group_by,
        currency=target,
        buckets=[
            BucketOut(code=b.code, min_days=b.min_days, max_days=b.max_days) for b in aging.BUCKETS
        ],
        rows=out_rows,
        totals=AgingTotals(
            by_currency=[
                AgingCurrencyTotal(currency=code, **totals[code]) for code in sorted(totals)
            ],
            converted=AgingConverted(
                currency=target,
                rates=[RateUsed(currency=c, rate=r) for c, r in sorted(converted.rates.items())],
                **converted.amounts,
            ),
            missing_rates=converted.missing_rates,
        ),
    )


def _aging_labels(
    session: Session, scope: Scope, group_by: str, keys: list[uuid.UUID]
) -> dict[uuid.UUID, str]:
    if group_by == "account":
        return lookup.visible_account_names(session, scope, keys, ACCOUNT_READ)
    return {unit_id: unit.name for unit_id, unit in lookup.units_by_id(session, keys).items()}


def account_aging(
    session: Session,
    scope: Scope,
    account_id: uuid.UUID,
    *,
    as_of: date | None,
    group_by: str,
    currency: str | None,
) -> AgingOut:
    """Aging of one account the caller sees (``account.read``; 404 otherwise), within their
    ``payment.read`` reach."""
    account = get_visible(session, scope, Account, ACCOUNT_READ, account_id)
    return aging_report(
        session, scope, as_of=as_of, group_by=group_by, account_id=account.id, currency=currency
    )


# --- credit rules -------------------------------------------------------------------------


def _rule_out(unit: OrgUnit, rule: CreditRule | None) -> CreditRuleOut:
    return CreditRuleOut(
        subsidiary_id=unit.id,
        subsidiary_name=unit.name,
        currency=unit.currency,
        configured=rule is not None,
        max_overdue_days=rule.max_overdue_days if rule else DEFAULT_MAX_OVERDUE_DAYS,
        min_overdue_amount=rule.min_overdue_amount if rule else ZERO,
        is_active=rule.is_active if rule else False,
        version=rule.version if rule else None,
        updated_at=rule.updated_at if rule else None,
    )


def _rule_subsidiaries(session: Session, scope: Scope) -> set[uuid.UUID]:
    """Subsidiaries whose credit rule the caller may read: where their ``payment.read`` or
    ``credit.admin`` reaches any unit."""
    return repository.subsidiaries_reached(session, scope, (READ, CREDIT_ADMIN))


def list_credit_rules(session: Session, scope: Scope, page: PageRequest) -> Page[CreditRuleOut]:
    """One row per subsidiary the caller may read; a subsidiary without a rule shows the
    defaults with ``configured: false`` (no credit control there)."""
    result = repository.list_rule_subsidiaries(session, _rule_subsidiaries(session, scope), page)
    rules = repository.rules_for(session, (u.id for u in result.rows))
    items = [_rule_out(unit, rules.get(unit.id)) for unit in result.rows]
    return _page_out(items, result.next_cursor, result.total)


def get_credit_rule(session: Session, scope: Scope, subsidiary_id: uuid.UUID) -> CreditRuleOut:
    unit = repository.subsidiary_unit(session, subsidiary_id)
    if unit is None or unit.id not in _rule_subsidiaries(session, scope):
        raise NotFound()
    return _rule_out(unit, repository.rules_for(session, [unit.id]).get(unit.id))


def put_credit_rule(
    session: Session, scope: Scope, subsidiary_id: uuid.UUID, data: CreditRulePut
) -> CreditRuleOut:
    """Set a subsidiary's credit rule (created on first use). Needs ``credit.admin``
    reaching the subsidiary; ``version`` must be the one last read (``null`` before the
    first rule). The next review (the daily job, or a payment) applies it."""
    scope.require(CREDIT_ADMIN)
    unit = repository.subsidiary_unit(session, subsidiary_id)
    if unit is None:
        raise NotFound()
    if not scope.reaches_unit(session, CREDIT_ADMIN, unit.id):
        if unit.id in _rule_subsidiaries(session, scope):
            raise Forbidden("out_of_scope")
        raise NotFound()
    rule = repository.rules_for(session, [unit.id]).get(unit.id)
    if (rule.version if rule is not None else None) != data.version:
        raise Conflict("version_conflict")
    if rule is None:
        rule = CreditRule(subsidiary_id=unit.id)
        session.add(rule)
    rule.max_overdue_days = data.max_overdue_days
    rule.min_overdue_amount = data.min_overdue_amount
    rule.is_active = data.is_active
    session.flush()
    return _rule_out(unit, rule)


# --- credit holds -------------------------------------------------------------------------


def present_holds(
    session: Session, scope: Scope, holds: Sequence[CreditHold]
) -> list[CreditHoldOut]:
    accounts = lookup.visible_account_names(
        session, scope, (h.account_id for h in holds), ACCOUNT_READ
    )
    units = lookup.units_by_id(session, (h.subsidiary_id for h in holds))
    out = []
    for hold in holds:
        unit = units.get(hold.subsidiary_id)
        out.append(
            CreditHoldOut(
                id=hold.id,
                account_id=hold.account_id,
                account_name=accounts.get(hold.account_id),
                subsidiary_id=hold.subsidiary_id,
                subsidiary_name=unit.name if unit else None,
                currency=unit.currency if unit else None,
                status=hold.status,
                reason=hold.reason,
                max_days_overdue=hold.max_days_overdue,
                overdue_amount=hold.overdue_amount,
                placed_at=hold.placed_at,
                released_at=hold.released_at,
                version=hold.version,
            )
        )
    return out


def list_credit_holds(
    session: Session, scope: Scope, page: PageRequest, filters: HoldFilters
) -> Page[CreditHoldOut]:
    """Holds on the accounts the caller sees (``account.read``); nothing for a caller who
    holds no ``payment.read`` at all."""
    if not scope.has(READ):
        return _page_out([], None, 0 if page.include_total else None)
    result = repository.list_holds(session, scope, ACCOUNT_READ, page, filters)
    return _page_out(present_holds(session, scope, result.rows), result.next_cursor, result.total)


def account_credit(
    session: Session,
    scope: Scope,
    account_id: uuid.UUID,
    *,
    as_of: date | None,
    currency: str | None,
) -> AccountCreditOut:
    """An account's active holds and its aging per subsidiary (``account.read`` on the
    account, 404 otherwise; receivables within ``payment.read``)."""
    account = get_visible(session, scope, Account, ACCOUNT_READ, account_id)
    holds = repository.account_holds(session, account.id, "active") if scope.has(READ) else []
    report = aging_report(
        session, scope, as_of=as_of, group_by="subsidiary", account_id=account.id, currency=currency
    )
    return AccountCreditOut(
        account_id=account.id,
        on_hold=bool(holds),
        holds=present_holds(session, scope, holds),
        aging=report,
    )
