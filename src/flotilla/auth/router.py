from __future__ import annotations

from fastapi import APIRouter, Request, Response

from flotilla.auth import service
from flotilla.auth.schemas import LoginIn, LoginOut, MeOut, PreferencesIn
from flotilla.core.errors import error_responses
from flotilla.core.http import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    CurrentScope,
    DbSession,
    client_ip,
)
from flotilla.core.settings import get_settings

router = APIRouter(prefix="/api/v1", tags=["auth"], responses=error_responses(401, 422))


@router.post("/auth/login", response_model=LoginOut, responses=error_responses(429))
def login(db: DbSession, request: Request, response: Response, body: LoginIn) -> LoginOut:
    result = service.login(
        db, body.username, body.password, client_ip(request), request.headers.get("user-agent")
    )
    settings = get_settings()
    max_age = settings.session_hours * 3600
    response.set_cookie(
        SESSION_COOKIE,
        result.token,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        path="/",
    )
    response.set_cookie(
        CSRF_COOKIE,
        result.csrf_token,
        max_age=max_age,
        httponly=False,
        samesite="lax",
        secure=settings.cookie_secure,
        path="/",
    )
    return LoginOut(
        token=result.token,
        expires_at=result.expires_at,
        csrf_token=result.csrf_token,
        user=service.me(db, result.scope),
    )


@router.post("/auth/logout", status_code=204)
def logout(db: DbSession, scope: CurrentScope, request: Request) -> Response:
    service.logout(db, scope, request.state.auth_session_id)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@router.get("/me", response_model=MeOut)
def get_me(db: DbSession, scope: CurrentScope) -> MeOut:
    return service.me(db, scope)


@router.patch("/me/preferences", response_model=MeOut)
def set_preferences(db: DbSession, scope: CurrentScope, body: PreferencesIn) -> MeOut:
    return service.set_locale(db, scope, body.locale)
