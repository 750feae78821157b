"""All product and price-book queries.

Products are group master data (not scoped). Price books are not ``Scoped`` rows either, but a
subsidiary's price list is visible only to callers whose ``quote.read`` or ``product.admin``
reaches that subsidiary (any unit of it) or who hold a position in it; the group books are
visible to every holder of either permission. ``book_visibility`` is that rule, built from the
scope kernel's own conditions, and every read of ``price_book`` on behalf of a caller goes
through it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select, text, true
from sqlalchemy.orm import Session

from flotilla.core.pagination import PageRequest, RowPage, paginate
from flotilla.core.scope import SCOPED_OPTION, Scope, system_access
from flotilla.models.identity import Position
from flotilla.models.ltc import PriceBook, PriceBookEntry, Product
from flotilla.models.org import OrgUnit

QUOTE_READ = "quote.read"
PRODUCT_ADMIN = "product.admin"
BOOK_READERS = (QUOTE_READ, PRODUCT_ADMIN)

PRODUCT_SORTABLE: dict[str, Any] = {"code": Product.code, "name": Product.name}
BOOK_SORTABLE: dict[str, Any] = {
    "code": PriceBook.code,
    "name": PriceBook.name,
    "created_at": PriceBook.created_at,
}
ENTRY_SORTABLE: dict[str, Any] = {
    "code": Product.code,
    "name": Product.name,
    "list_price": PriceBookEntry.list_price,
    "updated_at": PriceBookEntry.updated_at,
}


def _contains(column: Any, q: str) -> ColumnElement[bool]:
    """Case-insensitive substring match; ``%`` and ``_`` in the query are literal."""
    return func.lower(func.coalesce(column, "")).contains(q.lower(), autoescape=True)


# --- products ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductFilters:
    q: str | None = None
    category: str | None = None
    is_active: bool | None = None


def list_products(session: Session, page: PageRequest, filters: ProductFilters) -> RowPage[Product]:
    stmt = select(Product)
    if filters.q:
        stmt = stmt.where(
            or_(
                _contains(Product.code, filters.q),
                _contains(Product.name, filters.q),
                _contains(Product.name_en, filters.q),
            )
        )
    if filters.category is not None:
        stmt = stmt.where(Product.category == filters.category)
    if filters.is_active is not None:
        stmt = stmt.where(Product.is_active.is_(filters.is_active))
    return paginate(
        session,
        stmt,
        request=page,
        sortable=PRODUCT_SORTABLE,
        default_sort="code",
        id_column=Product.id,
    )


def product_by_id(session: Session, product_id: uuid.UUID) -> Product | None:
    return session.get(Product, product_id)


def product_by_code(session: Session, code: str) -> Product | None:
    return session.execute(select(Product).where(Product.code == code)).scalar_one_or_none()


def products_by_id(session: Session, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Product]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return {
        p.id: p for p in session.execute(select(Product).where(Product.id.in_(wanted))).scalars()
    }


def product_code_taken(session: Session, code: str, *, other_than: uuid.UUID | None) -> bool:
    stmt = select(Product.id).where(Product.code == code)
    if other_than is not None:
        stmt = stmt.where(Product.id != other_than)
    return session.execute(stmt).first() is not None


# --- price books: visibility ----------------------------------------------------------------


def _member_subsidiary_ids(user_id: uuid.UUID) -> Select[uuid.UUID | None]:
    """Subquery: the subsidiaries in which ``user_id`` holds a position."""
    return (
        select(OrgUnit.subsidiary_id)
        .join(Position, Position.unit_id == OrgUnit.id)
        .where(Position.user_id == user_id, OrgUnit.subsidiary_id.is_not(None))
    )


def book_visibility(scope: Scope) -> ColumnElement[bool]:
    """SQL condition: the price books the caller may read (see the module docstring)."""
    held = [p for p in BOOK_READERS if scope.has(p)]
    if not held:
        return false()
    if any(scope.reach(p).everything for p in held):
        return true()
    # The subsidiaries of every org unit the permission reaches (``Scope.where`` on the org
    # tree: units in reach, plus the units the caller sits in for an ``own`` reach).
    reached = [
        PriceBook.subsidiary_id.in_(
            select(OrgUnit.subsidiary_id).where(
                OrgUnit.subsidiary_id.is_not(None), scope.where(OrgUnit, permission)
            )
        )
        for permission in held
    ]
    return or_(
        PriceBook.subsidiary_id.is_(None),
        PriceBook.subsidiary_id.in_(_member_subsidiary_ids(scope.user_id)),
        *reached,
    )


def _visible_books(scope: Scope) -> Select[PriceBook]:
    # The condition is the scope kernel's (``Scope.where``) widened by membership, so the
    # statement is marked scoped by hand, as the pool list does.
    return (
        select(PriceBook).where(book_visibility(scope)).execution_options(**{SCOPED_OPTION: True})
    )


@dataclass(frozen=True)
class BookFilters:
    subsidiary_id: uuid.UUID | None = None
    kind: str | None = None
    currency: str | None = None
    is_active: bool | None = None
    q: str | None = None


def list_books(
    session: Session, scope: Scope, page: PageRequest, filters: BookFilters
) -> RowPage[PriceBook]:
    stmt = _visible_books(scope)
    if filters.subsidiary_id is not None:
        stmt = stmt.where(PriceBook.subsidiary_id == filters.subsidiary_id)
    if filters.kind == "group":
        stmt = stmt.where(PriceBook.subsidiary_id.is_(None))
    elif filters.kind == "subsidiary":
        stmt = stmt.where(PriceBook.subsidiary_id.is_not(None))
    if filters.currency is not None:
        stmt = stmt.where(PriceBook.currency == filters.currency.upper())
    if filters.is_active is not None:
        stmt = stmt.where(PriceBook.is_active.is_(filters.is_active))
    if filters.q:
        stmt = stmt.where(
            or_(
                _contains(PriceBook.code, filters.q),
                _contains(PriceBook.name, filters.q),
                _contains(PriceBook.name_en, filters.q),
            )
        )
    return paginate(
        session,
        stmt,
        request=page,
        sortable=BOOK_SORTABLE,
        default_sort="code",
        id_column=PriceBook.id,
    )


def visible_book(session: Session, scope: Scope, book_id: uuid.UUID) -> PriceBook | None:
    stmt = _visible_books(scope).where(PriceBook.id == book_id)
    return session.execute(stmt).scalar_one_or_none()


# --- price books: system reads and write checks -----------------------------------------


def book_by_id(session: Session, book_id: uuid.UUID) -> PriceBook | None:
    """Unrestricted: for the quote service, which checks the book against the quote's
    subsidiary itself."""
    return session.get(PriceBook, book_id)


def book_code_taken(session: Session, code: str, *, other_than: uuid.UUID | None) -> bool:
    stmt = select(PriceBook.id).where(PriceBook.code == code)
    if other_than is not None:
        stmt = stmt.where(PriceBook.id != other_than)
    return session.execute(stmt).first() is not None


def lock_group_currency(session: Session, currency: str) -> None:
    """Serialize writers that may activate a group book in ``currency`` (at most one may be
    active per currency and no table constraint can say so). PostgreSQL: a transaction-level
    advisory lock; SQLite serializes writers already."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
            {"key": f"flotilla.price_book.group.{currency}"},
        )


def active_group_book_exists(
    session: Session, currency: str, *, other_than: uuid.UUID | None
) -> bool:
    stmt = select(PriceBook.id).where(
        PriceBook.subsidiary_id.is_(None),
        PriceBook.currency == currency,
        PriceBook.is_active.is_(True),
    )
    if other_than is not None:
        stmt = stmt.where(PriceBook.id != other_than)
    return session.execute(stmt).first() is not None


def subsidiary_by_id(session: Session, unit_id: uuid.UUID) -> OrgUnit | None:
    """An org unit looked up to validate a reference; the caller's right over it is checked
    separately (``Scope.reaches_unit``)."""
    stmt = select(OrgUnit).where(OrgUnit.id == unit_id)
    return session.execute(system_access(stmt)).scalar_one_or_none()


def subsidiaries_by_code(session: Session, codes: Iterable[str]) -> dict[str, OrgUnit]:
    """Subsidiaries by code (the demo seed places its price lists with these)."""
    stmt = select(OrgUnit).where(OrgUnit.kind == "subsidiary", OrgUnit.code.in_(sorted(codes)))
    return {u.code: u for u in session.execute(system_access(stmt)).scalars()}


def book_by_code(session: Session, code: str) -> PriceBook | None:
    return session.execute(select(PriceBook).where(PriceBook.code == code)).scalar_one_or_none()


def usable_books(session: Session, subsidiary_id: uuid.UUID, on: date) -> list[PriceBook]:
    """Active group books first, then the subsidiary's own, each valid on ``on``, by code."""
    stmt = (
        select(PriceBook)
        .where(
            PriceBook.is_active.is_(True),
            or_(PriceBook.subsidiary_id.is_(None), PriceBook.subsidiary_id == subsidiary_id),
            _valid_on(on),
        )
        .order_by(PriceBook.subsidiary_id.is_not(None), PriceBook.code, PriceBook.id)
    )
    return list(session.execute(stmt).scalars())


def _valid_on(on: date) -> ColumnElement[bool]:
    return and_(
        or_(PriceBook.valid_from.is_(None), PriceBook.valid_from <= on),
        or_(PriceBook.valid_to.is_(None), PriceBook.valid_to >= on),
    )


# --- entries ----------------------------------------------------------------------------------


def list_entries(
    session: Session, book_id: uuid.UUID, page: PageRequest, q: str | None
) -> RowPage[PriceBookEntry]:
    stmt = (
        select(PriceBookEntry)
        .join(Product, Product.id == PriceBookEntry.product_id)
        .where(PriceBookEntry.price_book_id == book_id)
    )
    if q:
        stmt = stmt.where(
            or_(
                _contains(Product.code, q),
                _contains(Product.name, q),
                _contains(Product.name_en, q),
            )
        )
    return paginate(
        session,
        stmt,
        request=page,
        sortable=ENTRY_SORTABLE,
        default_sort="code",
        id_column=PriceBookEntry.id,
    )


def entry(session: Session, book_id: uuid.UUID, product_id: uuid.UUID) -> PriceBookEntry | None:
    stmt = select(PriceBookEntry).where(
        PriceBookEntry.price_book_id == book_id, PriceBookEntry.product_id == product_id
    )
    return session.execute(stmt).scalar_one_or_none()


def entries_of(session: Session, book_id: uuid.UUID) -> dict[uuid.UUID, PriceBookEntry]:
    """Every entry of a book by product (the seed fills books in one pass)."""
    stmt = select(PriceBookEntry).where(PriceBookEntry.price_book_id == book_id)
    return {e.product_id: e for e in session.execute(stmt).scalars()}


def usable_price(
    session: Session, book_id: uuid.UUID, product_id: uuid.UUID, on: date
) -> tuple[PriceBookEntry, PriceBook, Product] | None:
    """The entry with its book and product when the book is active and valid on ``on`` and
    the product is active (one query)."""
    stmt = (
        select(PriceBookEntry, PriceBook, Product)
        .join(PriceBook, PriceBook.id == PriceBookEntry.price_book_id)
        .join(Product, Product.id == PriceBookEntry.product_id)
        .where(
            PriceBookEntry.price_book_id == book_id,
            PriceBookEntry.product_id == product_id,
            PriceBook.is_active.is_(True),
            _valid_on(on),
            Product.is_active.is_(True),
        )
    )
    row = session.execute(stmt).first()
    return None if row is None else (row[0], row[1], row[2])
