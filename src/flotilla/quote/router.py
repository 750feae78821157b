from __future__ import annotations

import uuid
from functools import partial
from typing import Literal

from fastapi import APIRouter, Query, Response

from flotilla.core.errors import error_responses
from flotilla.core.export_lists import ListExport, list_responses
from flotilla.core.http import OWNER_FILTER, CurrentScope, DbSession, PageParams
from flotilla.core.pagination import Page
from flotilla.core.placement import owner_filter
from flotilla.quote import service
from flotilla.quote.repository import QuoteFilters
from flotilla.quote.schemas import (
    QuoteAction,
    QuoteCreate,
    QuoteDecline,
    QuoteDetailOut,
    QuoteLinesReplace,
    QuoteOut,
    QuoteStatus,
    QuoteUpdate,
)

router = APIRouter(prefix="/api/v1", tags=["quotes"], responses=error_responses(401, 422))


@router.get("/quotes", response_model=Page[QuoteOut], responses=list_responses())
def list_quotes(
    db: DbSession,
    scope: CurrentScope,
    page: PageParams,
    export: ListExport,
    opportunity_id: uuid.UUID | None = None,
    account_id: uuid.UUID | None = None,
    status: QuoteStatus | None = None,
    owner_id: str | None = OWNER_FILTER,
    q: str | None = Query(default=None, max_length=100, description="Number or title contains"),
    revisions: Literal["current", "all"] = Query(
        default="current", description="`current` (default): only the current revision"
    ),
) -> Page[QuoteOut] | Response:
    filters = QuoteFilters(
        opportunity_id=opportunity_id,
        account_id=account_id,
        status=status,
        owner_id=owner_filter(scope, owner_id),
        q=q,
        current_only=revisions == "current",
    )
    fetch = partial(service.list_quotes, db, scope, filters=filters)
    present = partial(service.present, db, scope)
    return export.rows(page, fetch, present, name="quotes", model=QuoteOut)


@router.get(
    "/opportunities/{opportunity_id}/quotes",
    response_model=Page[QuoteOut],
    responses=list_responses(404),
)
def list_opportunity_quotes(
    db: DbSession,
    scope: CurrentScope,
    page: PageParams,
    export: ListExport,
    opportunity_id: uuid.UUID,
) -> Page[QuoteOut] | Response:
    fetch = partial(service.list_for_opportunity, db, scope, opportunity_id)
    present = partial(service.present, db, scope)
    return export.rows(page, fetch, present, name="quotes", model=QuoteOut)


@router.post(
    "/quotes", response_model=QuoteDetailOut, status_code=201, responses=error_responses(403, 409)
)
def create_quote(db: DbSession, scope: CurrentScope, body: QuoteCreate) -> QuoteDetailOut:
    return service.present_detail(db, scope, service.create_quote(db, scope, body))


@router.get("/quotes/{quote_id}", response_model=QuoteDetailOut, responses=error_responses(404))
def get_quote(db: DbSession, scope: CurrentScope, quote_id: uuid.UUID) -> QuoteDetailOut:
    return service.present_detail(db, scope, service.get_quote(db, scope, quote_id))


@router.patch(
    "/quotes/{quote_id}", response_model=QuoteDetailOut, responses=error_responses(404, 409)
)
def update_quote(
    db: DbSession, scope: CurrentScope, quote_id: uuid.UUID, body: QuoteUpdate
) -> QuoteDetailOut:
    return service.present_detail(db, scope, service.update_quote(db, scope, quote_id, body))


@router.put(
    "/quotes/{quote_id}/lines", response_model=QuoteDetailOut, responses=error_responses(404, 409)
)
def replace_quote_lines(
    db: DbSession, scope: CurrentScope, quote_id: uuid.UUID, body: QuoteLinesReplace
) -> QuoteDetailOut:
    return service.present_detail(db, scope, service.replace_lines(db, scope, quote_id, body))


@router.post(
    "/quotes/{quote_id}/submit", response_model=QuoteDetailOut, responses=error_responses(404, 409)
)
def submit_quote(
    db: DbSession, scope: CurrentScope, quote_id: uuid.UUID, body: QuoteAction | None = None
) -> QuoteDetailOut:
    return service.present_detail(db, scope, service.submit(db, scope, quote_id, body))


@router.post(
    "/quotes/{quote_id}/send", response_model=QuoteDetailOut, responses=error_responses(404, 409)
)
def send_quote(
    db: DbSession, scope: CurrentScope, quote_id: uuid.UUID, body: QuoteAction | None = None
) -> QuoteDetailOut:
    return service.present_detail(db, scope, service.send(db, scope, quote_id, body))


@router.post(
    "/quotes/{quote_id}/accept", response_model=QuoteDetailOut, responses=error_responses(404, 409)
)
def accept_quote(
    db: DbSession, scope: CurrentScope, quote_id: uuid.UUID, body: QuoteAction | None = None
) -> QuoteDetailOut:
    return service.present_detail(db, scope, service.accept(db, scope, quote_id, body))


@router.post(
    "/quotes/{quote_id}/decline", response_model=QuoteDetailOut, responses=error_responses(404, 409)
)
def decline_quote(
    db: DbSession, scope: CurrentScope, quote_id: uuid.UUID, body: QuoteDecline
) -> QuoteDetailOut:
    return service.present_detail(db, scope, service.decline(db, scope, quote_id, body))


@router.post(
    "/quotes/{quote_id}/revise",
    response_model=QuoteDetailOut,
    status_code=201,
    responses=error_responses(404, 409),
)
def revise_quote(
    db: DbSession, scope: CurrentScope, quote_id: uuid.UUID, body: QuoteAction | None = None
) -> QuoteDetailOut:
    return service.present_detail(db, scope, service.revise(db, scope, quote_id, body))
