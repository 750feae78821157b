"""All process-template queries. Templates are configuration, not scoped business rows:
anyone signed in may read them; writes are checked by the service against ``process.admin``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flotilla.core.pagination import PageRequest, RowPage, paginate
from flotilla.core.scope import system_access
from flotilla.models.org import OrgUnit
from flotilla.models.sales import ProcessStage, ProcessTemplate, ProcessVersion

SORTABLE = {
    "code": ProcessTemplate.code,
    "name": ProcessTemplate.name,
    "created_at": ProcessTemplate.created_at,
}


def list_templates(
    session: Session,
    page: PageRequest,
    *,
    subsidiary_id: uuid.UUID | None = None,
    kind: str | None = None,
    is_active: bool | None = None,
    q: str | None = None,
) -> RowPage[ProcessTemplate]:
    stmt = select(ProcessTemplate)
    if subsidiary_id is not None:
        stmt = stmt.where(ProcessTemplate.subsidiary_id == subsidiary_id)
    if kind == "group":
        stmt = stmt.where(ProcessTemplate.subsidiary_id.is_(None))
    elif kind == "variant":
        stmt = stmt.where(ProcessTemplate.subsidiary_id.is_not(None))
    if is_active is not None:
        stmt = stmt.where(ProcessTemplate.is_active.is_(is_active))
    if q:
        pattern = f"%{q.lower()}%"
        stmt = stmt.where(
            func.lower(ProcessTemplate.name).like(pattern)
            | func.lower(ProcessTemplate.code).like(pattern)
            | func.lower(func.coalesce(ProcessTemplate.name_en, "")).like(pattern)
        )
    return paginate(
        session,
        stmt,
        request=page,
        sortable=SORTABLE,
        default_sort="code",
        id_column=ProcessTemplate.id,
    )


def get_template(session: Session, template_id: uuid.UUID) -> ProcessTemplate | None:
    return session.get(ProcessTemplate, template_id)


def get_template_for_update(session: Session, template_id: uuid.UUID) -> ProcessTemplate | None:
    """The template row, locked on PostgreSQL so draft edits and publishes serialize."""
    stmt = select(ProcessTemplate).where(ProcessTemplate.id == template_id).with_for_update()
    return session.execute(stmt).scalar_one_or_none()


def code_taken(session: Session, code: str) -> bool:
    stmt = select(ProcessTemplate.id).where(func.lower(ProcessTemplate.code) == code.lower())
    return session.execute(stmt).first() is not None


def active_group_template(session: Session) -> ProcessTemplate | None:
    """The group standard: the one active template no subsidiary owns."""
    stmt = (
        select(ProcessTemplate)
        .where(ProcessTemplate.subsidiary_id.is_(None), ProcessTemplate.is_active.is_(True))
        .order_by(ProcessTemplate.created_at, ProcessTemplate.id)
        .limit(1)
    )
    return session.execute(stmt).scalar_one_or_none()


def active_variant_of(session: Session, subsidiary_id: uuid.UUID) -> ProcessTemplate | None:
    stmt = (
        select(ProcessTemplate)
        .where(ProcessTemplate.subsidiary_id == subsidiary_id, ProcessTemplate.is_active.is_(True))
        .order_by(ProcessTemplate.created_at, ProcessTemplate.id)
        .limit(1)
    )
    return session.execute(stmt).scalar_one_or_none()


def versions_of(session: Session, template_id: uuid.UUID) -> list[ProcessVersion]:
    stmt = (
        select(ProcessVersion)
        .where(ProcessVersion.template_id == template_id)
        .order_by(ProcessVersion.number.desc())
    )
    return list(session.execute(stmt).scalars())


def versions_of_templates(
    session: Session, template_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, list[ProcessVersion]]:
    """Every version of a page of templates in one query, newest first per template."""
    ids = list(template_ids)
    found: dict[uuid.UUID, list[ProcessVersion]] = {i: [] for i in ids}
    if not ids:
        return found
    stmt = (
        select(ProcessVersion)
        .where(ProcessVersion.template_id.in_(ids))
        .order_by(ProcessVersion.template_id, ProcessVersion.number.desc())
    )
    for version in session.execute(stmt).scalars():
        found[version.template_id].append(version)
    return found


def draft_of(session: Session, template_id: uuid.UUID) -> ProcessVersion | None:
    stmt = select(ProcessVersion).where(
        ProcessVersion.template_id == template_id, ProcessVersion.status == "draft"
    )
    return session.execute(stmt).scalar_one_or_none()


def latest_published(session: Session, template_id: uuid.UUID) -> ProcessVersion | None:
    stmt = (
        select(ProcessVersion)
        .where(ProcessVersion.template_id == template_id, ProcessVersion.status == "published")
        .order_by(ProcessVersion.number.desc())
        .limit(1)
    )
    return session.execute(stmt).scalar_one_or_none()


def next_version_number(session: Session, template_id: uuid.UUID) -> int:
    stmt = select(func.coalesce(func.max(ProcessVersion.number), 0)).where(
        ProcessVersion.template_id == template_id
    )
    return int(session.execute(stmt).scalar_one()) + 1


def get_version(session: Session, version_id: uuid.UUID) -> ProcessVersion | None:
    return session.get(ProcessVersion, version_id)


def stages_of(session: Session, version_id: uuid.UUID) -> list[ProcessStage]:
    stmt = (
        select(ProcessStage)
        .where(ProcessStage.version_id == version_id)
        .order_by(ProcessStage.position, ProcessStage.code)
    )
    return list(session.execute(stmt).scalars())


def stages_by_id(session: Session, stage_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, ProcessStage]:
    ids = sorted(set(stage_ids))
    if not ids:
        return {}
    stmt = select(ProcessStage).where(ProcessStage.id.in_(ids))
    return {stage.id: stage for stage in session.execute(stmt).scalars()}


def subsidiary_by_id(session: Session, unit_id: uuid.UUID) -> OrgUnit | None:
    """An active subsidiary (process configuration names subsidiaries, not their rows)."""
    stmt = select(OrgUnit).where(
        OrgUnit.id == unit_id, OrgUnit.kind == "subsidiary", OrgUnit.is_active.is_(True)
    )
    return session.execute(system_access(stmt)).scalar_one_or_none()
