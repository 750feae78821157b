"""The catalogue of permissions the code enforces. Roles (data) pick from it."""

from __future__ import annotations

PERMISSIONS: dict[str, tuple[str, str]] = {
    "org.read": ("查看组织架构", "View the org tree"),
    "org.admin": ("管理组织架构", "Manage the org tree"),
    "user.read": ("查看用户", "View users"),
    "user.admin": ("管理用户、岗位与授权", "Manage users, positions and role grants"),
    "role.admin": ("管理角色", "Manage roles"),
    "pii.read": ("查看完整手机号与邮箱", "See unmasked phone numbers and e-mail"),
    "audit.read": ("查看审计日志", "Read the audit trail"),
    "export.run": ("导出数据", "Export data"),
    "account.read": ("查看客户", "View customers"),
    "account.write": ("维护客户", "Create and edit customers"),
    "account.force_create": ("强制创建疑似重复客户", "Create a customer despite duplicates"),
    "account.transfer": ("转移客户", "Transfer customers"),
    "lead.read": ("查看线索", "View leads"),
    "lead.write": ("维护线索", "Create and edit leads"),
    "opportunity.read": ("查看商机", "View opportunities"),
    "opportunity.write": ("维护商机", "Create and edit opportunities"),
    "opportunity.skip_stage": ("跳过或回退销售阶段", "Skip or move back a sales stage"),
    "activity.read": ("查看活动", "View activities"),
    "activity.write": ("维护活动", "Create and edit activities"),
    "quote.read": ("查看报价", "View quotes"),
    "quote.write": ("维护报价", "Create and edit quotes"),
    "contract.read": ("查看合同", "View contracts"),
    "contract.write": ("维护合同", "Create and edit contracts"),
    "payment.read": ("查看回款", "View payments and receivables"),
    "payment.write": ("登记回款与开票", "Record invoices and payments"),
    "approval.read": ("查看审批单", "View approval requests"),
    "approval.decide": ("审批", "Decide approval requests"),
    "approval.admin": ("管理审批策略与授权矩阵", "Manage approval policies and the matrix"),
    "product.admin": ("维护产品与价格表", "Manage products and price books"),
    "credit.admin": ("维护信用规则与信用冻结", "Manage credit rules and credit holds"),
    "process.admin": ("管理销售流程模板", "Manage sales process templates"),
    "pool.admin": ("管理公海规则", "Manage public pool rules"),
    "target.read": ("查看目标与绩效", "View targets and KPIs"),
    "target.write": ("设定目标", "Set targets"),
    "analytics.read": ("查看分析报表", "View analytics"),
    "fx.admin": ("维护汇率", "Maintain FX rates"),
}


def is_known(permission: str) -> bool:
    return permission in PERMISSIONS
