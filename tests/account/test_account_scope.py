from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.models.customer import Account
from flotilla.models.identity import User
from tests.contracts.scoped_resource import ScopedResourceContract
from tests.fixtures.customer import make_account
from tests.fixtures.factories import World, make_user


class TestAccountsAreScoped(ScopedResourceContract):
    collection = "/api/v1/accounts"

    def make_record(self, db: Session, world: World, unit_name: str) -> tuple[uuid.UUID, str]:
        unit = getattr(world, unit_name)
        account = make_account(db, unit, owner=make_user(db, unit, None))
        return account.id, account.name

    def own_record(self, db: Session, world: World, owner_id: uuid.UUID) -> uuid.UUID:
        user = db.execute(select(User).where(User.id == owner_id)).scalar_one()
        return make_account(db, world.team_a, owner=user).id

    def move_out(
        self, client: TestClient, headers: dict[str, str], record_id: uuid.UUID, world: World
    ) -> Response:
        return client.post(
            f"{self.collection}/{record_id}/transfer",
            json={"owner_id": str(uuid.uuid4()), "unit_id": str(world.dept_b.id), "reason": "x"},
            headers=headers,
        )

    def placement(self, db: Session, record_id: uuid.UUID) -> Any:
        account = db.execute(select(Account).where(Account.id == record_id)).scalar_one()
        return (account.subsidiary_id, account.unit_id, account.owner_id)
