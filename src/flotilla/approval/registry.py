"""The guarded actions and the facts their policies may read.

This is the contract between the approval engine and the features it guards. Each action
names the record type it guards and the typed facts its guard supplies; the rule language
accepts only these field names (an unknown field is refused when a policy is saved).
Features that guard an action register a handler for decided requests here
(``on_outcome``); the engine imports ``HANDLER_MODULES`` before dispatching, so handlers
are present in every process (API, jobs, CLI).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from flotilla.models.approval import ApprovalRequest

FactType = Literal["number", "integer", "money", "string", "bool"]
Outcome = Literal["approved", "rejected", "withdrawn", "voided"]
OutcomeHandler = Callable[["Session", "ApprovalRequest", Outcome], None]

# Limits an authority-matrix row may set (amounts in the subsidiary's base currency).
AUTHORITY_LIMITS: dict[str, tuple[FactType, str, str]] = {
    "discount_pct": ("number", "折扣上限(%)", "Max discount (%)"),
    "amount_base": ("money", "金额上限(本位币)", "Max amount (base currency)"),
    "payment_days": ("integer", "账期上限(天)", "Max payment terms (days)"),
    "credit_override_base": ("money", "信用突破上限(本位币)", "Max credit override (base)"),
}


@dataclass(frozen=True)
class FactField:
    type: FactType
    label: str
    label_en: str
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class GuardedAction:
    code: str
    record_type: str
    name: str
    name_en: str
    fields: dict[str, FactField]


_ACCOUNT_FIELDS = {
    "account.tier": FactField(
        "string", "客户分级", "Account tier", ("strategic", "key_account", "smb")
    ),
    "account.value_class": FactField("string", "价值等级", "Value class", ("A", "B", "C")),
}
_AMOUNT_FIELDS = {
    "amount": FactField("money", "金额(原币)", "Amount (document currency)"),
    "amount_base": FactField("money", "金额(本位币)", "Amount (base currency)"),
    "currency": FactField("string", "币种", "Currency"),
}

ACTIONS: dict[str, GuardedAction] = {
    action.code: action
    for action in (
        GuardedAction(
            "quote.submit",
            "quote",
            "提交报价",
            "Submit a quote",
            {
                **_AMOUNT_FIELDS,
                **_ACCOUNT_FIELDS,
                "discount_pct": FactField("number", "整单折扣(%)", "Overall discount (%)"),
                "max_line_discount_pct": FactField(
                    "number", "最大行折扣(%)", "Largest line discount (%)"
                ),
                "below_floor": FactField("bool", "低于底价", "Below floor price"),
                "payment_days": FactField("integer", "账期(天)", "Payment terms (days)"),
            },
        ),
        GuardedAction(
            "contract.sign",
            "contract",
            "签订合同",
            "Sign a contract",
            {
                **_AMOUNT_FIELDS,
                **_ACCOUNT_FIELDS,
                "discount_pct": FactField("number", "折扣(%)", "Discount (%)"),
                "payment_days": FactField("integer", "账期(天)", "Payment terms (days)"),
                "credit_hold": FactField("bool", "客户信用冻结", "Account on credit hold"),
            },
        ),
        GuardedAction(
            "credit.override",
            "contract",
            "突破信用冻结",
            "Override a credit hold",
            {
                **_AMOUNT_FIELDS,
                **_ACCOUNT_FIELDS,
                "overdue_amount_base": FactField(
                    "money", "逾期金额(本位币)", "Overdue amount (base currency)"
                ),
                "max_days_overdue": FactField("integer", "最长逾期天数", "Longest days overdue"),
            },
        ),
        GuardedAction(
            "opportunity.skip_stage",
            "opportunity",
            "跳过或回退阶段",
            "Skip or move back a stage",
            {
                **_AMOUNT_FIELDS,
                **_ACCOUNT_FIELDS,
                "from_stage": FactField("string", "原阶段", "From stage"),
                "to_stage": FactField("string", "目标阶段", "To stage"),
                "skipped_stages": FactField("integer", "跳过阶段数", "Stages skipped"),
                "is_backward": FactField("bool", "回退", "Moves backward"),
            },
        ),
        GuardedAction(
            "opportunity.stage_gate",
            "opportunity",
            "阶段准入审批",
            "Stage entry approval",
            {
                **_AMOUNT_FIELDS,
                **_ACCOUNT_FIELDS,
                "stage": FactField("string", "目标阶段", "Stage entered"),
                "forecast_category": FactField("string", "预测类别", "Forecast category"),
            },
        ),
        GuardedAction(
            "account.transfer",
            "account",
            "转移客户",
            "Transfer an account",
            {
                **_ACCOUNT_FIELDS,
                "cross_subsidiary": FactField("bool", "跨子公司", "Across subsidiaries"),
                "open_pipeline_base": FactField(
                    "money", "在途商机金额(本位币)", "Open pipeline (base currency)"
                ),
            },
        ),
    )
}

# Modules that register outcome handlers; imported by the engine before dispatching.
HANDLER_MODULES = (
    "flotilla.quote.service",
    "flotilla.contract.service",
)

_HANDLERS: dict[str, OutcomeHandler] = {}


def on_outcome(action: str) -> Callable[[OutcomeHandler], OutcomeHandler]:
    """Register what happens to the guarded record when a request for ``action`` is
    decided (e.g. a quote becomes ``approved``). Runs in the deciding transaction."""

    def register(handler: OutcomeHandler) -> OutcomeHandler:
        if action not in ACTIONS:
            raise ValueError(f"unknown guarded action {action!r}")
        _HANDLERS[action] = handler
        return handler

    return register


def outcome_handler(action: str) -> OutcomeHandler | None:
    import importlib

    for module in HANDLER_MODULES:
        importlib.import_module(module)
    return _HANDLERS.get(action)
