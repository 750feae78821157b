from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from flotilla.core.errors import error_responses
from flotilla.core.http import CurrentScope, DbSession
from flotilla.role import service
from flotilla.role.schemas import PermissionOut, RoleCreate, RoleOut, RoleUpdate

router = APIRouter(prefix="/api/v1", tags=["roles"], responses=error_responses(401, 422))


@router.get("/roles", response_model=list[RoleOut])
def list_roles(db: DbSession, scope: CurrentScope) -> list[RoleOut]:
    return [RoleOut.model_validate(r) for r in service.list_roles(db, scope)]


@router.get("/permissions", response_model=list[PermissionOut])
def list_permissions(scope: CurrentScope) -> list[PermissionOut]:
    return [PermissionOut(code=c, name=zh, name_en=en) for c, zh, en in service.list_permissions()]


@router.post("/roles", response_model=RoleOut, status_code=201, responses=error_responses(403, 409))
def create_role(db: DbSession, scope: CurrentScope, body: RoleCreate) -> RoleOut:
    return RoleOut.model_validate(service.create_role(db, scope, body))


@router.patch("/roles/{role_id}", response_model=RoleOut, responses=error_responses(403, 404, 409))
def update_role(
    db: DbSession, scope: CurrentScope, role_id: uuid.UUID, body: RoleUpdate
) -> RoleOut:
    return RoleOut.model_validate(service.update_role(db, scope, role_id, body))


@router.delete("/roles/{role_id}", status_code=204, responses=error_responses(403, 404, 409))
def delete_role(db: DbSession, scope: CurrentScope, role_id: uuid.UUID) -> Response:
    service.delete_role(db, scope, role_id)
    return Response(status_code=204)
