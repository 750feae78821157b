"""Using a session: bearer token, cookie + CSRF, logout, expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.core import clock
from flotilla.core.settings import get_settings
from flotilla.models.identity import AuthSession, User
from flotilla.models.org import OrgUnit
from tests.fixtures.factories import PASSWORD, make_user, make_world

ME = "/api/v1/me"
PREFERENCES = "/api/v1/me/preferences"
LOGOUT = "/api/v1/auth/logout"


def _error(response: Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code, error
    assert error["message"], error
    return error


def _cookie_login(client: TestClient, user: User) -> dict[str, Any]:
    """Log in the way the web app does: the client keeps the cookies."""
    response = client.post(
        "/api/v1/auth/login", json={"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    assert client.cookies.get("flotilla_session")
    return response.json()  # type: ignore[no-any-return]


def _bearer_login(client: TestClient, user: User) -> dict[str, str]:
    body = _cookie_login(client, user)
    client.cookies.clear()
    return {"Authorization": f"Bearer {body['token']}"}


def _locale_of(db: Session, user: User) -> str:
    db.expire_all()
    return db.execute(select(User.locale).where(User.id == user.id)).scalar_one()


def _auth_sessions(db: Session, user: User) -> list[AuthSession]:
    db.expire_all()
    return list(db.execute(select(AuthSession).where(AuthSession.user_id == user.id)).scalars())


def test_bearer_token_authenticates_get_me(client: TestClient, db: Session) -> None:
    world = make_world(db)
    user = make_user(db, world.dept_a, "sales_rep")
    db.commit()
    headers = _bearer_login(client, user)

    response = client.get(ME, headers=headers)

    assert response.status_code == 200, response.text
    assert response.json()["user"]["id"] == str(user.id)


def test_missing_or_forged_token_is_401(client: TestClient, db: Session) -> None:
    world = make_world(db)
    user = make_user(db, world.dept_a, "sales_rep")
    db.commit()
    _bearer_login(client, user)

    _error(client.get(ME), 401, "unauthenticated")
    _error(client.get(ME, headers={"Authorization": "Bearer forged"}), 401, "unauthenticated")
    client.cookies.set("flotilla_session", "forged")
    _error(client.get(ME), 401, "unauthenticated")


def test_session_cookie_authenticates_a_get(client: TestClient, db: Session) -> None:
    world = make_world(db)
    user = make_user(db, world.dept_a, "sales_rep")
    db.commit()
    _cookie_login(client, user)

    response = client.get(ME)

    assert response.status_code == 200, response.text
    assert response.json()["user"]["username"] == user.username


def test_cookie_authenticated_patch_without_csrf_header_is_refused(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    user = make_user(db, world.dept_a, "sales_rep")
    db.commit()
    _cookie_login(client, user)

    response = client.patch(PREFERENCES, json={"locale": "en-US"})

    _error(response, 403, "csrf_failed")
    assert _locale_of(db, user) == "zh-CN"


def test_cookie_authenticated_write_with_a_wrong_csrf_token_is_refused(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    user = make_user(db, world.dept_a, "sales_rep")
    db.commit()
    body = _cookie_login(client, user)

    # Another session's CSRF token does not fit this session.
    other = make_user(db, world.dept_a, "sales_rep")
    db.commit()
    other_csrf = client.post(
        "/api/v1/auth/login", json={"username": other.username, "password": PASSWORD}
    ).json()["csrf_token"]
    client.cookies.clear()
    client.cookies.set("flotilla_session", body["token"])

    response = client.patch(
        PREFERENCES, json={"locale": "en-US"}, headers={"X-CSRF-Token": other_csrf}
    )

    _error(response, 403, "csrf_failed")
    assert _locale_of(db, user) == "zh-CN"


def test_cookie_authenticated_patch_with_csrf_header_works(client: TestClient, db: Session) -> None:
    world = make_world(db)
    user = make_user(db, world.dept_a, "sales_rep")
    db.commit()
    body = _cookie_login(client, user)
    assert client.cookies.get("flotilla_csrf") == body["csrf_token"]

    response = client.patch(
        PREFERENCES, json={"locale": "en-US"}, headers={"X-CSRF-Token": body["csrf_token"]}
    )

    assert response.status_code == 200, response.text
    assert _locale_of(db, user) == "en-US"


def test_cookie_authenticated_post_needs_the_csrf_header(client: TestClient, db: Session) -> None:
    world = make_world(db)
    admin = make_user(db, world.group, "group_admin")
    db.commit()
    body = _cookie_login(client, admin)
    new_unit = {
        "parent_id": str(world.sub_a.id),
        "kind": "department",
        "code": "CSRF-DEPT",
        "name": "新部门",
    }

    refused = client.post("/api/v1/org-units", json=new_unit)
    _error(refused, 403, "csrf_failed")
    db.expire_all()
    assert db.execute(select(OrgUnit).where(OrgUnit.code == "CSRF-DEPT")).first() is None

    accepted = client.post(
        "/api/v1/org-units", json=new_unit, headers={"X-CSRF-Token": body["csrf_token"]}
    )
    assert accepted.status_code == 201, accepted.text


def test_bearer_token_needs_no_csrf_header(client: TestClient, db: Session) -> None:
    world = make_world(db)
    user = make_user(db, world.dept_a, "sales_rep")
    db.commit()
    headers = _bearer_login(client, user)

    response = client.patch(PREFERENCES, json={"locale": "en-US"}, headers=headers)

    assert response.status_code == 200, response.text


def test_logout_revokes_the_token(client: TestClient, db: Session) -> None:
    world = make_world(db)
    user = make_user(db, world.dept_a, "sales_rep")
    db.commit()
    headers = _bearer_login(client, user)

    response = client.post(LOGOUT, headers=headers)

    assert response.status_code == 204, response.text
    _error(client.get(ME, headers=headers), 401, "unauthenticated")
    [auth] = _auth_sessions(db, user)
    assert auth.revoked_at is not None


def test_logout_revokes_only_that_session(client: TestClient, db: Session) -> None:
    world = make_world(db)
    user = make_user(db, world.dept_a, "sales_rep")
    db.commit()
    laptop = _bearer_login(client, user)
    phone = _bearer_login(client, user)

    assert client.post(LOGOUT, headers=laptop).status_code == 204

    _error(client.get(ME, headers=laptop), 401, "unauthenticated")
    assert client.get(ME, headers=phone).status_code == 200


def test_cookie_logout_needs_csrf_and_clears_the_cookies(client: TestClient, db: Session) -> None:
    world = make_world(db)
    user = make_user(db, world.dept_a, "sales_rep")
    db.commit()
    body = _cookie_login(client, user)

    _error(client.post(LOGOUT), 403, "csrf_failed")
    assert [s.revoked_at for s in _auth_sessions(db, user)] == [None]

    response = client.post(LOGOUT, headers={"X-CSRF-Token": body["csrf_token"]})

    assert response.status_code == 204, response.text
    assert not client.cookies.get("flotilla_session")
    client.cookies.set("flotilla_session", body["token"])
    _error(client.get(ME), 401, "unauthenticated")


def test_session_expires_after_session_hours(client: TestClient, db: Session) -> None:
    hours = get_settings().session_hours
    world = make_world(db)
    user = make_user(db, world.dept_a, "sales_rep")
    db.commit()

    with clock.frozen_at(datetime.now(UTC)):
        headers = _bearer_login(client, user)
        clock.advance(timedelta(hours=hours) - timedelta(seconds=1))
        assert client.get(ME, headers=headers).status_code == 200
        clock.advance(timedelta(seconds=2))
        expired = client.get(ME, headers=headers)

    _error(expired, 401, "unauthenticated")


def test_changing_a_password_ends_the_users_sessions(client: TestClient, db: Session) -> None:
    world = make_world(db)
    admin = make_user(db, world.group, "group_admin")
    user = make_user(db, world.dept_a, "sales_rep")
    db.commit()
    user_headers = _bearer_login(client, user)
    admin_headers = _bearer_login(client, admin)

    response = client.put(
        f"/api/v1/users/{user.id}/password",
        json={"password": "a-brand-new-password"},
        headers=admin_headers,
    )

    assert response.status_code == 204, response.text
    _error(client.get(ME, headers=user_headers), 401, "unauthenticated")
    relogin = client.post(
        "/api/v1/auth/login", json={"username": user.username, "password": "a-brand-new-password"}
    )
    assert relogin.status_code == 200, relogin.text
