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
    "internal_error": ("服务器内部错误", "Internal server error"),
    "database_unavailable": ("数据库暂时不可用", "The database is unavailable"),
    "rate_limited": ("请求过于频繁，请稍后再试", "Too many requests; slow down"),
    "self_lockout": (
        "不能停用或降权您自己的管理员账号",
        "You cannot deactivate or remove admin rights from your own account",
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
