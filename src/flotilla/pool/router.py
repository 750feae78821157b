from __future__ import annotations

import uuid
from functools import partial

from fastapi import APIRouter, Query, Response

from flotilla.core.errors import error_responses
from flotilla.core.export_lists import ListExport, list_responses
from flotilla.core.http import CurrentScope, DbSession, PageParams
from flotilla.core.pagination import Page, PageRequest
from flotilla.pool import service
from flotilla.pool.schemas import (
    PoolAccountOut,
    PoolClaimOut,
    PoolPage,
    PoolReleaseOut,
    PoolRuleOut,
    PoolRulePut,
    ReleaseRequest,
)

router = APIRouter(prefix="/api/v1/pool", tags=["pool"], responses=error_responses(401, 422))
rules_router = APIRouter(
    prefix="/api/v1/pool-rules", tags=["pool"], responses=error_responses(401, 422)
)


@router.get("", response_model=PoolPage, responses=list_responses())
def list_pool(
    db: DbSession,
    scope: CurrentScope,
    page: PageParams,
    export: ListExport,
    subsidiary_id: uuid.UUID | None = None,
    q: str | None = Query(default=None, max_length=100),
    industry: str | None = Query(default=None, max_length=64),
    region: str | None = Query(default=None, max_length=64),
    tier: str | None = Query(default=None, max_length=16),
) -> Page[PoolAccountOut] | Response:
    """Pool accounts; the workbook (``format=xlsx``) lists the accounts without the quotas."""
    fetch = partial(
        service.list_pool,
        db,
        scope,
        subsidiary_id=subsidiary_id,
        q=q,
        industry=industry,
        region=region,
        tier=tier,
    )
    return export.page(page, fetch, name="pool", model=PoolAccountOut)


@router.post(
    "/{account_id}/claim",
    response_model=PoolClaimOut,
    responses=error_responses(403, 404, 409),
)
def claim_from_pool(db: DbSession, scope: CurrentScope, account_id: uuid.UUID) -> PoolClaimOut:
    return service.claim(db, scope, account_id)


@router.post(
    "/{account_id}/release",
    response_model=PoolReleaseOut,
    responses=error_responses(404, 409),
)
def release_to_pool(
    db: DbSession, scope: CurrentScope, account_id: uuid.UUID, body: ReleaseRequest
) -> PoolReleaseOut:
    return service.release(db, scope, account_id, body)


@rules_router.get("", response_model=Page[PoolRuleOut], responses=list_responses())
def list_pool_rules(
    db: DbSession,
    scope: CurrentScope,
    page: PageParams,
    export: ListExport,
    q: str | None = Query(default=None, max_length=100),
) -> Page[PoolRuleOut] | Response:
    def fetch(request: PageRequest) -> Page[PoolRuleOut]:
        items, next_cursor, total = service.list_rules(db, scope, request, q=q)
        return Page(items=items, next_cursor=next_cursor, total=total)

    return export.page(page, fetch, name="pool-rules", model=PoolRuleOut)


@rules_router.get("/{subsidiary_id}", response_model=PoolRuleOut, responses=error_responses(404))
def get_pool_rules(db: DbSession, scope: CurrentScope, subsidiary_id: uuid.UUID) -> PoolRuleOut:
    return service.get_rules(db, scope, subsidiary_id)


@rules_router.put(
    "/{subsidiary_id}",
    response_model=PoolRuleOut,
    responses=error_responses(403, 404, 409),
)
def put_pool_rules(
    db: DbSession, scope: CurrentScope, subsidiary_id: uuid.UUID, body: PoolRulePut
) -> PoolRuleOut:
    return service.put_rules(db, scope, subsidiary_id, body)
