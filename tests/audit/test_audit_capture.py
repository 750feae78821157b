"""Every audited write through the API lands on the trail, in the same transaction.

Each event names who acted (id and a name snapshot), from which request and address, what
was touched (type, id, label) and the before/after of the fields that changed. A request
that fails leaves neither the change nor its event behind.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from flotilla.core.errors import Conflict
from flotilla.core.ids import new_id
from flotilla.core.scope import system_access
from flotilla.models.audit import AuditEvent
from flotilla.models.identity import RoleGrant, User
from flotilla.models.org import OrgUnit, path_segment
from tests.audit.helpers import actor_name, events
from tests.fixtures.factories import PASSWORD, World, as_user, make_user, make_world

TEST_CLIENT_IP = "testclient"  # what Starlette's TestClient reports as the peer address
REDACTED = "***"


def rid() -> str:
    return f"req-{uuid.uuid4().hex[:16]}"


def request_events(db: Session, request_id: str) -> list[AuditEvent]:
    return events(db, request_id=request_id)


@pytest.fixture
def world(db: Session) -> World:
    return make_world(db)


@pytest.fixture
def admin(client: TestClient, db: Session, world: World) -> tuple[User, dict[str, str]]:
    return as_user(client, db, world.group, "group_admin")


def create_unit(
    client: TestClient, headers: dict[str, str], parent: OrgUnit, request_id: str, **extra: Any
) -> Any:
    body = {
        "parent_id": str(parent.id),
        "kind": "department",
        "code": f"D-{uuid.uuid4().hex[:8]}",
        "name": "华北大客户部",
        **extra,
    }
    return client.post(
        "/api/v1/org-units", json=body, headers={**headers, "X-Request-ID": request_id}
    )


# --- org units --------------------------------------------------------------------------


def test_creating_an_org_unit_records_one_event_with_actor_request_and_new_values(
    client: TestClient, db: Session, world: World, admin: tuple[User, dict[str, str]]
) -> None:
    user, headers = admin
    request_id = rid()
    response = create_unit(client, headers, world.sub_a, request_id, region="华北")
    assert response.status_code == 201, response.text
    unit = response.json()

    recorded = request_events(db, request_id)
    assert len(recorded) == 1, [e.action for e in recorded]
    event = recorded[0]
    assert event.action == "org_unit.create"
    assert event.actor_id == user.id
    assert event.actor_name == actor_name(user)
    assert event.entity_type == "org_unit"
    assert str(event.entity_id) == unit["id"]
    assert event.entity_label == "华北大客户部"
    assert str(event.unit_id) == unit["id"]
    assert event.subsidiary_id == world.sub_a.id
    assert event.request_id == request_id
    assert event.client_ip == TEST_CLIENT_IP
    changes = event.changes
    assert changes["name"] == {"before": None, "after": "华北大客户部"}
    assert changes["code"] == {"before": None, "after": unit["code"]}
    assert changes["region"] == {"before": None, "after": "华北"}
    assert changes["parent_id"] == {"before": None, "after": str(world.sub_a.id)}
    # Bookkeeping columns are not part of the trail.
    assert not {"created_at", "updated_at", "version"} & set(changes)


def test_the_response_echoes_the_request_id_that_the_event_records(
    client: TestClient, db: Session, world: World, admin: tuple[User, dict[str, str]]
) -> None:
    _user, headers = admin
    request_id = rid()
    response = create_unit(client, headers, world.sub_a, request_id)
    assert response.status_code == 201, response.text
    assert response.headers["X-Request-ID"] == request_id
    assert [e.request_id for e in request_events(db, request_id)] == [request_id]


def test_updating_an_org_unit_records_only_the_changed_fields(
    client: TestClient, db: Session, world: World, admin: tuple[User, dict[str, str]]
) -> None:
    user, headers = admin
    created = create_unit(client, headers, world.sub_a, rid(), region="华北").json()
    request_id = rid()
    response = client.patch(
        f"/api/v1/org-units/{created['id']}",
        # region is sent unchanged: it must not appear as a change.
        json={"version": created["version"], "name": "华北战略客户部", "region": "华北"},
        headers={**headers, "X-Request-ID": request_id},
    )
    assert response.status_code == 200, response.text

    recorded = request_events(db, request_id)
    assert len(recorded) == 1
    event = recorded[0]
    assert event.action == "org_unit.update"
    assert str(event.entity_id) == created["id"]
    assert event.entity_label == "华北战略客户部"
    assert event.actor_id == user.id
    assert event.changes == {"name": {"before": "华北大客户部", "after": "华北战略客户部"}}


def test_deleting_an_org_unit_records_its_last_values(
    client: TestClient, db: Session, world: World, admin: tuple[User, dict[str, str]]
) -> None:
    user, headers = admin
    created = create_unit(client, headers, world.sub_a, rid()).json()
    request_id = rid()
    response = client.delete(
        f"/api/v1/org-units/{created['id']}", headers={**headers, "X-Request-ID": request_id}
    )
    assert response.status_code == 204, response.text

    recorded = request_events(db, request_id)
    assert len(recorded) == 1
    event = recorded[0]
    assert event.action == "org_unit.delete"
    assert event.entity_type == "org_unit"
    assert str(event.entity_id) == created["id"]
    assert event.entity_label == "华北大客户部"
    assert event.actor_id == user.id
    assert event.client_ip == TEST_CLIENT_IP
    assert event.changes["name"] == {"before": "华北大客户部", "after": None}
    assert event.changes["code"] == {"before": created["code"], "after": None}
    assert db.execute(select(OrgUnit).where(OrgUnit.id == uuid.UUID(created["id"]))).first() is None


# --- users ------------------------------------------------------------------------------


def create_user_via_api(
    client: TestClient, headers: dict[str, str], unit: OrgUnit, request_id: str
) -> dict[str, Any]:
    response = client.post(
        "/api/v1/users",
        json={
            "username": f"u{uuid.uuid4().hex[:10]}",
            "display_name": "周晓明",
            "password": "a-long-enough-secret",
            "primary_unit_id": str(unit.id),
            "title": "销售代表",
        },
        headers={**headers, "X-Request-ID": request_id},
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_creating_a_user_records_the_user_once_with_the_password_hash_redacted(
    client: TestClient, db: Session, world: World, admin: tuple[User, dict[str, str]]
) -> None:
    user, headers = admin
    request_id = rid()
    created = create_user_via_api(client, headers, world.team_a, request_id)

    recorded = request_events(db, request_id)
    user_events = [e for e in recorded if e.entity_type == "app_user"]
    assert len(user_events) == 1
    event = user_events[0]
    assert event.action == "app_user.create"
    assert str(event.entity_id) == created["id"]
    assert event.entity_label == f"周晓明 ({created['username']})"
    assert event.unit_id == world.team_a.id
    assert event.subsidiary_id == world.sub_a.id
    assert event.actor_id == user.id
    assert event.actor_name == actor_name(user)
    assert event.request_id == request_id
    assert event.changes["username"] == {"before": None, "after": created["username"]}
    assert event.changes["password_hash"] == {"before": None, "after": REDACTED}
    # The primary seat is its own audited row, written by the same request.
    assert [e.action for e in recorded if e.entity_type == "position"] == ["position.create"]

    stored_hash = db.execute(
        select(User.password_hash).where(User.id == uuid.UUID(created["id"]))
    ).scalar_one()
    trail = json.dumps([e.changes for e in recorded], ensure_ascii=False)
    assert stored_hash not in trail
    assert "a-long-enough-secret" not in trail


def test_updating_a_user_records_only_the_changed_fields(
    client: TestClient, db: Session, world: World, admin: tuple[User, dict[str, str]]
) -> None:
    _user, headers = admin
    created = create_user_via_api(client, headers, world.team_a, rid())
    request_id = rid()
    response = client.patch(
        f"/api/v1/users/{created['id']}",
        json={
            "version": created["version"],
            "display_name": "周晓明(离职)",
            "is_active": False,
            "locale": created["locale"],
        },
        headers={**headers, "X-Request-ID": request_id},
    )
    assert response.status_code == 200, response.text

    recorded = request_events(db, request_id)
    assert len(recorded) == 1
    event = recorded[0]
    assert event.action == "app_user.update"
    assert str(event.entity_id) == created["id"]
    assert event.entity_label == f"周晓明(离职) ({created['username']})"
    assert event.changes == {
        "display_name": {"before": "周晓明", "after": "周晓明(离职)"},
        "is_active": {"before": True, "after": False},
    }


def test_a_password_change_is_recorded_with_the_value_redacted(
    client: TestClient, db: Session, world: World, admin: tuple[User, dict[str, str]]
) -> None:
    user, headers = admin
    target = make_user(db, world.team_a, "sales_rep")
    old_hash = target.password_hash
    db.commit()
    request_id = rid()
    response = client.put(
        f"/api/v1/users/{target.id}/password",
        json={"password": "brand-new-secret-42"},
        headers={**headers, "X-Request-ID": request_id},
    )
    assert response.status_code == 204, response.text

    recorded = request_events(db, request_id)
    assert len(recorded) == 1
    event = recorded[0]
    assert event.action == "app_user.update"
    assert event.entity_id == target.id
    assert event.actor_id == user.id
    assert event.changes == {"password_hash": {"before": REDACTED, "after": REDACTED}}
    db.expire_all()
    new_hash = db.execute(select(User.password_hash).where(User.id == target.id)).scalar_one()
    assert new_hash != old_hash
    text = json.dumps(event.changes)
    assert old_hash not in text
    assert new_hash not in text
    assert "brand-new-secret-42" not in text


# --- role grants ------------------------------------------------------------------------


def test_granting_and_revoking_a_role_records_one_event_each(
    client: TestClient, db: Session, world: World, admin: tuple[User, dict[str, str]]
) -> None:
    user, headers = admin
    grantee = make_user(db, world.team_a, None)
    db.commit()
    role = world.roles["sales_rep"]

    grant_request = rid()
    response = client.post(
        f"/api/v1/users/{grantee.id}/grants",
        json={"role_id": str(role.id), "unit_id": str(world.team_a.id)},
        headers={**headers, "X-Request-ID": grant_request},
    )
    assert response.status_code == 201, response.text
    grant_id = response.json()["id"]

    granted = request_events(db, grant_request)
    assert len(granted) == 1
    event = granted[0]
    assert event.action == "role_grant.create"
    assert event.entity_type == "role_grant"
    assert str(event.entity_id) == grant_id
    assert event.entity_label == grant_id
    assert event.unit_id == world.team_a.id
    assert event.actor_id == user.id
    assert event.actor_name == actor_name(user)
    assert event.request_id == grant_request
    assert event.client_ip == TEST_CLIENT_IP
    assert event.changes["user_id"] == {"before": None, "after": str(grantee.id)}
    assert event.changes["role_id"] == {"before": None, "after": str(role.id)}
    assert event.changes["unit_id"] == {"before": None, "after": str(world.team_a.id)}

    revoke_request = rid()
    response = client.delete(
        f"/api/v1/users/{grantee.id}/grants/{grant_id}",
        headers={**headers, "X-Request-ID": revoke_request},
    )
    assert response.status_code == 204, response.text
    revoked = request_events(db, revoke_request)
    assert len(revoked) == 1
    event = revoked[0]
    assert event.action == "role_grant.delete"
    assert str(event.entity_id) == grant_id
    assert event.changes["role_id"] == {"before": str(role.id), "after": None}
    assert event.changes["user_id"] == {"before": str(grantee.id), "after": None}
    assert db.execute(select(RoleGrant).where(RoleGrant.id == uuid.UUID(grant_id))).first() is None


def test_the_actor_name_is_a_snapshot_taken_when_the_change_was_made(
    client: TestClient, db: Session, world: World, admin: tuple[User, dict[str, str]]
) -> None:
    user, headers = admin
    name_then = actor_name(user)
    first = rid()
    assert create_unit(client, headers, world.sub_a, first).status_code == 201
    db.expire_all()
    me = db.execute(select(User).where(User.id == user.id)).scalar_one()
    response = client.patch(
        f"/api/v1/users/{user.id}",
        json={"version": me.version, "display_name": "改名后的管理员"},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    second = rid()
    assert create_unit(client, headers, world.sub_a, second).status_code == 201

    assert request_events(db, first)[0].actor_name == name_then
    assert request_events(db, second)[0].actor_name == f"改名后的管理员 ({user.username})"
    assert request_events(db, first)[0].actor_id == request_events(db, second)[0].actor_id


# --- failed requests --------------------------------------------------------------------


def test_a_request_refused_by_validation_writes_no_event_and_no_change(
    client: TestClient, db: Session, world: World, admin: tuple[User, dict[str, str]]
) -> None:
    _user, headers = admin
    request_id = rid()
    response = create_unit(client, headers, world.sub_a, request_id, code="BAD-CUR", currency="ZZZ")
    assert response.status_code == 422, response.text
    assert request_events(db, request_id) == []
    assert db.execute(select(OrgUnit).where(OrgUnit.code == "BAD-CUR")).first() is None


def test_a_request_failing_after_its_flush_rolls_back_its_event_with_the_change(
    client: TestClient,
    db: Session,
    world: World,
    admin: tuple[User, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _user, headers = admin
    request_id = rid()
    seen_inside: list[str] = []

    def flush_then_conflict(session: Session, *_args: object, **_kwargs: object) -> None:
        session.flush()  # the unit row and its audit event are now written...
        seen_inside.extend(
            session.execute(
                system_access(select(AuditEvent.action).where(AuditEvent.request_id == request_id))
            ).scalars()
        )
        raise Conflict("conflict")  # ...and the request then fails

    monkeypatch.setattr("flotilla.org.service.ensure_still_visible", flush_then_conflict)
    response = create_unit(client, headers, world.sub_a, request_id, code="AFTER-FLUSH")
    assert response.status_code == 409, response.text

    # The event was written inside the request's transaction and went with its rollback.
    assert seen_inside == ["org_unit.create"]
    assert request_events(db, request_id) == []
    assert db.execute(select(OrgUnit).where(OrgUnit.code == "AFTER-FLUSH")).first() is None


def test_a_write_the_database_refuses_at_flush_leaves_no_event_and_no_change(
    client: TestClient,
    db: Session,
    world: World,
    admin: tuple[User, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two requests racing for one code: the loser passes the service check and is then
    refused by the unique constraint (409). Neither its row nor its event may remain."""
    _user, headers = admin
    existing = create_unit(client, headers, world.sub_a, rid(), code="TAKEN").json()
    other = create_unit(client, headers, world.sub_a, rid(), code="OTHER").json()
    monkeypatch.setattr("flotilla.org.service._check_unique", lambda *_args: None)

    create_request = rid()
    response = create_unit(client, headers, world.sub_b, create_request, code="TAKEN")
    assert response.status_code == 409, response.text
    assert response.json()["error"]["code"] == "conflict"

    update_request = rid()
    response = client.patch(
        f"/api/v1/org-units/{other['id']}",
        json={"version": other["version"], "name": "不该生效", "code": "TAKEN"},
        headers={**headers, "X-Request-ID": update_request},
    )
    assert response.status_code == 409, response.text

    assert request_events(db, create_request) == []
    assert request_events(db, update_request) == []
    db.expire_all()
    assert [u.id for u in db.execute(select(OrgUnit).where(OrgUnit.code == "TAKEN")).scalars()] == [
        uuid.UUID(existing["id"])
    ]
    unchanged = db.execute(select(OrgUnit).where(OrgUnit.id == uuid.UUID(other["id"]))).scalar_one()
    assert (unchanged.name, unchanged.code) == ("华北大客户部", "OTHER")


def _bare_unit(code: str) -> OrgUnit:
    unit = OrgUnit(id=new_id(), kind="department", code=code, name=code, depth=0)
    unit.path = "/" + path_segment(unit.id)
    return unit


def test_an_event_queued_by_a_refused_flush_is_not_appended_by_the_next_transaction(
    db: Session,
) -> None:
    """A long-lived session (CLI, job) that survives a failed flush must not later write
    an event for the row the database refused."""
    db.add(_bare_unit("DUP-CODE"))
    db.commit()
    refused = _bare_unit("DUP-CODE")
    db.add(refused)
    with pytest.raises(IntegrityError):
        db.commit()
    db.rollback()

    db.add(_bare_unit("NEXT-ONE"))
    db.commit()
    assert events(db, entity_id=refused.id) == []
    assert [e.entity_label for e in events(db, entity_type="org_unit")][-2:] == [
        "DUP-CODE",
        "NEXT-ONE",
    ]


# --- logins -----------------------------------------------------------------------------


def test_a_successful_login_is_recorded(client: TestClient, db: Session, world: World) -> None:
    user = make_user(db, world.team_a, "sales_rep")
    db.commit()
    request_id = rid()
    response = client.post(
        "/api/v1/auth/login",
        json={"username": user.username, "password": PASSWORD},
        headers={"X-Request-ID": request_id},
    )
    assert response.status_code == 200, response.text

    recorded = request_events(db, request_id)
    assert [e.action for e in recorded] == ["auth.login"]
    event = recorded[0]
    assert event.actor_id == user.id
    assert event.actor_name == actor_name(user)
    assert event.entity_type == "app_user"
    assert event.entity_id == user.id
    assert event.entity_label == user.username
    assert event.unit_id == world.team_a.id
    assert event.client_ip == TEST_CLIENT_IP


def test_a_failed_login_is_recorded_without_the_password(
    client: TestClient, db: Session, world: World
) -> None:
    user = make_user(db, world.team_a, "sales_rep")
    db.commit()
    wrong, unknown = rid(), rid()
    response = client.post(
        "/api/v1/auth/login",
        json={"username": user.username, "password": "guessed-password-1"},
        headers={"X-Request-ID": wrong},
    )
    assert response.status_code == 401, response.text
    response = client.post(
        "/api/v1/auth/login",
        json={"username": "nobody-here", "password": "guessed-password-2"},
        headers={"X-Request-ID": unknown},
    )
    assert response.status_code == 401, response.text

    [event] = request_events(db, wrong)
    assert event.action == "auth.login_failed"
    assert event.actor_id is None
    assert event.actor_name == "anonymous"
    assert event.entity_type == "app_user"
    assert event.entity_id == user.id
    assert event.entity_label == user.username
    assert event.client_ip == TEST_CLIENT_IP
    [event] = request_events(db, unknown)
    assert event.action == "auth.login_failed"
    assert event.entity_id is None
    assert event.entity_label == "nobody-here"
    trail = json.dumps([e.changes for e in events(db)]) + " ".join(
        str(e.entity_label) for e in events(db)
    )
    assert "guessed-password" not in trail
