"""Price books run the shared scoped-resource contract. A price list belongs to a subsidiary
(not to a unit or an owner), so "own" means the subsidiary one sits in: that one test is
restated below for price books."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.models.ltc import PriceBook
from tests.contracts.scoped_resource import ScopedResourceContract
from tests.fixtures.factories import World, as_user, make_world
from tests.fixtures.product import PRICE_ADMIN, ensure_test_roles, make_book

BASE = "/api/v1/price-books"


class TestPriceBooksAreScoped(ScopedResourceContract):
    collection = BASE
    mover_role = PRICE_ADMIN

    def make_record(self, db: Session, world: World, unit_name: str) -> tuple[uuid.UUID, str]:
        ensure_test_roles(db)
        unit = getattr(world, unit_name)
        subsidiary = world.sub_a if unit.subsidiary_id == world.sub_a.id else world.sub_b
        name = f"价目表-{uuid.uuid4().hex[:10]}"
        return make_book(db, subsidiary, name=name).id, name

    def own_record(self, db: Session, world: World, owner_id: uuid.UUID) -> uuid.UUID:
        raise NotImplementedError("price books have no owner; see the test below")

    def move_out(
        self, client: TestClient, headers: dict[str, str], record_id: uuid.UUID, world: World
    ) -> Response:
        current = client.get(f"{BASE}/{record_id}", headers=headers).json()
        response: Response = client.patch(
            f"{BASE}/{record_id}",
            json={"version": current["version"], "subsidiary_id": str(world.sub_b.id)},
            headers=headers,
        )
        return response

    def placement(self, db: Session, record_id: uuid.UUID) -> Any:
        book = db.execute(select(PriceBook).where(PriceBook.id == record_id)).scalar_one()
        return (book.subsidiary_id, book.currency)

    def test_own_scope_sees_only_own_records(self, client: TestClient, db: Session) -> None:
        """A rep (``own`` scope) sees the price lists of the subsidiary they sit in, and not a
        sibling subsidiary's."""
        world = make_world(db)
        own, _own_text = self.make_record(db, world, "dept_a")
        sibling, sibling_text = self.make_record(db, world, "dept_b")
        _rep, headers = as_user(client, db, world.team_a, "sales_rep")
        assert str(own) in self._list_ids(client, headers)
        assert client.get(f"{BASE}/{own}", headers=headers).status_code == 200
        self._assert_invisible(client, headers, sibling, sibling_text)
