"""All contract queries. Every read of ``contract`` starts from ``Scope.restrict``; the
children of a contract (installments, amendments) are read by ``contract_id`` only after the
contract itself was loaded through the scope."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Date, Select, func, literal, or_, select
from sqlalchemy.orm import Session

from flotilla.core.list_filters import ANY_DAY, DayRange, in_unit_subtree
from flotilla.core.pagination import PageRequest, RowPage, paginate
from flotilla.core.scope import Scope, system_access
from flotilla.models.ltc import (
    Contract,
    ContractAmendment,
    CreditHold,
    Invoice,
    PaymentAllocation,
    PaymentInstallment,
    Quote,
)


def _signing_date_sort(descending: bool) -> Any:
    """The signing date with unsigned contracts last, whichever way the list is sorted."""
    sentinel = date.min if descending else date.max
    return func.coalesce(Contract.signing_date, literal(sentinel, Date))


SORTABLE: dict[str, Any] = {
    "created_at": Contract.created_at,
    "updated_at": Contract.updated_at,
    "number": Contract.number,
    "signing_date": _signing_date_sort,
    "amount": Contract.amount,
}
DEFAULT_SORT = "-created_at"


@dataclass(frozen=True)
class ContractFilters:
    status: str | None = None
    account_id: uuid.UUID | None = None
    opportunity_id: uuid.UUID | None = None
    owner_id: uuid.UUID | None = None
    subsidiary_id: uuid.UUID | None = None
    unit_id: uuid.UUID | None = None
    # Signed in the range *and in force*: the drill-down behind the signed-amount figures.
    signed: DayRange = ANY_DAY
    q: str | None = None


# A contract counts as signed from signing until it is terminated.
IN_FORCE_STATUSES = ("signed", "active", "completed")


def _filtered(scope: Scope, permission: str, filters: ContractFilters) -> Select[Contract]:
    stmt = scope.restrict(select(Contract), Contract, permission)
    if filters.status is not None:
        stmt = stmt.where(Contract.status == filters.status)
    if filters.account_id is not None:
        stmt = stmt.where(Contract.account_id == filters.account_id)
    if filters.opportunity_id is not None:
        stmt = stmt.where(Contract.opportunity_id == filters.opportunity_id)
    if filters.owner_id is not None:
        stmt = stmt.where(Contract.owner_id == filters.owner_id)
    if filters.subsidiary_id is not None:
        stmt = stmt.where(Contract.subsidiary_id == filters.subsidiary_id)
    if filters.unit_id is not None:
        stmt = stmt.where(in_unit_subtree(Contract.unit_id, filters.unit_id))
    if filters.signed:
        stmt = stmt.where(
            *filters.signed.on_dates(Contract.signing_date),
            Contract.status.in_(IN_FORCE_STATUSES),
        )
    if filters.q:
        needle = f"%{filters.q.lower()}%"
        stmt = stmt.where(
            or_(func.lower(Contract.title).like(needle), func.lower(Contract.number).like(needle))
        )
    return stmt


def list_contracts(
    session: Session,
    scope: Scope,
    permission: str,
    page: PageRequest,
    filters: ContractFilters,
) -> RowPage[Contract]:
    return paginate(
        session,
        _filtered(scope, permission, filters),
        request=page,
        sortable=SORTABLE,
        default_sort=DEFAULT_SORT,
        id_column=Contract.id,
    )


def reachable(
    session: Session, scope: Scope, model: Any, permission: str, record_id: uuid.UUID
) -> bool:
    """Whether ``permission`` reaches one scoped record (tells 403 from "unknown")."""
    stmt = scope.restrict(select(model.id).where(model.id == record_id), model, permission)
    return session.execute(stmt).first() is not None


def contract_for_system(session: Session, contract_id: uuid.UUID) -> Contract | None:
    """The contract behind an approval decision. The approval engine has already checked
    that the decider may decide; the outcome moves the record whoever can see it."""
    stmt = select(Contract).where(Contract.id == contract_id)
    return session.execute(system_access(stmt)).scalar_one_or_none()


def live_contract_for_quote(
    session: Session, quote_id: uuid.UUID, excluding: uuid.UUID | None = None
) -> uuid.UUID | None:
    """A non-terminated contract backed by the quote, seen or not: a quote backs at most one
    contract group-wide (the caller only learns that one exists, never which)."""
    stmt = select(Contract.id).where(Contract.quote_id == quote_id, Contract.status != "terminated")
    if excluding is not None:
        stmt = stmt.where(Contract.id != excluding)
    return session.execute(system_access(stmt.limit(1))).scalar_one_or_none()


def quote_discount(session: Session, quote_id: uuid.UUID) -> Any:
    """The overall discount of the contract's own source quote (an approval fact)."""
    stmt = select(Quote.discount_pct).where(Quote.id == quote_id)
    return session.execute(system_access(stmt)).scalar_one_or_none()


def installments_of(session: Session, contract_id: uuid.UUID) -> list[PaymentInstallment]:
    # Installments carry their contract's placement; the contract was loaded through the
    # scope, so its plan is read by contract id (a plan is never partially visible).
    stmt = (
        select(PaymentInstallment)
        .where(PaymentInstallment.contract_id == contract_id)
        .order_by(PaymentInstallment.seq, PaymentInstallment.id)
    )
    return list(session.execute(system_access(stmt)).scalars())


def installments_with_history(
    session: Session, installment_ids: Iterable[uuid.UUID]
) -> set[uuid.UUID]:
    """Installments that an invoice or a payment allocation refers to (even a voided or
    reversed one): they are part of the books and cannot be removed from the plan."""
    ids = sorted(set(installment_ids))
    if not ids:
        return set()
    invoiced = select(Invoice.installment_id).where(Invoice.installment_id.in_(ids))
    allocated = select(PaymentAllocation.installment_id).where(
        PaymentAllocation.installment_id.in_(ids)
    )
    found = set(session.execute(system_access(invoiced)).scalars())
    found |= set(session.execute(allocated).scalars())
    return found


def amendments_of(session: Session, contract_id: uuid.UUID) -> list[ContractAmendment]:
    stmt = (
        select(ContractAmendment)
        .where(ContractAmendment.contract_id == contract_id)
        .order_by(ContractAmendment.seq)
    )
    return list(session.execute(stmt).scalars())


def last_amendment_seq(session: Session, contract_id: uuid.UUID) -> int:
    stmt = select(func.max(ContractAmendment.seq)).where(
        ContractAmendment.contract_id == contract_id
    )
    return int(session.execute(stmt).scalar_one() or 0)


def active_credit_hold(
    session: Session, account_id: uuid.UUID, subsidiary_id: uuid.UUID
) -> CreditHold | None:
    """The account's active hold in this subsidiary (the latest placed, if several)."""
    stmt = (
        select(CreditHold)
        .where(
            CreditHold.account_id == account_id,
            CreditHold.subsidiary_id == subsidiary_id,
            CreditHold.status == "active",
        )
        .order_by(CreditHold.placed_at.desc(), CreditHold.id)
        .limit(1)
    )
    return session.execute(stmt).scalar_one_or_none()
