from __future__ import annotations

import uuid
from datetime import date
from functools import partial

from fastapi import APIRouter, Query, Request, Response

from flotilla.account import service
from flotilla.account.schemas import (
    AccountCreate,
    AccountOut,
    AccountStatus,
    AccountTransfer,
    AccountUpdate,
    DuplicatesOut,
    Tier,
    ValueClass,
)
from flotilla.core.errors import error_responses
from flotilla.core.export_lists import ListExport, list_responses
from flotilla.core.http import CurrentScope, DbSession, PageParams, request_locale
from flotilla.core.list_filters import DayRange
from flotilla.core.pagination import Page

router = APIRouter(
    prefix="/api/v1/accounts", tags=["accounts"], responses=error_responses(401, 422)
)


@router.get("", response_model=Page[AccountOut], responses=list_responses())
def list_accounts(
    db: DbSession,
    scope: CurrentScope,
    page: PageParams,
    export: ListExport,
    q: str | None = Query(
        default=None,
        max_length=100,
        description="Name substring, full pinyin or pinyin initials, or English words",
    ),
    tier: Tier | None = None,
    value_class: ValueClass | None = None,
    subsidiary_id: uuid.UUID | None = None,
    owner_id: uuid.UUID | None = None,
    status: AccountStatus | None = None,
    unit_id: uuid.UUID | None = Query(default=None, description="This unit and below"),
    created_from: date | None = Query(default=None, description="Created on or after (UTC day)"),
    created_to: date | None = Query(default=None, description="Created on or before (UTC day)"),
) -> Page[AccountOut] | Response:
    fetch = partial(
        service.list_accounts,
        db,
        scope,
        q=q,
        tier=tier,
        value_class=value_class,
        subsidiary_id=subsidiary_id,
        owner_id=owner_id,
        status=status,
        unit_id=unit_id,
        created=DayRange.checked("created", created_from, created_to),
    )
    present = partial(service.present, db, scope)
    return export.rows(page, fetch, present, name="accounts", model=AccountOut)


@router.get(
    "/duplicates",
    response_model=DuplicatesOut,
    response_model_exclude_none=True,
    responses=error_responses(403),
)
def find_duplicates(
    request: Request,
    db: DbSession,
    scope: CurrentScope,
    name: str | None = Query(default=None, max_length=200),
    name_en: str | None = Query(default=None, max_length=200),
    uscc: str | None = Query(default=None, max_length=32),
    phone: str | None = Query(default=None, max_length=32),
    email: str | None = Query(default=None, max_length=254),
) -> DuplicatesOut:
    """Suspected duplicates across the whole group. Matches the caller cannot see carry
    only ``visible: false``, the reason, the score and the subsidiary's name."""
    return service.check_duplicates(
        db,
        scope,
        name=name,
        name_en=name_en,
        uscc=uscc,
        phone=phone,
        email=email,
        locale=request_locale(request),
    )


@router.post("", response_model=AccountOut, status_code=201, responses=error_responses(403, 409))
def create_account(
    request: Request, db: DbSession, scope: CurrentScope, body: AccountCreate
) -> AccountOut:
    account = service.create_account(db, scope, body, locale=request_locale(request))
    return service.present(db, scope, [account])[0]


@router.get("/{account_id}", response_model=AccountOut, responses=error_responses(404))
def get_account(db: DbSession, scope: CurrentScope, account_id: uuid.UUID) -> AccountOut:
    return service.present(db, scope, [service.get_account(db, scope, account_id)])[0]


@router.patch("/{account_id}", response_model=AccountOut, responses=error_responses(403, 404, 409))
def update_account(
    request: Request,
    db: DbSession,
    scope: CurrentScope,
    account_id: uuid.UUID,
    body: AccountUpdate,
) -> AccountOut:
    account = service.update_account(db, scope, account_id, body, locale=request_locale(request))
    return service.present(db, scope, [account])[0]


@router.post(
    "/{account_id}/transfer",
    response_model=AccountOut,
    responses=error_responses(403, 404, 409),
)
def transfer_account(
    db: DbSession, scope: CurrentScope, account_id: uuid.UUID, body: AccountTransfer
) -> AccountOut:
    account = service.transfer_account(db, scope, account_id, body)
    return service.present(db, scope, [account])[0]
