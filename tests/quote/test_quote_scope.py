"""Quotes are scoped like every business record (the shared contract suite), plus the
quote-specific cases: writes need ``quote.write`` over the quote, the sibling subsidiary
answers 404 everywhere, names of records out of sight stay hidden."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.models.identity import User
from flotilla.models.ltc import Quote
from tests.contracts.scoped_resource import ScopedResourceContract
from tests.fixtures.factories import World, as_user, make_world
from tests.fixtures.quote import make_deal, make_price_book, make_product, make_quote, set_price

BASE = "/api/v1/quotes"


class TestQuotesAreScoped(ScopedResourceContract):
    collection = BASE

    def make_record(self, db: Session, world: World, unit_name: str) -> tuple[uuid.UUID, str]:
        title = f"报价-{uuid.uuid4().hex[:10]}"
        return make_quote(db, getattr(world, unit_name), title=title).id, title

    def own_record(self, db: Session, world: World, owner_id: uuid.UUID) -> uuid.UUID:
        owner = db.execute(select(User).where(User.id == owner_id)).scalar_one()
        return make_quote(db, world.team_a, owner).id

    def move_out(
        self, client: TestClient, headers: dict[str, str], record_id: uuid.UUID, world: World
    ) -> Response:
        # A quote sits where its deal sits; no field moves it. Trying is a 422.
        current = client.get(f"{BASE}/{record_id}", headers=headers).json()
        response: Response = client.patch(
            f"{BASE}/{record_id}",
            json={"version": current["version"], "unit_id": str(world.dept_b.id)},
            headers=headers,
        )
        return response

    def placement(self, db: Session, record_id: uuid.UUID) -> Any:
        quote = db.execute(select(Quote).where(Quote.id == record_id)).scalar_one()
        return (quote.unit_id, quote.subsidiary_id, quote.owner_id)


def test_every_quote_endpoint_answers_404_across_subsidiaries(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    product = make_product(db)
    book = make_price_book(db)
    set_price(db, book, product, "100")
    quote = make_quote(db, world.dept_b, book=book, lines=[(product, "1", "0")], status="sent")
    _director, headers = as_user(client, db, world.sub_a, "sales_director")
    quote_url = f"{BASE}/{quote.id}"
    lines = {"version": quote.version, "lines": [{"product_id": str(product.id), "quantity": 1}]}
    calls = [
        client.get(quote_url, headers=headers),
        client.patch(quote_url, json={"version": quote.version, "title": "x"}, headers=headers),
        client.put(f"{quote_url}/lines", json=lines, headers=headers),
        *(
            client.post(f"{quote_url}/{action}", headers=headers)
            for action in ("submit", "send", "accept", "revise")
        ),
        client.post(f"{quote_url}/decline", json={"reason": "x"}, headers=headers),
        client.get(f"/api/v1/opportunities/{quote.opportunity_id}/quotes", headers=headers),
    ]
    for response in calls:
        assert response.status_code == 404, (response.request.url, response.text)
        assert response.json()["error"]["code"] == "not_found"
        assert str(quote.id) not in response.text
    db.expire_all()
    assert db.execute(select(Quote.status).where(Quote.id == quote.id)).scalar_one() == "sent"


def test_a_reader_without_quote_write_cannot_change_a_quote_they_see(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    quote = make_quote(db, world.team_a, title="只读")
    _auditor, headers = as_user(client, db, world.group, "auditor")
    assert client.get(f"{BASE}/{quote.id}", headers=headers).status_code == 200
    edit = client.patch(
        f"{BASE}/{quote.id}", json={"version": quote.version, "title": "改"}, headers=headers
    )
    assert edit.status_code == 404
    assert client.post(f"{BASE}/{quote.id}/submit", headers=headers).status_code == 404


def test_a_manager_sees_the_quotes_below_their_unit_only(client: TestClient, db: Session) -> None:
    world = make_world(db)
    in_team = make_quote(db, world.team_a)
    in_sub_b = make_quote(db, world.dept_b)
    _manager, headers = as_user(client, db, world.dept_a, "sales_manager")
    ids = {item["id"] for item in client.get(BASE, headers=headers).json()["items"]}
    assert ids == {str(in_team.id)}
    assert client.get(f"{BASE}/{in_sub_b.id}", headers=headers).status_code == 404


def test_names_of_records_the_caller_cannot_see_stay_hidden(
    client: TestClient, db: Session
) -> None:
    """A rep sees their own quote on a colleague's deal and account (placed with the deal)
    only if they own it; the deal's and account's names follow their own scopes."""
    world = make_world(db)
    rep, headers = as_user(client, db, world.team_a, "sales_rep")
    deal = make_deal(db, world.team_a, name="同事的商机")
    quote = make_quote(db, world.team_a, deal=deal)
    quote.owner_id = rep.id  # e.g. handed over to the rep later
    db.commit()
    got = client.get(f"{BASE}/{quote.id}", headers=headers)
    assert got.status_code == 200, got.text
    assert (got.json()["opportunity_name"], got.json()["account_name"]) == (None, None)
    assert "同事的商机" not in got.text
