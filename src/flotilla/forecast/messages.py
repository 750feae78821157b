"""Error and notice messages of this feature: code → (zh-CN, en-US)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "funnel_range_reversed": (
        "结束日期（to）不能早于开始日期（from）",
        "The end date (to) cannot be before the start date (from)",
    ),
    "funnel_range_too_long": (
        "日期范围最长 {max_years} 年",
        "The date range can span at most {max_years} years",
    ),
}
