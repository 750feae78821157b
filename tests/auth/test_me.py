"""The caller's own profile, preferences, and the language of messages."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.models.identity import Position, Role, RoleGrant, User
from flotilla.role.builtin import BUILTIN_ROLES
from tests.fixtures.factories import as_user, login, make_user, make_world

ME = "/api/v1/me"
PREFERENCES = "/api/v1/me/preferences"


def test_me_lists_positions_including_a_part_time_one(client: TestClient, db: Session) -> None:
    world = make_world(db)
    user = make_user(db, world.team_a, "sales_rep")
    db.add(Position(user_id=user.id, unit_id=world.dept_b.id, title="兼职顾问", is_primary=False))
    db.commit()
    headers = login(client, user)

    response = client.get(ME, headers=headers)

    assert response.status_code == 200, response.text
    positions = response.json()["positions"]
    assert [
        (p["unit_id"], p["unit_kind"], p["subsidiary_id"], p["subsidiary_name"], p["is_primary"])
        for p in positions
    ] == [
        (str(world.team_a.id), "team", str(world.sub_a.id), "甲子公司", True),
        (str(world.dept_b.id), "department", str(world.sub_b.id), "乙子公司", False),
    ]
    assert positions[1]["title"] == "兼职顾问"
    assert positions[1]["unit_name"] == "乙大客户部"


def test_me_lists_grants_and_the_permissions_they_give(client: TestClient, db: Session) -> None:
    world = make_world(db)
    user = make_user(db, world.dept_a, "sales_manager")
    auditor = db.execute(select(Role).where(Role.code == "auditor")).scalar_one()
    db.add(RoleGrant(user_id=user.id, role_id=auditor.id, unit_id=world.group.id))
    db.commit()
    headers = login(client, user)

    body = client.get(ME, headers=headers).json()

    assert [(g["role_code"], g["unit_id"], g["data_scope"]) for g in body["grants"]] == [
        ("auditor", str(world.group.id), "group"),
        ("sales_manager", str(world.dept_a.id), "unit_and_below"),
    ]
    expected = set(BUILTIN_ROLES["sales_manager"][3]) | set(BUILTIN_ROLES["auditor"][3])
    assert body["permissions"] == sorted(expected)
    assert "user.admin" not in body["permissions"]
    scope = {s["permission"]: s for s in body["scope"]}
    assert scope["audit.read"]["everything"] is True
    assert scope["lead.write"]["everything"] is False
    assert scope["lead.write"]["unit_count"] == 1


def test_me_without_any_grant_has_no_permissions(client: TestClient, db: Session) -> None:
    world = make_world(db)
    user, headers = as_user(client, db, world.team_a, None)

    body = client.get(ME, headers=headers).json()

    assert body["user"]["id"] == str(user.id)
    assert body["grants"] == []
    assert body["permissions"] == []


def test_me_shows_the_callers_own_contact_details_unmasked(client: TestClient, db: Session) -> None:
    world = make_world(db)
    _user, headers = as_user(client, db, world.group, "auditor", phone="13912345678")

    body = client.get(ME, headers=headers).json()

    assert body["user"]["phone"] == "13912345678"
    assert "*" not in body["user"]["email"]


def test_preferences_persist_the_locale(client: TestClient, db: Session) -> None:
    world = make_world(db)
    user, headers = as_user(client, db, world.team_a, "sales_rep")

    response = client.patch(PREFERENCES, json={"locale": "en-US"}, headers=headers)

    assert response.status_code == 200, response.text
    assert response.json()["user"]["locale"] == "en-US"
    assert client.get(ME, headers=headers).json()["user"]["locale"] == "en-US"
    db.expire_all()
    assert db.execute(select(User.locale).where(User.id == user.id)).scalar_one() == "en-US"


def test_preferences_refuse_an_unsupported_locale(client: TestClient, db: Session) -> None:
    world = make_world(db)
    user, headers = as_user(client, db, world.team_a, "sales_rep")

    response = client.patch(PREFERENCES, json={"locale": "fr-FR"}, headers=headers)

    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert [(f["field"], f["code"]) for f in error["fields"]] == [("locale", "literal_error")]
    db.expire_all()
    assert db.execute(select(User.locale).where(User.id == user.id)).scalar_one() == "zh-CN"


def test_messages_are_chinese_by_default(client: TestClient, db: Session) -> None:
    response = client.get(ME)

    assert response.status_code == 401
    assert response.json()["error"] == {
        "code": "unauthenticated",
        "message": "请先登录",
        "fields": [],
    }


def test_messages_are_english_when_the_caller_prefers_it(client: TestClient, db: Session) -> None:
    response = client.get(ME, headers={"Accept-Language": "en-US"})

    assert response.status_code == 401
    assert response.json()["error"]["message"] == "Authentication required"


def test_field_messages_follow_the_language_too(client: TestClient, db: Session) -> None:
    body = {"username": "someone"}

    chinese = client.post("/api/v1/auth/login", json=body).json()["error"]
    english = client.post(
        "/api/v1/auth/login", json=body, headers={"Accept-Language": "en-US,en;q=0.9"}
    ).json()["error"]

    assert chinese["message"] == "提交的数据有误"
    assert chinese["fields"] == [{"field": "password", "code": "missing", "message": "必填字段"}]
    assert english["message"] == "The request has invalid fields"
    assert english["fields"] == [
        {"field": "password", "code": "missing", "message": "Field required"}
    ]


def test_error_messages_with_parameters_are_localized(client: TestClient, db: Session) -> None:
    world = make_world(db)
    _admin, headers = as_user(client, db, world.group, "group_admin")
    team_under_subsidiary = {
        "parent_id": str(world.sub_a.id),
        "kind": "team",
        "code": "T-X",
        "name": "直属团队",
    }

    english = client.post(
        "/api/v1/org-units",
        json=team_under_subsidiary,
        headers={**headers, "Accept-Language": "en-US"},
    )

    assert english.status_code == 422, english.text
    assert english.json()["error"]["message"] == "A team cannot be placed under a subsidiary"
