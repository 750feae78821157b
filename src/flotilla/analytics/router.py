from __future__ import annotations

from fastapi import APIRouter

from flotilla.core.errors import error_responses

router = APIRouter(
    prefix="/api/v1/analytics", tags=["analytics"], responses=error_responses(401, 403, 422)
)
