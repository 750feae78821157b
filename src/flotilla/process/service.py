"""The standard sales process (标准化流程): versioned templates of stages and entry gates.

Invariants:
- The group owns one active standard template (no subsidiary). A subsidiary may own one
  active variant of it, while the standard allows variants.
- A template has at most one draft version; published versions never change. Opportunities
  keep the version they started on, so publishing a new version never moves a running deal.
- A variant keeps every stage the group locked: same code, same kind, same relative order.
- A subsidiary's effective process is its variant's latest published version when it has one
  (and the standard still allows variants), else the standard's latest published version.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from flotilla.core import clock
from flotilla.core.errors import Conflict, FieldError, Forbidden, Invalid, NotFound, field_error
from flotilla.core.pagination import PageRequest, RowPage
from flotilla.core.scope import Scope
from flotilla.models.sales import ProcessStage, ProcessTemplate, ProcessVersion
from flotilla.process import repository
from flotilla.process.schemas import (
    ChecklistItemOut,
    DraftOut,
    DraftPublish,
    DraftUpdate,
    EffectiveProcessOut,
    StageIn,
    StageOut,
    TemplateCreate,
    TemplateOut,
    TemplateUpdate,
    VersionOut,
    VersionSummaryOut,
)

ADMIN = "process.admin"
STAGE_ATTRIBUTES = (
    "name",
    "name_en",
    "position",
    "probability",
    "kind",
    "max_days",
    "playbook",
    "required_fields",
    "checklist",
    "requires_approval",
    "locked",
)


@dataclass(frozen=True)
class EffectiveProcess:
    template: ProcessTemplate
    version: ProcessVersion

    @property
    def is_variant(self) -> bool:
        return self.template.subsidiary_id is not None


# --- presentation ------------------------------------------------------------------------


def present_stage(stage: ProcessStage) -> StageOut:
    return StageOut(
        id=stage.id,
        code=stage.code,
        name=stage.name,
        name_en=stage.name_en,
        position=stage.position,
        probability=stage.probability,
        kind=stage.kind,
        max_days=stage.max_days,
        playbook=stage.playbook,
        required_fields=[str(f) for f in stage.required_fields],
        checklist=[ChecklistItemOut.model_validate(item) for item in stage.checklist],
        requires_approval=stage.requires_approval,
        locked=stage.locked,
    )


def present_version(session: Session, version: ProcessVersion) -> VersionOut:
    summary = VersionSummaryOut.model_validate(version)
    stages = [present_stage(s) for s in repository.stages_of(session, version.id)]
    return VersionOut(**summary.model_dump(), stages=stages)


def present_templates(session: Session, templates: Sequence[ProcessTemplate]) -> list[TemplateOut]:
    """Render templates with their latest published version and draft (one query a page)."""
    versions = repository.versions_of_templates(session, (t.id for t in templates))
    out = []
    for template in templates:
        item = TemplateOut.model_validate(template)
        for version in versions[template.id]:
            if version.status == "draft":
                item.draft_version_id = version.id
            elif item.latest_published_version_id is None:
                item.latest_published_version_id = version.id
                item.latest_published_number = version.number
        out.append(item)
    return out


def _present_draft(session: Session, template: ProcessTemplate, draft: ProcessVersion) -> DraftOut:
    version = present_version(session, draft)
    return DraftOut(**version.model_dump(), template_version=template.version)


# --- reads (configuration: any signed-in user) -------------------------------------------


def list_templates(
    session: Session,
    scope: Scope,
    page: PageRequest,
    *,
    subsidiary_id: uuid.UUID | None = None,
    kind: str | None = None,
    is_active: bool | None = None,
    q: str | None = None,
) -> RowPage[ProcessTemplate]:
    return repository.list_templates(
        session, page, subsidiary_id=subsidiary_id, kind=kind, is_active=is_active, q=q
    )


def get_template(session: Session, scope: Scope, template_id: uuid.UUID) -> ProcessTemplate:
    template = repository.get_template(session, template_id)
    if template is None:
        raise NotFound()
    return template


def list_versions(
    session: Session, scope: Scope, template_id: uuid.UUID
) -> list[VersionSummaryOut]:
    get_template(session, scope, template_id)
    return [
        VersionSummaryOut.model_validate(v) for v in repository.versions_of(session, template_id)
    ]


def get_version(session: Session, scope: Scope, version_id: uuid.UUID) -> VersionOut:
    version = repository.get_version(session, version_id)
    if version is None:
        raise NotFound()
    return present_version(session, version)


def get_draft(session: Session, scope: Scope, template_id: uuid.UUID) -> DraftOut:
    template = get_template(session, scope, template_id)
    draft = repository.draft_of(session, template.id)
    if draft is None:
        raise NotFound("no_draft")
    return _present_draft(session, template, draft)


def effective_process(session: Session, subsidiary_id: uuid.UUID) -> EffectiveProcess | None:
    """The process a subsidiary's new opportunities start on (see the module invariants)."""
    variant = repository.active_variant_of(session, subsidiary_id)
    if variant is not None and variant.base_template_id is not None:
        base = repository.get_template(session, variant.base_template_id)
        if base is not None and base.is_active and base.allow_variants:
            published = repository.latest_published(session, variant.id)
            if published is not None:
                return EffectiveProcess(variant, published)
    standard = repository.active_group_template(session)
    if standard is not None:
        published = repository.latest_published(session, standard.id)
        if published is not None:
            return EffectiveProcess(standard, published)
    return None


def get_effective(session: Session, scope: Scope, subsidiary_id: uuid.UUID) -> EffectiveProcessOut:
    if repository.subsidiary_by_id(session, subsidiary_id) is None:
        raise Invalid(fields=[field_error("subsidiary_id", "unknown_reference")])
    effective = effective_process(session, subsidiary_id)
    if effective is None:
        raise NotFound("no_published_process")
    return EffectiveProcessOut(
        subsidiary_id=subsidiary_id,
        is_variant=effective.is_variant,
        template=present_templates(session, [effective.template])[0],
        version=present_version(session, effective.version),
    )


# --- writes (process.admin over the template's owner) ------------------------------------


def _require_admin_over(session: Session, scope: Scope, subsidiary_id: uuid.UUID | None) -> None:
    """Group templates need a group-wide ``process.admin``; a variant, one reaching its
    subsidiary. Templates are readable by everyone, so a refusal is 403, not 404."""
    scope.require(ADMIN)
    if subsidiary_id is None:
        if not scope.reach(ADMIN).everything:
            raise Forbidden()
    elif not scope.reaches_unit(session, ADMIN, subsidiary_id):
        raise Forbidden()


def _template_for_write(
    session: Session, scope: Scope, template_id: uuid.UUID, version: int | None
) -> ProcessTemplate:
    template = repository.get_template_for_update(session, template_id)
    if template is None:
        raise NotFound()
    _require_admin_over(session, scope, template.subsidiary_id)
    if version is not None and template.version != version:
        raise Conflict("version_conflict")
    return template


def _touch(template: ProcessTemplate) -> None:
    """Bump the template's version: it is the concurrency token of its draft."""
    template.updated_at = clock.now()


def _base_locked_stages(session: Session, template: ProcessTemplate) -> list[ProcessStage] | None:
    """For a variant, the locked stages of its base's latest published version."""
    if template.base_template_id is None:
        return None
    published = repository.latest_published(session, template.base_template_id)
    if published is None:
        return []
    return [s for s in repository.stages_of(session, published.id) if s.locked]


def _copy_stages(
    session: Session, source: ProcessVersion, target: ProcessVersion
) -> list[ProcessStage]:
    copies = []
    for stage in repository.stages_of(session, source.id):
        copy = ProcessStage(version_id=target.id, code=stage.code)
        for attribute in STAGE_ATTRIBUTES:
            value = getattr(stage, attribute)
            setattr(copy, attribute, list(value) if isinstance(value, list) else value)
        session.add(copy)
        copies.append(copy)
    return copies


def _new_draft(session: Session, template: ProcessTemplate) -> ProcessVersion:
    draft = ProcessVersion(
        template_id=template.id,
        number=repository.next_version_number(session, template.id),
        status="draft",
        created_at=clock.now(),
    )
    session.add(draft)
    session.flush()
    return draft


def _check_base(
    session: Session, base_id: uuid.UUID | None
) -> tuple[ProcessTemplate, ProcessVersion]:
    if base_id is None:
        raise Invalid(fields=[field_error("base_template_id", "missing")])
    base = repository.get_template(session, base_id)
    if base is None:
        raise Invalid(fields=[field_error("base_template_id", "unknown_reference")])
    if base.subsidiary_id is not None or not base.is_active or not base.allow_variants:
        raise Invalid(fields=[field_error("base_template_id", "process_variants_not_allowed")])
    published = repository.latest_published(session, base.id)
    if published is None:
        raise Invalid(fields=[field_error("base_template_id", "process_base_not_published")])
    return base, published


def create_template(session: Session, scope: Scope, data: TemplateCreate) -> ProcessTemplate:
    """Create a template with draft version 1. A variant's draft starts as a copy of its
    base's latest published stages, locked stages marked."""
    _require_admin_over(session, scope, data.subsidiary_id)
    base_published: ProcessVersion | None = None
    if data.subsidiary_id is None:
        if data.base_template_id is not None:
            raise Invalid(fields=[field_error("base_template_id", "process_group_has_no_base")])
        if repository.active_group_template(session) is not None:
            raise Conflict("process_standard_exists")
    else:
        if repository.subsidiary_by_id(session, data.subsidiary_id) is None:
            raise Invalid(fields=[field_error("subsidiary_id", "unknown_reference")])
        _base, base_published = _check_base(session, data.base_template_id)
        if repository.active_variant_of(session, data.subsidiary_id) is not None:
            raise Conflict("process_variant_exists")
    if repository.code_taken(session, data.code):
        raise Conflict("duplicate", fields=[field_error("code", "duplicate")])
    template = ProcessTemplate(
        code=data.code,
        name=data.name,
        name_en=data.name_en,
        subsidiary_id=data.subsidiary_id,
        base_template_id=data.base_template_id if data.subsidiary_id else None,
        # Only the group standard grants variants; a variant cannot have variants.
        allow_variants=data.allow_variants if data.subsidiary_id is None else False,
        is_active=True,
    )
    session.add(template)
    session.flush()
    draft = _new_draft(session, template)
    if base_published is not None:
        _copy_stages(session, base_published, draft)
    session.flush()
    return template


def update_template(
    session: Session, scope: Scope, template_id: uuid.UUID, data: TemplateUpdate
) -> ProcessTemplate:
    template = _template_for_write(session, scope, template_id, data.version)
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    for key in ("name", "allow_variants", "is_active"):
        if key in changes and changes[key] is None:
            raise Invalid(fields=[field_error(key, "missing")])
    if (
        "allow_variants" in changes
        and template.subsidiary_id is not None
        and changes["allow_variants"]
    ):
        raise Invalid(fields=[field_error("allow_variants", "process_variants_not_allowed")])
    if "is_active" in changes and changes["is_active"] != template.is_active:
        if template.subsidiary_id is None:
            # The group always runs its standard; it evolves through versions.
            raise Conflict(
                "process_standard_required",
                fields=[field_error("is_active", "process_standard_required")],
            )
        if changes["is_active"] and repository.active_variant_of(session, template.subsidiary_id):
            raise Conflict("process_variant_exists")
    for key, value in changes.items():
        setattr(template, key, value)
    session.flush()
    return template


def _check_stage_list(stages: Sequence[StageIn]) -> list[FieldError]:
    problems: list[FieldError] = []
    seen_codes: dict[str, int] = {}
    for index, stage in enumerate(stages):
        if stage.code in seen_codes:
            problems.append(field_error(f"stages.{index}.code", "duplicate"))
        seen_codes.setdefault(stage.code, index)
        item_codes: set[str] = set()
        for item_index, item in enumerate(stage.checklist):
            if item.code in item_codes:
                problems.append(
                    field_error(f"stages.{index}.checklist.{item_index}.code", "duplicate")
                )
            item_codes.add(item.code)
    return problems


def _write_stages(
    session: Session,
    template: ProcessTemplate,
    draft: ProcessVersion,
    stages: Sequence[StageIn],
) -> None:
    """Make the draft's stages equal ``stages``: rows are matched by code, so the audit
    trail records what changed in each stage rather than a delete and re-create."""
    problems = _check_stage_list(stages)
    if problems:
        raise Invalid(fields=problems)
    base_locked = _base_locked_stages(session, template)
    locked_codes = {s.code for s in base_locked} if base_locked is not None else None
    existing = {s.code: s for s in repository.stages_of(session, draft.id)}
    incoming_codes = {s.code for s in stages}
    for code, stage in existing.items():
        if code not in incoming_codes:
            session.delete(stage)
    session.flush()
    for index, data in enumerate(stages):
        values: dict[str, Any] = {
            "name": data.name,
            "name_en": data.name_en,
            "position": data.position if data.position is not None else index + 1,
            "probability": data.probability,
            "kind": data.kind,
            "max_days": data.max_days,
            "playbook": data.playbook,
            "required_fields": list(dict.fromkeys(data.required_fields)),
            "checklist": [item.model_dump() for item in data.checklist],
            "requires_approval": data.requires_approval,
            # A variant does not choose what is locked: the group's locks are carried over.
            "locked": data.locked if locked_codes is None else data.code in locked_codes,
        }
        row = existing.get(data.code)
        if row is None:
            row = ProcessStage(version_id=draft.id, code=data.code)
            session.add(row)
        for key, value in values.items():
            if getattr(row, key, None) != value:
                setattr(row, key, value)
    session.flush()
    _touch(template)
    session.flush()


def _editable(version: ProcessVersion) -> None:
    if version.status != "draft":
        raise Conflict("version_published")


def replace_draft(
    session: Session, scope: Scope, template_id: uuid.UUID, data: DraftUpdate
) -> DraftOut:
    """Replace the draft's stages, creating the draft (next number) if there is none."""
    template = _template_for_write(session, scope, template_id, data.version)
    draft = repository.draft_of(session, template.id) or _new_draft(session, template)
    _write_stages(session, template, draft, data.stages)
    return _present_draft(session, template, draft)


def start_draft(session: Session, scope: Scope, template_id: uuid.UUID) -> DraftOut:
    """Open a draft as a copy of the latest published version (the way to start v2)."""
    template = _template_for_write(session, scope, template_id, None)
    if repository.draft_of(session, template.id) is not None:
        raise Conflict("process_draft_exists")
    published = repository.latest_published(session, template.id)
    draft = _new_draft(session, template)
    if published is not None:
        _copy_stages(session, published, draft)
    session.flush()
    _touch(template)
    session.flush()
    return _present_draft(session, template, draft)


def replace_version_stages(
    session: Session, scope: Scope, version_id: uuid.UUID, data: DraftUpdate
) -> DraftOut:
    """Edit a version by id: only a draft is editable; a published version is immutable."""
    version = repository.get_version(session, version_id)
    if version is None:
        raise NotFound()
    template = _template_for_write(session, scope, version.template_id, data.version)
    _editable(version)
    _write_stages(session, template, version, data.stages)
    return _present_draft(session, template, version)


def publish_problems(
    stages: Sequence[ProcessStage], base_locked: Sequence[ProcessStage] | None
) -> list[FieldError]:
    """Every reason a stage list cannot be published, as field errors (``stages.<i>`` is the
    stage's index in position order, as ``GET .../draft`` lists them)."""
    ordered = sorted(stages, key=lambda s: (s.position, s.code))
    problems: list[FieldError] = []
    positions: set[int] = set()
    for index, stage in enumerate(ordered):
        if stage.position in positions:
            problems.append(field_error(f"stages.{index}.position", "duplicate"))
        positions.add(stage.position)
    open_stages = [(i, s) for i, s in enumerate(ordered) if s.kind == "open"]
    won = [(i, s) for i, s in enumerate(ordered) if s.kind == "won"]
    lost = [(i, s) for i, s in enumerate(ordered) if s.kind == "lost"]
    if not open_stages:
        problems.append(field_error("stages", "process_no_open_stage"))
    if len(won) != 1:
        problems.append(field_error("stages", "process_won_stage_count", count=len(won)))
    if not lost:
        problems.append(field_error("stages", "process_no_lost_stage"))
    last_open_position = max((s.position for _i, s in open_stages), default=None)
    for index, stage in won + lost:
        if last_open_position is not None and stage.position < last_open_position:
            problems.append(field_error(f"stages.{index}.position", "process_closed_stage_order"))
    previous = None
    for index, stage in open_stages:
        if previous is not None and stage.probability < previous:
            problems.append(
                field_error(f"stages.{index}.probability", "process_probability_decreasing")
            )
        previous = stage.probability
    for index, stage in won:
        if stage.probability != 100:
            problems.append(field_error(f"stages.{index}.probability", "process_won_probability"))
    for index, stage in lost:
        if stage.probability != 0:
            problems.append(field_error(f"stages.{index}.probability", "process_lost_probability"))
    if base_locked is not None:
        problems.extend(_locked_stage_problems(ordered, base_locked))
    return problems


def _locked_stage_problems(
    ordered: Sequence[ProcessStage], base_locked: Sequence[ProcessStage]
) -> list[FieldError]:
    problems: list[FieldError] = []
    index_of = {s.code: i for i, s in enumerate(ordered)}
    previous_index = -1
    for locked in sorted(base_locked, key=lambda s: (s.position, s.code)):
        index = index_of.get(locked.code)
        if index is None:
            problems.append(
                field_error("stages", "process_locked_stage_missing", stage=locked.code)
            )
            continue
        if ordered[index].kind != locked.kind:
            problems.append(
                field_error(f"stages.{index}.kind", "process_locked_stage_kind", stage=locked.code)
            )
        if index < previous_index:
            problems.append(
                field_error(
                    f"stages.{index}.position", "process_locked_stage_order", stage=locked.code
                )
            )
        previous_index = max(previous_index, index)
    return problems


def _publish(
    session: Session, scope: Scope, template: ProcessTemplate, version: ProcessVersion
) -> VersionOut:
    _editable(version)
    stages = repository.stages_of(session, version.id)
    problems = publish_problems(stages, _base_locked_stages(session, template))
    if problems:
        raise Invalid("process_invalid", fields=problems)
    version.status = "published"
    version.published_at = clock.now()
    version.published_by_id = scope.user_id
    _touch(template)
    session.flush()
    return present_version(session, version)


def publish_draft(
    session: Session, scope: Scope, template_id: uuid.UUID, data: DraftPublish
) -> VersionOut:
    """Publish the draft after validating it (422 ``process_invalid`` lists every problem)."""
    template = _template_for_write(session, scope, template_id, data.version)
    draft = repository.draft_of(session, template.id)
    if draft is None:
        raise NotFound("no_draft")
    return _publish(session, scope, template, draft)


def publish_version(
    session: Session, scope: Scope, version_id: uuid.UUID, data: DraftPublish
) -> VersionOut:
    version = repository.get_version(session, version_id)
    if version is None:
        raise NotFound()
    template = _template_for_write(session, scope, version.template_id, data.version)
    return _publish(session, scope, template, version)
