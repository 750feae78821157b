"""Error and notice messages of this feature: code → (zh-CN, en-US)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # Invoices (开票)
    "invoice_exceeds_installment": (
        "开票金额超过该期可开票余额 {remaining} {currency}",
        "The invoice exceeds what is left to invoice on this installment: {remaining} {currency}",
    ),
    "invoice_tax_exceeds_amount": (
        "税额不能大于含税金额",
        "The tax cannot exceed the amount including tax",
    ),
    "invoice_contract_status": (
        "合同须为已签署、执行中或已完成状态才能开票（当前：{contract_status}）",
        "Invoices are issued on signed, active or completed contracts only "
        "(status: {contract_status})",
    ),
    "invoice_already_void": ("该发票已作废", "This invoice is already void"),
    # Payments (回款) and allocation (核销)
    "payment_contract_account_mismatch": (
        "该合同不属于此客户",
        "The contract belongs to another account",
    ),
    "payment_reversed": ("该回款已冲销", "This payment has been reversed"),
    "payment_fully_allocated": (
        "该回款已全部核销，没有可分配的余额",
        "This payment is fully allocated; nothing is left to allocate",
    ),
    "allocation_mode_conflict": (
        "手工分配与自动分配只能选择一种",
        "Give allocations or auto_allocate, not both",
    ),
    "allocation_required": (
        "请填写分配明细或选择自动分配",
        "Give allocations or set auto_allocate",
    ),
    "allocation_nothing_outstanding": (
        "没有可核销的待收款",
        "There is no outstanding installment to allocate to",
    ),
    "allocation_exceeds_outstanding": (
        "分配金额超过「{installment}」的待收余额 {outstanding} {currency}",
        "The allocation exceeds the outstanding {outstanding} {currency} of {installment}",
    ),
    "allocation_exceeds_payment": (
        "分配合计 {allocated} 超过回款可分配余额 {available} {currency}",
        "The allocations total {allocated}, more than the {available} {currency} "
        "left on the payment",
    ),
    "allocation_account_mismatch": (
        "该期回款计划不属于本回款的客户或合同",
        "This installment belongs to another account or contract",
    ),
    "allocation_currency_mismatch": (
        "该期回款计划币种为 {installment_currency}，与回款币种 {currency} 不一致",
        "This installment is in {installment_currency}, the payment in {currency}",
    ),
    "allocation_contract_status": (
        "合同须为已签署或执行中状态才能核销回款（当前：{contract_status}）",
        "Payments are allocated to signed or active contracts only (status: {contract_status})",
    ),
}
