"""Logging in: credentials, lock-out without account enumeration, inactive accounts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flotilla.core import clock
from flotilla.core.i18n import translate
from flotilla.core.settings import get_settings
from flotilla.models.identity import AuthSession, LoginAttempt, User
from tests.fixtures.factories import PASSWORD, make_user, make_world

LOGIN = "/api/v1/auth/login"


def _login(client: TestClient, username: str, password: str, **headers: str) -> Response:
    return client.post(LOGIN, json={"username": username, "password": password}, headers=headers)


def _error(response: Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert error["code"] == code, error
    assert isinstance(error["message"], str) and error["message"], error
    assert isinstance(error["fields"], list), error
    return error


def _sessions_of(db: Session, user: User) -> int:
    db.expire_all()
    return db.execute(
        select(func.count()).select_from(AuthSession).where(AuthSession.user_id == user.id)
    ).scalar_one()


def _set_cookie_headers(response: Response) -> dict[str, str]:
    """Set-Cookie headers by cookie name."""
    found = {}
    for header in response.headers.get_list("set-cookie"):
        name = header.split("=", 1)[0].strip()
        found[name] = header
    return found


def test_login_returns_a_token_and_sets_session_and_csrf_cookies(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    user = make_user(db, world.dept_a, "sales_rep")
    db.commit()

    response = _login(client, user.username, PASSWORD)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["token"] and body["csrf_token"] and body["token"] != body["csrf_token"]
    assert body["user"]["user"]["username"] == user.username
    cookies = _set_cookie_headers(response)
    session_cookie = cookies["flotilla_session"]
    csrf_cookie = cookies["flotilla_csrf"]
    assert session_cookie.startswith(f"flotilla_session={body['token']};")
    assert csrf_cookie.startswith(f"flotilla_csrf={body['csrf_token']};")
    assert "httponly" in session_cookie.lower(), "the session cookie must be HttpOnly"
    assert "httponly" not in csrf_cookie.lower(), "the web app must be able to read the CSRF token"
    for header in (session_cookie, csrf_cookie):
        assert "samesite=lax" in header.lower()
        assert "path=/" in header.lower()
    assert _sessions_of(db, user) == 1


def test_username_is_matched_case_insensitively(client: TestClient, db: Session) -> None:
    world = make_world(db)
    user = make_user(db, world.dept_a, None, username="wang.fang")
    db.commit()

    response = _login(client, "  Wang.Fang ", PASSWORD)

    assert response.status_code == 200, response.text
    assert response.json()["user"]["user"]["id"] == str(user.id)


def test_unknown_user_and_wrong_password_get_the_same_error(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    user = make_user(db, world.dept_a, "sales_rep")
    db.commit()

    wrong_password = _login(client, user.username, "not-the-password")
    unknown_user = _login(client, "nobody-here", PASSWORD)

    first = _error(wrong_password, 401, "invalid_credentials")
    second = _error(unknown_user, 401, "invalid_credentials")
    assert first == second
    assert first["message"] == "用户名或密码错误"
    assert "set-cookie" not in wrong_password.headers
    assert "set-cookie" not in unknown_user.headers
    assert _sessions_of(db, user) == 0


def test_failed_logins_are_recorded_even_though_the_request_fails(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    user = make_user(db, world.dept_a, "sales_rep")
    db.commit()

    _error(_login(client, user.username, "not-the-password"), 401, "invalid_credentials")
    _error(_login(client, "ghost", "not-the-password"), 401, "invalid_credentials")

    db.expire_all()
    attempts = db.execute(
        select(LoginAttempt.username_key, LoginAttempt.succeeded).order_by(
            LoginAttempt.username_key
        )
    ).all()
    assert [tuple(a) for a in attempts] == [("ghost", False), (user.username, False)]


def test_account_locks_after_max_failures_even_for_the_right_password(
    client: TestClient, db: Session
) -> None:
    settings = get_settings()
    assert settings.login_max_failures == 5
    world = make_world(db)
    user = make_user(db, world.dept_a, "sales_rep")
    db.commit()

    for _ in range(settings.login_max_failures - 1):
        _error(_login(client, user.username, "bad-password-x"), 401, "invalid_credentials")
    # The failure that reaches the limit already answers "locked".
    _error(_login(client, user.username, "bad-password-x"), 429, "login_locked")

    locked = _login(client, user.username, PASSWORD)

    error = _error(locked, 429, "login_locked")
    assert error["message"] == translate(
        "login_locked", "zh-CN", minutes=settings.login_lock_minutes
    )
    assert locked.headers["Retry-After"] == str(settings.login_lock_minutes * 60)
    assert "set-cookie" not in locked.headers
    assert _sessions_of(db, user) == 0


def test_unknown_username_locks_exactly_like_a_real_one(client: TestClient, db: Session) -> None:
    """Same answers, attempt by attempt, so the lock cannot reveal which accounts exist."""
    settings = get_settings()
    world = make_world(db)
    user = make_user(db, world.dept_a, "sales_rep")
    db.commit()

    def answers(username: str) -> list[tuple[int, str, str, str | None]]:
        seen = []
        for _ in range(settings.login_max_failures + 1):
            response = _login(client, username, "bad-password-x")
            error = response.json()["error"]
            seen.append(
                (
                    response.status_code,
                    error["code"],
                    error["message"],
                    response.headers.get("Retry-After"),
                )
            )
        return seen

    real = answers(user.username)
    ghost = answers("no-such-account")

    assert real == ghost
    assert real[-1][:2] == (429, "login_locked")


def test_lock_on_one_account_does_not_block_another(client: TestClient, db: Session) -> None:
    settings = get_settings()
    world = make_world(db)
    victim = make_user(db, world.dept_a, "sales_rep")
    colleague = make_user(db, world.dept_a, "sales_rep")
    db.commit()
    for _ in range(settings.login_max_failures):
        _login(client, victim.username, "bad-password-x")

    assert _login(client, colleague.username, PASSWORD).status_code == 200
    _error(_login(client, victim.username, PASSWORD), 429, "login_locked")


def test_a_successful_login_resets_the_failure_count(client: TestClient, db: Session) -> None:
    settings = get_settings()
    world = make_world(db)
    user = make_user(db, world.dept_a, "sales_rep")
    db.commit()
    start = datetime.now(UTC)

    with clock.frozen_at(start):
        for _ in range(settings.login_max_failures - 1):
            clock.advance(timedelta(seconds=1))
            _error(_login(client, user.username, "bad-password-x"), 401, "invalid_credentials")
        clock.advance(timedelta(seconds=1))
        assert _login(client, user.username, PASSWORD).status_code == 200
        for _ in range(settings.login_max_failures - 1):
            clock.advance(timedelta(seconds=1))
            _error(_login(client, user.username, "bad-password-x"), 401, "invalid_credentials")
        clock.advance(timedelta(seconds=1))
        assert _login(client, user.username, PASSWORD).status_code == 200


def test_lock_lifts_after_the_lock_period(client: TestClient, db: Session) -> None:
    settings = get_settings()
    world = make_world(db)
    user = make_user(db, world.dept_a, "sales_rep")
    db.commit()
    start = datetime.now(UTC)

    with clock.frozen_at(start):
        for _ in range(settings.login_max_failures):
            _login(client, user.username, "bad-password-x")
        _error(_login(client, user.username, PASSWORD), 429, "login_locked")

        clock.advance(timedelta(minutes=settings.login_lock_minutes - 1))
        still_locked = _error(_login(client, user.username, PASSWORD), 429, "login_locked")
        assert still_locked["message"] == translate("login_locked", "zh-CN", minutes=1)
        assert _sessions_of(db, user) == 0

        clock.advance(timedelta(minutes=1, seconds=1))
        response = _login(client, user.username, PASSWORD)

    assert response.status_code == 200, response.text
    assert _sessions_of(db, user) == 1


def test_lock_on_unknown_username_also_lifts(client: TestClient, db: Session) -> None:
    settings = get_settings()
    make_world(db)
    db.commit()
    start = datetime.now(UTC)

    with clock.frozen_at(start):
        for _ in range(settings.login_max_failures):
            _login(client, "ghost-user", "bad-password-x")
        _error(_login(client, "ghost-user", "bad-password-x"), 429, "login_locked")
        clock.advance(timedelta(minutes=settings.login_lock_minutes, seconds=1))
        _error(_login(client, "ghost-user", "bad-password-x"), 401, "invalid_credentials")


def test_deactivated_user_cannot_log_in(client: TestClient, db: Session) -> None:
    world = make_world(db)
    user = make_user(db, world.dept_a, "sales_rep")
    user.is_active = False
    db.commit()

    response = _login(client, user.username, PASSWORD)

    error = _error(response, 401, "invalid_credentials")
    # Indistinguishable from a wrong password: nothing reveals the account's state.
    assert error == _error(_login(client, "ghost", PASSWORD), 401, "invalid_credentials")
    assert _sessions_of(db, user) == 0


def test_deactivating_a_user_ends_their_open_sessions(client: TestClient, db: Session) -> None:
    world = make_world(db)
    user = make_user(db, world.dept_a, "sales_rep")
    db.commit()
    token = _login(client, user.username, PASSWORD).json()["token"]
    client.cookies.clear()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200

    db.expire_all()
    db.get(User, user.id).is_active = False  # type: ignore[union-attr]
    db.commit()

    _error(client.get("/api/v1/me", headers=headers), 401, "unauthenticated")


def test_login_body_is_validated(client: TestClient, db: Session) -> None:
    response = client.post(LOGIN, json={"username": "someone"})

    error = _error(response, 422, "validation_failed")
    assert [(f["field"], f["code"]) for f in error["fields"]] == [("password", "missing")]
