"""N+1 guard for products, price books and price-book entries: a 2-row page and a 20-row page
run the same number of SQL statements."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.fixtures.factories import as_user, make_unit, make_world
from tests.fixtures.product import make_book, make_product, set_price
from tests.opportunity.test_list_query_counts import assert_constant

ROWS = 32


def test_product_list_runs_a_fixed_number_of_statements(client: TestClient, db: Session) -> None:
    world = make_world(db)
    for index in range(ROWS):
        make_product(db, category="medical" if index % 2 else "service")
    _rep, headers = as_user(client, db, world.team_a, "sales_rep")
    assert_constant(client, db, "/api/v1/products", headers)
    assert_constant(client, db, "/api/v1/products", headers, sort="-name", q="产品")


@pytest.mark.parametrize(
    ("role_code", "anchor"),
    [("group_sales_vp", "group"), ("sales_director", "sub_a"), ("sales_rep", "team_a")],
)
def test_price_book_list_runs_a_fixed_number_of_statements(
    client: TestClient, db: Session, role_code: str, anchor: str
) -> None:
    world = make_world(db)
    # More subsidiaries, each with price lists, so the subsidiary names are many too.
    subsidiaries = [world.sub_a, world.sub_b] + [
        make_unit(db, world.group, "subsidiary", currency="SGD") for _ in range(4)
    ]
    for index in range(ROWS):
        make_book(db, subsidiaries[index % len(subsidiaries)])
        make_book(db, world.sub_a)
        make_book(db, currency="USD", is_active=False)
    _caller, headers = as_user(client, db, getattr(world, anchor), role_code)
    assert_constant(client, db, "/api/v1/price-books", headers)
    assert_constant(client, db, "/api/v1/price-books", headers, sort="-name", active="true")


def test_price_book_entries_run_a_fixed_number_of_statements(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    book = make_book(db, world.sub_a)
    for index in range(ROWS):
        set_price(db, book, make_product(db), f"{1000 + index}", f"{800 + index}")
    _rep, headers = as_user(client, db, world.team_a, "sales_rep")
    path = f"/api/v1/price-books/{book.id}/entries"
    assert_constant(client, db, path, headers)
    assert_constant(client, db, path, headers, sort="-list_price", q="产品")
