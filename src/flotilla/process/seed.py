"""The group's standard sales process (lead to cash, LTC) and a demo subsidiary variant.

Both functions are idempotent and write through the caller's session (seeding runs as the
system actor, so the rows land on the audit trail like any other change).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from flotilla.core import clock
from flotilla.models.org import OrgUnit
from flotilla.models.sales import ProcessStage, ProcessTemplate, ProcessVersion
from flotilla.process import repository

STANDARD_CODE = "LTC-STANDARD"


@dataclass(frozen=True)
class StageSpec:
    code: str
    name: str
    name_en: str
    probability: int
    kind: str = "open"
    max_days: int | None = None
    playbook: str | None = None
    required_fields: tuple[str, ...] = ()
    checklist: tuple[tuple[str, str, str], ...] = ()  # (code, label, label_en)
    requires_approval: bool = False
    locked: bool = False


STANDARD_STAGES: tuple[StageSpec, ...] = (
    StageSpec(
        "qualify",
        "线索确认",
        "Qualify",
        10,
        max_days=14,
        locked=True,
        playbook=(
            "目标：确认这是一个值得投入的真实机会。\n"
            "1. 48 小时内首次联系客户，了解项目背景与触发事件。\n"
            "2. 按 BANT 核实：预算（Budget）、决策链（Authority）、"
            "需求（Need）、时间（Timeline）。\n"
            "3. 在客户档案中补全行业、区域与关键联系人。\n"
            "4. 不符合条件的线索及时关闭并写明原因，避免占用管道。\n"
            "---\n"
            "Goal: confirm this is a real opportunity worth the team's time.\n"
            "1. Reach the customer within 48 hours; learn the project background and trigger.\n"
            "2. Check BANT: budget, authority (decision chain), need, timeline.\n"
            "3. Complete industry, region and key contacts on the account.\n"
            "4. Close unqualified deals early with a reason so the pipeline stays honest."
        ),
    ),
    StageSpec(
        "needs_analysis",
        "需求分析",
        "Needs analysis",
        25,
        max_days=30,
        locked=True,
        required_fields=("amount", "expected_close_date"),
        checklist=(
            ("budget_confirmed", "已确认预算", "Budget confirmed"),
            ("decision_maker_identified", "已识别决策人", "Decision maker identified"),
        ),
        playbook=(
            "目标：把客户的业务问题讲清楚，并写进需求调研纪要。\n"
            "1. 拜访业务负责人与技术负责人，梳理现状、痛点与期望收益。\n"
            "2. 画出决策链：发起人、使用者、技术把关人、采购与最终拍板人。\n"
            "3. 估算金额与预计签约日期，并在商机上更新。\n"
            "4. 需要解决方案支持时，邀请 SR（解决方案经理）加入铁三角。\n"
            "---\n"
            "Goal: state the customer's business problem clearly in a discovery summary.\n"
            "1. Meet the business and technical owners: current state, pain, expected gains.\n"
            "2. Map the decision chain: sponsor, users, technical gatekeeper, procurement, "
            "final approver.\n"
            "3. Estimate the amount and expected close date and keep them current on the deal.\n"
            "4. Bring in an SR (solution owner) to the iron triangle when a solution is needed."
        ),
    ),
    StageSpec(
        "solution_quote",
        "方案/报价",
        "Solution & quote",
        50,
        max_days=30,
        required_fields=("amount", "expected_close_date", "competitors", "contact"),
        checklist=(
            ("requirements_confirmed", "需求已与客户书面确认", "Requirements confirmed in writing"),
        ),
        playbook=(
            "目标：拿出客户认可的方案和有竞争力的报价。\n"
            "1. SR 牵头编写解决方案，组织内部评审后向客户演示。\n"
            "2. 记录主要竞争对手及其优劣势，制定差异化打法。\n"
            "3. 按价格政策出具报价，超出折扣权限须提前走审批。\n"
            "4. 与客户确认采购方式（招标、比选或单一来源）与时间表。\n"
            "---\n"
            "Goal: a solution the customer accepts and a competitive quote.\n"
            "1. The SR leads the solution, reviews it internally, then presents it.\n"
            "2. Record the main competitors with their strengths and a plan to differentiate.\n"
            "3. Quote within the price policy; discounts beyond your authority need approval "
            "first.\n"
            "4. Confirm the procurement route (tender, comparison or single source) and dates."
        ),
    ),
    StageSpec(
        "negotiation",
        "商务谈判",
        "Negotiation",
        75,
        max_days=21,
        locked=True,
        required_fields=("amount", "expected_close_date", "competitors"),
        checklist=(
            ("solution_reviewed", "方案已评审", "Solution reviewed"),
            ("quote_submitted", "报价已提交", "Quote submitted"),
        ),
        playbook=(
            "目标：在授权范围内达成商务条款，锁定签约时间。\n"
            "1. 明确价格、付款方式、交付范围与验收标准，守住底价。\n"
            "2. 合同条款有偏离标准模板时，提前请法务与财务审核。\n"
            "3. FR（交付经理）评估交付资源与风险，确认可交付。\n"
            "4. 每周更新预测类别（承诺 / 最佳情况）与预计签约日期。\n"
            "---\n"
            "Goal: agree commercial terms within your authority and fix the signing date.\n"
            "1. Settle price, payment terms, delivery scope and acceptance; hold the floor price.\n"
            "2. Bring legal and finance in early for any deviation from the standard contract.\n"
            "3. The FR (fulfilment owner) checks delivery resources and risks.\n"
            "4. Update the forecast category (commit / best case) and close date every week."
        ),
    ),
    StageSpec(
        "won",
        "合同签订",
        "Contract signed (won)",
        100,
        kind="won",
        locked=True,
        required_fields=("amount", "expected_close_date"),
        checklist=(
            ("contract_terms_agreed", "合同条款已确认", "Contract terms agreed"),
            ("legal_review_done", "法务审核已完成", "Legal review done"),
        ),
        playbook=(
            "赢单后：录入合同、建立回款计划，并与交付团队完成交接。\n"
            "---\n"
            "After winning: register the contract, set up the payment plan and hand over to "
            "delivery."
        ),
    ),
    StageSpec(
        "lost",
        "输单",
        "Closed lost",
        0,
        kind="lost",
        locked=True,
        playbook=(
            "输单后：如实填写输单原因（价格、竞争对手、需求变化、预算取消等），"
            "并在一周内组织复盘。\n"
            "---\n"
            "After losing: record the real loss reason (price, competitor, changed need, "
            "cancelled budget …) and hold a review within a week."
        ),
    ),
)

POC_STAGE = StageSpec(
    "poc",
    "技术验证",
    "Proof of concept (POC)",
    40,
    max_days=30,
    required_fields=("amount", "expected_close_date", "members.SR"),
    checklist=(
        (
            "poc_scope_agreed",
            "POC 范围与成功标准已与客户确认",
            "POC scope and success criteria agreed",
        ),
        ("poc_environment_ready", "测试环境已就绪", "Test environment ready"),
    ),
    playbook=(
        "目标：在客户环境中证明方案可行，拿到书面的验证结论。\n"
        "1. 与客户约定验证范围、成功标准与时间窗口，避免无限期试用。\n"
        "2. SR 负责实施，每周向客户与销售同步进展。\n"
        "3. 验证通过后请客户出具确认邮件或报告。\n"
        "---\n"
        "Goal: prove the solution in the customer's environment and get a written verdict.\n"
        "1. Agree scope, success criteria and a time box; avoid open-ended trials.\n"
        "2. The SR runs the POC and reports progress to the customer and the rep weekly.\n"
        "3. Ask the customer for a confirmation e-mail or report once it passes."
    ),
)


def stage_row(version: ProcessVersion, spec: StageSpec, position: int) -> ProcessStage:
    return ProcessStage(
        version_id=version.id,
        code=spec.code,
        name=spec.name,
        name_en=spec.name_en,
        position=position,
        probability=spec.probability,
        kind=spec.kind,
        max_days=spec.max_days,
        playbook=spec.playbook,
        required_fields=list(spec.required_fields),
        checklist=[
            {"code": code, "label": label, "label_en": label_en}
            for code, label, label_en in spec.checklist
        ],
        requires_approval=spec.requires_approval,
        locked=spec.locked,
    )


def publish_stages(
    session: Session, template: ProcessTemplate, stages: Sequence[StageSpec]
) -> ProcessVersion:
    """Write ``stages`` as the template's next published version (seeding and fixtures;
    the API publishes through drafts and their validation)."""
    now = clock.now()
    version = ProcessVersion(
        template_id=template.id,
        number=repository.next_version_number(session, template.id),
        status="published",
        created_at=now,
        published_at=now,
    )
    session.add(version)
    session.flush()
    for position, spec in enumerate(stages, start=1):
        session.add(stage_row(version, spec, position))
    session.flush()
    return version


def ensure_standard_template(session: Session) -> ProcessTemplate:
    """The group's active standard template, created and published (v1) if there is none."""
    template = repository.active_group_template(session)
    if template is None:
        template = ProcessTemplate(
            code=STANDARD_CODE,
            name="集团标准销售流程（LTC）",
            name_en="Group standard sales process (lead to cash)",
            subsidiary_id=None,
            allow_variants=True,
            is_active=True,
        )
        session.add(template)
        session.flush()
    if repository.latest_published(session, template.id) is None:
        publish_stages(session, template, STANDARD_STAGES)
    return template


def variant_stages() -> tuple[StageSpec, ...]:
    """The standard stages with a POC stage between needs analysis and solution & quote.
    Variants do not lock stages of their own; the group's locks are carried over."""
    out: list[StageSpec] = []
    for spec in STANDARD_STAGES:
        if spec.code == "solution_quote":
            out.append(POC_STAGE)
            out.append(replace(spec, probability=55))
        else:
            out.append(spec)
    return tuple(out)


def ensure_subsidiary_variant(session: Session, subsidiary: OrgUnit) -> ProcessTemplate:
    """The subsidiary's active variant, created (with a 技术验证/POC stage) if it has none."""
    if subsidiary.kind != "subsidiary":
        raise ValueError(f"{subsidiary.code} is not a subsidiary")
    base = ensure_standard_template(session)
    variant = repository.active_variant_of(session, subsidiary.id)
    if variant is None:
        variant = ProcessTemplate(
            code=f"LTC-{subsidiary.code}-POC",
            name=f"{subsidiary.name}销售流程（含技术验证）",
            name_en="Sales process with proof of concept",
            subsidiary_id=subsidiary.id,
            base_template_id=base.id,
            allow_variants=False,
            is_active=True,
        )
        session.add(variant)
        session.flush()
    if repository.latest_published(session, variant.id) is None:
        publish_stages(session, variant, variant_stages())
    return variant
