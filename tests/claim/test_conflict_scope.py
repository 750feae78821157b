from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.models.customer import Account, ClaimConflict
from flotilla.models.identity import User
from tests.contracts.scoped_resource import ScopedResourceContract
from tests.fixtures.customer import make_conflict, make_third_subsidiary
from tests.fixtures.factories import World, make_user


class TestConflictsAreScoped(ScopedResourceContract):
    """A conflict is visible to the requesting side's reach, the protecting side's reach
    and the requester. Records here are requested from the given unit against an account
    protected by a third subsidiary C, so only the requesting side decides visibility."""

    collection = "/api/v1/conflicts"

    def make_record(self, db: Session, world: World, unit_name: str) -> tuple[uuid.UUID, str]:
        unit = getattr(world, unit_name)
        _sub_c, dept_c = make_third_subsidiary(db, world.group)
        conflict = make_conflict(
            db,
            requesting_unit=unit,
            requested_by=make_user(db, unit, None),
            protecting_unit=dept_c,
        )
        account = db.execute(select(Account).where(Account.id == conflict.account_id)).scalar_one()
        return conflict.id, account.name

    def own_record(self, db: Session, world: World, owner_id: uuid.UUID) -> uuid.UUID:
        requester = db.execute(select(User).where(User.id == owner_id)).scalar_one()
        _sub_c, dept_c = make_third_subsidiary(db, world.group)
        return make_conflict(
            db, requesting_unit=world.team_a, requested_by=requester, protecting_unit=dept_c
        ).id

    def move_out(
        self, client: TestClient, headers: dict[str, str], record_id: uuid.UUID, world: World
    ) -> Response:
        """The requesting side tries to resolve its own conflict into a transfer."""
        conflict = client.get(f"{self.collection}/{record_id}", headers=headers).json()
        return client.post(
            f"{self.collection}/{record_id}/resolve",
            json={"resolution": "transfer", "version": conflict["version"]},
            headers=headers,
        )

    def placement(self, db: Session, record_id: uuid.UUID) -> Any:
        conflict = db.execute(
            select(ClaimConflict).where(ClaimConflict.id == record_id)
        ).scalar_one()
        return (conflict.status, conflict.requesting_unit_id, conflict.protecting_unit_id)
