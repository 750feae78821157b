"""All quote queries. Every read of ``quote`` starts from ``Scope.restrict``; quote lines,
products and price books are not scoped rows and are read only for a quote already
loaded through the scope."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from flotilla.core.pagination import PageRequest, RowPage, paginate
from flotilla.core.scope import Scope, system_access
from flotilla.models.approval import ApprovalTask
from flotilla.models.ltc import PriceBook, Product, Quote, QuoteLine
from flotilla.models.sales import Opportunity

SORTABLE: dict[str, Any] = {
    "created_at": Quote.created_at,
    "number": Quote.number,
    "total": Quote.total,
}
DEFAULT_SORT = "-created_at"


@dataclass(frozen=True)
class QuoteFilters:
    opportunity_id: uuid.UUID | None = None
    account_id: uuid.UUID | None = None
    status: str | None = None
    owner_id: uuid.UUID | None = None
    q: str | None = None
    current_only: bool = True


def _filtered(scope: Scope, permission: str, filters: QuoteFilters) -> Select[Quote]:
    stmt = scope.restrict(select(Quote), Quote, permission)
    if filters.current_only:
        stmt = stmt.where(Quote.is_current.is_(True))
    if filters.opportunity_id is not None:
        stmt = stmt.where(Quote.opportunity_id == filters.opportunity_id)
    if filters.account_id is not None:
        stmt = stmt.where(Quote.account_id == filters.account_id)
    if filters.status is not None:
        stmt = stmt.where(Quote.status == filters.status)
    if filters.owner_id is not None:
        stmt = stmt.where(Quote.owner_id == filters.owner_id)
    if filters.q:
        needle = f"%{filters.q.lower()}%"
        stmt = stmt.where(
            or_(func.lower(Quote.title).like(needle), func.lower(Quote.number).like(needle))
        )
    return stmt


def list_quotes(
    session: Session, scope: Scope, permission: str, page: PageRequest, filters: QuoteFilters
) -> RowPage[Quote]:
    return paginate(
        session,
        _filtered(scope, permission, filters),
        request=page,
        sortable=SORTABLE,
        default_sort=DEFAULT_SORT,
        id_column=Quote.id,
    )


def lines_of(session: Session, quote_id: uuid.UUID) -> list[QuoteLine]:
    stmt = select(QuoteLine).where(QuoteLine.quote_id == quote_id).order_by(QuoteLine.position)
    return list(session.execute(stmt).scalars())


def delete_lines(session: Session, quote_id: uuid.UUID) -> None:
    """Remove a quote's lines through the ORM, one object each, so the audit trail records
    every removed line (a bulk DELETE would bypass it)."""
    for line in lines_of(session, quote_id):
        session.delete(line)
    session.flush()


def products_by_id(session: Session, product_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Product]:
    ids = sorted(set(product_ids))
    if not ids:
        return {}
    stmt = select(Product).where(Product.id.in_(ids))
    return {p.id: p for p in session.execute(stmt).scalars()}


def price_book(session: Session, price_book_id: uuid.UUID) -> PriceBook | None:
    return session.execute(
        select(PriceBook).where(PriceBook.id == price_book_id)
    ).scalar_one_or_none()


def opportunity_for(
    session: Session, scope: Scope, permission: str, opportunity_id: uuid.UUID
) -> Opportunity | None:
    """The deal if ``permission`` reaches it (its own rule: its unit, owner or team)."""
    stmt = scope.restrict(
        select(Opportunity).where(Opportunity.id == opportunity_id), Opportunity, permission
    )
    return session.execute(stmt).scalar_one_or_none()


def revisions_of(session: Session, subsidiary_id: uuid.UUID, number: str) -> list[Quote]:
    """Every revision of one quote number, for the revise step, which already holds the
    current revision through the caller's write scope (all revisions share its placement).

    System access: the revision count decides the next revision number and must not
    depend on what the caller can see."""
    stmt = (
        select(Quote)
        .where(Quote.subsidiary_id == subsidiary_id, Quote.number == number)
        .order_by(Quote.revision)
    )
    return list(session.execute(system_access(stmt)).scalars())


def quote_for_outcome(session: Session, quote_id: uuid.UUID) -> Quote | None:
    """The quote an approval decision is about. System access on purpose: the decision is
    taken by an approver whose own quote scope does not matter to the outcome; the
    engine has already checked their right to decide."""
    stmt = select(Quote).where(Quote.id == quote_id).with_for_update()
    return session.execute(system_access(stmt)).scalar_one_or_none()


def pending_approvers(session: Session, request_id: uuid.UUID, step_index: int) -> list[uuid.UUID]:
    stmt = (
        select(ApprovalTask.approver_id)
        .where(
            ApprovalTask.request_id == request_id,
            ApprovalTask.step_index == step_index,
            ApprovalTask.status == "pending",
        )
        .order_by(ApprovalTask.created_at, ApprovalTask.id)
    )
    return list(session.execute(stmt).scalars())
