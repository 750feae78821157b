from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.models.identity import User
from flotilla.models.sales import Lead
from tests.contracts.scoped_resource import ScopedResourceContract
from tests.fixtures.factories import World
from tests.fixtures.sales import make_lead


class TestLeadsAreScoped(ScopedResourceContract):
    collection = "/api/v1/leads"

    def make_record(self, db: Session, world: World, unit_name: str) -> tuple[uuid.UUID, str]:
        name = f"契约线索{uuid.uuid4().hex[:8]}"
        lead = make_lead(db, getattr(world, unit_name), company_name=name)
        return lead.id, name

    def own_record(self, db: Session, world: World, owner_id: uuid.UUID) -> uuid.UUID:
        owner = db.execute(select(User).where(User.id == owner_id)).scalar_one()
        return make_lead(db, world.team_a, owner=owner).id

    def move_out(
        self, client: TestClient, headers: dict[str, str], record_id: uuid.UUID, world: World
    ) -> Response:
        return client.patch(
            f"{self.collection}/{record_id}",
            json={"version": 1, "unit_id": str(world.dept_b.id)},
            headers=headers,
        )

    def placement(self, db: Session, record_id: uuid.UUID) -> Any:
        lead = db.execute(select(Lead).where(Lead.id == record_id)).scalar_one()
        return (lead.unit_id, lead.subsidiary_id, lead.owner_id, lead.version)
