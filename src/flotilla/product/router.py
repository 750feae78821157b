"""Products (group catalogue) and price books (group list prices, subsidiary price lists)."""

from __future__ import annotations

import uuid
from functools import partial
from typing import Literal

from fastapi import APIRouter, Query, Response

from flotilla.core.errors import error_responses
from flotilla.core.export_lists import ListExport, list_responses
from flotilla.core.http import CurrentScope, DbSession, PageParams
from flotilla.core.pagination import Page, PageRequest
from flotilla.product import service
from flotilla.product.repository import BookFilters, ProductFilters
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

router = APIRouter(prefix="/api/v1", tags=["products"], responses=error_responses(401, 422))


# --- products ----------------------------------------------------------------------------------


@router.get("/products", response_model=Page[ProductOut], responses=list_responses(403))
def list_products(
    db: DbSession,
    scope: CurrentScope,
    page: PageParams,
    export: ListExport,
    q: str | None = Query(default=None, max_length=100),
    category: str | None = Query(default=None, max_length=64),
    active: bool | None = None,
) -> Page[ProductOut] | Response:
    filters = ProductFilters(q=q, category=category, is_active=active)
    fetch = partial(service.list_products, db, scope, filters=filters)
    return export.rows(page, fetch, name="products", model=ProductOut)


@router.post(
    "/products",
    response_model=ProductOut,
    status_code=201,
    responses=error_responses(403, 409),
)
def create_product(db: DbSession, scope: CurrentScope, body: ProductCreate) -> ProductOut:
    return service.present_product(service.create_product(db, scope, body))


@router.get(
    "/products/{product_id}", response_model=ProductOut, responses=error_responses(403, 404)
)
def get_product(db: DbSession, scope: CurrentScope, product_id: uuid.UUID) -> ProductOut:
    return service.present_product(service.get_product(db, scope, product_id))


@router.patch(
    "/products/{product_id}",
    response_model=ProductOut,
    responses=error_responses(403, 404, 409),
)
def update_product(
    db: DbSession, scope: CurrentScope, product_id: uuid.UUID, body: ProductUpdate
) -> ProductOut:
    return service.present_product(service.update_product(db, scope, product_id, body))


# --- price books -------------------------------------------------------------------------------


@router.get("/price-books", response_model=Page[PriceBookOut], responses=list_responses())
def list_price_books(
    db: DbSession,
    scope: CurrentScope,
    page: PageParams,
    export: ListExport,
    subsidiary_id: uuid.UUID | None = None,
    kind: Literal["group", "subsidiary"] | None = None,
    currency: str | None = Query(default=None, pattern=r"^[A-Za-z]{3}$"),
    active: bool | None = None,
    q: str | None = Query(default=None, max_length=100),
) -> Page[PriceBookOut] | Response:
    filters = BookFilters(
        subsidiary_id=subsidiary_id, kind=kind, currency=currency, is_active=active, q=q
    )
    fetch = partial(service.list_books, db, scope, filters=filters)
    present = partial(service.present_books, db)
    return export.rows(page, fetch, present, name="price-books", model=PriceBookOut)


@router.post(
    "/price-books",
    response_model=PriceBookOut,
    status_code=201,
    responses=error_responses(403, 409),
)
def create_price_book(db: DbSession, scope: CurrentScope, body: PriceBookCreate) -> PriceBookOut:
    return service.present_books(db, [service.create_book(db, scope, body)])[0]


@router.get("/price-books/{book_id}", response_model=PriceBookOut, responses=error_responses(404))
def get_price_book(db: DbSession, scope: CurrentScope, book_id: uuid.UUID) -> PriceBookOut:
    return service.present_books(db, [service.get_book(db, scope, book_id)])[0]


@router.patch(
    "/price-books/{book_id}",
    response_model=PriceBookOut,
    responses=error_responses(403, 404, 409),
)
def update_price_book(
    db: DbSession, scope: CurrentScope, book_id: uuid.UUID, body: PriceBookUpdate
) -> PriceBookOut:
    return service.present_books(db, [service.update_book(db, scope, book_id, body)])[0]


@router.get(
    "/price-books/{book_id}/entries",
    response_model=Page[EntryOut],
    responses=list_responses(404),
)
def list_price_book_entries(
    db: DbSession,
    scope: CurrentScope,
    page: PageParams,
    export: ListExport,
    book_id: uuid.UUID,
    q: str | None = Query(default=None, max_length=100),
) -> Page[EntryOut] | Response:
    def fetch(request: PageRequest) -> Page[EntryOut]:
        book, result = service.list_entries(db, scope, book_id, request, q)
        items = service.present_entries(db, book, result.rows)
        return Page(items=items, next_cursor=result.next_cursor, total=result.total)

    return export.page(page, fetch, name="price-book-entries", model=EntryOut)


@router.put(
    "/price-books/{book_id}/entries/{product_id}",
    response_model=EntryOut,
    responses={201: {"model": EntryOut}, **error_responses(403, 404, 409)},
)
def put_price_book_entry(
    db: DbSession,
    scope: CurrentScope,
    book_id: uuid.UUID,
    product_id: uuid.UUID,
    body: EntryPut,
    response: Response,
) -> EntryOut:
    book, entry, created = service.put_entry(db, scope, book_id, product_id, body)
    response.status_code = 201 if created else 200
    return service.present_entries(db, book, [entry])[0]


@router.delete(
    "/price-books/{book_id}/entries/{product_id}",
    status_code=204,
    responses=error_responses(403, 404),
)
def delete_price_book_entry(
    db: DbSession, scope: CurrentScope, book_id: uuid.UUID, product_id: uuid.UUID
) -> Response:
    service.delete_entry(db, scope, book_id, product_id)
    return Response(status_code=204)
