"""The roles every installation starts with. They are ordinary data afterwards
(admins may edit them), but cannot be deleted."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.core.permissions import PERMISSIONS
from flotilla.models.identity import Role

_BUSINESS_READ = [
    "account.read",
    "lead.read",
    "opportunity.read",
    "activity.read",
    "quote.read",
    "contract.read",
    "payment.read",
    "approval.read",
    "target.read",
    "analytics.read",
]
_BUSINESS_WRITE = [
    "account.write",
    "lead.write",
    "opportunity.write",
    "activity.write",
    "quote.write",
    "contract.write",
    "payment.write",
]
_ADMIN = [
    "org.admin",
    "user.admin",
    "role.admin",
    "approval.admin",
    "product.admin",
    "credit.admin",
    "process.admin",
    "pool.admin",
    "fx.admin",
]

# code: (zh name, en name, data scope, permissions, description)
BUILTIN_ROLES: dict[str, tuple[str, str, str, list[str], str]] = {
    "group_admin": (
        "集团系统管理员",
        "Group administrator",
        "group",
        sorted(PERMISSIONS),
        "组织、用户、角色、流程与策略的配置；可见全集团数据",
    ),
    "subsidiary_admin": (
        "子公司系统管理员",
        "Subsidiary administrator",
        "subsidiary",
        [
            "org.read",
            "org.admin",
            "user.read",
            "user.admin",
            "pii.read",
            "audit.read",
            "pool.admin",
            "approval.read",
            "approval.admin",
            "product.admin",
            "credit.admin",
        ],
        "维护本子公司的组织、用户、授权、公海规则、审批策略与授权矩阵、价格表和信用规则",
    ),
    "group_sales_vp": (
        "集团销售副总",
        "Group sales VP",
        "group",
        [
            "org.read",
            "user.read",
            "pii.read",
            "audit.read",
            "export.run",
            "approval.decide",
            "target.write",
            "opportunity.skip_stage",
            "account.transfer",
            "process.admin",
            *_BUSINESS_READ,
        ],
        "定义标准流程与考核，查看全集团经营，审批重大交易",
    ),
    "subsidiary_gm": (
        "子公司总经理",
        "Subsidiary GM",
        "subsidiary",
        [
            "org.read",
            "user.read",
            "pii.read",
            "export.run",
            "approval.decide",
            "target.write",
            "account.transfer",
            *_BUSINESS_READ,
        ],
        "子公司经营负责人，在授权范围内审批",
    ),
    "sales_director": (
        "销售总监",
        "Sales director",
        "subsidiary",
        [
            "org.read",
            "user.read",
            "user.admin",
            "pii.read",
            "export.run",
            "approval.decide",
            "target.write",
            "opportunity.skip_stage",
            "account.transfer",
            "account.force_create",
            "process.admin",
            *_BUSINESS_READ,
            *_BUSINESS_WRITE,
        ],
        "管理子公司销售团队、目标与商机",
    ),
    "sales_manager": (
        "销售经理",
        "Sales manager",
        "unit_and_below",
        ["org.read", "user.read", "pii.read", "approval.decide", *_BUSINESS_READ, *_BUSINESS_WRITE],
        "带领团队，分配线索，审批小额折扣",
    ),
    "sales_rep": (
        "销售代表",
        "Sales rep",
        "own",
        ["org.read", "user.read", "pii.read", *_BUSINESS_READ, *_BUSINESS_WRITE],
        "跟进自己的线索、客户、商机与回款",
    ),
    "finance": (
        "财务",
        "Finance",
        "subsidiary",
        [
            "org.read",
            "user.read",
            "export.run",
            "approval.decide",
            "credit.admin",
            "payment.write",
            *_BUSINESS_READ,
        ],
        "开票、登记回款、维护信用规则，参与合同与信用审批",
    ),
    "auditor": (
        "内审",
        "Internal auditor",
        "group",
        ["org.read", "user.read", "audit.read", "export.run", *_BUSINESS_READ],
        "只读访问全集团数据与审计日志",
    ),
}


def ensure_builtin_roles(session: Session) -> dict[str, Role]:
    """Create missing built-in roles; return every built-in role by code."""
    existing = {
        r.code: r
        for r in session.execute(select(Role).where(Role.code.in_(BUILTIN_ROLES))).scalars()
    }
    for code, (name, name_en, data_scope, permissions, description) in BUILTIN_ROLES.items():
        if code in existing:
            continue
        role = Role(
            code=code,
            name=name,
            name_en=name_en,
            data_scope=data_scope,
            permissions=sorted(set(permissions)),
            description=description,
            is_builtin=True,
        )
        session.add(role)
        existing[code] = role
    session.flush()
    return existing
