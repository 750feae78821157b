from __future__ import annotations

import uuid
from functools import partial

from fastapi import APIRouter, Query, Response

from flotilla.core.errors import error_responses
from flotilla.core.export_lists import ListExport, list_responses
from flotilla.core.http import CurrentScope, DbSession, PageParams
from flotilla.core.pagination import Page
from flotilla.user import service
from flotilla.user.schemas import (
    GrantCreate,
    GrantOut,
    PasswordSet,
    PositionCreate,
    PositionOut,
    UserCreate,
    UserOut,
    UserUpdate,
)

router = APIRouter(prefix="/api/v1/users", tags=["users"], responses=error_responses(401, 422))


@router.get("", response_model=Page[UserOut], responses=list_responses())
def list_users(
    db: DbSession,
    scope: CurrentScope,
    page: PageParams,
    export: ListExport,
    q: str | None = Query(default=None, max_length=100),
    unit_id: uuid.UUID | None = None,
    is_active: bool | None = None,
) -> Page[UserOut] | Response:
    fetch = partial(service.list_users, db, scope, q=q, unit_id=unit_id, is_active=is_active)
    present = partial(service.present, db, scope)
    return export.rows(page, fetch, present, name="users", model=UserOut)


@router.post("", response_model=UserOut, status_code=201, responses=error_responses(403, 409))
def create_user(db: DbSession, scope: CurrentScope, body: UserCreate) -> UserOut:
    return service.present(db, scope, [service.create_user(db, scope, body)])[0]


@router.get("/{user_id}", response_model=UserOut, responses=error_responses(404))
def get_user(db: DbSession, scope: CurrentScope, user_id: uuid.UUID) -> UserOut:
    return service.present(db, scope, [service.get_user(db, scope, user_id)])[0]


@router.patch("/{user_id}", response_model=UserOut, responses=error_responses(403, 404, 409))
def update_user(
    db: DbSession, scope: CurrentScope, user_id: uuid.UUID, body: UserUpdate
) -> UserOut:
    return service.present(db, scope, [service.update_user(db, scope, user_id, body)])[0]


@router.put("/{user_id}/password", status_code=204, responses=error_responses(403, 404))
def set_password(
    db: DbSession, scope: CurrentScope, user_id: uuid.UUID, body: PasswordSet
) -> Response:
    service.set_password(db, scope, user_id, body)
    return Response(status_code=204)


@router.get(
    "/{user_id}/positions", response_model=list[PositionOut], responses=error_responses(404)
)
def list_positions(db: DbSession, scope: CurrentScope, user_id: uuid.UUID) -> list[PositionOut]:
    return service.list_positions(db, scope, user_id)


@router.post(
    "/{user_id}/positions",
    response_model=PositionOut,
    status_code=201,
    responses=error_responses(403, 404, 409),
)
def add_position(
    db: DbSession, scope: CurrentScope, user_id: uuid.UUID, body: PositionCreate
) -> PositionOut:
    return service.add_position(db, scope, user_id, body)


@router.delete(
    "/{user_id}/positions/{position_id}", status_code=204, responses=error_responses(403, 404, 409)
)
def remove_position(
    db: DbSession, scope: CurrentScope, user_id: uuid.UUID, position_id: uuid.UUID
) -> Response:
    service.remove_position(db, scope, user_id, position_id)
    return Response(status_code=204)


@router.get("/{user_id}/grants", response_model=list[GrantOut], responses=error_responses(404))
def list_grants(db: DbSession, scope: CurrentScope, user_id: uuid.UUID) -> list[GrantOut]:
    return service.list_grants(db, scope, user_id)


@router.post(
    "/{user_id}/grants",
    response_model=GrantOut,
    status_code=201,
    responses=error_responses(403, 404, 409),
)
def add_grant(
    db: DbSession, scope: CurrentScope, user_id: uuid.UUID, body: GrantCreate
) -> GrantOut:
    return service.add_grant(db, scope, user_id, body)


@router.delete("/{user_id}/grants/{grant_id}", status_code=204, responses=error_responses(403, 404))
def remove_grant(
    db: DbSession, scope: CurrentScope, user_id: uuid.UUID, grant_id: uuid.UUID
) -> Response:
    service.remove_grant(db, scope, user_id, grant_id)
    return Response(status_code=204)
