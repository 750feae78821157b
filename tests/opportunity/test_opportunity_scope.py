from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.models.identity import User
from flotilla.models.sales import Opportunity, ProcessVersion
from flotilla.process.seed import ensure_standard_template
from tests.contracts.scoped_resource import ScopedResourceContract
from tests.fixtures.factories import World, as_user, make_world
from tests.fixtures.process import add_member, latest_version, make_opportunity

BASE = "/api/v1/opportunities"


def standard_version(db: Session) -> ProcessVersion:
    return latest_version(db, ensure_standard_template(db))


class TestOpportunitiesAreScoped(ScopedResourceContract):
    collection = BASE

    def make_record(self, db: Session, world: World, unit_name: str) -> tuple[uuid.UUID, str]:
        name = f"商机-{uuid.uuid4().hex[:10]}"
        deal = make_opportunity(
            db, getattr(world, unit_name), version=standard_version(db), name=name
        )
        return deal.id, name

    def own_record(self, db: Session, world: World, owner_id: uuid.UUID) -> uuid.UUID:
        owner = db.execute(select(User).where(User.id == owner_id)).scalar_one()
        return make_opportunity(db, world.team_a, owner, version=standard_version(db)).id

    def move_out(
        self, client: TestClient, headers: dict[str, str], record_id: uuid.UUID, world: World
    ) -> Response:
        current = client.get(f"{BASE}/{record_id}", headers=headers).json()
        return client.patch(
            f"{BASE}/{record_id}",
            json={"version": current["version"], "unit_id": str(world.dept_b.id)},
            headers=headers,
        )

    def placement(self, db: Session, record_id: uuid.UUID) -> Any:
        deal = db.execute(select(Opportunity).where(Opportunity.id == record_id)).scalar_one()
        return (deal.unit_id, deal.subsidiary_id, deal.owner_id)


def test_a_team_member_from_another_subsidiary_sees_and_works_the_deal(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    deal = make_opportunity(db, world.team_a, version=standard_version(db), name="铁三角项目")
    specialist, headers = as_user(client, db, world.dept_b, "sales_rep")
    assert client.get(f"{BASE}/{deal.id}", headers=headers).status_code == 404

    add_member(db, deal, specialist, "SR")
    db.commit()
    got = client.get(f"{BASE}/{deal.id}", headers=headers)
    assert got.status_code == 200
    assert [(m["user_id"], m["role"]) for m in got.json()["members"]] == [
        (str(specialist.id), "SR")
    ]
    listed = client.get(BASE, params={"q": "铁三角", "include_total": "true"}, headers=headers)
    assert [i["id"] for i in listed.json()["items"]] == [str(deal.id)]
    assert listed.json()["total"] == 1
    edited = client.patch(
        f"{BASE}/{deal.id}",
        json={"version": got.json()["version"], "competitors": ["竞品甲"]},
        headers=headers,
    )
    assert edited.status_code == 200, edited.text
    # The member works the deal but cannot move it into their own subsidiary.
    moved = client.patch(
        f"{BASE}/{deal.id}",
        json={"version": edited.json()["version"], "unit_id": str(world.dept_b.id)},
        headers=headers,
    )
    assert moved.status_code in (403, 422)


def test_removing_a_member_takes_the_deal_out_of_their_sight(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    deal = make_opportunity(db, world.team_a, version=standard_version(db))
    specialist, member_headers = as_user(client, db, world.dept_b, "sales_rep")
    _manager, manager = as_user(client, db, world.dept_a, "sales_manager")
    added = client.post(
        f"{BASE}/{deal.id}/members",
        json={"user_id": str(specialist.id), "role": "FR"},
        headers=manager,
    )
    assert added.status_code == 201, added.text
    assert added.json()["display_name"] == specialist.display_name
    assert client.get(f"{BASE}/{deal.id}", headers=member_headers).status_code == 200

    removed = client.delete(f"{BASE}/{deal.id}/members/{specialist.id}", headers=manager)
    assert removed.status_code == 204
    assert client.get(f"{BASE}/{deal.id}", headers=member_headers).status_code == 404
    assert (
        client.delete(f"{BASE}/{deal.id}/members/{specialist.id}", headers=manager).status_code
        == 404
    )


def test_a_manager_sees_the_deals_below_their_unit_only(client: TestClient, db: Session) -> None:
    world = make_world(db)
    version = standard_version(db)
    in_team = make_opportunity(db, world.team_a, version=version)
    in_sub_b = make_opportunity(db, world.dept_b, version=version)
    _manager, headers = as_user(client, db, world.dept_a, "sales_manager")
    ids = {i["id"] for i in client.get(BASE, headers=headers).json()["items"]}
    assert ids == {str(in_team.id)}
    assert client.get(f"{BASE}/{in_sub_b.id}", headers=headers).status_code == 404
    assert client.get(f"{BASE}/{in_sub_b.id}/history", headers=headers).status_code == 404
