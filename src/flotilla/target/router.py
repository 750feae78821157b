from __future__ import annotations

from fastapi import APIRouter

from flotilla.core.errors import error_responses

router = APIRouter(prefix="/api/v1/targets", tags=["targets"], responses=error_responses(401, 422))
