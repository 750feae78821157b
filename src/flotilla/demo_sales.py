"""Demo customers and pipeline: a few thousand accounts with Chinese company names (some
deliberate near-duplicates), contacts, two years of opportunities with plausible stage
histories, activities, leads and a populated public pool.

Rows are bulk-inserted for speed; the seeding itself is one audit event (``demo.seed``)
with the counts, written by the system actor in the same transaction.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from flotilla.account.search import digits_only, email_key, normalize_name, search_keys
from flotilla.core import audit, clock
from flotilla.core.ids import new_id
from flotilla.core.money import quantize
from flotilla.core.settings import get_settings
from flotilla.models.customer import (
    Account,
    AccountClaim,
    AccountSearchKey,
    Contact,
    PoolRelease,
    PoolRule,
)
from flotilla.models.identity import Role, RoleGrant, User
from flotilla.models.org import OrgUnit
from flotilla.models.sales import (
    Activity,
    Lead,
    Opportunity,
    OpportunityMember,
    ProcessStage,
    ProcessVersion,
    StageHistory,
)
from flotilla.process import repository as process_repository
from flotilla.process.seed import ensure_standard_template, ensure_subsidiary_variant

SEED = 20261124

REGIONS = (
    "北京",
    "上海",
    "深圳",
    "广州",
    "杭州",
    "南京",
    "苏州",
    "成都",
    "武汉",
    "西安",
    "天津",
    "重庆",
    "青岛",
    "宁波",
    "厦门",
    "合肥",
    "长沙",
    "郑州",
    "济南",
    "东莞",
    "佛山",
    "无锡",
)
BRANDS = (
    "华信",
    "远景",
    "恒通",
    "中科",
    "瑞达",
    "海纳",
    "金桥",
    "博远",
    "鼎盛",
    "天润",
    "宏图",
    "联创",
    "新锐",
    "正泰",
    "安捷",
    "凯旋",
    "明德",
    "思源",
    "卓越",
    "汇丰",
    "同方",
    "长城",
    "东方",
    "星辰",
    "云帆",
    "睿智",
    "泰和",
    "信达",
    "万邦",
    "嘉禾",
    "飞鹏",
    "启明",
    "德润",
    "国泰",
    "盛世",
    "瀚海",
    "诚毅",
    "立信",
    "华宇",
    "致远",
    "恒瑞",
    "康泰",
    "普华",
    "益丰",
)
INDUSTRIES = (
    ("科技", "软件与信息服务", "Technology"),
    ("智能科技", "软件与信息服务", "Intelligent Technology"),
    ("电子", "电子制造", "Electronics"),
    ("精密机械", "装备制造", "Precision Machinery"),
    ("医疗器械", "医疗健康", "Medical Devices"),
    ("生物医药", "医疗健康", "Biopharma"),
    ("物流", "交通物流", "Logistics"),
    ("新能源", "能源", "New Energy"),
    ("食品", "消费品", "Foods"),
    ("化工", "化工材料", "Chemicals"),
    ("汽车零部件", "汽车", "Auto Parts"),
    ("建设工程", "建筑地产", "Construction"),
    ("环保科技", "环保", "Environmental Technology"),
    ("供应链管理", "交通物流", "Supply Chain"),
)
SUFFIXES = ("有限公司", "有限公司", "有限公司", "股份有限公司", "集团有限公司")
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红飞建国志文"
FAMILY = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
TITLES = ("总经理", "采购总监", "IT 总监", "财务经理", "技术负责人", "运营总监", "采购经理")
SOURCES = ("官网咨询", "展会", "老客户转介绍", "电话营销", "渠道伙伴", "招投标")
COMPETITORS = ("Salesforce", "纷享销客", "Dynamics 365", "金蝶", "用友", "Zoho")
LOSS_REASONS = ("价格偏高", "选择了竞争对手", "预算取消", "需求变化", "决策延期")
ACTIVITY_SUBJECTS = {
    "call": "电话沟通需求",
    "visit": "上门拜访",
    "meeting": "方案评审会",
    "email": "发送资料与报价",
    "note": "客户背景记录",
    "task": "准备技术方案",
}
DEAL_KINDS = ("CRM 平台", "数字化升级", "年度框架", "设备采购", "运维服务")
CURRENCY_SCALE = {"CNY": Decimal(1), "HKD": Decimal("1.08"), "SGD": Decimal("0.19")}


@dataclass
class SalesPeople:
    subsidiary: OrgUnit
    reps: list[User] = field(default_factory=list)
    managers: list[User] = field(default_factory=list)

    @property
    def sellers(self) -> list[User]:
        return self.reps + self.managers


def _people_by_subsidiary(session: Session) -> list[SalesPeople]:
    subsidiaries = session.execute(
        select(OrgUnit).where(OrgUnit.kind == "subsidiary").order_by(OrgUnit.code)
    ).scalars()
    teams = {s.id: SalesPeople(s) for s in subsidiaries}
    rows = session.execute(
        select(User, Role.code)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .join(Role, Role.id == RoleGrant.role_id)
        .where(Role.code.in_(("sales_rep", "sales_manager")))
        .order_by(User.username)
    ).all()
    for user, role_code in rows:
        people = teams.get(user.subsidiary_id) if user.subsidiary_id else None
        if people is None:
            continue
        (people.reps if role_code == "sales_rep" else people.managers).append(user)
    return [p for p in teams.values() if p.sellers]


def _stages(session: Session, template_id: uuid.UUID) -> tuple[uuid.UUID, list[ProcessStage]]:
    version = process_repository.latest_published(session, template_id)
    assert version is not None and isinstance(version, ProcessVersion)
    stages = list(
        session.execute(
            select(ProcessStage)
            .where(ProcessStage.version_id == version.id)
            .order_by(ProcessStage.position)
        ).scalars()
    )
    return version.id, stages


def _company(rng: random.Random, used: set[str]) -> tuple[str, str, str]:
    while True:
        region = rng.choice(REGIONS)
        brand = rng.choice(BRANDS) + rng.choice(BRANDS)[0]
        industry, sector, industry_en = rng.choice(INDUSTRIES)
        name = f"{region}{brand}{industry}{rng.choice(SUFFIXES)}"
        if name not in used:
            used.add(name)
            return name, sector, industry_en


def _person_name(rng: random.Random) -> str:
    return rng.choice(FAMILY) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _amount(rng: random.Random, currency: str, tier: str) -> Decimal:
    base = {"strategic": 1_500_000, "key_account": 450_000, "smb": 80_000}[tier]
    value = Decimal(str(round(rng.lognormvariate(0, 0.7) * base, -3)))
    return quantize(value * CURRENCY_SCALE.get(currency, Decimal(1)))


def seed_sales_demo(session: Session) -> dict[str, int]:
    """Bulk-seed the customer master and two years of pipeline under the demo group."""
    rng = random.Random(SEED)
    now = clock.now()
    standard = ensure_standard_template(session)
    teams = _people_by_subsidiary(session)
    variant_owner = next((t.subsidiary for t in teams if t.subsidiary.code == "SZ"), None)
    variant = ensure_subsidiary_variant(session, variant_owner) if variant_owner else None
    session.flush()
    standard_process = _stages(session, standard.id)
    variant_process = _stages(session, variant.id) if variant else None
    rows: dict[str, list[dict[str, Any]]] = {
        k: []
        for k in (
            "account",
            "key",
            "contact",
            "claim",
            "rule",
            "release",
            "opportunity",
            "member",
            "history",
            "activity",
            "lead",
        )
    }
    used_names: set[str] = set()
    for team in teams:
        sub = team.subsidiary
        currency = sub.currency or "CNY"
        uses_variant = variant_owner is not None and sub.id == variant_owner.id
        version_id, stages = (
            variant_process if uses_variant and variant_process else standard_process
        )
        open_stages = [s for s in stages if s.kind == "open"]
        won = next(s for s in stages if s.kind == "won")
        lost = next(s for s in stages if s.kind == "lost")
        rows["rule"].append(
            {
                "id": new_id(),
                "subsidiary_id": sub.id,
                "protection_days": 90,
                "reclaim_after_days": 30 if sub.code != "HK" else 45,
                "max_accounts_per_rep": 150,
                "cooldown_days": 15,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
        )
        for index in range(get_settings().demo_accounts_per_subsidiary):
            name, sector, industry_en = _company(rng, used_names)
            if index % 40 == 7 and rows["account"]:
                # A deliberate near-duplicate of a recent name: the brand with a region insert.
                base = rows["account"][-1]["name"]
                region = rng.choice(REGIONS)
                if base.endswith("有限公司") and "(" not in base:
                    name = base.replace("有限公司", f"({region})有限公司", 1)
            owner = rng.choice(team.sellers)
            created = now - timedelta(days=rng.randint(20, 730))
            tier = rng.choices(("strategic", "key_account", "smb"), (1, 4, 10))[0]
            in_pool = rng.random() < 0.08
            last_follow = created + timedelta(days=rng.randint(0, max(1, (now - created).days)))
            if not in_pool and rng.random() < 0.85:
                last_follow = now - timedelta(days=rng.randint(0, 25))
            account_id = new_id()
            english = f"{industry_en} Co., Ltd." if rng.random() < 0.3 else None
            rows["account"].append(
                {
                    "id": account_id,
                    "subsidiary_id": sub.id,
                    "unit_id": sub.id if in_pool else owner.primary_unit_id,
                    "owner_id": None if in_pool else owner.id,
                    "name": name,
                    "name_en": english,
                    "name_key": normalize_name(name),
                    "uscc": None,
                    "industry": sector,
                    "region": name[:2],
                    "tier": tier,
                    "value_class": rng.choices(("A", "B", "C"), (2, 3, 5))[0],
                    "status": "pool" if in_pool else "owned",
                    "external_id": f"ERP-{sub.code}-{index + 1:05d}",
                    "last_follow_up_at": last_follow,
                    "pool_entered_at": now - timedelta(days=rng.randint(1, 60))
                    if in_pool
                    else None,
                    "created_by_id": owner.id,
                    "version": 1,
                    "created_at": created,
                    "updated_at": created,
                }
            )
            rows["key"].extend(
                {"key": key, "account_id": account_id} for key in search_keys(name, english)
            )
            for c in range(rng.choice((1, 1, 2, 3))):
                phone = f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}"
                email = f"contact{len(rows['contact']) + 1}@{account_id.hex[:8]}.example.cn"
                rows["contact"].append(
                    {
                        "id": new_id(),
                        "account_id": account_id,
                        "subsidiary_id": sub.id,
                        "name": _person_name(rng),
                        "title": rng.choice(TITLES),
                        "phone": phone,
                        "email": email,
                        "phone_key": digits_only(phone),
                        "email_key": email_key(email),
                        "is_primary": c == 0,
                        "created_by_id": owner.id,
                        "version": 1,
                        "created_at": created,
                        "updated_at": created,
                    }
                )
            if in_pool:
                rows["release"].append(
                    {
                        "id": new_id(),
                        "account_id": account_id,
                        "user_id": owner.id,
                        "subsidiary_id": sub.id,
                        "released_at": now - timedelta(days=3),
                        "reason": "reclaimed",
                    }
                )
                continue
            claimed = max(created, now - timedelta(days=rng.randint(0, 200)))
            rows["claim"].append(
                {
                    "id": new_id(),
                    "account_id": account_id,
                    "subsidiary_id": sub.id,
                    "unit_id": owner.primary_unit_id,
                    "owner_id": owner.id,
                    "claimed_at": claimed,
                    "protected_until": claimed + timedelta(days=90),
                    "status": "active",
                    "created_at": claimed,
                    "updated_at": claimed,
                }
            )
            for _ in range(rng.choice((0, 1, 1, 2))):
                _opportunity(
                    rng,
                    rows,
                    now,
                    sub,
                    currency,
                    version_id,
                    open_stages,
                    won,
                    lost,
                    account_id,
                    name,
                    tier,
                    owner,
                    team,
                )
            for _ in range(rng.randint(1, 4)):
                kind = rng.choice(tuple(ACTIVITY_SUBJECTS))
                when = last_follow - timedelta(days=rng.randint(0, 60))
                due = when + timedelta(days=rng.randint(-5, 10)) if kind == "task" else None
                rows["activity"].append(
                    {
                        "id": new_id(),
                        "subsidiary_id": sub.id,
                        "unit_id": owner.primary_unit_id,
                        "owner_id": owner.id,
                        "kind": kind,
                        "subject": ACTIVITY_SUBJECTS[kind],
                        "body": None,
                        "account_id": account_id,
                        "contact_id": None,
                        "opportunity_id": None,
                        "occurred_at": when,
                        "due_at": due,
                        "completed_at": None if kind == "task" and rng.random() < 0.3 else when,
                        "version": 1,
                        "created_at": when,
                        "updated_at": when,
                    }
                )
        for n in range(40):
            owner = rng.choice(team.sellers)
            company, _sector, _en = _company(rng, used_names)
            created = now - timedelta(days=rng.randint(0, 90))
            rows["lead"].append(
                {
                    "id": new_id(),
                    "subsidiary_id": sub.id,
                    "unit_id": owner.primary_unit_id,
                    "owner_id": owner.id,
                    "source": rng.choice(SOURCES),
                    "company_name": company,
                    "contact_name": _person_name(rng),
                    "title": rng.choice(TITLES),
                    "phone": f"13{n % 10}{rng.randint(10_000_000, 99_999_999)}",
                    "email": None,
                    "industry": None,
                    "region": company[:2],
                    "status": rng.choice(("new", "new", "working", "qualified")),
                    "version": 1,
                    "created_at": created,
                    "updated_at": created,
                }
            )
    order = (
        ("rule", PoolRule),
        ("account", Account),
        ("key", AccountSearchKey),
        ("contact", Contact),
        ("claim", AccountClaim),
        ("release", PoolRelease),
        ("opportunity", Opportunity),
        ("member", OpportunityMember),
        ("history", StageHistory),
        ("activity", Activity),
        ("lead", Lead),
    )
    for key, model in order:
        batch = rows[key]
        for start in range(0, len(batch), 2000):
            session.execute(insert(model), batch[start : start + 2000])
    counts = {key: len(batch) for key, batch in rows.items()}
    audit.record(session, "demo.seed", entity_type=None, changes={"rows": counts})
    return counts


def _opportunity(
    rng: random.Random,
    rows: dict[str, list[dict[str, Any]]],
    now: datetime,
    sub: OrgUnit,
    currency: str,
    version_id: uuid.UUID,
    open_stages: list[ProcessStage],
    won: ProcessStage,
    lost: ProcessStage,
    account_id: uuid.UUID,
    account_name: str,
    tier: str,
    owner: User,
    team: SalesPeople,
) -> None:
    opportunity_id = new_id()
    created = now - timedelta(days=rng.randint(5, 720))
    age = (now - created).days
    outcome = (
        "open"
        if age < 120 and rng.random() < 0.7
        else rng.choices(("won", "lost", "open"), (40, 35, 25))[0]
    )
    reach = rng.randint(1, len(open_stages))
    path = open_stages[:reach]
    if outcome == "won":
        path = [*open_stages, won]
    elif outcome == "lost":
        path = [*path, lost]
    moment = created
    previous: ProcessStage | None = None
    entered = created
    for stage in path:
        days = 0 if previous is None else rng.randint(2, 45)
        moment = min(moment + timedelta(days=days), now)
        rows["history"].append(
            {
                "id": new_id(),
                "opportunity_id": opportunity_id,
                "subsidiary_id": sub.id,
                "from_stage_id": previous.id if previous else None,
                "to_stage_id": stage.id,
                "changed_by_id": owner.id,
                "changed_at": moment,
                "days_in_previous": days if previous else None,
                "reason": None,
                "is_skip": False,
                "is_backward": False,
            }
        )
        previous, entered = stage, moment
    assert previous is not None
    amount = _amount(rng, currency, tier)
    closed = outcome in ("won", "lost")
    close_date: date = (
        (entered + timedelta(days=rng.randint(10, 90))).date() if not closed else entered.date()
    )
    rows["opportunity"].append(
        {
            "id": opportunity_id,
            "subsidiary_id": sub.id,
            "unit_id": owner.primary_unit_id,
            "owner_id": owner.id,
            "account_id": account_id,
            "name": f"{account_name[:12]} · {rng.choice(DEAL_KINDS)}",
            "amount": amount,
            "currency": currency,
            "expected_close_date": close_date,
            "process_version_id": version_id,
            "stage_id": previous.id,
            "stage_entered_at": entered,
            "status": outcome,
            "forecast_category": {"won": "closed", "lost": "omitted"}.get(
                outcome, rng.choice(("pipeline", "best_case", "commit"))
            ),
            "source": rng.choice(SOURCES),
            "competitors": rng.sample(COMPETITORS, rng.randint(0, 2)),
            "loss_reason": rng.choice(LOSS_REASONS) if outcome == "lost" else None,
            "checklist_state": {},
            "closed_at": entered if closed else None,
            "lead_id": None,
            "version": 1,
            "created_at": created,
            "updated_at": entered,
        }
    )
    if rng.random() < 0.3 and len(team.sellers) > 1:
        colleague = rng.choice([u for u in team.sellers if u.id != owner.id])
        rows["member"].append(
            {
                "id": new_id(),
                "opportunity_id": opportunity_id,
                "user_id": colleague.id,
                "role": rng.choice(("SR", "FR")),
                "added_at": created,
            }
        )
