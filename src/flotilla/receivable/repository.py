"""All queries of invoices, payments, receivables, aging and credit control.

Reads of ``invoice``, ``payment`` and ``payment_installment`` start from ``Scope.restrict``.
The unscoped reads below are deliberate and say why: labels of records the caller already
sees, the contract status behind a visible installment, and the credit review, which judges
an account's whole receivable in a subsidiary whoever triggered it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select, type_coerce
from sqlalchemy.orm import Session

from flotilla.core.list_filters import ANY_DAY, DayRange, in_unit_subtree
from flotilla.core.money import MoneyType
from flotilla.core.pagination import PageRequest, RowPage, paginate
from flotilla.core.scope import Scope, system_access
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
from flotilla.receivable import aging

# Contracts whose installments are receivables (and may be invoiced); payments are allocated
# to signed and active contracts only (a completed contract is fully paid by definition).
RECEIVABLE_CONTRACT_STATUSES = ("signed", "active", "completed")
ALLOCATABLE_CONTRACT_STATUSES = ("signed", "active")

# Outstanding = amount − paid_amount, in stored hundredths (SQL arithmetic on the raw BIGINT)
# and as money (Decimal) where it is read back.
OUTSTANDING_CENTS: Any = PaymentInstallment.amount - PaymentInstallment.paid_amount
OUTSTANDING: Any = type_coerce(OUTSTANDING_CENTS, MoneyType())
HAS_OUTSTANDING: Any = PaymentInstallment.amount > PaymentInstallment.paid_amount

INVOICE_SORTABLE: dict[str, Any] = {
    "issued_on": Invoice.issued_on,
    "created_at": Invoice.created_at,
    "amount": Invoice.amount,
    "number": Invoice.number,
}
PAYMENT_SORTABLE: dict[str, Any] = {
    "received_on": Payment.received_on,
    "created_at": Payment.created_at,
    "amount": Payment.amount,
}
RECEIVABLE_SORTABLE: dict[str, Any] = {
    "due_date": PaymentInstallment.due_date,
    "amount": PaymentInstallment.amount,
    "outstanding": OUTSTANDING,
}
HOLD_SORTABLE: dict[str, Any] = {
    "placed_at": CreditHold.placed_at,
    "overdue_amount": CreditHold.overdue_amount,
    "max_days_overdue": CreditHold.max_days_overdue,
}
RULE_SORTABLE: dict[str, Any] = {"code": OrgUnit.code, "name": OrgUnit.name}


# --- installments -------------------------------------------------------------------------


def installment(
    session: Session, scope: Scope, permission: str, installment_id: uuid.UUID
) -> PaymentInstallment | None:
    stmt = select(PaymentInstallment).where(PaymentInstallment.id == installment_id)
    return session.execute(
        scope.restrict(stmt, PaymentInstallment, permission)
    ).scalar_one_or_none()


def installments(
    session: Session, scope: Scope, permission: str, ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, PaymentInstallment]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    stmt = select(PaymentInstallment).where(PaymentInstallment.id.in_(wanted))
    rows = session.execute(scope.restrict(stmt, PaymentInstallment, permission)).scalars()
    return {row.id: row for row in rows}


def installments_by_id(
    session: Session, ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, PaymentInstallment]:
    """Installments a visible invoice or payment is tied to (its own allocations), kept in
    step with it whichever unit they sit in now: unscoped on purpose."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    stmt = select(PaymentInstallment).where(PaymentInstallment.id.in_(wanted))
    return {row.id: row for row in session.execute(system_access(stmt)).scalars()}


def open_installments_for(
    session: Session,
    scope: Scope,
    permission: str,
    *,
    account_id: uuid.UUID,
    contract_id: uuid.UUID | None,
    currency: str,
) -> list[PaymentInstallment]:
    """Installments a payment may be auto-allocated to, oldest due first: the account's
    (and contract's) outstanding installments in the payment's currency on signed or active
    contracts that ``permission`` reaches."""
    stmt = (
        select(PaymentInstallment)
        .join(Contract, Contract.id == PaymentInstallment.contract_id)
        .where(
            PaymentInstallment.account_id == account_id,
            PaymentInstallment.currency == currency,
            HAS_OUTSTANDING,
            Contract.status.in_(ALLOCATABLE_CONTRACT_STATUSES),
        )
        .order_by(PaymentInstallment.due_date, PaymentInstallment.seq, PaymentInstallment.id)
    )
    if contract_id is not None:
        stmt = stmt.where(PaymentInstallment.contract_id == contract_id)
    return list(session.execute(scope.restrict(stmt, PaymentInstallment, permission)).scalars())


@dataclass(frozen=True)
class ReceivableFilters:
    as_of: date
    account_id: uuid.UUID | None = None
    contract_id: uuid.UUID | None = None
    subsidiary_id: uuid.UUID | None = None
    unit_id: uuid.UUID | None = None
    owner_id: uuid.UUID | None = None
    # True: past due at ``as_of``; False: not yet due (every row has money outstanding).
    overdue: bool | None = None


def _receivables(scope: Scope, permission: str) -> Select[PaymentInstallment]:
    stmt = (
        select(PaymentInstallment)
        .join(Contract, Contract.id == PaymentInstallment.contract_id)
        .where(HAS_OUTSTANDING, Contract.status.in_(RECEIVABLE_CONTRACT_STATUSES))
    )
    return scope.restrict(stmt, PaymentInstallment, permission)


def list_receivables(
    session: Session,
    scope: Scope,
    permission: str,
    page: PageRequest,
    filters: ReceivableFilters,
) -> RowPage[PaymentInstallment]:
    stmt = _receivables(scope, permission)
    if filters.account_id is not None:
        stmt = stmt.where(PaymentInstallment.account_id == filters.account_id)
    if filters.contract_id is not None:
        stmt = stmt.where(PaymentInstallment.contract_id == filters.contract_id)
    if filters.subsidiary_id is not None:
        stmt = stmt.where(PaymentInstallment.subsidiary_id == filters.subsidiary_id)
    if filters.unit_id is not None:
        stmt = stmt.where(in_unit_subtree(PaymentInstallment.unit_id, filters.unit_id))
    if filters.owner_id is not None:
        stmt = stmt.where(PaymentInstallment.owner_id == filters.owner_id)
    if filters.overdue is True:
        stmt = stmt.where(PaymentInstallment.due_date < filters.as_of)
    elif filters.overdue is False:
        stmt = stmt.where(PaymentInstallment.due_date >= filters.as_of)
    return paginate(
        session,
        stmt,
        request=page,
        sortable=RECEIVABLE_SORTABLE,
        default_sort="due_date",
        id_column=PaymentInstallment.id,
    )


AGING_KEYS: dict[str, Any] = {
    "account": PaymentInstallment.account_id,
    "subsidiary": PaymentInstallment.subsidiary_id,
    "unit": PaymentInstallment.unit_id,
}


def aging_rows(
    session: Session,
    scope: Scope,
    permission: str,
    *,
    as_of: date,
    group_by: str,
    subsidiary_id: uuid.UUID | None = None,
    account_id: uuid.UUID | None = None,
) -> list[Any]:
    """One row per (group key, currency) with the bucket sums: a single GROUP BY with CASE
    buckets over the receivables ``permission`` reaches, largest total first."""
    key = AGING_KEYS[group_by]
    stmt = (
        select(
            key.label("key"),
            PaymentInstallment.currency.label("currency"),
            func.count().label("installments"),
            func.min(PaymentInstallment.due_date).label("oldest_due_date"),
            *aging.bucket_sums(PaymentInstallment.due_date, OUTSTANDING_CENTS, as_of),
        )
        .join(Contract, Contract.id == PaymentInstallment.contract_id)
        .where(HAS_OUTSTANDING, Contract.status.in_(RECEIVABLE_CONTRACT_STATUSES))
        .group_by(key, PaymentInstallment.currency)
        .order_by(func.sum(OUTSTANDING_CENTS).desc(), key, PaymentInstallment.currency)
    )
    if subsidiary_id is not None:
        stmt = stmt.where(PaymentInstallment.subsidiary_id == subsidiary_id)
    if account_id is not None:
        stmt = stmt.where(PaymentInstallment.account_id == account_id)
    return list(session.execute(scope.restrict(stmt, PaymentInstallment, permission)).all())


# --- contracts and accounts ---------------------------------------------------------------


def contract_by_id(session: Session, contract_id: uuid.UUID) -> Contract:
    """The contract behind an installment the caller already reached: its status and number
    decide what may be done with the installment. Unscoped on purpose."""
    stmt = select(Contract).where(Contract.id == contract_id)
    return session.execute(system_access(stmt)).scalar_one()


def contracts_by_id(session: Session, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Contract]:
    """Contracts behind installments the caller already reached (status checks)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    stmt = select(Contract).where(Contract.id.in_(wanted))
    return {row.id: row for row in session.execute(system_access(stmt)).scalars()}


def visible_contract(
    session: Session, scope: Scope, permission: str, contract_id: uuid.UUID
) -> Contract | None:
    stmt = select(Contract).where(Contract.id == contract_id)
    return session.execute(scope.restrict(stmt, Contract, permission)).scalar_one_or_none()


def visible_account(
    session: Session, scope: Scope, permission: str, account_id: uuid.UUID
) -> Account | None:
    stmt = select(Account).where(Account.id == account_id)
    return session.execute(scope.restrict(stmt, Account, permission)).scalar_one_or_none()


def visible_contract_numbers(
    session: Session, scope: Scope, permission: str, ids: Iterable[uuid.UUID | None]
) -> dict[uuid.UUID, str]:
    """Numbers of the contracts ``permission`` reaches (others stay unnamed)."""
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    stmt = select(Contract.id, Contract.number).where(Contract.id.in_(wanted))
    return {
        row.id: row.number for row in session.execute(scope.restrict(stmt, Contract, permission))
    }


def group_root(session: Session) -> OrgUnit | None:
    """The group root (its currency and time zone are the report defaults)."""
    stmt = select(OrgUnit).where(OrgUnit.kind == "group", OrgUnit.parent_id.is_(None)).limit(1)
    return session.execute(system_access(stmt)).scalar_one_or_none()


# --- invoices -----------------------------------------------------------------------------


@dataclass(frozen=True)
class InvoiceFilters:
    contract_id: uuid.UUID | None = None
    account_id: uuid.UUID | None = None
    status: str | None = None
    issued_from: date | None = None
    issued_to: date | None = None
    q: str | None = None


def list_invoices(
    session: Session, scope: Scope, permission: str, page: PageRequest, filters: InvoiceFilters
) -> RowPage[Invoice]:
    stmt = scope.restrict(select(Invoice), Invoice, permission)
    if filters.contract_id is not None:
        stmt = stmt.where(Invoice.contract_id == filters.contract_id)
    if filters.account_id is not None:
        stmt = stmt.where(Invoice.account_id == filters.account_id)
    if filters.status is not None:
        stmt = stmt.where(Invoice.status == filters.status)
    if filters.issued_from is not None:
        stmt = stmt.where(Invoice.issued_on >= filters.issued_from)
    if filters.issued_to is not None:
        stmt = stmt.where(Invoice.issued_on <= filters.issued_to)
    if filters.q:
        pattern = f"%{filters.q.lower()}%"
        stmt = stmt.where(
            func.lower(Invoice.number).like(pattern)
            | func.lower(func.coalesce(Invoice.external_number, "")).like(pattern)
        )
    return paginate(
        session,
        stmt,
        request=page,
        sortable=INVOICE_SORTABLE,
        default_sort="-issued_on",
        id_column=Invoice.id,
    )


# --- payments -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentFilters:
    account_id: uuid.UUID | None = None
    contract_id: uuid.UUID | None = None
    status: str | None = None
    received: DayRange = ANY_DAY
    unit_id: uuid.UUID | None = None
    owner_id: uuid.UUID | None = None
    q: str | None = None


def list_payments(
    session: Session, scope: Scope, permission: str, page: PageRequest, filters: PaymentFilters
) -> RowPage[Payment]:
    stmt = scope.restrict(select(Payment), Payment, permission)
    if filters.account_id is not None:
        stmt = stmt.where(Payment.account_id == filters.account_id)
    if filters.contract_id is not None:
        stmt = stmt.where(Payment.contract_id == filters.contract_id)
    if filters.status is not None:
        stmt = stmt.where(Payment.status == filters.status)
    stmt = stmt.where(*filters.received.on_dates(Payment.received_on))
    if filters.unit_id is not None:
        stmt = stmt.where(in_unit_subtree(Payment.unit_id, filters.unit_id))
    if filters.owner_id is not None:
        stmt = stmt.where(Payment.owner_id == filters.owner_id)
    if filters.q:
        pattern = f"%{filters.q.lower()}%"
        stmt = stmt.where(
            func.lower(func.coalesce(Payment.reference, "")).like(pattern)
            | func.lower(func.coalesce(Payment.payer_name, "")).like(pattern)
        )
    return paginate(
        session,
        stmt,
        request=page,
        sortable=PAYMENT_SORTABLE,
        default_sort="-received_on",
        id_column=Payment.id,
    )


def allocations_of(session: Session, payment_id: uuid.UUID) -> list[PaymentAllocation]:
    stmt = (
        select(PaymentAllocation)
        .where(PaymentAllocation.payment_id == payment_id)
        .order_by(PaymentAllocation.created_at, PaymentAllocation.id)
    )
    return list(session.execute(stmt).scalars())


# --- credit rules and holds ---------------------------------------------------------------


def subsidiaries_reached(
    session: Session, scope: Scope, permissions: Sequence[str]
) -> set[uuid.UUID]:
    """Subsidiaries in which any of ``permissions`` reaches at least one unit (a manager
    whose reach is one department still works under their subsidiary's credit rule)."""
    found: set[uuid.UUID] = set()
    for permission in permissions:
        if scope.reach(permission).is_empty:
            continue
        stmt = select(OrgUnit.subsidiary_id).where(OrgUnit.subsidiary_id.is_not(None)).distinct()
        rows = session.execute(scope.restrict(stmt, OrgUnit, permission)).scalars()
        found.update(sid for sid in rows if sid is not None)
    return found


def list_rule_subsidiaries(
    session: Session, subsidiary_ids: Iterable[uuid.UUID], page: PageRequest
) -> RowPage[OrgUnit]:
    """Subsidiary units among ``subsidiary_ids`` (computed through the scope by
    ``subsidiaries_reached``), a page at a time."""
    stmt = select(OrgUnit).where(
        OrgUnit.kind == "subsidiary", OrgUnit.id.in_(sorted(set(subsidiary_ids)))
    )
    return paginate(
        session,
        system_access(stmt),
        request=page,
        sortable=RULE_SORTABLE,
        default_sort="code",
        id_column=OrgUnit.id,
    )


def subsidiary_unit(session: Session, subsidiary_id: uuid.UUID) -> OrgUnit | None:
    """A subsidiary unit by id; callers decide visibility (``subsidiaries_reached``)."""
    stmt = select(OrgUnit).where(OrgUnit.id == subsidiary_id, OrgUnit.kind == "subsidiary")
    return session.execute(system_access(stmt)).scalar_one_or_none()


def rules_for(session: Session, subsidiary_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, CreditRule]:
    wanted = sorted(set(subsidiary_ids))
    if not wanted:
        return {}
    stmt = select(CreditRule).where(CreditRule.subsidiary_id.in_(wanted))
    return {row.subsidiary_id: row for row in session.execute(stmt).scalars()}


def lock_rule(session: Session, subsidiary_id: uuid.UUID) -> CreditRule | None:
    """The subsidiary's rule row, locked for this transaction (PostgreSQL ``FOR UPDATE``):
    credit reviews in one subsidiary run one at a time, so two reviews can never both put
    the same account on hold. SQLite writers are serialized already."""
    stmt = (
        select(CreditRule)
        .where(CreditRule.subsidiary_id == subsidiary_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return session.execute(stmt).scalar_one_or_none()


def active_rules(session: Session) -> list[CreditRule]:
    stmt = select(CreditRule).where(CreditRule.is_active.is_(True)).order_by(CreditRule.id)
    return list(session.execute(stmt).scalars())


def active_holds(
    session: Session, subsidiary_id: uuid.UUID, account_id: uuid.UUID | None = None
) -> list[CreditHold]:
    """Active holds in a subsidiary (of one account), re-read from the database."""
    stmt = (
        select(CreditHold)
        .where(CreditHold.subsidiary_id == subsidiary_id, CreditHold.status == "active")
        .order_by(CreditHold.placed_at, CreditHold.id)
        .execution_options(populate_existing=True)
    )
    if account_id is not None:
        stmt = stmt.where(CreditHold.account_id == account_id)
    return list(session.execute(stmt).scalars())


def subsidiaries_with_active_holds(session: Session) -> list[uuid.UUID]:
    stmt = (
        select(CreditHold.subsidiary_id)
        .where(CreditHold.status == "active")
        .distinct()
        .order_by(CreditHold.subsidiary_id)
    )
    return list(session.execute(stmt).scalars())


def overdue_by_account(
    session: Session, subsidiary_id: uuid.UUID, today: date, account_id: uuid.UUID | None = None
) -> list[Any]:
    """Per (account, currency): the oldest overdue due date and the overdue outstanding
    (due before ``today``) in one subsidiary. The credit review judges the account's whole
    receivable there, whoever triggered it, so this is unscoped on purpose."""
    stmt = (
        select(
            PaymentInstallment.account_id.label("account_id"),
            PaymentInstallment.currency.label("currency"),
            func.min(PaymentInstallment.due_date).label("oldest_due_date"),
            type_coerce(func.sum(OUTSTANDING_CENTS), MoneyType()).label("overdue"),
        )
        .join(Contract, Contract.id == PaymentInstallment.contract_id)
        .where(
            PaymentInstallment.subsidiary_id == subsidiary_id,
            PaymentInstallment.due_date < today,
            HAS_OUTSTANDING,
            Contract.status.in_(RECEIVABLE_CONTRACT_STATUSES),
        )
        .group_by(PaymentInstallment.account_id, PaymentInstallment.currency)
        .order_by(PaymentInstallment.account_id, PaymentInstallment.currency)
    )
    if account_id is not None:
        stmt = stmt.where(PaymentInstallment.account_id == account_id)
    return list(session.execute(system_access(stmt)).all())


@dataclass(frozen=True)
class HoldFilters:
    status: str | None = None
    subsidiary_id: uuid.UUID | None = None
    account_id: uuid.UUID | None = None


def _visible_holds(scope: Scope, account_permission: str) -> Select[CreditHold]:
    visible_accounts = scope.restrict(select(Account.id), Account, account_permission)
    return select(CreditHold).where(CreditHold.account_id.in_(visible_accounts))


def list_holds(
    session: Session,
    scope: Scope,
    account_permission: str,
    page: PageRequest,
    filters: HoldFilters,
) -> RowPage[CreditHold]:
    """Holds on accounts ``account_permission`` reaches."""
    stmt = _visible_holds(scope, account_permission)
    if filters.status is not None:
        stmt = stmt.where(CreditHold.status == filters.status)
    if filters.subsidiary_id is not None:
        stmt = stmt.where(CreditHold.subsidiary_id == filters.subsidiary_id)
    if filters.account_id is not None:
        stmt = stmt.where(CreditHold.account_id == filters.account_id)
    return paginate(
        session,
        stmt,
        request=page,
        sortable=HOLD_SORTABLE,
        default_sort="-placed_at",
        id_column=CreditHold.id,
    )


def account_holds(session: Session, account_id: uuid.UUID, status: str) -> list[CreditHold]:
    """Holds of one account the caller already sees."""
    stmt = (
        select(CreditHold)
        .where(CreditHold.account_id == account_id, CreditHold.status == status)
        .order_by(CreditHold.placed_at, CreditHold.id)
    )
    return list(session.execute(stmt).scalars())
