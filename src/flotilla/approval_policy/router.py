from __future__ import annotations

import uuid
from functools import partial

from fastapi import APIRouter, Body, Path, Query, Response

from flotilla.approval_policy import service
from flotilla.approval_policy.repository import PolicyFilters
from flotilla.approval_policy.schemas import (
    ApprovalActionsOut,
    EvaluateOut,
    EvaluateRequest,
    MatrixOut,
    MatrixRowOut,
    MatrixRowPut,
    PolicyCreate,
    PolicyDeactivate,
    PolicyOut,
    PolicyUpdate,
)
from flotilla.core.errors import error_responses
from flotilla.core.export_lists import ListExport, list_responses
from flotilla.core.http import CurrentScope, DbSession, PageParams
from flotilla.core.pagination import Page

router = APIRouter(
    prefix="/api/v1", tags=["approval-policies"], responses=error_responses(401, 422)
)

RoleCode = Path(min_length=1, max_length=64)


@router.get("/approval-actions", response_model=ApprovalActionsOut, responses=error_responses(403))
def list_approval_actions(scope: CurrentScope) -> ApprovalActionsOut:
    return service.actions_catalogue(scope)


@router.get("/approval-policies", response_model=Page[PolicyOut], responses=list_responses())
def list_approval_policies(
    db: DbSession,
    scope: CurrentScope,
    page: PageParams,
    export: ListExport,
    action: str | None = Query(default=None, max_length=64),
    subsidiary_id: uuid.UUID | None = None,
    group_wide: bool | None = None,
    is_active: bool | None = None,
    q: str | None = Query(default=None, max_length=100),
) -> Page[PolicyOut] | Response:
    filters = PolicyFilters(
        action=action,
        subsidiary_id=subsidiary_id,
        group_wide=group_wide,
        is_active=is_active,
        q=q,
    )
    fetch = partial(service.list_policies, db, scope, filters=filters)
    present = partial(service.present, db)
    return export.rows(page, fetch, present, name="approval-policies", model=PolicyOut)


@router.post(
    "/approval-policies",
    response_model=PolicyOut,
    status_code=201,
    responses=error_responses(403, 404, 409),
)
def create_approval_policy(db: DbSession, scope: CurrentScope, body: PolicyCreate) -> PolicyOut:
    return service.present(db, [service.create_policy(db, scope, body)])[0]


@router.post(
    "/approval-policies/evaluate",
    response_model=EvaluateOut,
    responses=error_responses(403, 404),
)
def evaluate_approval_policies(
    db: DbSession, scope: CurrentScope, body: EvaluateRequest
) -> EvaluateOut:
    return service.evaluate(db, scope, body)


@router.get(
    "/approval-policies/{policy_id}", response_model=PolicyOut, responses=error_responses(404)
)
def get_approval_policy(db: DbSession, scope: CurrentScope, policy_id: uuid.UUID) -> PolicyOut:
    return service.present(db, [service.get_policy(db, scope, policy_id)])[0]


@router.patch(
    "/approval-policies/{policy_id}",
    response_model=PolicyOut,
    responses=error_responses(403, 404, 409),
)
def update_approval_policy(
    db: DbSession, scope: CurrentScope, policy_id: uuid.UUID, body: PolicyUpdate
) -> PolicyOut:
    return service.present(db, [service.update_policy(db, scope, policy_id, body)])[0]


@router.post(
    "/approval-policies/{policy_id}/deactivate",
    response_model=PolicyOut,
    responses=error_responses(403, 404, 409),
)
def deactivate_approval_policy(
    db: DbSession,
    scope: CurrentScope,
    policy_id: uuid.UUID,
    body: PolicyDeactivate | None = Body(default=None),
) -> PolicyOut:
    version = body.version if body is not None else None
    return service.present(db, [service.deactivate_policy(db, scope, policy_id, version)])[0]


@router.get("/authority-matrix", response_model=MatrixOut, responses=error_responses(404))
def get_authority_matrix(db: DbSession, scope: CurrentScope, subsidiary_id: uuid.UUID) -> MatrixOut:
    return service.get_matrix(db, scope, subsidiary_id)


@router.put(
    "/authority-matrix/{subsidiary_id}/{role_code}",
    response_model=MatrixRowOut,
    responses=error_responses(403, 404, 409),
)
def put_authority_limits(
    db: DbSession,
    scope: CurrentScope,
    subsidiary_id: uuid.UUID,
    body: MatrixRowPut,
    role_code: str = RoleCode,
) -> MatrixRowOut:
    return service.put_matrix_row(db, scope, subsidiary_id, role_code, body)


@router.delete(
    "/authority-matrix/{subsidiary_id}/{role_code}",
    status_code=204,
    responses=error_responses(403, 404),
)
def delete_authority_limits(
    db: DbSession,
    scope: CurrentScope,
    subsidiary_id: uuid.UUID,
    role_code: str = RoleCode,
) -> Response:
    service.delete_matrix_row(db, scope, subsidiary_id, role_code)
    return Response(status_code=204)
