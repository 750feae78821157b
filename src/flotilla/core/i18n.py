"""Message catalogue (zh-CN and en-US) and Accept-Language negotiation.

Chinese is the default; English is chosen when the caller prefers it.
"""

from __future__ import annotations

from typing import Literal

Locale = Literal["zh-CN", "en-US"]
DEFAULT_LOCALE: Locale = "zh-CN"

MESSAGES: dict[str, tuple[str, str]] = {
    # code: (zh-CN, en-US); ``{name}`` placeholders are filled from params.
    "not_found": ("记录不存在或无权访问", "Record not found"),
    "user_inactive": ("该用户已停用", "This user is deactivated"),
    "route_not_found": ("接口不存在", "No such endpoint"),
    "method_not_allowed": ("不支持该请求方法", "Method not allowed"),
    "unauthenticated": ("请先登录", "Authentication required"),
    "invalid_credentials": ("用户名或密码错误", "Invalid username or password"),
    "login_locked": (
        "登录失败次数过多，请 {minutes} 分钟后再试",
        "Too many failed attempts; try again in {minutes} minutes",
    ),
    "csrf_failed": ("缺少或无效的 CSRF 令牌", "Missing or invalid CSRF token"),
    "forbidden": ("无权执行此操作", "You are not allowed to do this"),
    "out_of_scope": (
        "不能将记录放到您的数据权限范围之外",
        "You cannot place a record outside your data scope",
    ),
    "version_conflict": (
        "记录已被他人修改，请刷新后重试",
        "The record was changed by someone else; reload and try again",
    ),
    "validation_failed": ("提交的数据有误", "The request has invalid fields"),
    "malformed_json": ("请求体不是合法的 JSON", "The request body is not valid JSON"),
    "conflict": ("与现有数据冲突", "Conflicts with existing data"),
    "duplicate": ("该值已存在", "This value already exists"),
    "org_cycle": (
        "不能把组织单元移动到它自己或它的下级之下",
        "A unit cannot be moved under itself or its descendants",
    ),
    "org_parent_kind": (
        "{kind} 不能放在 {parent_kind} 之下",
        "A {kind} cannot be placed under a {parent_kind}",
    ),
    "org_single_root": ("集团根节点只能有一个", "There can be only one group root"),
    "org_not_empty": (
        "该组织单元仍有下级单元或人员，不能删除",
        "The unit still has child units or people and cannot be deleted",
    ),
    "invalid_uscc": ("统一社会信用代码无效", "Invalid unified social credit code (USCC)"),
    "invalid_currency": ("币种代码无效", "Invalid currency code"),
    "invalid_timezone": ("时区无效", "Unknown time zone"),
    "unknown_reference": ("引用的记录不存在", "The referenced record does not exist"),
    "unknown_permission": ("未知权限：{value}", "Unknown permission: {value}"),
    "weak_password": (
        "密码至少 10 位，且不能与用户名相同",
        "Passwords need at least 10 characters and must differ from the username",
    ),
    "last_primary_position": (
        "不能删除用户的主岗位，请先设置其他主岗位",
        "The primary position cannot be removed; make another position primary first",
    ),
    "builtin_role": ("内置角色不能删除", "Built-in roles cannot be deleted"),
    "invalid_cursor": ("分页游标无效", "Invalid pagination cursor"),
    "invalid_period": (
        "期间“{value}”无效，应为 2026、2026-Q3 或 2026-07",
        "Invalid period “{value}”: use 2026, 2026-Q3 or 2026-07",
    ),
    "internal_error": ("服务器内部错误", "Internal server error"),
    "database_unavailable": ("数据库暂时不可用", "The database is unavailable"),
    "rate_limited": ("请求过于频繁，请稍后再试", "Too many requests; slow down"),
    "self_lockout": (
        "不能停用或降权您自己的管理员账号",
        "You cannot deactivate or remove admin rights from your own account",
    ),
    # Sales process templates (标准化流程)
    "no_draft": ("该流程模板没有草稿版本", "This process template has no draft"),
    "no_published_process": (
        "该子公司没有已发布的销售流程",
        "No published sales process applies to this subsidiary",
    ),
    "version_published": (
        "已发布的流程版本不可修改，请新建草稿",
        "A published process version cannot be changed; start a new draft",
    ),
    "process_invalid": ("流程版本未通过校验，不能发布", "The process version cannot be published"),
    "process_standard_exists": (
        "集团已有启用的标准流程，请通过新版本修改它",
        "The group already has an active standard process; change it through a new version",
    ),
    "process_variant_exists": (
        "该子公司已有启用的流程变体",
        "This subsidiary already has an active process variant",
    ),
    "process_standard_required": (
        "集团标准流程不能停用",
        "The group standard process cannot be deactivated",
    ),
    "process_draft_exists": ("该模板已有草稿版本", "This template already has a draft"),
    "process_variants_not_allowed": (
        "该模板不允许子公司变体",
        "This template does not allow subsidiary variants",
    ),
    "process_base_not_published": (
        "基础模板尚无已发布版本",
        "The base template has no published version",
    ),
    "process_group_has_no_base": (
        "集团模板不能基于其他模板",
        "A group template cannot be based on another template",
    ),
    "process_no_open_stage": ("至少需要一个进行中阶段", "At least one open stage is required"),
    "process_won_stage_count": (
        "必须有且只有一个赢单阶段（当前 {count} 个）",
        "Exactly one won stage is required (found {count})",
    ),
    "process_no_lost_stage": ("至少需要一个输单阶段", "At least one lost stage is required"),
    "process_closed_stage_order": (
        "赢单/输单阶段必须排在所有进行中阶段之后",
        "Won and lost stages must come after every open stage",
    ),
    "process_probability_decreasing": (
        "进行中阶段的赢率不能低于前一阶段",
        "An open stage's probability cannot be lower than the previous stage's",
    ),
    "process_won_probability": (
        "赢单阶段的赢率必须为 100",
        "The won stage's probability must be 100",
    ),
    "process_lost_probability": ("输单阶段的赢率必须为 0", "A lost stage's probability must be 0"),
    "process_locked_stage_missing": (
        "集团锁定的阶段 {stage} 不能删除",
        "The stage {stage} is locked by the group and must be kept",
    ),
    "process_locked_stage_kind": (
        "集团锁定的阶段 {stage} 不能改变类型",
        "The stage {stage} is locked by the group; its kind cannot change",
    ),
    "process_locked_stage_order": (
        "集团锁定的阶段 {stage} 必须保持原有顺序",
        "The stage {stage} is locked by the group and must keep its order",
    ),
    # Opportunities and stage transitions (商机)
    "transition_refused": ("不满足阶段推进条件", "The stage change is not allowed yet"),
    "unknown_stage": ("该流程版本中没有此阶段", "No such stage in this process version"),
    "same_stage": ("商机已处于该阶段", "The opportunity is already in this stage"),
    "skip_not_allowed": (
        "跳过或回退阶段需要相应权限",
        "Skipping or moving back a stage needs the permission to do so",
    ),
    "reason_required": ("请填写原因", "A reason is required"),
    "loss_reason_required": ("输单必须填写输单原因", "Closing as lost needs a loss reason"),
    "loss_reason_not_applicable": (
        "只有输单时才能填写输单原因",
        "A loss reason applies only when closing as lost",
    ),
    "gate_required_field": (
        "进入该阶段前必须填写此项",
        "This must be filled in before entering the stage",
    ),
    "gate_checklist": (
        "进入该阶段前必须完成此检查项",
        "This checklist item must be done before entering the stage",
    ),
    "gate_approval": (
        "进入该阶段需要审批通过",
        "Entering this stage requires an approval (approval_required)",
    ),
    "opportunity_closed": (
        "商机已关闭，请先重新打开",
        "The opportunity is closed; reopen it first",
    ),
    "opportunity_other_subsidiary": (
        "商机只能在本子公司内调整归属",
        "An opportunity can only move within its own subsidiary",
    ),
    "unknown_checklist_item": ("该阶段没有此检查项", "No such checklist item in this stage"),
    # Public pool (公海), leads (线索), activities (跟进)
    "pool_cooldown": (
        "冷静期内不能重新领取该客户，{until} 之后可再领取",
        "You released or lost this account recently; you can claim it again from {until}",
    ),
    "pool_limit_reached": (
        "您在该子公司已持有 {held} 个客户，达到公海领取上限 {max}",
        "You already hold {held} accounts in this subsidiary; the pool limit is {max}",
    ),
    "not_in_pool": ("该客户已不在公海中", "This account is no longer in the public pool"),
    "already_in_pool": ("该客户已在公海中", "This account is already in the public pool"),
    "pool_not_member": (
        "您未在该子公司任职，不能从其公海领取客户",
        "You hold no position in this subsidiary and cannot claim from its pool",
    ),
    "subsidiary_required": (
        "记录必须归属于某个子公司下的组织单元",
        "Records must be placed in a unit inside a subsidiary",
    ),
    "invalid_transition": (
        "线索状态不能从 {from_status} 变为 {to_status}",
        "A lead cannot move from {from_status} to {to_status}",
    ),
    "lead_converted": ("线索已转化，不能再修改", "The lead has been converted and is read-only"),
    "lead_not_convertible": (
        "只有未关闭的线索可以转化（当前状态：{lead_status}）",
        "Only open leads can be converted (status: {lead_status})",
    ),
    "not_disqualified": (
        "只有无效线索才需要填写无效原因",
        "A disqualification reason is only kept for disqualified leads",
    ),
    "link_mismatch": (
        "关联的联系人或商机不属于该客户",
        "The linked contact or opportunity belongs to another account",
    ),
    "only_for_tasks": ("只有任务可以设置截止时间", "Only tasks have a due time"),
    "in_future": ("已发生的活动时间不能晚于现在", "A logged activity cannot lie in the future"),
    "not_a_task": ("只有任务可以标记完成", "Only tasks can be completed"),
    "already_completed": ("该任务已完成", "The task is already completed"),
    # Customer master: accounts, duplicates, claims (报备) and conflicts (撞单)
    "duplicate_account": (
        "疑似重复客户，请先核对已有客户",
        "This looks like an existing customer; check the matches first",
    ),
    "duplicate_hidden_other_subsidiary": (
        "已存在于其他子公司，负责人不公开",
        "Exists in another subsidiary, owner hidden",
    ),
    "duplicate_hidden_same_subsidiary": (
        "本子公司已有同事跟进，负责人不公开",
        "Exists in your subsidiary under a colleague, owner hidden",
    ),
    "invalid_account_name": (
        "客户名称须包含文字或数字",
        "The customer name needs letters or digits",
    ),
    "account_unit_not_in_subsidiary": (
        "客户须归属于子公司下的有效组织单元",
        "A customer belongs to an active unit inside a subsidiary",
    ),
    "owner_not_in_unit": (
        "负责人须在该组织单元或其下级任职",
        "The owner must hold a position in this unit or below it",
    ),
    "account_parent_cycle": (
        "上级公司不能是客户自身或其下属公司",
        "The parent company cannot be the customer itself or one of its subsidiaries",
    ),
    "account_in_pool": (
        "该客户在公海中，请从公海领取",
        "This customer is in the public pool; claim it from the pool",
    ),
    "account_protected": (
        "该客户在保护期内，由「{unit}」跟进",
        "This customer is protected by {unit}",
    ),
    "account_ambiguous": (
        "匹配到多个客户，请改用统一社会信用代码",
        "Several customers match; use the USCC instead",
    ),
    "claim_conflict": (
        "撞单：该客户已由「{unit}」报备保护，已登记撞单等待处理",
        "Conflict: this customer is protected by {unit}; the conflict was recorded for resolution",
    ),
    "conflict_already_resolved": ("该撞单已处理", "This conflict has already been resolved"),
    "conflict_stale": (
        "撞单涉及的报备已失效，只能驳回",
        "The disputed claim has ended; the conflict can only be rejected",
    ),
}

# Pydantic error types → (zh-CN, en-US); anything unlisted falls back to pydantic's English.
VALIDATION_MESSAGES: dict[str, tuple[str, str]] = {
    "missing": ("必填字段", "Field required"),
    "extra_forbidden": ("不允许的字段", "Unknown field"),
    "string_type": ("应为字符串", "Must be a string"),
    "int_type": ("应为整数", "Must be an integer"),
    "int_parsing": ("应为整数", "Must be an integer"),
    "bool_type": ("应为布尔值", "Must be true or false"),
    "bool_parsing": ("应为布尔值", "Must be true or false"),
    "float_parsing": ("应为数字", "Must be a number"),
    "decimal_parsing": ("应为数字", "Must be a number"),
    "decimal_max_places": (
        "最多 {decimal_places} 位小数",
        "At most {decimal_places} decimal places",
    ),
    "decimal_max_digits": ("最多 {max_digits} 位数字", "At most {max_digits} digits"),
    "finite_number": ("应为有限数值", "Must be a finite number"),
    "uuid_parsing": ("ID 格式无效", "Must be a valid id"),
    "uuid_type": ("ID 格式无效", "Must be a valid id"),
    "string_too_short": ("至少 {min_length} 个字符", "At least {min_length} characters"),
    "string_too_long": ("最多 {max_length} 个字符", "At most {max_length} characters"),
    "string_pattern_mismatch": ("格式不正确", "Invalid format"),
    "literal_error": ("取值无效，可选：{expected}", "Invalid value; expected {expected}"),
    "enum": ("取值无效，可选：{expected}", "Invalid value; expected {expected}"),
    "value_error": ("取值无效", "Invalid value"),
    "greater_than_equal": ("应大于等于 {ge}", "Must be at least {ge}"),
    "less_than_equal": ("应小于等于 {le}", "Must be at most {le}"),
    "greater_than": ("应大于 {gt}", "Must be greater than {gt}"),
    "datetime_parsing": ("日期时间格式无效", "Invalid date-time"),
    "datetime_from_date_parsing": ("日期时间格式无效", "Invalid date-time"),
    "date_parsing": ("日期格式无效", "Invalid date"),
    "dict_type": ("应为对象", "Must be an object"),
    "model_attributes_type": ("应为对象", "Must be an object"),
    "list_type": ("应为数组", "Must be a list"),
    "value_error.email": ("邮箱格式无效", "Invalid e-mail address"),
}


# Features with many messages keep them in their own ``messages.py`` (a plain dict, no
# imports) so the catalogue stays one lookup while each feature owns its wording.
_FEATURE_CATALOGUES = (
    "flotilla.approval.messages",
    "flotilla.approval_policy.messages",
    "flotilla.product.messages",
    "flotilla.quote.messages",
    "flotilla.contract.messages",
    "flotilla.receivable.messages",
    "flotilla.fx.messages",
    "flotilla.target.messages",
    "flotilla.analytics.messages",
    "flotilla.forecast.messages",
    "flotilla.pipeline.messages",
)


def _merge_feature_catalogues() -> None:
    import importlib

    for module_name in _FEATURE_CATALOGUES:
        catalogue: dict[str, tuple[str, str]] = importlib.import_module(module_name).MESSAGES
        clashes = set(catalogue) & set(MESSAGES)
        if clashes:
            raise RuntimeError(f"{module_name} redefines message codes {sorted(clashes)}")
        MESSAGES.update(catalogue)


_merge_feature_catalogues()


def negotiate(accept_language: str | None, fallback: Locale = DEFAULT_LOCALE) -> Locale:
    """Pick zh-CN or en-US from an Accept-Language header by quality order.

    ``q=0`` means "not acceptable" (RFC 9110), so such a language is never chosen; a
    malformed or out-of-range quality counts as 0.
    """
    if not accept_language:
        return fallback
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")):
        pieces = part.strip().split(";")
        tag = pieces[0].strip().lower()
        quality = 1.0
        for param in pieces[1:]:
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
                if not 0.0 <= quality <= 1.0:  # also false for NaN
                    quality = 0.0
        if tag and quality > 0.0:
            ranked.append((-quality, index, tag))
    for _neg_quality, _index, tag in sorted(ranked):
        if tag.startswith("zh"):
            return "zh-CN"
        if tag.startswith("en"):
            return "en-US"
    return fallback


def translate(code: str, locale: Locale, **params: object) -> str:
    zh, en = MESSAGES.get(code, MESSAGES["internal_error"])
    template = zh if locale == "zh-CN" else en
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template


def translate_validation(
    error_type: str, locale: Locale, default: str, ctx: dict[str, object] | None
) -> str:
    pair = VALIDATION_MESSAGES.get(error_type)
    if pair is None:
        return default
    template = pair[0] if locale == "zh-CN" else pair[1]
    try:
        return template.format(**(ctx or {}))
    except (KeyError, IndexError):
        return template
