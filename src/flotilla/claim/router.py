from __future__ import annotations

import uuid
from functools import partial

from fastapi import APIRouter, Query, Response

from flotilla.account import service as accounts
from flotilla.account.schemas import AccountClaimResultOut
from flotilla.claim import service
from flotilla.claim.schemas import (
    ClaimLookup,
    ClaimOut,
    ConflictOut,
    ConflictResolve,
    ConflictStatus,
)
from flotilla.core.errors import error_responses
from flotilla.core.export_lists import ListExport, list_responses
from flotilla.core.http import CurrentScope, DbSession, PageParams
from flotilla.core.pagination import Page

router = APIRouter(prefix="/api/v1", tags=["claims"], responses=error_responses(401, 422))


@router.post(
    "/accounts/claims",
    response_model=AccountClaimResultOut,
    responses=error_responses(403, 404, 409),
)
def claim_by_lookup(db: DbSession, scope: CurrentScope, body: ClaimLookup) -> AccountClaimResultOut:
    """Claim (报备) an account found group-wide by USCC or name. Protected by another
    subsidiary → 409 ``claim_conflict`` naming the protecting unit (the conflict is
    recorded); unprotected → the account moves to the caller."""
    account, claim = service.claim_by_lookup(db, scope, body)
    return AccountClaimResultOut(
        account=accounts.present(db, scope, [account])[0], claim=ClaimOut.model_validate(claim)
    )


@router.post(
    "/accounts/{account_id}/claims",
    response_model=AccountClaimResultOut,
    responses=error_responses(403, 404, 409),
)
def claim_account(
    db: DbSession, scope: CurrentScope, account_id: uuid.UUID
) -> AccountClaimResultOut:
    account, claim = service.claim_account(db, scope, account_id)
    return AccountClaimResultOut(
        account=accounts.present(db, scope, [account])[0], claim=ClaimOut.model_validate(claim)
    )


@router.get(
    "/accounts/{account_id}/claims",
    response_model=list[ClaimOut],
    responses=error_responses(404),
)
def claim_history(db: DbSession, scope: CurrentScope, account_id: uuid.UUID) -> list[ClaimOut]:
    return [ClaimOut.model_validate(c) for c in service.claim_history(db, scope, account_id)]


@router.get("/conflicts", response_model=Page[ConflictOut], responses=list_responses())
def list_conflicts(
    db: DbSession,
    scope: CurrentScope,
    page: PageParams,
    export: ListExport,
    status: ConflictStatus | None = None,
    account_id: uuid.UUID | None = None,
    q: str | None = Query(
        default=None, max_length=100, description="Only conflicts over accounts matching this"
    ),
) -> Page[ConflictOut] | Response:
    fetch = partial(service.list_conflicts, db, scope, status=status, account_id=account_id, q=q)
    present = partial(service.present_conflicts, db, scope)
    return export.rows(page, fetch, present, name="conflicts", model=ConflictOut)


@router.get("/conflicts/{conflict_id}", response_model=ConflictOut, responses=error_responses(404))
def get_conflict(db: DbSession, scope: CurrentScope, conflict_id: uuid.UUID) -> ConflictOut:
    conflict = service.get_conflict(db, scope, conflict_id)
    return service.present_conflicts(db, scope, [conflict])[0]


@router.post(
    "/conflicts/{conflict_id}/resolve",
    response_model=ConflictOut,
    responses=error_responses(403, 404, 409),
)
def resolve_conflict(
    db: DbSession, scope: CurrentScope, conflict_id: uuid.UUID, body: ConflictResolve
) -> ConflictOut:
    conflict = service.resolve_conflict(db, scope, conflict_id, body)
    return service.present_conflicts(db, scope, [conflict])[0]
