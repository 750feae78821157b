"""The demo catalogue: products, the group CNY book, HKD and SGD price lists, FX rates; safe to
run twice."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flotilla.core import clock
from flotilla.models.ltc import FxRate, PriceBook, PriceBookEntry, Product
from flotilla.product.schemas import CODE_PATTERN, ProductCreate
from flotilla.product.seed import PRODUCTS, ensure_demo_catalogue
from flotilla.product.service import books_for_subsidiary, price_for
from tests.fixtures.factories import make_unit, make_world
from tests.fixtures.product import make_book


def _count(db: Session, model: type) -> int:
    return int(db.execute(select(func.count()).select_from(model)).scalar_one())


def test_the_demo_catalogue_is_complete_and_idempotent(db: Session) -> None:
    world = make_world(db)
    hk = make_unit(db, world.group, "subsidiary", "星海国际", currency="HKD", code="HK")
    sg = make_unit(db, world.group, "subsidiary", "星海新加坡", currency="SGD", code="SG")
    with clock.frozen_at(datetime(2026, 11, 24, 8, 0, tzinfo=UTC)):
        first = ensure_demo_catalogue(db)
        second = ensure_demo_catalogue(db)

    assert first == {
        "products": len(PRODUCTS),
        "price_books": 3,
        "price_book_entries": 3 * len(PRODUCTS),
        "fx_rates": 26 * 3 * 2,
    }
    assert second == {"products": 0, "price_books": 0, "price_book_entries": 0, "fx_rates": 0}
    assert 20 <= len(PRODUCTS) <= 30
    assert _count(db, Product) == len(PRODUCTS)

    books = {b.code: b for b in db.execute(select(PriceBook)).scalars()}
    assert {code: (b.currency, b.subsidiary_id) for code, b in books.items()} == {
        "GROUP-CNY": ("CNY", None),
        "HK-HKD": ("HKD", hk.id),
        "SG-SGD": ("SGD", sg.id),
    }
    assert [b.code for b in books_for_subsidiary(db, hk.id)] == ["GROUP-CNY", "HK-HKD"]
    for entry in db.execute(select(PriceBookEntry)).scalars():
        assert entry.floor_price is not None
        assert Decimal(0) < entry.floor_price <= entry.list_price

    months = sorted(set(db.execute(select(FxRate.period)).scalars()))
    assert (len(months), months[0], months[-1]) == (26, date(2024, 10, 1), date(2026, 11, 1))
    pairs = set(
        db.execute(select(FxRate.from_currency, FxRate.to_currency, FxRate.rate_type)).all()
    )
    assert pairs == {
        (c, "CNY", t) for c in ("USD", "HKD", "SGD") for t in ("average", "period_end")
    }
    usd = db.execute(select(FxRate.rate).where(FxRate.from_currency == "USD")).scalars().all()
    assert all(Decimal("6.8") < r < Decimal("7.5") for r in usd)
    assert len(set(usd)) > 10  # the rates drift from month to month


def test_demo_products_pass_the_api_s_own_validation(db: Session) -> None:
    for spec in PRODUCTS:
        assert re.match(CODE_PATTERN, spec.code), spec.code
        ProductCreate(
            code=spec.code,
            name=spec.name,
            name_en=spec.name_en,
            category=spec.category,
            unit=spec.unit,
            tax_rate=spec.tax_rate,
            description=spec.description,
        )
    assert {s.tax_rate for s in PRODUCTS} <= {Decimal("13"), Decimal("9"), Decimal("6")}
    assert {s.unit for s in PRODUCTS} >= {"套", "台", "年", "人天"}


def test_a_group_that_keeps_its_own_cny_book_is_left_alone(db: Session) -> None:
    world = make_world(db)
    own = make_book(db, code="OUR-LIST", currency="CNY")
    with clock.frozen_at(datetime(2026, 11, 24, tzinfo=UTC)):
        created = ensure_demo_catalogue(db)
    # No HK/SG subsidiaries and an active CNY group book already: no demo books at all.
    assert (created["price_books"], created["price_book_entries"]) == (0, 0)
    assert [b.id for b in books_for_subsidiary(db, world.sub_a.id)] == [own.id]
    product = db.execute(select(Product).where(Product.code == "XH-US-C8")).scalar_one()
    assert price_for(db, own.id, product.id) is None
