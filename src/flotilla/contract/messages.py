"""Error and notice messages of this feature: code → (zh-CN, en-US)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # Creating a contract from its source (报价 / 赢单商机 / 客户)
    "contract_source_required": (
        "请指定且只指定一个来源：报价、商机或客户",
        "Give exactly one source: a quote, an opportunity or an account",
    ),
    "contract_quote_field": (
        "从报价生成的合同，金额、税额、币种和账期取自报价，不能另行填写",
        "A contract from a quote takes its amount, tax, currency and payment terms from the quote",
    ),
    "contract_quote_not_accepted": (
        "只有客户已接受的报价才能生成合同（当前状态：{quote_status}）",
        "Only an accepted quote can become a contract (status: {quote_status})",
    ),
    "contract_quote_in_use": (
        "该报价已生成合同，请先终止原合同",
        "This quote already backs a contract; terminate that contract first",
    ),
    "contract_opportunity_not_won": (
        "只有赢单的商机才能生成合同",
        "Only a won opportunity can become a contract",
    ),
    "contract_entity_no_uscc": (
        "签约主体「{entity}」未登记统一社会信用代码，不能签订合同",
        "The selling entity {entity} has no unified social credit code (USCC) on file",
    ),
    "contract_other_subsidiary": (
        "合同只能在本子公司内调整归属",
        "A contract can only move within its own subsidiary",
    ),
    # Commercial fields (商务条款)
    "contract_tax_exceeds_amount": (
        "税额不能大于合同金额（含税）",
        "The tax cannot exceed the contract amount (tax included)",
    ),
    "contract_end_before_start": (
        "结束日期不能早于开始日期",
        "The end date cannot be before the start date",
    ),
    "contract_frozen": (
        "合同已签订，商务条款只能通过合同变更修改",
        "The contract is signed; its commercial terms change only through an amendment",
    ),
    # Status machine (合同状态)
    "contract_bad_state": (
        "合同当前状态（{state}）不允许此操作",
        "Not possible while the contract is {state}",
    ),
    "contract_not_fully_paid": (
        "回款计划尚未全部收款（未收 {outstanding} {currency}），合同不能完成",
        "The payment plan is not fully paid ({outstanding} {currency} outstanding)",
    ),
    "signing_date_in_future": (
        "签订日期不能晚于今天",
        "The signing date cannot lie in the future",
    ),
    # Payment plan (回款计划)
    "payment_plan_incomplete": (
        "回款计划合计 {planned}，与合同金额 {expected} 不一致，不能签订",
        "The payment plan totals {planned} but the contract amount is {expected}",
    ),
    "payment_plan_sum_mismatch": (
        "回款计划合计 {actual}，必须等于合同金额 {expected}",
        "The installments total {actual}; they must add up to exactly {expected}",
    ),
    "installment_due_before_start": (
        "到期日不能早于合同签订/开始日期 {date}",
        "The due date cannot be before the contract's signing/start date {date}",
    ),
    "installment_below_invoiced": (
        "该期已开票或回款，金额不能低于 {minimum}",
        "This installment is invoiced or paid; its amount cannot go below {minimum}",
    ),
    "installment_in_use": (
        "该期「{label}」已有开票或回款记录，不能删除",
        "The installment {label} has invoices or payments and cannot be removed",
    ),
    "installment_duplicate": (
        "同一期不能出现两次",
        "The same installment appears twice",
    ),
    # Amendments (合同变更)
    "amendment_no_change": (
        "变更内容与合同现有条款相同",
        "The amendment changes nothing",
    ),
    "amendment_plan_required": (
        "变更合同金额时必须同时提交新的回款计划",
        "Changing the amount needs a new payment plan that adds up to it",
    ),
    "amendment_before_signing": (
        "变更生效日期不能早于合同签订日期 {date}",
        "The amendment cannot take effect before the signing date {date}",
    ),
}
