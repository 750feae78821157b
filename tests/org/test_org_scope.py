from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.models.identity import Position
from flotilla.models.org import OrgUnit
from tests.contracts.scoped_resource import ScopedResourceContract
from tests.fixtures.factories import World, make_unit


class TestOrgUnitsAreScoped(ScopedResourceContract):
    collection = "/api/v1/org-units"
    mover_role = "subsidiary_admin"

    def make_record(self, db: Session, world: World, unit_name: str) -> tuple[uuid.UUID, str]:
        parent = getattr(world, unit_name)
        name = f"记录单元{uuid.uuid4().hex[:6]}"
        unit = make_unit(db, parent, "team", name)
        return unit.id, name

    def own_record(self, db: Session, world: World, owner_id: uuid.UUID) -> uuid.UUID:
        return db.execute(select(Position.unit_id).where(Position.user_id == owner_id)).scalar_one()

    def move_out(
        self, client: TestClient, headers: dict[str, str], record_id: uuid.UUID, world: World
    ) -> Response:
        return client.post(
            f"{self.collection}/{record_id}/move",
            json={"new_parent_id": str(world.dept_b.id), "version": 1},
            headers=headers,
        )

    def placement(self, db: Session, record_id: uuid.UUID) -> Any:
        unit = db.execute(select(OrgUnit).where(OrgUnit.id == record_id)).scalar_one()
        return (unit.parent_id, unit.path, unit.subsidiary_id)
