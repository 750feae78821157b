"""The seeded group standard (lead to cash) and the demo subsidiary variant."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flotilla.models.sales import ProcessTemplate, ProcessVersion
from flotilla.process import repository, service
from flotilla.process.seed import (
    STANDARD_CODE,
    ensure_standard_template,
    ensure_subsidiary_variant,
)
from tests.fixtures.factories import make_world


def _count(db: Session, model: type[ProcessTemplate] | type[ProcessVersion]) -> int:
    return int(db.execute(select(func.count()).select_from(model)).scalar_one())


def test_the_standard_template_is_seeded_once_and_passes_publish_validation(db: Session) -> None:
    first = ensure_standard_template(db)
    again = ensure_standard_template(db)
    assert first.id == again.id
    assert first.code == STANDARD_CODE
    assert (_count(db, ProcessTemplate), _count(db, ProcessVersion)) == (1, 1)

    version = repository.latest_published(db, first.id)
    assert version is not None and version.number == 1
    stages = repository.stages_of(db, version.id)
    assert [(s.code, s.name, s.probability, s.kind) for s in stages] == [
        ("qualify", "线索确认", 10, "open"),
        ("needs_analysis", "需求分析", 25, "open"),
        ("solution_quote", "方案/报价", 50, "open"),
        ("negotiation", "商务谈判", 75, "open"),
        ("won", "合同签订", 100, "won"),
        ("lost", "输单", 0, "lost"),
    ]
    assert service.publish_problems(stages, None) == []
    by_code = {s.code: s for s in stages}
    assert by_code["needs_analysis"].required_fields == ["amount", "expected_close_date"]
    assert "competitors" in by_code["solution_quote"].required_fields
    assert {i["code"] for i in by_code["needs_analysis"].checklist} == {
        "budget_confirmed",
        "decision_maker_identified",
    }
    assert {i["code"] for i in by_code["negotiation"].checklist} == {
        "solution_reviewed",
        "quote_submitted",
    }
    for stage in stages:
        assert stage.playbook and "---" in stage.playbook  # Chinese, then English
        assert stage.name_en
        if stage.kind == "open":
            assert stage.max_days is not None


def test_the_standard_is_reused_when_the_group_already_has_one(db: Session) -> None:
    existing = ProcessTemplate(code="OWN", name="自定义标准", allow_variants=True, is_active=True)
    db.add(existing)
    db.flush()
    assert ensure_standard_template(db).id == existing.id
    assert repository.latest_published(db, existing.id) is not None


def test_the_demo_variant_adds_a_poc_stage_and_keeps_the_group_locks(db: Session) -> None:
    world = make_world(db)
    standard = ensure_standard_template(db)
    variant = ensure_subsidiary_variant(db, world.sub_a)
    assert ensure_subsidiary_variant(db, world.sub_a).id == variant.id
    assert variant.base_template_id == standard.id
    version = repository.latest_published(db, variant.id)
    assert version is not None
    stages = repository.stages_of(db, version.id)
    assert [s.code for s in stages] == [
        "qualify",
        "needs_analysis",
        "poc",
        "solution_quote",
        "negotiation",
        "won",
        "lost",
    ]
    base_version = repository.latest_published(db, standard.id)
    assert base_version is not None
    base_locked = [s for s in repository.stages_of(db, base_version.id) if s.locked]
    assert service.publish_problems(stages, base_locked) == []

    effective = service.effective_process(db, world.sub_a.id)
    assert effective is not None and effective.template.id == variant.id
    other = service.effective_process(db, world.sub_b.id)
    assert other is not None and other.template.id == standard.id
