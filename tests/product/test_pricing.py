"""The functions the quote feature prices with: ``price_for`` and ``books_for_subsidiary``."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from flotilla.core import clock
from flotilla.product.service import PriceQuote, books_for_subsidiary, price_for
from tests.fixtures.factories import World, make_world, unknown_id
from tests.fixtures.product import make_book, make_product, set_price


@pytest.fixture
def world(db: Session) -> World:
    return make_world(db)


def test_price_for_returns_the_entry_with_product_and_book_facts(db: Session, world: World) -> None:
    book = make_book(db, world.sub_b, code="B-HKD")
    product = make_product(
        db, code="XH-SVC-IMPL", name="实施服务", name_en="Implementation", unit="人天",
        tax_rate=Decimal("6"),
    )  # fmt: skip
    set_price(db, book, product, "3000", "2400")
    assert price_for(db, book.id, product.id) == PriceQuote(
        price_book_id=book.id,
        product_id=product.id,
        product_code="XH-SVC-IMPL",
        product_name="实施服务",
        product_name_en="Implementation",
        list_price=Decimal("3000.00"),
        floor_price=Decimal("2400.00"),
        currency="HKD",
        tax_rate=Decimal("6"),
        unit="人天",
    )


def test_price_for_is_none_when_the_product_cannot_be_sold_from_the_book(
    db: Session, world: World
) -> None:
    book = make_book(db)
    other_book = make_book(db, currency="USD")
    priced = make_product(db)
    unpriced = make_product(db)
    retired = make_product(db, is_active=False)
    set_price(db, book, priced, "100")
    set_price(db, book, retired, "100")
    assert price_for(db, book.id, priced.id) is not None
    assert price_for(db, book.id, unpriced.id) is None
    assert price_for(db, other_book.id, priced.id) is None
    assert price_for(db, book.id, retired.id) is None
    assert price_for(db, unknown_id(), priced.id) is None
    book.is_active = False
    db.flush()
    assert price_for(db, book.id, priced.id) is None


def test_price_for_honours_the_book_s_validity(db: Session, world: World) -> None:
    book = make_book(db, valid_from=date(2027, 1, 1), valid_to=date(2027, 12, 31))
    product = make_product(db)
    set_price(db, book, product, "100", None)
    assert price_for(db, book.id, product.id, on=date(2026, 12, 31)) is None
    assert price_for(db, book.id, product.id, on=date(2027, 1, 1)) is not None
    assert price_for(db, book.id, product.id, on=date(2027, 12, 31)) is not None
    assert price_for(db, book.id, product.id, on=date(2028, 1, 1)) is None
    with clock.frozen_at(datetime(2027, 6, 1, tzinfo=UTC)):
        found = price_for(db, book.id, product.id)
    assert found is not None
    assert found.floor_price is None


def test_books_for_subsidiary_are_the_active_group_books_then_its_own(
    db: Session, world: World
) -> None:
    group_usd = make_book(db, code="G-USD", currency="USD")
    group_cny = make_book(db, code="G-CNY")
    make_book(db, code="G-OLD", currency="EUR", is_active=False)
    own_b = make_book(db, world.sub_b, code="B-2")
    own_a = make_book(db, world.sub_b, code="B-1")
    make_book(db, world.sub_b, code="B-0", is_active=False)
    make_book(db, world.sub_a, code="A-1")
    books = books_for_subsidiary(db, world.sub_b.id)
    assert [b.id for b in books] == [group_cny.id, group_usd.id, own_a.id, own_b.id]
    assert [b.code for b in books_for_subsidiary(db, world.sub_a.id)] == ["G-CNY", "G-USD", "A-1"]


def test_books_for_subsidiary_leaves_out_books_outside_their_validity(
    db: Session, world: World
) -> None:
    make_book(db, code="G-CNY")
    make_book(db, world.sub_a, code="A-2027", valid_from=date(2027, 1, 1))
    make_book(db, world.sub_a, code="A-2026", valid_to=date(2026, 12, 31))
    codes_2026 = [b.code for b in books_for_subsidiary(db, world.sub_a.id, on=date(2026, 6, 1))]
    codes_2027 = [b.code for b in books_for_subsidiary(db, world.sub_a.id, on=date(2027, 6, 1))]
    assert codes_2026 == ["G-CNY", "A-2026"]
    assert codes_2027 == ["G-CNY", "A-2027"]
