"""Error and notice messages of this feature: code → (zh-CN, en-US)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # The rule language (approval_policy/rules.py)
    "rule_invalid_shape": (
        "规则结构不正确",
        "This part of the rule has the wrong shape",
    ),
    "rule_required": ("缺少必填项", "This part is required"),
    "rule_unknown_operator": (
        "未知的规则运算符：{operator}",
        "Unknown rule operator: {operator}",
    ),
    "rule_operator_not_applicable": (
        "运算符 {operator} 不能用于{type}类型的字段",
        "The operator {operator} cannot be used with a {type} field",
    ),
    "rule_unknown_field": (
        "该审批动作没有字段 {field}",
        "The guarded action has no field {field}",
    ),
    "rule_unknown_action": ("未知的审批动作：{action}", "Unknown guarded action: {action}"),
    "rule_type_mismatch": (
        "取值类型与字段类型（{type}）不匹配",
        "The value does not match the field's type ({type})",
    ),
    "rule_invalid_number": (
        "应为有限的数字或十进制数字字符串",
        "Must be a finite number or a decimal string",
    ),
    "rule_invalid_choice": ("取值无效，可选：{choices}", "Invalid value; expected {choices}"),
    "rule_value_too_long": ("最多 {max} 个字符", "At most {max} characters"),
    "rule_list_expected": ("应为数组", "Must be a list"),
    "rule_empty_list": ("列表不能为空", "The list cannot be empty"),
    "rule_unknown_limit": ("未知的授权额度：{limit}", "Unknown authority limit: {limit}"),
    "rule_unknown_role": ("角色不存在：{role}", "No such role: {role}"),
    "rule_too_deep": (
        "规则嵌套不能超过 {max} 层",
        "Rules cannot be nested more than {max} levels deep",
    ),
    "rule_too_large": ("规则最多 {max} 个节点", "A rule has at most {max} parts"),
    # Approval steps (approval_policy/steps.py)
    "step_invalid_shape": ("审批步骤结构不正确", "This part of the steps has the wrong shape"),
    "steps_count": ("审批步骤须为 {min} 到 {max} 个", "Give between {min} and {max} steps"),
    "step_name_required": ("请填写步骤名称", "The step needs a name"),
    "step_unknown_mode": ("审批方式无效，可选：{modes}", "Invalid mode; expected {modes}"),
    "step_approvers_count": (
        "每个步骤须有 {min} 到 {max} 个审批人规则",
        "Each step needs between {min} and {max} approver rules",
    ),
    "step_unknown_type": (
        "审批人类型无效，可选：{types}",
        "Invalid approver type; expected {types}",
    ),
    "step_invalid_levels": (
        "上级层数须为 1 到 {max} 的整数",
        "Levels must be a whole number from 1 to {max}",
    ),
    "step_invalid_at": ("角色层级无效，可选：{levels}", "Invalid level; expected {levels}"),
    "step_invalid_user_id": ("用户 ID 格式无效", "Must be a valid user id"),
    "step_unknown_user": ("用户不存在或已停用", "No such active user"),
    "step_ladder_count": (
        "授权阶梯须有 {min} 到 {max} 个角色",
        "The authority ladder needs between {min} and {max} roles",
    ),
    "step_limits_count": (
        "须选择 {min} 到 {max} 个授权额度",
        "Choose between {min} and {max} authority limits",
    ),
    "step_duplicate": ("重复的取值", "Duplicate value"),
    "step_limit_not_supplied": (
        "该审批动作不提供额度 {limit} 所比较的字段 {fact}",
        "The guarded action does not supply {fact}, which the limit {limit} compares",
    ),
    # Policies and the authority matrix
    "policy_not_a_subsidiary": (
        "须为启用中的子公司（法人实体）",
        "Must be an active subsidiary (legal entity)",
    ),
    "authority_limit_invalid": (
        "须为不小于 0、最多两位小数的数字；留空（null）表示不限",
        "Must be a number of at least 0 with at most two decimals; null means unlimited",
    ),
    "authority_limit_integer": (
        "须为不小于 0 的整数；留空（null）表示不限",
        "Must be a whole number of at least 0; null means unlimited",
    ),
    "authority_limit_too_large": ("不能超过 {max}", "Cannot exceed {max}"),
}
