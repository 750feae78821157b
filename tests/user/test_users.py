"""Users: subsidiary isolation, personal-data masking, validation, grants, paging."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flotilla.models.audit import AuditEvent
from flotilla.models.identity import AuthSession, Position, Role, RoleGrant, User
from tests.fixtures.factories import World, as_user, make_user, make_world

USERS = "/api/v1/users"
STRONG_PASSWORD = "a-long-enough-password"


def _error(response: Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert error["code"] == code, error
    assert error["message"], error
    for problem in error["fields"]:
        assert set(problem) == {"field", "code", "message"}, problem
        assert problem["message"], problem
    return error


def _fields(error: dict[str, Any]) -> list[tuple[str, str]]:
    return [(f["field"], f["code"]) for f in error["fields"]]


def _people(db: Session) -> dict[str, Any]:
    """Everything a user-management request could change, for before/after comparison."""
    db.expire_all()
    users = {
        u.id: (
            u.username,
            u.display_name,
            u.email,
            u.phone,
            u.is_active,
            u.locale,
            u.primary_unit_id,
            u.subsidiary_id,
            u.password_hash,
            u.version,
        )
        for u in db.execute(select(User)).scalars()
    }
    positions = {
        (p.user_id, p.unit_id, p.is_primary, p.title)
        for p in db.execute(select(Position)).scalars()
    }
    grants = {(g.user_id, g.role_id, g.unit_id) for g in db.execute(select(RoleGrant)).scalars()}
    revoked = db.execute(
        select(func.count()).select_from(AuthSession).where(AuthSession.revoked_at.is_not(None))
    ).scalar_one()
    events = db.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
    return {
        "users": users,
        "positions": positions,
        "grants": grants,
        "revoked": revoked,
        "audit_events": events,
    }


def _role_id(db: Session, code: str) -> uuid.UUID:
    return db.execute(select(Role.id).where(Role.code == code)).scalar_one()


def _all_pages(
    client: TestClient, headers: dict[str, str], **params: Any
) -> tuple[list[dict[str, Any]], int]:
    items: list[dict[str, Any]] = []
    pages = 0
    cursor = None
    while True:
        query = dict(params)
        if cursor:
            query["cursor"] = cursor
        response = client.get(USERS, params=query, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        pages += 1
        assert pages < 100, "pagination does not terminate"
        items.extend(body["items"])
        cursor = body["next_cursor"]
        if not cursor:
            return items, pages


def _director_of_a(client: TestClient, db: Session) -> tuple[World, User, dict[str, str]]:
    world = make_world(db)
    director, headers = as_user(client, db, world.sub_a, "sales_director")
    return world, director, headers


# --- subsidiary isolation -------------------------------------------------------------------


def test_director_cannot_read_a_user_of_another_subsidiary(client: TestClient, db: Session) -> None:
    world, _director, headers = _director_of_a(client, db)
    other = make_user(db, world.dept_b, "sales_rep")
    db.commit()

    for path in ("", "/positions", "/grants"):
        response = client.get(f"{USERS}/{other.id}{path}", headers=headers)
        _error(response, 404, "not_found")
        assert other.username not in response.text


def test_director_cannot_list_count_or_search_users_of_another_subsidiary(
    client: TestClient, db: Session
) -> None:
    world, director, headers = _director_of_a(client, db)
    colleague = make_user(db, world.team_a, "sales_rep", username="zhao.colleague")
    other = make_user(db, world.dept_b, "sales_rep", username="zhao.outsider")
    db.commit()

    listed, _pages = _all_pages(client, headers, limit=500)
    listed_ids = {item["id"] for item in listed}
    assert str(other.id) not in listed_ids
    assert {str(director.id), str(colleague.id)} <= listed_ids

    counted = client.get(USERS, params={"include_total": "true"}, headers=headers).json()
    assert counted["total"] == len(listed_ids)

    searched = client.get(
        USERS, params={"q": "zhao", "include_total": "true"}, headers=headers
    ).json()
    assert [item["id"] for item in searched["items"]] == [str(colleague.id)]
    assert searched["total"] == 1

    exact = client.get(
        USERS, params={"q": other.username, "include_total": "true"}, headers=headers
    ).json()
    assert exact["items"] == [] and exact["total"] == 0

    by_unit = client.get(
        USERS, params={"unit_id": str(world.dept_b.id), "include_total": "true"}, headers=headers
    ).json()
    assert by_unit["items"] == [] and by_unit["total"] == 0


def test_director_cannot_modify_users_of_another_subsidiary(
    client: TestClient, db: Session
) -> None:
    world, _director, headers = _director_of_a(client, db)
    other = make_user(db, world.dept_b, "sales_rep")
    db.commit()
    position_id = db.execute(select(Position.id).where(Position.user_id == other.id)).scalar_one()
    grant_id = db.execute(select(RoleGrant.id).where(RoleGrant.user_id == other.id)).scalar_one()
    before = _people(db)

    attempts = [
        client.patch(
            f"{USERS}/{other.id}",
            json={"version": other.version, "display_name": "被改名"},
            headers=headers,
        ),
        client.patch(
            f"{USERS}/{other.id}",
            json={"version": other.version, "is_active": False},
            headers=headers,
        ),
        client.put(
            f"{USERS}/{other.id}/password", json={"password": STRONG_PASSWORD}, headers=headers
        ),
        client.post(
            f"{USERS}/{other.id}/positions", json={"unit_id": str(world.team_a.id)}, headers=headers
        ),
        client.delete(f"{USERS}/{other.id}/positions/{position_id}", headers=headers),
        client.post(
            f"{USERS}/{other.id}/grants",
            json={"role_id": str(_role_id(db, "sales_rep")), "unit_id": str(world.team_a.id)},
            headers=headers,
        ),
        client.delete(f"{USERS}/{other.id}/grants/{grant_id}", headers=headers),
    ]

    for response in attempts:
        _error(response, 404, "not_found")
    assert _people(db) == before


def test_director_sees_users_with_a_part_time_position_in_their_subsidiary(
    client: TestClient, db: Session
) -> None:
    world, _director, headers = _director_of_a(client, db)
    part_timer = make_user(db, world.dept_b, None, username="qian.parttime")
    db.add(Position(user_id=part_timer.id, unit_id=world.team_a.id, is_primary=False))
    db.commit()

    got = client.get(f"{USERS}/{part_timer.id}", headers=headers)
    assert got.status_code == 200, got.text
    assert got.json()["subsidiary_id"] == str(world.sub_b.id)
    listed, _pages = _all_pages(client, headers, q="qian")
    assert [item["id"] for item in listed] == [str(part_timer.id)]
    in_team = client.get(USERS, params={"unit_id": str(world.team_a.id)}, headers=headers)
    assert str(part_timer.id) in {item["id"] for item in in_team.json()["items"]}


# --- personal data masking ------------------------------------------------------------------


def test_phone_and_email_are_masked_for_a_caller_without_pii_read(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    rep = make_user(
        db,
        world.team_a,
        "sales_rep",
        username="sun.rep",
        phone="13812345678",
        email="sun.rep@example.cn",
    )
    _auditor, headers = as_user(client, db, world.group, "auditor")

    single = client.get(f"{USERS}/{rep.id}", headers=headers).json()
    listed = {item["id"]: item for item in _all_pages(client, headers, q="sun.rep")[0]}

    for item in (single, listed[str(rep.id)]):
        assert item["phone"] == "138****5678"
        assert item["email"] == "s***@example.cn"


def test_phone_and_email_are_clear_for_a_caller_with_pii_read(
    client: TestClient, db: Session
) -> None:
    world, _director, headers = _director_of_a(client, db)
    rep = make_user(db, world.team_a, "sales_rep", phone="13812345678", email="sun.rep@example.cn")
    db.commit()

    single = client.get(f"{USERS}/{rep.id}", headers=headers).json()
    listed = {item["id"]: item for item in _all_pages(client, headers, limit=500)[0]}

    for item in (single, listed[str(rep.id)]):
        assert item["phone"] == "13812345678"
        assert item["email"] == "sun.rep@example.cn"


def test_callers_own_record_is_never_masked(client: TestClient, db: Session) -> None:
    world = make_world(db)
    auditor, headers = as_user(
        client, db, world.group, "auditor", phone="13900001111", email="li.audit@example.cn"
    )
    make_user(db, world.team_a, None, phone="13812345678")
    db.commit()

    single = client.get(f"{USERS}/{auditor.id}", headers=headers).json()
    listed = {item["id"]: item for item in _all_pages(client, headers, limit=500)[0]}

    for item in (single, listed[str(auditor.id)]):
        assert item["phone"] == "13900001111"
        assert item["email"] == "li.audit@example.cn"
    others = [item for key, item in listed.items() if key != str(auditor.id)]
    assert others and all("****" in item["phone"] for item in others if item["phone"])


def test_pii_read_only_unmasks_inside_its_own_reach(client: TestClient, db: Session) -> None:
    """A director with pii.read for A and a group auditor grant sees B's phones masked."""
    world, director, headers = _director_of_a(client, db)
    db.add(RoleGrant(user_id=director.id, role_id=_role_id(db, "auditor"), unit_id=world.group.id))
    inside = make_user(db, world.team_a, None, phone="13811112222")
    outside = make_user(db, world.dept_b, None, phone="13833334444")
    db.commit()

    assert client.get(f"{USERS}/{inside.id}", headers=headers).json()["phone"] == "13811112222"
    assert client.get(f"{USERS}/{outside.id}", headers=headers).json()["phone"] == "138****4444"


# --- create validation ----------------------------------------------------------------------


def _new_user(world: World, **overrides: Any) -> dict[str, Any]:
    body = {
        "username": "zhou.new",
        "display_name": "周新",
        "password": STRONG_PASSWORD,
        "primary_unit_id": str(world.team_a.id),
        "phone": "13800000000",
        "email": "zhou.new@example.cn",
    }
    body.update(overrides)
    return body


def test_director_creates_a_user_with_a_primary_position(client: TestClient, db: Session) -> None:
    world, _director, headers = _director_of_a(client, db)

    response = client.post(USERS, json=_new_user(world, username="Zhou.New"), headers=headers)

    assert response.status_code == 201, response.text
    created = response.json()
    assert created["username"] == "zhou.new"
    assert created["subsidiary_id"] == str(world.sub_a.id)
    db.expire_all()
    positions = db.execute(
        select(Position.unit_id, Position.is_primary).where(
            Position.user_id == uuid.UUID(created["id"])
        )
    ).all()
    assert [tuple(p) for p in positions] == [(world.team_a.id, True)]


@pytest.mark.parametrize("password", ["short-pw", "zhou.new", "ZHOU.NEW"])
def test_weak_password_is_refused_and_no_user_is_created(
    client: TestClient, db: Session, password: str
) -> None:
    world, _director, headers = _director_of_a(client, db)
    before = _people(db)

    response = client.post(USERS, json=_new_user(world, password=password), headers=headers)

    error = _error(response, 422, "validation_failed")
    assert _fields(error) == [("password", "weak_password")]
    assert _people(db) == before


@pytest.mark.parametrize("username", ["taken.name", "Taken.Name"])
def test_duplicate_username_is_refused_and_no_user_is_created(
    client: TestClient, db: Session, username: str
) -> None:
    world, _director, headers = _director_of_a(client, db)
    make_user(db, world.dept_b, None, username="taken.name")
    db.commit()
    before = _people(db)

    response = client.post(USERS, json=_new_user(world, username=username), headers=headers)

    error = _error(response, 409, "duplicate")
    assert _fields(error) == [("username", "duplicate")]
    assert _people(db) == before


def test_unknown_fields_are_refused_and_no_user_is_created(client: TestClient, db: Session) -> None:
    world, _director, headers = _director_of_a(client, db)
    before = _people(db)

    response = client.post(
        USERS,
        json=_new_user(world, is_superuser=True, subsidiary_id=str(world.sub_b.id)),
        headers=headers,
    )

    error = _error(response, 422, "validation_failed")
    assert sorted(_fields(error)) == [
        ("is_superuser", "extra_forbidden"),
        ("subsidiary_id", "extra_forbidden"),
    ]
    assert _people(db) == before


def test_wrong_types_are_refused_with_each_field_named(client: TestClient, db: Session) -> None:
    world, _director, headers = _director_of_a(client, db)
    before = _people(db)

    response = client.post(
        USERS,
        json=_new_user(
            world, username=12345, display_name=["周"], primary_unit_id="not-an-id", locale="fr-FR"
        ),
        headers=headers,
    )

    error = _error(response, 422, "validation_failed")
    assert sorted(_fields(error)) == [
        ("display_name", "string_type"),
        ("locale", "literal_error"),
        ("primary_unit_id", "uuid_parsing"),
        ("username", "string_type"),
    ]
    assert _people(db) == before


def test_missing_and_malformed_fields_are_named(client: TestClient, db: Session) -> None:
    world, _director, headers = _director_of_a(client, db)
    before = _people(db)

    response = client.post(
        USERS,
        json={
            "username": "x y",
            "email": "not-an-email",
            "phone": "call me",
            "primary_unit_id": str(world.team_a.id),
        },
        headers=headers,
    )

    error = _error(response, 422, "validation_failed")
    assert sorted(_fields(error)) == [
        ("display_name", "missing"),
        ("email", "string_pattern_mismatch"),
        ("password", "missing"),
        ("phone", "string_pattern_mismatch"),
        ("username", "string_pattern_mismatch"),
    ]
    assert _people(db) == before


def test_malformed_json_body_is_a_400(client: TestClient, db: Session) -> None:
    _world, _director, headers = _director_of_a(client, db)
    before = _people(db)

    response = client.post(
        USERS,
        content=b'{"username": "zhou.new", "password": ',
        headers={**headers, "Content-Type": "application/json"},
    )

    error = _error(response, 400, "malformed_json")
    assert error["fields"] == []
    assert _people(db) == before


def test_director_cannot_create_a_user_in_another_subsidiary(
    client: TestClient, db: Session
) -> None:
    world, _director, headers = _director_of_a(client, db)
    before = _people(db)

    response = client.post(
        USERS, json=_new_user(world, primary_unit_id=str(world.dept_b.id)), headers=headers
    )

    error = _error(response, 422, "validation_failed")
    assert _fields(error) == [("primary_unit_id", "unknown_reference")]
    assert _people(db) == before


def test_caller_without_user_admin_cannot_create_users(client: TestClient, db: Session) -> None:
    world = make_world(db)
    _auditor, headers = as_user(client, db, world.group, "auditor")
    before = _people(db)

    response = client.post(USERS, json=_new_user(world), headers=headers)

    _error(response, 403, "forbidden")
    assert _people(db) == before


# --- grants cannot escalate -----------------------------------------------------------------


@pytest.mark.parametrize(
    "role_code", ["group_admin", "auditor", "subsidiary_admin", "group_sales_vp"]
)
def test_director_cannot_grant_a_role_beyond_their_own_rights(
    client: TestClient, db: Session, role_code: str
) -> None:
    world, _director, headers = _director_of_a(client, db)
    rep = make_user(db, world.team_a, "sales_rep")
    db.commit()
    before = _people(db)

    response = client.post(
        f"{USERS}/{rep.id}/grants",
        json={"role_id": str(_role_id(db, role_code)), "unit_id": str(world.team_a.id)},
        headers=headers,
    )

    _error(response, 403, "forbidden")
    assert _people(db) == before


@pytest.mark.parametrize("unit_name", ["sub_b", "dept_b", "group"])
def test_director_cannot_grant_anything_at_a_unit_outside_their_subsidiary(
    client: TestClient, db: Session, unit_name: str
) -> None:
    world, _director, headers = _director_of_a(client, db)
    rep = make_user(db, world.team_a, "sales_rep")
    db.commit()
    before = _people(db)

    for role_code in ("sales_rep", "sales_manager", "sales_director"):
        response = client.post(
            f"{USERS}/{rep.id}/grants",
            json={
                "role_id": str(_role_id(db, role_code)),
                "unit_id": str(getattr(world, unit_name).id),
            },
            headers=headers,
        )
        error = _error(response, 422, "validation_failed")
        assert _fields(error) == [("unit_id", "unknown_reference")]

    assert _people(db) == before


def test_director_can_grant_a_lesser_role_inside_their_subsidiary(
    client: TestClient, db: Session
) -> None:
    world, _director, headers = _director_of_a(client, db)
    rep = make_user(db, world.team_a, "sales_rep")
    db.commit()

    response = client.post(
        f"{USERS}/{rep.id}/grants",
        json={"role_id": str(_role_id(db, "sales_manager")), "unit_id": str(world.team_a.id)},
        headers=headers,
    )

    assert response.status_code == 201, response.text
    assert response.json()["role_code"] == "sales_manager"


def test_director_cannot_deactivate_themselves(client: TestClient, db: Session) -> None:
    _world, director, headers = _director_of_a(client, db)
    before = _people(db)

    response = client.patch(
        f"{USERS}/{director.id}",
        json={"version": director.version, "is_active": False},
        headers=headers,
    )

    error = _error(response, 422, "self_lockout")
    assert _fields(error) == [("is_active", "self_lockout")]
    assert _people(db) == before
    assert client.get("/api/v1/me", headers=headers).status_code == 200


def test_director_can_deactivate_a_user_in_their_subsidiary(
    client: TestClient, db: Session
) -> None:
    world, _director, headers = _director_of_a(client, db)
    rep = make_user(db, world.team_a, "sales_rep")
    db.commit()

    response = client.patch(
        f"{USERS}/{rep.id}", json={"version": rep.version, "is_active": False}, headers=headers
    )

    assert response.status_code == 200, response.text
    db.expire_all()
    assert db.execute(select(User.is_active).where(User.id == rep.id)).scalar_one() is False


def test_patch_with_a_stale_version_is_refused(client: TestClient, db: Session) -> None:
    world, _director, headers = _director_of_a(client, db)
    rep = make_user(db, world.team_a, "sales_rep")
    db.commit()
    seen = rep.version
    first = client.patch(
        f"{USERS}/{rep.id}", json={"version": seen, "display_name": "第一次"}, headers=headers
    )
    assert first.status_code == 200, first.text
    assert first.json()["version"] == seen + 1
    before = _people(db)

    second = client.patch(
        f"{USERS}/{rep.id}", json={"version": seen, "display_name": "第二次"}, headers=headers
    )

    _error(second, 409, "version_conflict")
    assert _people(db) == before
    assert before["users"][rep.id][1] == "第一次"


# --- cursor pagination ----------------------------------------------------------------------


def _paging_world(client: TestClient, db: Session) -> tuple[dict[str, str], list[str]]:
    """A director of A and the usernames they can see (B's users are noise)."""
    world, director, headers = _director_of_a(client, db)
    visible = [director.username]
    for index, unit in enumerate([world.sub_a, world.dept_a, world.team_a] * 3):
        visible.append(make_user(db, unit, None, username=f"page.{index:02d}").username)
    for index in range(4):
        make_user(db, world.dept_b, None, username=f"page.b{index}")
    db.commit()
    return headers, visible


def test_cursor_pagination_returns_every_visible_user_exactly_once(
    client: TestClient, db: Session
) -> None:
    headers, visible = _paging_world(client, db)

    items, pages = _all_pages(client, headers, limit=2)

    usernames = [item["username"] for item in items]
    assert usernames == sorted(visible)
    assert len(usernames) == len(set(usernames))
    assert pages == (len(visible) + 1) // 2


def test_cursor_pagination_sorts_by_descending_username(client: TestClient, db: Session) -> None:
    headers, visible = _paging_world(client, db)

    items, _pages = _all_pages(client, headers, limit=2, sort="-username")

    assert [item["username"] for item in items] == sorted(visible, reverse=True)


def test_cursor_pagination_works_with_include_total_and_a_filter(
    client: TestClient, db: Session
) -> None:
    headers, visible = _paging_world(client, db)
    expected = sorted(name for name in visible if name.startswith("page."))

    first = client.get(
        USERS, params={"limit": 2, "q": "page.", "include_total": "true"}, headers=headers
    ).json()
    items, _pages = _all_pages(client, headers, limit=2, q="page.")

    assert first["total"] == len(expected)
    assert [item["username"] for item in items] == expected


@pytest.mark.parametrize("cursor", ["not-a-cursor", "!!!", "eyJhIjogMX0", "WzEsIDJd"])
def test_an_invalid_cursor_is_refused(client: TestClient, db: Session, cursor: str) -> None:
    headers, _visible = _paging_world(client, db)

    response = client.get(USERS, params={"cursor": cursor, "limit": 2}, headers=headers)

    error = _error(response, 422, "validation_failed")
    assert _fields(error) == [("cursor", "invalid_cursor")]


def test_an_unknown_sort_key_is_refused(client: TestClient, db: Session) -> None:
    headers, _visible = _paging_world(client, db)

    response = client.get(USERS, params={"sort": "password_hash"}, headers=headers)

    error = _error(response, 422, "validation_failed")
    assert _fields(error) == [("sort", "literal_error")]
