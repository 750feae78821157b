"""Races on a fresh database with real commits: two quotes created at once never share a
number, and two revisions of one quote at once make exactly one new revision."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from flotilla.core import audit, clock
from flotilla.core.audit import verify_chain
from flotilla.core.db import make_engine, make_session_factory
from flotilla.core.scope import mark_system_session
from flotilla.main import create_app
from flotilla.models.ltc import Quote
from tests.conftest import DatabaseFactory
from tests.fixtures.factories import login, make_user, make_world
from tests.fixtures.quote import make_deal, make_price_book, make_product, make_quote, set_price
from tests.pool.test_pool_concurrency import _together

pytestmark = pytest.mark.concurrency


@pytest.fixture
def fresh_factory(database_factory: DatabaseFactory) -> Iterator[sessionmaker[Session]]:
    database = database_factory.create()
    engine = make_engine(database.url)
    yield make_session_factory(engine)
    engine.dispose()


def _system_session(factory: sessionmaker[Session]) -> Session:
    session = factory()
    mark_system_session(session)
    audit.set_context(session, audit.SYSTEM_CONTEXT)
    return session


def test_two_quotes_created_at_once_get_consecutive_numbers(
    fresh_factory: sessionmaker[Session],
) -> None:
    with _system_session(fresh_factory) as session:
        world = make_world(session)
        reps = [make_user(session, world.team_a, "sales_rep") for _ in range(2)]
        deals = [make_deal(session, world.team_a, rep) for rep in reps]
        product = make_product(session)
        book = make_price_book(session)
        set_price(session, book, product, "100")
        usernames = [rep.username for rep in reps]
        bodies = [
            {
                "opportunity_id": str(deal.id),
                "price_book_id": str(book.id),
                "title": "并发报价",
                "lines": [{"product_id": str(product.id), "quantity": 1}],
            }
            for deal in deals
        ]
        session.commit()

    app = create_app(fresh_factory)
    with TestClient(app) as first, TestClient(app) as second:
        headers = [login(first, usernames[0]), login(second, usernames[1])]
        responses = _together(
            partial(first.post, "/api/v1/quotes", json=bodies[0], headers=headers[0]),
            partial(second.post, "/api/v1/quotes", json=bodies[1], headers=headers[1]),
        )
    assert [r.status_code for r in responses] == [201, 201], [r.text for r in responses]
    year = clock.now().year
    assert sorted(r.json()["number"] for r in responses) == [
        f"SUB-A-QT-{year}-000001",
        f"SUB-A-QT-{year}-000002",
    ]
    with _system_session(fresh_factory) as session:
        assert verify_chain(session).ok


def test_two_revisions_of_one_quote_at_once_make_exactly_one(
    fresh_factory: sessionmaker[Session],
) -> None:
    with _system_session(fresh_factory) as session:
        world = make_world(session)
        rep = make_user(session, world.team_a, "sales_rep")
        quote = make_quote(session, world.team_a, rep, status="sent")
        quote_id, number, username = quote.id, quote.number, rep.username
        session.commit()

    app = create_app(fresh_factory)
    url = f"/api/v1/quotes/{quote_id}/revise"
    with TestClient(app) as first, TestClient(app) as second:
        headers = login(first, username)
        responses = _together(
            partial(first.post, url, headers=headers),
            partial(second.post, url, headers=headers),
        )
    assert sorted(r.status_code for r in responses) == [201, 409], [r.text for r in responses]
    with _system_session(fresh_factory) as session:
        rows = session.execute(
            select(Quote.revision, Quote.status, Quote.is_current)
            .where(Quote.number == number)
            .order_by(Quote.revision)
        ).all()
        assert [tuple(r) for r in rows] == [(1, "superseded", False), (2, "draft", True)]
        assert verify_chain(session).ok
