from __future__ import annotations

import uuid
from datetime import date
from functools import partial

from fastapi import APIRouter, Query, Response

from flotilla.contract import service
from flotilla.contract.repository import ContractFilters
from flotilla.contract.schemas import (
    AmendmentCreate,
    AmendmentOut,
    ContractCreate,
    ContractDetailOut,
    ContractOut,
    ContractStatus,
    ContractUpdate,
    PaymentPlanIn,
    PaymentPlanOut,
    SignRequest,
    TerminateRequest,
    VersionBody,
)
from flotilla.core.errors import error_responses
from flotilla.core.export_lists import ListExport, list_responses
from flotilla.core.http import OWNER_FILTER, CurrentScope, DbSession, PageParams
from flotilla.core.list_filters import DayRange
from flotilla.core.pagination import Page
from flotilla.core.placement import owner_filter

router = APIRouter(prefix="/api/v1", tags=["contracts"], responses=error_responses(401, 422))


@router.get("/contracts", response_model=Page[ContractOut], responses=list_responses())
def list_contracts(
    db: DbSession,
    scope: CurrentScope,
    page: PageParams,
    export: ListExport,
    status: ContractStatus | None = None,
    account_id: uuid.UUID | None = None,
    opportunity_id: uuid.UUID | None = None,
    owner_id: str | None = OWNER_FILTER,
    subsidiary_id: uuid.UUID | None = None,
    unit_id: uuid.UUID | None = None,
    signed_from: date | None = Query(
        default=None, description="Signed on or after this day and in force"
    ),
    signed_to: date | None = Query(
        default=None, description="Signed on or before this day and in force"
    ),
    q: str | None = Query(default=None, max_length=100),
) -> Page[ContractOut] | Response:
    filters = ContractFilters(
        status=status,
        account_id=account_id,
        opportunity_id=opportunity_id,
        owner_id=owner_filter(scope, owner_id),
        subsidiary_id=subsidiary_id,
        unit_id=unit_id,
        signed=DayRange.checked("signed", signed_from, signed_to),
        q=q,
    )
    fetch = partial(service.list_contracts, db, scope, filters=filters)
    present = partial(service.present, db, scope)
    return export.rows(page, fetch, present, name="contracts", model=ContractOut)


@router.post(
    "/contracts",
    response_model=ContractDetailOut,
    status_code=201,
    responses=error_responses(403, 409),
)
def create_contract(db: DbSession, scope: CurrentScope, body: ContractCreate) -> ContractDetailOut:
    contract = service.create_contract(db, scope, body)
    return service.present_detail(db, scope, contract)


@router.get(
    "/contracts/{contract_id}", response_model=ContractDetailOut, responses=error_responses(404)
)
def get_contract(db: DbSession, scope: CurrentScope, contract_id: uuid.UUID) -> ContractDetailOut:
    return service.present_detail(db, scope, service.get_contract(db, scope, contract_id))


@router.patch(
    "/contracts/{contract_id}",
    response_model=ContractDetailOut,
    responses=error_responses(403, 404, 409),
)
def update_contract(
    db: DbSession, scope: CurrentScope, contract_id: uuid.UUID, body: ContractUpdate
) -> ContractDetailOut:
    contract = service.update_contract(db, scope, contract_id, body)
    return service.present_detail(db, scope, contract)


@router.post(
    "/contracts/{contract_id}/submit",
    response_model=ContractDetailOut,
    responses=error_responses(404, 409),
)
def submit_contract(
    db: DbSession, scope: CurrentScope, contract_id: uuid.UUID, body: VersionBody | None = None
) -> ContractDetailOut:
    contract = service.submit(db, scope, contract_id, body or VersionBody())
    return service.present_detail(db, scope, contract)


@router.post(
    "/contracts/{contract_id}/sign",
    response_model=ContractDetailOut,
    responses=error_responses(404, 409),
)
def sign_contract(
    db: DbSession, scope: CurrentScope, contract_id: uuid.UUID, body: SignRequest
) -> ContractDetailOut:
    contract = service.sign(db, scope, contract_id, body)
    return service.present_detail(db, scope, contract)


@router.post(
    "/contracts/{contract_id}/activate",
    response_model=ContractDetailOut,
    responses=error_responses(404, 409),
)
def activate_contract(
    db: DbSession, scope: CurrentScope, contract_id: uuid.UUID, body: VersionBody | None = None
) -> ContractDetailOut:
    contract = service.activate(db, scope, contract_id, body or VersionBody())
    return service.present_detail(db, scope, contract)


@router.post(
    "/contracts/{contract_id}/complete",
    response_model=ContractDetailOut,
    responses=error_responses(404, 409),
)
def complete_contract(
    db: DbSession, scope: CurrentScope, contract_id: uuid.UUID, body: VersionBody | None = None
) -> ContractDetailOut:
    contract = service.complete(db, scope, contract_id, body or VersionBody())
    return service.present_detail(db, scope, contract)


@router.post(
    "/contracts/{contract_id}/terminate",
    response_model=ContractDetailOut,
    responses=error_responses(404, 409),
)
def terminate_contract(
    db: DbSession, scope: CurrentScope, contract_id: uuid.UUID, body: TerminateRequest
) -> ContractDetailOut:
    contract = service.terminate(db, scope, contract_id, body)
    return service.present_detail(db, scope, contract)


@router.get(
    "/contracts/{contract_id}/payment-plan",
    response_model=PaymentPlanOut,
    responses=error_responses(404),
)
def get_payment_plan(db: DbSession, scope: CurrentScope, contract_id: uuid.UUID) -> PaymentPlanOut:
    return service.payment_plan(db, scope, contract_id)


@router.put(
    "/contracts/{contract_id}/payment-plan",
    response_model=PaymentPlanOut,
    responses=error_responses(404, 409),
)
def replace_payment_plan(
    db: DbSession, scope: CurrentScope, contract_id: uuid.UUID, body: PaymentPlanIn
) -> PaymentPlanOut:
    return service.replace_payment_plan(db, scope, contract_id, body)


@router.get(
    "/contracts/{contract_id}/amendments",
    response_model=list[AmendmentOut],
    responses=error_responses(404),
)
def list_amendments(
    db: DbSession, scope: CurrentScope, contract_id: uuid.UUID
) -> list[AmendmentOut]:
    return service.amendments(db, scope, contract_id)


@router.post(
    "/contracts/{contract_id}/amendments",
    response_model=AmendmentOut,
    status_code=201,
    responses=error_responses(404, 409),
)
def create_amendment(
    db: DbSession, scope: CurrentScope, contract_id: uuid.UUID, body: AmendmentCreate
) -> AmendmentOut:
    return service.present_amendment(db, service.amend(db, scope, contract_id, body))
