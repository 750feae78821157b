"""Error and notice messages of this feature: code → (zh-CN, en-US)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # The fiscal-year setting (财年起始月份), kept on the group root. The org feature raises
    # these too (PATCH /org-units/{root}); they live here because the setting is about targets.
    "invalid_fiscal_month": (
        "财年起始月份应为 1 到 12 之间的整数",
        "The fiscal year's first month must be a whole number from 1 to 12",
    ),
    "fiscal_month_root_only": (
        "只有集团根节点可以设置财年起始月份",
        "Only the group root carries the fiscal year's first month",
    ),
    "fiscal_year_in_use": (
        "已有 {count} 个按财季或财年设定的目标，不能更改财年起始月份；请先删除这些目标",
        "{count} targets are set on fiscal quarters or years; delete them before changing "
        "the fiscal year's first month",
    ),
    # Targets (目标)
    "target_exists": (
        "该对象在此期间已有此指标的目标",
        "A target for this metric, period and assignee already exists",
    ),
    "target_whole_number": (
        "该指标按个数计，目标值须为整数",
        "This metric counts items; the target must be a whole number",
    ),
    "target_assignee_not_in_unit": (
        "该人员未在此组织单元任职",
        "This person holds no position in the unit",
    ),
    "target_unit_inactive": ("该组织单元已停用", "This unit is deactivated"),
    "target_too_many": (
        "符合条件的目标超过 {limit} 个，请按指标或组织单元缩小范围",
        "More than {limit} targets match; narrow the filter by metric or unit",
    ),
    "target_children_need_unit": (
        "查看下级目标时须指定组织单元",
        "include_children needs a unit_id",
    ),
    # Cascade (目标分解)
    "target_parent_missing": (
        "请先为该组织单元设定此指标在本期间的目标，再向下分解",
        "Set the unit's own target for this metric and period before cascading it",
    ),
    "target_not_a_child": (
        "不是该组织单元的直属下级单元或直属人员",
        "Not a direct child unit of this unit or a person placed directly in it",
    ),
    "target_split_one_of": (
        "每行须且只能指定 unit_id 或 user_id 之一",
        "Give exactly one of unit_id and user_id on each row",
    ),
    "target_split_duplicate": (
        "与第 {index} 行重复",
        "Repeats row {index}",
    ),
    "target_split_value_required": (
        "手工分解须填写每行的目标值",
        "A manual split needs a value on every row",
    ),
    "target_split_value_computed": (
        "平均分解或按上年同期分解时目标值由系统计算，请不要填写",
        "Equal and last_period splits compute the values; leave them out",
    ),
}
