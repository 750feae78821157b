from __future__ import annotations

import uuid

from fastapi import APIRouter, Request

from flotilla.core.errors import error_responses
from flotilla.core.http import CurrentScope, DbSession, request_locale
from flotilla.lead import service as lead_service
from flotilla.lead_conversion import service
from flotilla.lead_conversion.schemas import LeadConversionOut, LeadConvert

router = APIRouter(prefix="/api/v1/leads", tags=["leads"], responses=error_responses(401, 422))


@router.post(
    "/{lead_id}/convert",
    response_model=LeadConversionOut,
    responses=error_responses(403, 404, 409),
)
def convert_lead(
    request: Request, db: DbSession, scope: CurrentScope, lead_id: uuid.UUID, body: LeadConvert
) -> LeadConversionOut:
    result = service.convert_lead(db, scope, lead_id, body, locale=request_locale(request))
    return LeadConversionOut(
        lead=lead_service.present(db, scope, [result.lead])[0],
        account_id=result.account.id,
        account_created=result.account_created,
        contact_id=result.contact_id,
        opportunity_id=result.opportunity_id,
    )
