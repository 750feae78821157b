from __future__ import annotations

import uuid
from functools import partial
from typing import Literal

from fastapi import APIRouter, Body, Query, Response

from flotilla.core.errors import error_responses
from flotilla.core.export_lists import ListExport, list_responses
from flotilla.core.http import CurrentScope, DbSession, PageParams
from flotilla.core.pagination import Page
from flotilla.process import service
from flotilla.process.schemas import (
    DraftOut,
    DraftPublish,
    DraftUpdate,
    EffectiveProcessOut,
    TemplateCreate,
    TemplateOut,
    TemplateUpdate,
    VersionOut,
    VersionSummaryOut,
)

router = APIRouter(prefix="/api/v1", tags=["process"], responses=error_responses(401, 422))


@router.get("/process-templates", response_model=Page[TemplateOut], responses=list_responses())
def list_process_templates(
    db: DbSession,
    scope: CurrentScope,
    page: PageParams,
    export: ListExport,
    subsidiary_id: uuid.UUID | None = None,
    kind: Literal["group", "variant"] | None = None,
    is_active: bool | None = None,
    q: str | None = Query(default=None, max_length=100),
) -> Page[TemplateOut] | Response:
    fetch = partial(
        service.list_templates,
        db,
        scope,
        subsidiary_id=subsidiary_id,
        kind=kind,
        is_active=is_active,
        q=q,
    )
    present = partial(service.present_templates, db)
    return export.rows(page, fetch, present, name="process-templates", model=TemplateOut)


@router.get(
    "/process-templates/effective",
    response_model=EffectiveProcessOut,
    responses=error_responses(404),
)
def get_effective_process(
    db: DbSession, scope: CurrentScope, subsidiary_id: uuid.UUID
) -> EffectiveProcessOut:
    return service.get_effective(db, scope, subsidiary_id)


@router.post(
    "/process-templates",
    response_model=TemplateOut,
    status_code=201,
    responses=error_responses(403, 409),
)
def create_process_template(
    db: DbSession, scope: CurrentScope, body: TemplateCreate
) -> TemplateOut:
    return service.present_templates(db, [service.create_template(db, scope, body)])[0]


@router.get(
    "/process-templates/{template_id}", response_model=TemplateOut, responses=error_responses(404)
)
def get_process_template(db: DbSession, scope: CurrentScope, template_id: uuid.UUID) -> TemplateOut:
    return service.present_templates(db, [service.get_template(db, scope, template_id)])[0]


@router.patch(
    "/process-templates/{template_id}",
    response_model=TemplateOut,
    responses=error_responses(403, 404, 409),
)
def update_process_template(
    db: DbSession, scope: CurrentScope, template_id: uuid.UUID, body: TemplateUpdate
) -> TemplateOut:
    template = service.update_template(db, scope, template_id, body)
    return service.present_templates(db, [template])[0]


@router.get(
    "/process-templates/{template_id}/versions",
    response_model=list[VersionSummaryOut],
    responses=error_responses(404),
)
def list_process_versions(
    db: DbSession, scope: CurrentScope, template_id: uuid.UUID
) -> list[VersionSummaryOut]:
    return service.list_versions(db, scope, template_id)


@router.get(
    "/process-templates/{template_id}/draft",
    response_model=DraftOut,
    responses=error_responses(404),
)
def get_process_draft(db: DbSession, scope: CurrentScope, template_id: uuid.UUID) -> DraftOut:
    return service.get_draft(db, scope, template_id)


@router.post(
    "/process-templates/{template_id}/draft",
    response_model=DraftOut,
    status_code=201,
    responses=error_responses(403, 404, 409),
)
def start_process_draft(db: DbSession, scope: CurrentScope, template_id: uuid.UUID) -> DraftOut:
    return service.start_draft(db, scope, template_id)


@router.put(
    "/process-templates/{template_id}/draft",
    response_model=DraftOut,
    responses=error_responses(403, 404, 409),
)
def replace_process_draft(
    db: DbSession, scope: CurrentScope, template_id: uuid.UUID, body: DraftUpdate
) -> DraftOut:
    return service.replace_draft(db, scope, template_id, body)


@router.post(
    "/process-templates/{template_id}/draft/publish",
    response_model=VersionOut,
    responses=error_responses(403, 404, 409),
)
def publish_process_draft(
    db: DbSession,
    scope: CurrentScope,
    template_id: uuid.UUID,
    body: DraftPublish | None = Body(default=None),
) -> VersionOut:
    return service.publish_draft(db, scope, template_id, body or DraftPublish())


@router.get(
    "/process-versions/{version_id}", response_model=VersionOut, responses=error_responses(404)
)
def get_process_version(db: DbSession, scope: CurrentScope, version_id: uuid.UUID) -> VersionOut:
    return service.get_version(db, scope, version_id)


@router.put(
    "/process-versions/{version_id}",
    response_model=DraftOut,
    responses=error_responses(403, 404, 409),
)
def replace_process_version(
    db: DbSession, scope: CurrentScope, version_id: uuid.UUID, body: DraftUpdate
) -> DraftOut:
    return service.replace_version_stages(db, scope, version_id, body)


@router.post(
    "/process-versions/{version_id}/publish",
    response_model=VersionOut,
    responses=error_responses(403, 404, 409),
)
def publish_process_version(
    db: DbSession,
    scope: CurrentScope,
    version_id: uuid.UUID,
    body: DraftPublish | None = Body(default=None),
) -> VersionOut:
    return service.publish_version(db, scope, version_id, body or DraftPublish())
