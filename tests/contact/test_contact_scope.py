from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.models.customer import Contact
from flotilla.models.identity import User
from tests.contracts.scoped_resource import ScopedResourceContract
from tests.fixtures.customer import make_account, make_contact
from tests.fixtures.factories import World, make_user


class TestContactsAreScoped(ScopedResourceContract):
    """A contact is visible exactly when its account is."""

    collection = "/api/v1/contacts"

    def make_record(self, db: Session, world: World, unit_name: str) -> tuple[uuid.UUID, str]:
        unit = getattr(world, unit_name)
        account = make_account(db, unit, owner=make_user(db, unit, None))
        contact = make_contact(db, account)
        return contact.id, contact.name

    def own_record(self, db: Session, world: World, owner_id: uuid.UUID) -> uuid.UUID:
        owner = db.execute(select(User).where(User.id == owner_id)).scalar_one()
        return make_contact(db, make_account(db, world.team_a, owner=owner)).id

    def move_out(
        self, client: TestClient, headers: dict[str, str], record_id: uuid.UUID, world: World
    ) -> Response:
        contact = client.get(f"{self.collection}/{record_id}", headers=headers).json()
        return client.post(
            f"/api/v1/accounts/{contact['account_id']}/transfer",
            json={"owner_id": str(uuid.uuid4()), "unit_id": str(world.dept_b.id), "reason": "x"},
            headers=headers,
        )

    def placement(self, db: Session, record_id: uuid.UUID) -> Any:
        contact = db.execute(select(Contact).where(Contact.id == record_id)).scalar_one()
        return (contact.account_id, contact.subsidiary_id)
