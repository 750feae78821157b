"""Error and notice messages of this feature: code → (zh-CN, en-US)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "price_floor_above_list": (
        "底价不能高于目录价",
        "The floor price cannot be higher than the list price",
    ),
    "price_book_currency_mismatch": (
        "子公司价格表必须使用该子公司的本位币 {currency}",
        "A subsidiary price list is kept in the subsidiary's currency, {currency}",
    ),
    "price_book_group_currency_exists": (
        "已存在启用中的 {currency} 集团价格表",
        "An active group price book in {currency} already exists",
    ),
    "price_book_not_subsidiary": (
        "价格表只能归属于子公司",
        "A price list can only belong to a subsidiary",
    ),
    "price_book_validity": (
        "失效日期不能早于生效日期",
        "The end of validity cannot be before its start",
    ),
    "price_entry_missing": (
        "该价格表中没有此产品的价格",
        "This product has no price in this price book",
    ),
}
