"""N+1 guard for the quote lists: a 2-row page and a 20-row page run the same number of
SQL statements."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.fixtures.factories import World, as_user, make_unit, make_user, make_world
from tests.fixtures.quote import make_deal, make_price_book, make_product, make_quote, set_price
from tests.opportunity.test_list_query_counts import assert_constant

ROWS = 32


def _populate(db: Session, world: World) -> None:
    products = [make_product(db) for _ in range(3)]
    books = [make_price_book(db), make_price_book(db, subsidiary=world.sub_b, currency="HKD")]
    for book in books:
        for index, product in enumerate(products):
            set_price(db, book, product, f"{1000 * (index + 1)}.50")
    units = [world.team_a, world.dept_a, world.sub_a, world.dept_b]
    for index in range(ROWS):
        unit = make_unit(db, units[index % len(units)], "team")
        owner = make_user(db, unit, "sales_rep")
        deal = make_deal(db, unit, owner)
        book = books[1] if unit.subsidiary_id == world.sub_b.id else books[0]
        make_quote(
            db,
            unit,
            owner,
            deal=deal,
            book=book,
            lines=[(p, str(index + 1), str(index % 20)) for p in products],
            status=("draft", "sent")[index % 2],
        )
    db.flush()


@pytest.mark.parametrize(
    ("role_code", "anchor"),
    [("group_sales_vp", "group"), ("sales_director", "sub_a"), ("sales_manager", "dept_a")],
)
def test_quote_list_runs_a_fixed_number_of_statements(
    client: TestClient, db: Session, role_code: str, anchor: str
) -> None:
    world = make_world(db)
    _populate(db, world)
    if role_code == "sales_manager":
        # Only part of the population sits below dept_a: add a full page's worth there.
        for _ in range(ROWS):
            make_quote(db, make_unit(db, world.dept_a, "team"))
    _caller, headers = as_user(client, db, getattr(world, anchor), role_code)

    assert_constant(client, db, "/api/v1/quotes", headers)
    assert_constant(client, db, "/api/v1/quotes", headers, sort="-total", revisions="all")
    assert_constant(client, db, "/api/v1/quotes", headers, sort="number", q="qt")


def test_a_deal_s_quote_history_runs_a_fixed_number_of_statements(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    deal = make_deal(db, world.team_a)
    for revision in range(1, ROWS + 1):
        make_quote(
            db,
            world.team_a,
            deal=deal,
            number="SUB-A-QT-2026-000001",
            revision=revision,
            is_current=revision == ROWS,
            status="superseded" if revision < ROWS else "draft",
        )
    _director, headers = as_user(client, db, world.sub_a, "sales_director")
    assert_constant(client, db, f"/api/v1/opportunities/{deal.id}/quotes", headers)
