"""The contract every scoped resource passes. Subclass it in the resource's test module:

    class TestUsersAreScoped(ScopedResourceContract):
        collection = "/api/v1/users"
        ...hooks...

It proves: anonymous → 401; no grant → 404 and absent from list, count and search; a
sibling subsidiary is invisible; a parent unit's director sees descendants; an ``own``
scope sees only own records; moving a record out of the caller's scope is refused and
changes nothing.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session

from tests.fixtures.factories import World, as_user, make_world


class ScopedResourceContract:
    collection: ClassVar[str]
    search_param: ClassVar[str] = "q"
    # A role at subsidiary A that may write this resource (used for the move test).
    mover_role: ClassVar[str] = "sales_director"

    # --- hooks each resource implements -------------------------------------------------
    def make_record(self, db: Session, world: World, unit_name: str) -> tuple[uuid.UUID, str]:
        """Create a record placed in ``getattr(world, unit_name)``; return (id, search text)."""
        raise NotImplementedError

    def own_record(self, db: Session, world: World, owner_id: uuid.UUID) -> uuid.UUID:
        """The id of a record that belongs to ``owner_id`` under the resource's own rule."""
        raise NotImplementedError

    def move_out(
        self, client: TestClient, headers: dict[str, str], record_id: uuid.UUID, world: World
    ) -> Response:
        """Try to move the record into subsidiary B."""
        raise NotImplementedError

    def placement(self, db: Session, record_id: uuid.UUID) -> Any:
        """Where the record sits now (compared before and after a refused move)."""
        raise NotImplementedError

    # --- helpers ---------------------------------------------------------------------------
    def _list_ids(self, client: TestClient, headers: dict[str, str], **params: Any) -> set[str]:
        ids: set[str] = set()
        cursor = None
        while True:
            query = {"limit": 500, **params}
            if cursor:
                query["cursor"] = cursor
            response = client.get(self.collection, params=query, headers=headers)
            assert response.status_code == 200, response.text
            body = response.json()
            ids.update(item["id"] for item in body["items"])
            cursor = body["next_cursor"]
            if not cursor:
                return ids

    def _total(self, client: TestClient, headers: dict[str, str], **params: Any) -> int:
        response = client.get(
            self.collection, params={"include_total": "true", **params}, headers=headers
        )
        assert response.status_code == 200, response.text
        total = response.json()["total"]
        assert isinstance(total, int)
        return total

    def _assert_invisible(
        self, client: TestClient, headers: dict[str, str], record_id: uuid.UUID, text: str
    ) -> None:
        got = client.get(f"{self.collection}/{record_id}", headers=headers)
        assert got.status_code == 404, f"expected 404, got {got.status_code}: {got.text}"
        assert str(record_id) not in got.text
        assert str(record_id) not in self._list_ids(client, headers)
        assert str(record_id) not in self._list_ids(client, headers, **{self.search_param: text})
        assert self._total(client, headers, **{self.search_param: text}) == 0

    # --- the contract ----------------------------------------------------------------------
    def test_anonymous_gets_401(self, client: TestClient, db: Session) -> None:
        world = make_world(db)
        record_id, _text = self.make_record(db, world, "dept_a")
        db.commit()
        assert client.get(self.collection).status_code == 401
        response = client.get(f"{self.collection}/{record_id}")
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthenticated"

    def test_caller_without_grant_sees_nothing(self, client: TestClient, db: Session) -> None:
        world = make_world(db)
        record_id, text = self.make_record(db, world, "dept_a")
        _user, headers = as_user(client, db, world.team_a, None)
        self._assert_invisible(client, headers, record_id, text)

    def test_sibling_subsidiary_is_invisible(self, client: TestClient, db: Session) -> None:
        world = make_world(db)
        record_id, text = self.make_record(db, world, "dept_b")
        _director, headers = as_user(client, db, world.sub_a, "sales_director")
        self._assert_invisible(client, headers, record_id, text)

    def test_parent_unit_sees_descendants(self, client: TestClient, db: Session) -> None:
        world = make_world(db)
        in_team_a, text_a = self.make_record(db, world, "team_a")
        in_dept_b, _text_b = self.make_record(db, world, "dept_b")
        _director, director = as_user(client, db, world.sub_a, "sales_director")
        _vp, vp = as_user(client, db, world.group, "group_sales_vp")

        assert client.get(f"{self.collection}/{in_team_a}", headers=director).status_code == 200
        assert str(in_team_a) in self._list_ids(client, director, **{self.search_param: text_a})
        assert self._total(client, director, **{self.search_param: text_a}) == 1
        vp_ids = self._list_ids(client, vp)
        assert {str(in_team_a), str(in_dept_b)} <= vp_ids

    def test_own_scope_sees_only_own_records(self, client: TestClient, db: Session) -> None:
        world = make_world(db)
        colleague_record, text = self.make_record(db, world, "dept_a")
        rep, headers = as_user(client, db, world.team_a, "sales_rep")
        own = self.own_record(db, world, rep.id)
        db.commit()
        visible = self._list_ids(client, headers)
        assert str(own) in visible
        assert client.get(f"{self.collection}/{own}", headers=headers).status_code == 200
        self._assert_invisible(client, headers, colleague_record, text)

    def test_moving_a_record_out_of_scope_is_refused(self, client: TestClient, db: Session) -> None:
        world = make_world(db)
        record_id, _text = self.make_record(db, world, "dept_a")
        _mover, headers = as_user(client, db, world.sub_a, self.mover_role)
        before = self.placement(db, record_id)
        response = self.move_out(client, headers, record_id, world)
        assert response.status_code in (403, 404, 422), response.text
        assert "error" in response.json()
        db.expire_all()
        assert self.placement(db, record_id) == before
