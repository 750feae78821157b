"""HTTP kernel: per-request unit of work, authentication, error rendering.

The request commits; services only flush. Any error rolls the whole request back,
except refusals that are themselves facts to keep (``AppError.keep_writes``).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from flotilla.core import clock
from flotilla.core.audit import AuditContext, set_context
from flotilla.core.errors import AppError, Unauthenticated
from flotilla.core.i18n import MESSAGES, Locale, negotiate, translate, translate_validation
from flotilla.core.pagination import DEFAULT_LIMIT, MAX_LIMIT, PageRequest
from flotilla.core.scope import Scope, resolve_scope, system_access
from flotilla.core.security import constant_time_equals, token_digest
from flotilla.core.settings import get_settings
from flotilla.models.identity import AuthSession, User

logger = logging.getLogger("flotilla")

SESSION_COOKIE = "flotilla_session"
CSRF_COOKIE = "flotilla_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def request_locale(request: Request) -> Locale:
    return negotiate(request.headers.get("accept-language"), get_settings().default_locale)


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def request_id(request: Request) -> str:
    rid = getattr(request.state, "request_id", None)
    if rid is None:
        incoming = request.headers.get("x-request-id", "")
        rid = incoming[:64] if incoming else uuid.uuid4().hex
        request.state.request_id = rid
    return str(rid)


def get_db(request: Request) -> Iterator[Session]:
    """One session per request; commit when the handler succeeds, else roll back."""
    state = request.app.state
    read_factory = getattr(state, "read_session_factory", None)
    # An export is a read that writes its audit event, so it takes the writing session.
    exporting = request.query_params.get("format") == "xlsx"
    if request.method in SAFE_METHODS and read_factory is not None and not exporting:
        session: Session = read_factory()
    else:
        session = state.session_factory()
    set_context(
        session,
        AuditContext(
            actor_id=None,
            actor_name="anonymous",
            request_id=request_id(request),
            client_ip=client_ip(request),
        ),
    )
    try:
        yield session
        session.commit()
    except AppError as error:
        if error.keep_writes:
            session.commit()
        else:
            session.rollback()
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# scope="function": commit (or roll back) before the response is sent, so a client never
# sees success for a transaction that then fails to commit.
DbSession = Annotated[Session, Depends(get_db, scope="function")]


def bearer_token(request: Request) -> tuple[str | None, bool]:
    """The caller's token and whether it came from the cookie (then CSRF applies)."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip(), False
    cookie = request.cookies.get(SESSION_COOKIE)
    return (cookie, True) if cookie else (None, False)


def authenticate(request: Request, session: Session) -> tuple[User, AuthSession]:
    token, from_cookie = bearer_token(request)
    if not token:
        raise Unauthenticated()
    auth = session.execute(
        system_access(select(AuthSession).where(AuthSession.token_digest == token_digest(token)))
    ).scalar_one_or_none()
    now = clock.now()
    if auth is None or auth.revoked_at is not None or auth.expires_at <= now:
        raise Unauthenticated()
    if from_cookie and request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not sent or not constant_time_equals(sent, auth.csrf_token):
            raise AppError("csrf_failed", status=403)
    user = session.execute(
        system_access(select(User).where(User.id == auth.user_id))
    ).scalar_one_or_none()
    if user is None or not user.is_active:
        raise Unauthenticated()
    return user, auth


def current_scope(request: Request, session: DbSession) -> Scope:
    """Authenticate the caller and resolve their scope; audit events name them."""
    user, auth = authenticate(request, session)
    request.state.auth_session_id = auth.id
    set_context(
        session,
        AuditContext(
            actor_id=user.id,
            actor_name=f"{user.display_name} ({user.username})",
            request_id=request_id(request),
            client_ip=client_ip(request),
        ),
    )
    return resolve_scope(session, user)


CurrentScope = Annotated[Scope, Depends(current_scope, scope="function")]


def _error_json(
    request: Request,
    status: int,
    code: str,
    fields: list[dict[str, str]] | None = None,
    params: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    locale = request_locale(request)
    body: dict[str, Any] = {
        "code": code,
        "message": translate(code, locale, **(params or {})),
        "fields": fields or [],
    }
    body.update(extra or {})
    response_headers = {"X-Request-ID": request_id(request), **(headers or {})}
    return JSONResponse({"error": body}, status_code=status, headers=response_headers)


def _field_path(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) if parts else "body"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def app_error(request: Request, error: AppError) -> JSONResponse:
        locale = request_locale(request)
        fields = [
            {
                "field": f.field,
                "code": f.code,
                "message": translate(f.code, locale, **f.params)
                if f.code in _known_codes()
                else translate_validation(f.code, locale, f.code, f.params),
            }
            for f in error.fields
        ]
        return _error_json(
            request,
            error.status,
            error.code,
            fields,
            error.params,
            error.headers,
            error.extra,
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
        locale = request_locale(request)
        problems = error.errors()
        if any(p.get("type") == "json_invalid" for p in problems):
            return _error_json(request, 400, "malformed_json")
        fields = [
            {
                "field": _field_path(tuple(p.get("loc", ()))),
                "code": str(p.get("type", "value_error")),
                "message": translate_validation(
                    str(p.get("type", "")), locale, str(p.get("msg", "")), p.get("ctx")
                ),
            }
            for p in problems
        ]
        return _error_json(request, 422, "validation_failed", fields)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        code = {404: "route_not_found", 405: "method_not_allowed"}.get(
            error.status_code, "validation_failed"
        )
        return _error_json(request, error.status_code, code)

    @app.exception_handler(StaleDataError)
    async def stale(request: Request, _error: StaleDataError) -> JSONResponse:
        return _error_json(request, 409, "version_conflict")

    @app.exception_handler(IntegrityError)
    async def integrity(request: Request, error: IntegrityError) -> JSONResponse:
        logger.info("integrity error: %s", error.orig)
        return _error_json(request, 409, "conflict")

    @app.exception_handler(OperationalError)
    async def operational(request: Request, error: OperationalError) -> JSONResponse:
        logger.exception("database error", exc_info=error)
        return _error_json(request, 503, "database_unavailable")

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        logger.exception("unhandled error", exc_info=error)
        return _error_json(request, 500, "internal_error")


def _known_codes() -> frozenset[str]:
    return frozenset(MESSAGES)


def page_params(
    cursor: str | None = Query(default=None, max_length=500),
    limit: int = Query(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    sort: str | None = Query(default=None, max_length=64),
    include_total: bool = Query(default=False),
) -> PageRequest:
    return PageRequest(cursor=cursor, limit=limit, sort=sort, include_total=include_total)


PageParams = Annotated[PageRequest, Depends(page_params, scope="function")]


# A list filter on the owner: a user id, or ``me`` for the caller (see core.placement).
OWNER_FILTER = Query(default=None, max_length=36, description="A user id, or `me` for the caller")
