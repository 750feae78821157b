from __future__ import annotations

import uuid
from datetime import date
from functools import partial

from fastapi import APIRouter, Query, Response

from flotilla.core.errors import error_responses
from flotilla.core.export_lists import ListExport, list_responses
from flotilla.core.http import OWNER_FILTER, CurrentScope, DbSession, PageParams
from flotilla.core.list_filters import DayRange
from flotilla.core.pagination import Page
from flotilla.core.placement import owner_filter
from flotilla.receivable import service
from flotilla.receivable.repository import HoldFilters, InvoiceFilters, PaymentFilters
from flotilla.receivable.schemas import (
    AccountCreditOut,
    AgingGroupBy,
    AgingOut,
    AllocationRequest,
    CreditHoldOut,
    CreditRuleOut,
    CreditRulePut,
    HoldStatus,
    InvoiceCreate,
    InvoiceOut,
    InvoiceStatus,
    InvoiceVoid,
    PaymentCreate,
    PaymentDetailOut,
    PaymentOut,
    PaymentReverse,
    PaymentStatus,
    ReceivableOut,
)

router = APIRouter(prefix="/api/v1", tags=["receivables"], responses=error_responses(401, 422))

CURRENCY_QUERY = Query(default=None, pattern=r"^[A-Za-z]{3}$")
SEARCH_QUERY = Query(default=None, max_length=100)


# --- invoices -----------------------------------------------------------------------------


@router.get("/invoices", response_model=Page[InvoiceOut], responses=list_responses())
def list_invoices(
    db: DbSession,
    scope: CurrentScope,
    page: PageParams,
    export: ListExport,
    contract_id: uuid.UUID | None = None,
    account_id: uuid.UUID | None = None,
    status: InvoiceStatus | None = None,
    issued_from: date | None = None,
    issued_to: date | None = None,
    q: str | None = SEARCH_QUERY,
) -> Page[InvoiceOut] | Response:
    filters = InvoiceFilters(
        contract_id=contract_id,
        account_id=account_id,
        status=status,
        issued_from=issued_from,
        issued_to=issued_to,
        q=q,
    )
    fetch = partial(service.list_invoices, db, scope, filters=filters)
    return export.page(page, fetch, name="invoices", model=InvoiceOut)


@router.post(
    "/invoices", response_model=InvoiceOut, status_code=201, responses=error_responses(403, 409)
)
def create_invoice(db: DbSession, scope: CurrentScope, body: InvoiceCreate) -> InvoiceOut:
    invoice = service.create_invoice(db, scope, body)
    return service.present_invoices(db, scope, [invoice])[0]


@router.get("/invoices/{invoice_id}", response_model=InvoiceOut, responses=error_responses(404))
def get_invoice(db: DbSession, scope: CurrentScope, invoice_id: uuid.UUID) -> InvoiceOut:
    return service.get_invoice(db, scope, invoice_id)


@router.post(
    "/invoices/{invoice_id}/void",
    response_model=InvoiceOut,
    responses=error_responses(403, 404, 409),
)
def void_invoice(
    db: DbSession, scope: CurrentScope, invoice_id: uuid.UUID, body: InvoiceVoid
) -> InvoiceOut:
    invoice = service.void_invoice(db, scope, invoice_id, body)
    return service.present_invoices(db, scope, [invoice])[0]


# --- payments -----------------------------------------------------------------------------


@router.get("/payments", response_model=Page[PaymentOut], responses=list_responses())
def list_payments(
    db: DbSession,
    scope: CurrentScope,
    page: PageParams,
    export: ListExport,
    account_id: uuid.UUID | None = None,
    contract_id: uuid.UUID | None = None,
    status: PaymentStatus | None = None,
    received_from: date | None = None,
    received_to: date | None = None,
    unit_id: uuid.UUID | None = None,
    owner_id: str | None = OWNER_FILTER,
    q: str | None = SEARCH_QUERY,
) -> Page[PaymentOut] | Response:
    filters = PaymentFilters(
        account_id=account_id,
        contract_id=contract_id,
        status=status,
        received=DayRange.checked("received", received_from, received_to),
        unit_id=unit_id,
        owner_id=owner_filter(scope, owner_id),
        q=q,
    )
    fetch = partial(service.list_payments, db, scope, filters=filters)
    return export.page(page, fetch, name="payments", model=PaymentOut)


@router.post(
    "/payments",
    response_model=PaymentDetailOut,
    status_code=201,
    responses=error_responses(403, 409),
)
def create_payment(db: DbSession, scope: CurrentScope, body: PaymentCreate) -> PaymentDetailOut:
    payment = service.create_payment(db, scope, body)
    return service.present_payment(db, scope, payment)


@router.get(
    "/payments/{payment_id}", response_model=PaymentDetailOut, responses=error_responses(404)
)
def get_payment(db: DbSession, scope: CurrentScope, payment_id: uuid.UUID) -> PaymentDetailOut:
    return service.present_payment(db, scope, service.get_payment(db, scope, payment_id))


@router.post(
    "/payments/{payment_id}/allocations",
    response_model=PaymentDetailOut,
    responses=error_responses(403, 404, 409),
)
def allocate_payment(
    db: DbSession, scope: CurrentScope, payment_id: uuid.UUID, body: AllocationRequest
) -> PaymentDetailOut:
    payment = service.allocate_payment(db, scope, payment_id, body)
    return service.present_payment(db, scope, payment)


@router.post(
    "/payments/{payment_id}/reverse",
    response_model=PaymentDetailOut,
    responses=error_responses(403, 404, 409),
)
def reverse_payment(
    db: DbSession, scope: CurrentScope, payment_id: uuid.UUID, body: PaymentReverse
) -> PaymentDetailOut:
    payment = service.reverse_payment(db, scope, payment_id, body)
    return service.present_payment(db, scope, payment)


# --- receivables and aging ----------------------------------------------------------------


@router.get("/receivables", response_model=Page[ReceivableOut], responses=list_responses())
def list_receivables(
    db: DbSession,
    scope: CurrentScope,
    page: PageParams,
    export: ListExport,
    account_id: uuid.UUID | None = None,
    contract_id: uuid.UUID | None = None,
    subsidiary_id: uuid.UUID | None = None,
    unit_id: uuid.UUID | None = None,
    owner_id: str | None = OWNER_FILTER,
    overdue: bool | None = Query(
        default=None, description="true: past due at `as_of`; false: not yet due"
    ),
    overdue_only: bool = Query(default=False, description="The same as `overdue=true`"),
    as_of: date | None = None,
) -> Page[ReceivableOut] | Response:
    fetch = partial(
        service.list_receivables,
        db,
        scope,
        as_of=as_of,
        account_id=account_id,
        contract_id=contract_id,
        subsidiary_id=subsidiary_id,
        unit_id=unit_id,
        owner_id=owner_filter(scope, owner_id),
        overdue=True if overdue is None and overdue_only else overdue,
    )
    return export.page(page, fetch, name="receivables", model=ReceivableOut)


@router.get("/receivables/aging", response_model=AgingOut)
def receivables_aging(
    db: DbSession,
    scope: CurrentScope,
    as_of: date | None = None,
    group_by: AgingGroupBy = "account",
    subsidiary_id: uuid.UUID | None = None,
    account_id: uuid.UUID | None = None,
    currency: str | None = CURRENCY_QUERY,
) -> AgingOut:
    return service.aging_report(
        db,
        scope,
        as_of=as_of,
        group_by=group_by,
        subsidiary_id=subsidiary_id,
        account_id=account_id,
        currency=currency,
    )


@router.get(
    "/accounts/{account_id}/receivables",
    response_model=AgingOut,
    responses=error_responses(404),
)
def account_receivables(
    db: DbSession,
    scope: CurrentScope,
    account_id: uuid.UUID,
    as_of: date | None = None,
    group_by: AgingGroupBy = "subsidiary",
    currency: str | None = CURRENCY_QUERY,
) -> AgingOut:
    return service.account_aging(
        db, scope, account_id, as_of=as_of, group_by=group_by, currency=currency
    )


# --- credit control -----------------------------------------------------------------------


@router.get("/credit-rules", response_model=Page[CreditRuleOut], responses=list_responses())
def list_credit_rules(
    db: DbSession, scope: CurrentScope, page: PageParams, export: ListExport
) -> Page[CreditRuleOut] | Response:
    fetch = partial(service.list_credit_rules, db, scope)
    return export.page(page, fetch, name="credit-rules", model=CreditRuleOut)


@router.get(
    "/credit-rules/{subsidiary_id}", response_model=CreditRuleOut, responses=error_responses(404)
)
def get_credit_rule(db: DbSession, scope: CurrentScope, subsidiary_id: uuid.UUID) -> CreditRuleOut:
    return service.get_credit_rule(db, scope, subsidiary_id)


@router.put(
    "/credit-rules/{subsidiary_id}",
    response_model=CreditRuleOut,
    responses=error_responses(403, 404, 409),
)
def put_credit_rule(
    db: DbSession, scope: CurrentScope, subsidiary_id: uuid.UUID, body: CreditRulePut
) -> CreditRuleOut:
    return service.put_credit_rule(db, scope, subsidiary_id, body)


@router.get("/credit-holds", response_model=Page[CreditHoldOut], responses=list_responses())
def list_credit_holds(
    db: DbSession,
    scope: CurrentScope,
    page: PageParams,
    export: ListExport,
    status: HoldStatus | None = None,
    subsidiary_id: uuid.UUID | None = None,
    account_id: uuid.UUID | None = None,
) -> Page[CreditHoldOut] | Response:
    filters = HoldFilters(status=status, subsidiary_id=subsidiary_id, account_id=account_id)
    fetch = partial(service.list_credit_holds, db, scope, filters=filters)
    return export.page(page, fetch, name="credit-holds", model=CreditHoldOut)


@router.get(
    "/accounts/{account_id}/credit",
    response_model=AccountCreditOut,
    responses=error_responses(404),
)
def account_credit(
    db: DbSession,
    scope: CurrentScope,
    account_id: uuid.UUID,
    as_of: date | None = None,
    currency: str | None = CURRENCY_QUERY,
) -> AccountCreditOut:
    return service.account_credit(db, scope, account_id, as_of=as_of, currency=currency)
