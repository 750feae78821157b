from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.models.identity import User
from flotilla.models.sales import Activity
from tests.contracts.scoped_resource import ScopedResourceContract
from tests.fixtures.factories import World
from tests.fixtures.sales import make_activity


class TestActivitiesAreScoped(ScopedResourceContract):
    collection = "/api/v1/activities"

    def make_record(self, db: Session, world: World, unit_name: str) -> tuple[uuid.UUID, str]:
        subject = f"契约拜访{uuid.uuid4().hex[:8]}"
        activity = make_activity(db, getattr(world, unit_name), subject=subject)
        return activity.id, subject

    def own_record(self, db: Session, world: World, owner_id: uuid.UUID) -> uuid.UUID:
        owner = db.execute(select(User).where(User.id == owner_id)).scalar_one()
        return make_activity(db, world.team_a, owner=owner, kind="task").id

    def move_out(
        self, client: TestClient, headers: dict[str, str], record_id: uuid.UUID, world: World
    ) -> Response:
        return client.patch(
            f"{self.collection}/{record_id}",
            json={"version": 1, "unit_id": str(world.dept_b.id)},
            headers=headers,
        )

    def placement(self, db: Session, record_id: uuid.UUID) -> Any:
        activity = db.execute(select(Activity).where(Activity.id == record_id)).scalar_one()
        return (activity.unit_id, activity.subsidiary_id, activity.owner_id, activity.version)
