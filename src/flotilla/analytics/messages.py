"""Error and notice messages of this feature: code → (zh-CN, en-US)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "analytics_invalid_month": (
        "月份“{value}”无效，应为 2026-07 这样的格式",
        "Invalid month “{value}”: use the form 2026-07",
    ),
    "analytics_month_range_reversed": (
        "起始月份不能晚于结束月份",
        "The first month cannot be after the last month",
    ),
    "analytics_month_range_too_long": (
        "趋势最多覆盖 {max} 个月",
        "A trend covers at most {max} months",
    ),
}
