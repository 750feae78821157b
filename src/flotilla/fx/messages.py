"""Error and notice messages of this feature: code → (zh-CN, en-US)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "fx_same_currency": (
        "原币种与目标币种不能相同",
        "The two currencies of a rate must differ",
    ),
    "fx_invalid_period": (
        "期间应为 YYYY-MM 或有效日期",
        "The period must be YYYY-MM or a valid date",
    ),
    "fx_duplicate_row": (
        "与第 {index} 行的币种、期间和汇率类型重复",
        "Repeats the currencies, period and rate type of row {index}",
    ),
    "fx_rate_missing": (
        "缺少 {from_currency}→{to_currency} 在 {month} 的汇率（{rate_type}）",
        "No {rate_type} rate for {from_currency}→{to_currency} in {month}",
    ),
}
