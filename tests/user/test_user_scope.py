from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.models.identity import User
from tests.contracts.scoped_resource import ScopedResourceContract
from tests.fixtures.factories import World, make_user


class TestUsersAreScoped(ScopedResourceContract):
    collection = "/api/v1/users"

    def make_record(self, db: Session, world: World, unit_name: str) -> tuple[uuid.UUID, str]:
        user = make_user(db, getattr(world, unit_name), None)
        return user.id, user.username

    def own_record(self, db: Session, world: World, owner_id: uuid.UUID) -> uuid.UUID:
        return owner_id

    def move_out(
        self, client: TestClient, headers: dict[str, str], record_id: uuid.UUID, world: World
    ) -> Response:
        return client.post(
            f"{self.collection}/{record_id}/positions",
            json={"unit_id": str(world.sub_b.id), "is_primary": True},
            headers=headers,
        )

    def placement(self, db: Session, record_id: uuid.UUID) -> Any:
        user = db.execute(select(User).where(User.id == record_id)).scalar_one()
        return (user.primary_unit_id, user.subsidiary_id)
