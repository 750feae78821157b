from __future__ import annotations

import uuid
from functools import partial
from typing import Any

from fastapi import APIRouter, Query, Request, Response

from flotilla.approval import registry, service
from flotilla.approval.repository import RequestFilters
from flotilla.approval.schemas import (
    ApprovalDetailOut,
    ApprovalOut,
    DecisionIn,
    DelegationCreate,
    DelegationOut,
    RequestStatus,
    WithdrawIn,
)
from flotilla.core.errors import Invalid, error_responses, field_error
from flotilla.core.export_lists import ListExport, list_responses
from flotilla.core.http import CurrentScope, DbSession, PageParams, request_locale
from flotilla.core.pagination import Page
from flotilla.core.placement import owner_filter

router = APIRouter(prefix="/api/v1", tags=["approvals"], responses=error_responses(401, 422))


def _user_query() -> Any:
    # A fresh Query per parameter: FastAPI binds a parameter's name onto its FieldInfo.
    return Query(default=None, max_length=36, description="A user id, or `me` for the caller")


def _user_filter(scope: CurrentScope, value: str | None, name: str) -> uuid.UUID | None:
    try:
        return owner_filter(scope, value)
    except Invalid:
        raise Invalid(fields=[field_error(name, "uuid_parsing")]) from None


@router.get("/approvals", response_model=Page[ApprovalOut], responses=list_responses())
def list_approvals(
    db: DbSession,
    scope: CurrentScope,
    page: PageParams,
    export: ListExport,
    assigned_to: str | None = _user_query(),
    requested_by: str | None = _user_query(),
    status: RequestStatus | None = None,
    action: str | None = Query(default=None, max_length=64),
    record_id: uuid.UUID | None = None,
    record_type: str | None = Query(default=None, max_length=32),
    subsidiary_id: uuid.UUID | None = None,
    q: str | None = Query(default=None, max_length=100),
) -> Page[ApprovalOut] | Response:
    """Requests the caller sees, newest first. ``assigned_to=me&status=pending`` is the
    inbox: requests with a task pending for the caller or for someone who delegated to
    them now."""
    if action is not None and action not in registry.ACTIONS:
        raise Invalid(
            fields=[field_error("action", "literal_error", expected=", ".join(registry.ACTIONS))]
        )
    filters = RequestFilters(
        assigned_to=_user_filter(scope, assigned_to, "assigned_to"),
        requested_by=_user_filter(scope, requested_by, "requested_by"),
        status=status,
        action=action,
        record_id=record_id,
        record_type=record_type,
        subsidiary_id=subsidiary_id,
        q=q,
    )
    fetch = partial(service.list_requests, db, scope, filters=filters)
    present = partial(service.present, db)
    return export.rows(page, fetch, present, name="approvals", model=ApprovalOut)


@router.get(
    "/approvals/{request_id}", response_model=ApprovalDetailOut, responses=error_responses(404)
)
def get_approval(
    request: Request, db: DbSession, scope: CurrentScope, request_id: uuid.UUID
) -> ApprovalDetailOut:
    found = service.get_request(db, scope, request_id)
    return service.present_detail(db, scope, found, request_locale(request))


@router.post(
    "/approvals/{request_id}/approve",
    response_model=ApprovalDetailOut,
    responses=error_responses(403, 404, 409),
)
def approve_approval(
    request: Request, db: DbSession, scope: CurrentScope, request_id: uuid.UUID, body: DecisionIn
) -> ApprovalDetailOut:
    decided = service.approve(db, scope, request_id, body.comment)
    return service.present_detail(db, scope, decided, request_locale(request))


@router.post(
    "/approvals/{request_id}/reject",
    response_model=ApprovalDetailOut,
    responses=error_responses(403, 404, 409),
)
def reject_approval(
    request: Request, db: DbSession, scope: CurrentScope, request_id: uuid.UUID, body: DecisionIn
) -> ApprovalDetailOut:
    decided = service.reject(db, scope, request_id, body.comment)
    return service.present_detail(db, scope, decided, request_locale(request))


@router.post(
    "/approvals/{request_id}/withdraw",
    response_model=ApprovalDetailOut,
    responses=error_responses(403, 404, 409),
)
def withdraw_approval(
    request: Request,
    db: DbSession,
    scope: CurrentScope,
    request_id: uuid.UUID,
    body: WithdrawIn | None = None,
) -> ApprovalDetailOut:
    withdrawn = service.withdraw(db, scope, request_id, body.comment if body else None)
    return service.present_detail(db, scope, withdrawn, request_locale(request))


@router.get(
    "/approval-delegations", response_model=Page[DelegationOut], responses=list_responses(403)
)
def list_delegations(
    db: DbSession,
    scope: CurrentScope,
    page: PageParams,
    export: ListExport,
    all: bool = Query(default=False, description="Every delegation (needs approval.admin)"),
    user_id: uuid.UUID | None = None,
    delegate_id: uuid.UUID | None = None,
    is_active: bool | None = None,
    in_effect: bool | None = None,
) -> Page[DelegationOut] | Response:
    """The caller's delegations, given and received (``all=true``: admins see every
    delegation in their reach)."""
    fetch = partial(
        service.list_delegations,
        db,
        scope,
        all_users=all,
        user_id=user_id,
        delegate_id=delegate_id,
        is_active=is_active,
        in_effect=in_effect,
    )
    present = partial(service.present_delegations, db)
    return export.rows(page, fetch, present, name="approval-delegations", model=DelegationOut)


@router.post(
    "/approval-delegations",
    response_model=DelegationOut,
    status_code=201,
    responses=error_responses(403, 409),
)
def create_delegation(db: DbSession, scope: CurrentScope, body: DelegationCreate) -> DelegationOut:
    delegation = service.create_delegation(db, scope, body)
    return service.present_delegations(db, [delegation])[0]


@router.post(
    "/approval-delegations/{delegation_id}/revoke",
    response_model=DelegationOut,
    responses=error_responses(403, 404, 409),
)
def revoke_delegation(
    db: DbSession, scope: CurrentScope, delegation_id: uuid.UUID
) -> DelegationOut:
    delegation = service.revoke_delegation(db, scope, delegation_id)
    return service.present_delegations(db, [delegation])[0]
