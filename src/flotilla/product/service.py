"""Products and price books: the group catalogue, the group list price books and the
subsidiaries' price lists with floor prices.

Invariants:
- Products are group master data: anyone holding ``quote.read`` or ``product.admin`` reads
  them; changing the catalogue needs ``product.admin`` over the whole group.
- A group book (``subsidiary_id`` NULL) may be in any currency, but at most one group book is
  active per currency. A subsidiary's price list is in that subsidiary's currency. A book's
  owner and currency never change (its prices are amounts in that currency).
- A subsidiary's price list is visible only to callers whose ``quote.read`` or
  ``product.admin`` reaches that subsidiary or who hold a position in it; anyone else gets 404,
  and it is absent from their lists (``repository.book_visibility``). Writing a group book needs
  ``product.admin`` over the group; a subsidiary's, ``product.admin`` reaching that subsidiary.
- An entry's prices are non-negative cents and its floor price, when set, is at most its list
  price.

Services flush, never commit: the request commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from flotilla.core import clock, lookup
from flotilla.core.errors import Conflict, FieldError, Forbidden, Invalid, NotFound, field_error
from flotilla.core.money import quantize
from flotilla.core.pagination import PageRequest, RowPage
from flotilla.core.scope import Scope
from flotilla.core.validators import is_valid_currency
from flotilla.models.ltc import PriceBook, PriceBookEntry, Product
from flotilla.product import repository
from flotilla.product.repository import PRODUCT_ADMIN, QUOTE_READ, BookFilters, ProductFilters
from flotilla.product.schemas import (
    EntryOut,
    EntryPut,
    PriceBookCreate,
    PriceBookOut,
    PriceBookUpdate,
    ProductCreate,
    ProductOut,
    ProductUpdate,
)

# --- for the quote feature -------------------------------------------------------------------


@dataclass(frozen=True)
class PriceQuote:
    """What a quote line takes from the price book for one product."""

    price_book_id: uuid.UUID
    product_id: uuid.UUID
    product_code: str
    product_name: str
    product_name_en: str | None
    list_price: Decimal
    floor_price: Decimal | None
    currency: str
    tax_rate: Decimal
    unit: str


PERCENT = Decimal("0.01")


def _percent(value: Decimal) -> Decimal:
    """A percentage as stored (two places), so a response shows what a re-read would."""
    return value.quantize(PERCENT)


def _today() -> date:
    return clock.now().date()


def price_for(
    session: Session,
    price_book_id: uuid.UUID,
    product_id: uuid.UUID,
    *,
    on: date | None = None,
) -> PriceQuote | None:
    """The price of ``product_id`` in ``price_book_id``, or ``None`` when the product cannot
    be sold from that book: no entry, the book inactive or outside its validity on ``on``
    (default: today, UTC), or the product inactive.

    No access check: price books are not scoped rows, and the caller (the quote service) has
    already chosen a book the quote's subsidiary may use (``books_for_subsidiary``).
    """
    found = repository.usable_price(session, price_book_id, product_id, on or _today())
    if found is None:
        return None
    entry, book, product = found
    return PriceQuote(
        price_book_id=book.id,
        product_id=product.id,
        product_code=product.code,
        product_name=product.name,
        product_name_en=product.name_en,
        list_price=entry.list_price,
        floor_price=entry.floor_price,
        currency=book.currency,
        tax_rate=product.tax_rate,
        unit=product.unit,
    )


def books_for_subsidiary(
    session: Session, subsidiary_id: uuid.UUID, *, on: date | None = None
) -> list[PriceBook]:
    """The price books a quote of ``subsidiary_id`` may use: the active group books first,
    then that subsidiary's own active books, each by code. A book with validity dates counts
    only within them on ``on`` (default: today, UTC)."""
    return repository.usable_books(session, subsidiary_id, on or _today())


# --- permissions -----------------------------------------------------------------------------


def _require_catalogue_reader(scope: Scope) -> None:
    """Products are readable with ``quote.read`` or ``product.admin`` (403 otherwise: the
    catalogue hides no record, the caller simply has no right to it)."""
    if not (scope.has(QUOTE_READ) or scope.has(PRODUCT_ADMIN)):
        raise Forbidden()


def _require_group_admin(scope: Scope) -> None:
    """Group master data (the catalogue, group books) needs ``product.admin`` group-wide."""
    scope.require(PRODUCT_ADMIN)
    if not scope.reach(PRODUCT_ADMIN).everything:
        raise Forbidden()


def _require_book_admin(session: Session, scope: Scope, book: PriceBook) -> None:
    if book.subsidiary_id is None:
        _require_group_admin(scope)
        return
    scope.require(PRODUCT_ADMIN)
    if not scope.reaches_unit(session, PRODUCT_ADMIN, book.subsidiary_id):
        raise Forbidden()


def _check_version(record: Product | PriceBook | PriceBookEntry, version: int | None) -> None:
    if version is not None and record.version != version:
        raise Conflict("version_conflict")


def _refuse_nulls(changes: dict[str, Any], keys: Sequence[str]) -> None:
    missing = [field_error(k, "missing") for k in keys if k in changes and changes[k] is None]
    if missing:
        raise Invalid(fields=missing)


# --- products ----------------------------------------------------------------------------------


def list_products(
    session: Session, scope: Scope, page: PageRequest, filters: ProductFilters
) -> RowPage[Product]:
    _require_catalogue_reader(scope)
    return repository.list_products(session, page, filters)


def get_product(session: Session, scope: Scope, product_id: uuid.UUID) -> Product:
    _require_catalogue_reader(scope)
    product = repository.product_by_id(session, product_id)
    if product is None:
        raise NotFound()
    return product


def create_product(session: Session, scope: Scope, data: ProductCreate) -> Product:
    """Add a product to the group catalogue; codes are unique."""
    _require_group_admin(scope)
    if repository.product_code_taken(session, data.code, other_than=None):
        raise Conflict("duplicate", fields=[field_error("code", "duplicate")])
    product = Product(
        code=data.code,
        name=data.name,
        name_en=data.name_en,
        category=data.category,
        unit=data.unit,
        tax_rate=_percent(data.tax_rate),
        description=data.description,
        is_active=data.is_active,
    )
    session.add(product)
    session.flush()
    return product


def update_product(
    session: Session, scope: Scope, product_id: uuid.UUID, data: ProductUpdate
) -> Product:
    """Edit a product (deactivate with ``is_active: false``); existing quote lines keep the
    values they copied."""
    _require_group_admin(scope)
    product = repository.product_by_id(session, product_id)
    if product is None:
        raise NotFound()
    _check_version(product, data.version)
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    _refuse_nulls(changes, ("code", "name", "unit", "tax_rate", "is_active"))
    if "code" in changes and repository.product_code_taken(
        session, changes["code"], other_than=product.id
    ):
        raise Conflict("duplicate", fields=[field_error("code", "duplicate")])
    if "tax_rate" in changes:
        changes["tax_rate"] = _percent(changes["tax_rate"])
    for key, value in changes.items():
        setattr(product, key, value)
    session.flush()
    return product


def present_product(product: Product) -> ProductOut:
    return ProductOut.model_validate(product)


# --- price books ---------------------------------------------------------------------------------


def list_books(
    session: Session, scope: Scope, page: PageRequest, filters: BookFilters
) -> RowPage[PriceBook]:
    return repository.list_books(session, scope, page, filters)


def get_book(session: Session, scope: Scope, book_id: uuid.UUID) -> PriceBook:
    book = repository.visible_book(session, scope, book_id)
    if book is None:
        raise NotFound()
    return book


def _check_validity(valid_from: date | None, valid_to: date | None) -> None:
    if valid_from is not None and valid_to is not None and valid_to < valid_from:
        raise Invalid(fields=[field_error("valid_to", "price_book_validity")])


def _refuse_second_active_group_book(
    session: Session, currency: str, other_than: uuid.UUID | None
) -> None:
    repository.lock_group_currency(session, currency)
    if repository.active_group_book_exists(session, currency, other_than=other_than):
        raise Conflict(
            "price_book_group_currency_exists",
            fields=[
                field_error("is_active", "price_book_group_currency_exists", currency=currency)
            ],
            currency=currency,
        )


def _book_currency(session: Session, scope: Scope, data: PriceBookCreate) -> str:
    """The new book's currency: required for a group book; for a subsidiary price list its
    subsidiary's currency (given or not). Checks the caller's right over the owner."""
    errors: list[FieldError] = []
    requested = data.currency.upper() if data.currency else None
    if requested is not None and not is_valid_currency(requested):
        errors.append(field_error("currency", "invalid_currency"))
    if data.subsidiary_id is None:
        _require_group_admin(scope)
        if data.currency is None:
            errors.append(field_error("currency", "missing"))
        if errors:
            raise Invalid(fields=errors)
        assert requested is not None
        return requested
    scope.require(PRODUCT_ADMIN)
    unit = repository.subsidiary_by_id(session, data.subsidiary_id)
    if unit is None:
        raise Invalid(fields=[field_error("subsidiary_id", "unknown_reference")])
    if unit.kind != "subsidiary":
        raise Invalid(fields=[field_error("subsidiary_id", "price_book_not_subsidiary")])
    if not scope.reaches_unit(session, PRODUCT_ADMIN, unit.id):
        raise Forbidden("out_of_scope")
    # A subsidiary always has a currency (the org rules demand one); guard anyway.
    own_currency = unit.currency or requested
    if own_currency is None:
        errors.append(field_error("currency", "missing"))
    elif requested is not None and requested != own_currency and not errors:
        errors.append(
            field_error("currency", "price_book_currency_mismatch", currency=own_currency)
        )
    if errors:
        raise Invalid(fields=errors)
    assert own_currency is not None
    return own_currency


def create_book(session: Session, scope: Scope, data: PriceBookCreate) -> PriceBook:
    """Create a group book or a subsidiary price list (see the module invariants)."""
    currency = _book_currency(session, scope, data)
    _check_validity(data.valid_from, data.valid_to)
    if repository.book_code_taken(session, data.code, other_than=None):
        raise Conflict("duplicate", fields=[field_error("code", "duplicate")])
    if data.subsidiary_id is None and data.is_active:
        _refuse_second_active_group_book(session, currency, None)
    book = PriceBook(
        code=data.code,
        name=data.name,
        name_en=data.name_en,
        currency=currency,
        subsidiary_id=data.subsidiary_id,
        valid_from=data.valid_from,
        valid_to=data.valid_to,
        is_active=data.is_active,
    )
    session.add(book)
    session.flush()
    return book


def _writable_book(
    session: Session, scope: Scope, book_id: uuid.UUID, version: int | None = None
) -> PriceBook:
    """A book the caller sees (else 404) and administers (else 403)."""
    book = get_book(session, scope, book_id)
    _require_book_admin(session, scope, book)
    _check_version(book, version)
    return book


def update_book(
    session: Session, scope: Scope, book_id: uuid.UUID, data: PriceBookUpdate
) -> PriceBook:
    """Rename, re-date, (de)activate a book. Reactivating a group book is refused while
    another group book in its currency is active."""
    book = _writable_book(session, scope, book_id, data.version)
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    _refuse_nulls(changes, ("code", "name", "is_active"))
    _check_validity(
        changes.get("valid_from", book.valid_from), changes.get("valid_to", book.valid_to)
    )
    if "code" in changes and repository.book_code_taken(
        session, changes["code"], other_than=book.id
    ):
        raise Conflict("duplicate", fields=[field_error("code", "duplicate")])
    if changes.get("is_active") and not book.is_active and book.subsidiary_id is None:
        _refuse_second_active_group_book(session, book.currency, book.id)
    for key, value in changes.items():
        setattr(book, key, value)
    session.flush()
    return book


def present_books(session: Session, books: Sequence[PriceBook]) -> list[PriceBookOut]:
    """Render books with their subsidiary's name (one query for the page)."""
    units = lookup.units_by_id(session, (b.subsidiary_id for b in books if b.subsidiary_id))
    out = []
    for book in books:
        unit = units.get(book.subsidiary_id) if book.subsidiary_id else None
        out.append(
            PriceBookOut(
                id=book.id,
                code=book.code,
                name=book.name,
                name_en=book.name_en,
                currency=book.currency,
                subsidiary_id=book.subsidiary_id,
                subsidiary_name=unit.name if unit else None,
                is_group=book.subsidiary_id is None,
                valid_from=book.valid_from,
                valid_to=book.valid_to,
                is_active=book.is_active,
                version=book.version,
                created_at=book.created_at,
                updated_at=book.updated_at,
            )
        )
    return out


# --- entries -----------------------------------------------------------------------------------


def list_entries(
    session: Session, scope: Scope, book_id: uuid.UUID, page: PageRequest, q: str | None
) -> tuple[PriceBook, RowPage[PriceBookEntry]]:
    book = get_book(session, scope, book_id)
    return book, repository.list_entries(session, book.id, page, q)


def put_entry(
    session: Session, scope: Scope, book_id: uuid.UUID, product_id: uuid.UUID, data: EntryPut
) -> tuple[PriceBook, PriceBookEntry, bool]:
    """Set a product's list and floor price in a book; returns whether the entry is new.
    The floor price, when given, may not exceed the list price."""
    book = _writable_book(session, scope, book_id)
    product = repository.product_by_id(session, product_id)
    if product is None:
        raise NotFound()
    list_price = quantize(data.list_price)
    floor_price = quantize(data.floor_price) if data.floor_price is not None else None
    if floor_price is not None and floor_price > list_price:
        raise Invalid(fields=[field_error("floor_price", "price_floor_above_list")])
    entry = repository.entry(session, book.id, product.id)
    created = entry is None
    if entry is None:
        if data.version is not None:
            raise Conflict("version_conflict")
        entry = PriceBookEntry(price_book_id=book.id, product_id=product.id)
        session.add(entry)
    else:
        _check_version(entry, data.version)
    entry.list_price = list_price
    entry.floor_price = floor_price
    session.flush()
    return book, entry, created


def delete_entry(session: Session, scope: Scope, book_id: uuid.UUID, product_id: uuid.UUID) -> None:
    """Remove a product from a book (quotes keep the prices they copied)."""
    book = _writable_book(session, scope, book_id)
    entry = repository.entry(session, book.id, product_id)
    if entry is None:
        raise NotFound("price_entry_missing")
    session.delete(entry)
    session.flush()


def present_entries(
    session: Session, book: PriceBook, entries: Sequence[PriceBookEntry]
) -> list[EntryOut]:
    """Render entries with their product (one query for the page)."""
    products = repository.products_by_id(session, (e.product_id for e in entries))
    out = []
    for entry in entries:
        product = products[entry.product_id]
        out.append(
            EntryOut(
                id=entry.id,
                price_book_id=entry.price_book_id,
                product_id=product.id,
                product_code=product.code,
                product_name=product.name,
                product_name_en=product.name_en,
                product_is_active=product.is_active,
                unit=product.unit,
                tax_rate=product.tax_rate,
                currency=book.currency,
                list_price=entry.list_price,
                floor_price=entry.floor_price,
                version=entry.version,
                updated_at=entry.updated_at,
            )
        )
    return out
