"""Error and notice messages of this feature: code → (zh-CN, en-US)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "quote_locked": (
        "报价当前状态（{state}）下已不能修改；如需调整请创建新版本",
        "The quote can no longer be changed in its current state ({state}); revise it instead",
    ),
    "quote_bad_state": (
        "报价当前状态（{state}）下不能执行此操作",
        "This action is not allowed in the quote's current state ({state})",
    ),
    "quote_expired": (
        "报价已于 {valid_until} 过期，不能再被接受；请创建新版本",
        "The quote expired on {valid_until} and can no longer be accepted; revise it",
    ),
    "quote_no_lines": (
        "报价至少需要一行明细才能提交",
        "A quote needs at least one line before it can be submitted",
    ),
    "quote_price_book_unavailable": (
        "该价格表不可用：须为有效期内的集团价格表或本子公司的价格表",
        "This price book cannot be used: it must be an active group book or one of this "
        "subsidiary's books, within its validity dates",
    ),
    "quote_product_not_priced": (
        "该产品不在所选价格表中或已停用",
        "This product is not priced in the chosen price book, or it is inactive",
    ),
    "quote_price_both_given": (
        "折扣率和净价只能填写其中一项",
        "Give either a discount or a net price, not both",
    ),
    "quote_net_price_above_list": (
        "净价不能高于目录价 {list_price}",
        "The net price cannot exceed the list price {list_price}",
    ),
    "quote_revised": (
        "报价已修订为新版本，原审批单作废",
        "The quote was revised into a new version; this request was voided",
    ),
    "quote_valid_until_past": (
        "有效期不能早于今天",
        "The validity date cannot be in the past",
    ),
}
