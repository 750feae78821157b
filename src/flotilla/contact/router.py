from __future__ import annotations

import uuid
from functools import partial

from fastapi import APIRouter, Query, Response

from flotilla.contact import service
from flotilla.contact.schemas import ContactCreate, ContactOut, ContactUpdate
from flotilla.core.errors import error_responses
from flotilla.core.export_lists import ListExport, list_responses
from flotilla.core.http import CurrentScope, DbSession, PageParams
from flotilla.core.pagination import Page

router = APIRouter(prefix="/api/v1", tags=["contacts"], responses=error_responses(401, 422))


@router.get("/contacts", response_model=Page[ContactOut], responses=list_responses())
def list_contacts(
    db: DbSession,
    scope: CurrentScope,
    page: PageParams,
    export: ListExport,
    q: str | None = Query(default=None, max_length=100, description="Name, or phone/e-mail prefix"),
    account_id: uuid.UUID | None = None,
) -> Page[ContactOut] | Response:
    fetch = partial(service.list_contacts, db, scope, q=q, account_id=account_id)
    present = partial(service.present, db, scope)
    return export.rows(page, fetch, present, name="contacts", model=ContactOut)


@router.get(
    "/accounts/{account_id}/contacts",
    response_model=Page[ContactOut],
    responses=list_responses(404),
)
def list_account_contacts(
    db: DbSession, scope: CurrentScope, page: PageParams, export: ListExport, account_id: uuid.UUID
) -> Page[ContactOut] | Response:
    fetch = partial(service.list_account_contacts, db, scope, account_id)
    present = partial(service.present, db, scope)
    return export.rows(page, fetch, present, name="contacts", model=ContactOut)


@router.post(
    "/contacts", response_model=ContactOut, status_code=201, responses=error_responses(403, 409)
)
def create_contact(db: DbSession, scope: CurrentScope, body: ContactCreate) -> ContactOut:
    return service.present(db, scope, [service.create_contact(db, scope, body)])[0]


@router.get("/contacts/{contact_id}", response_model=ContactOut, responses=error_responses(404))
def get_contact(db: DbSession, scope: CurrentScope, contact_id: uuid.UUID) -> ContactOut:
    return service.present(db, scope, [service.get_contact(db, scope, contact_id)])[0]


@router.patch(
    "/contacts/{contact_id}", response_model=ContactOut, responses=error_responses(403, 404, 409)
)
def update_contact(
    db: DbSession, scope: CurrentScope, contact_id: uuid.UUID, body: ContactUpdate
) -> ContactOut:
    return service.present(db, scope, [service.update_contact(db, scope, contact_id, body)])[0]


@router.delete("/contacts/{contact_id}", status_code=204, responses=error_responses(403, 404, 409))
def delete_contact(db: DbSession, scope: CurrentScope, contact_id: uuid.UUID) -> Response:
    service.delete_contact(db, scope, contact_id)
    return Response(status_code=204)
