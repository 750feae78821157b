"""Demo lead-to-cash history: for every won opportunity of the demo group an accepted quote, a
signed contract (approved through the contract-signing policy), a payment plan, invoices and
payments — with a deliberately worse payment record in one subsidiary, so receivables aging,
credit holds and overdue KPIs have something to show.

Rows are bulk-inserted like the rest of the demo (one ``demo.seed`` audit event); numbers are
consecutive per subsidiary, kind and year in date order, and the document sequences are left
at the last number used, so the next real document continues the series without a gap.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from flotilla.core import audit, clock
from flotilla.core.ids import new_id
from flotilla.core.money import quantize
from flotilla.models.approval import ApprovalPolicy
from flotilla.models.customer import Account
from flotilla.models.identity import Role, RoleGrant, User
from flotilla.models.ltc import (
    Contract,
    CreditRule,
    DocumentSequence,
    Invoice,
    Payment,
    PaymentAllocation,
    PaymentInstallment,
    PriceBook,
    PriceBookEntry,
    Product,
    Quote,
    QuoteLine,
)
from flotilla.models.org import OrgUnit
from flotilla.models.sales import Opportunity
from flotilla.quote.pricing import LineInput, price_line, totals

SEED = 20261124
# Share of due installments a subsidiary's customers pay on time (the rest are late or open).
PAYS_ON_TIME = {"SZ": 0.55, "HK": 0.85}
DEFAULT_PAYS_ON_TIME = 0.93
# Installments: (label zh, share of the amount, days after signing).
PLAN = (
    ("预付款", Decimal("0.30"), 15),
    ("到货/上线款", Decimal("0.60"), 120),
    ("质保金", None, 365),
)
CREDIT_RULES = {"SZ": (60, Decimal("50000")), "HK": (90, Decimal("50000"))}
DEFAULT_CREDIT_RULE = (90, Decimal("100000"))


@dataclass
class Priced:
    entries: list[tuple[Product, PriceBookEntry]]
    book: PriceBook


def _books(session: Session, subsidiaries: list[OrgUnit]) -> dict[uuid.UUID, Priced]:
    """Each subsidiary quotes from its own price list if it has one, else the group book in
    its currency."""
    books = list(session.execute(select(PriceBook).where(PriceBook.is_active.is_(True))).scalars())
    rows = session.execute(
        select(PriceBookEntry, Product)
        .join(Product, Product.id == PriceBookEntry.product_id)
        .where(Product.is_active.is_(True))
        .order_by(Product.code)
    ).all()
    entries: dict[uuid.UUID, list[tuple[Product, PriceBookEntry]]] = defaultdict(list)
    for entry, product in rows:
        entries[entry.price_book_id].append((product, entry))
    chosen: dict[uuid.UUID, Priced] = {}
    for sub in subsidiaries:
        own = [b for b in books if b.subsidiary_id == sub.id and entries.get(b.id)]
        group = [
            b
            for b in books
            if b.subsidiary_id is None and b.currency == sub.currency and entries.get(b.id)
        ]
        for book in own or group:
            chosen[sub.id] = Priced(entries[book.id], book)
            break
    return chosen


def _approvers(session: Session) -> dict[tuple[uuid.UUID, str], uuid.UUID]:
    """(subsidiary, role code) → one holder, for the approved contract-signing requests."""
    found: dict[tuple[uuid.UUID, str], uuid.UUID] = {}
    rows = session.execute(
        select(User.id, User.subsidiary_id, Role.code)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .join(Role, Role.id == RoleGrant.role_id)
        .where(Role.code.in_(("finance", "sales_director")))
        .order_by(User.username)
    ).all()
    for user_id, subsidiary_id, role_code in rows:
        if subsidiary_id is not None:
            found.setdefault((subsidiary_id, role_code), user_id)
    return found


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=clock.now().tzinfo)


class _Numbers:
    """Consecutive numbers per (subsidiary, kind, year), assigned in date order."""

    def __init__(self) -> None:
        self.last: dict[tuple[uuid.UUID, str, int], int] = defaultdict(int)

    def take(self, subsidiary: OrgUnit, kind: str, prefix: str, day: date) -> str:
        key = (subsidiary.id, kind, day.year)
        self.last[key] += 1
        return f"{subsidiary.code}-{prefix}-{day.year}-{self.last[key]:06d}"

    def sequence_rows(self) -> list[dict[str, Any]]:
        return [
            {"id": new_id(), "subsidiary_id": s, "kind": k, "year": y, "last_value": v}
            for (s, k, y), v in sorted(self.last.items(), key=lambda i: (str(i[0][0]), i[0][1:]))
        ]


def seed_ltc_demo(session: Session) -> dict[str, int]:
    """Seed catalogue, approval policies, credit rules and two years of lead-to-cash history
    for the demo group's won deals. Expects the sales demo to be seeded in this session."""
    from flotilla.approval_policy.seed import ensure_demo_approvals
    from flotilla.product.seed import ensure_demo_catalogue

    ensure_demo_catalogue(session)
    ensure_demo_approvals(session)
    session.flush()
    rng = random.Random(SEED)
    today = clock.now().date()
    subsidiaries = list(
        session.execute(
            select(OrgUnit).where(OrgUnit.kind == "subsidiary").order_by(OrgUnit.code)
        ).scalars()
    )
    by_id = {s.id: s for s in subsidiaries}
    for sub in subsidiaries:
        days, minimum = CREDIT_RULES.get(sub.code, DEFAULT_CREDIT_RULE)
        exists = session.execute(
            select(CreditRule.id).where(CreditRule.subsidiary_id == sub.id)
        ).first()
        if exists is None:
            session.add(
                CreditRule(subsidiary_id=sub.id, max_overdue_days=days, min_overdue_amount=minimum)
            )
    books = _books(session, subsidiaries)
    approvers = _approvers(session)
    sign_policy = (
        session.execute(
            select(ApprovalPolicy)
            .where(ApprovalPolicy.action == "contract.sign", ApprovalPolicy.is_active.is_(True))
            .order_by(ApprovalPolicy.priority)
        )
        .scalars()
        .first()
    )
    tiers: dict[uuid.UUID, str] = {
        row.id: row.tier for row in session.execute(select(Account.id, Account.tier))
    }
    deals = list(
        session.execute(
            select(Opportunity)
            .where(Opportunity.status == "won", Opportunity.subsidiary_id.in_(list(books)))
            .order_by(Opportunity.closed_at, Opportunity.id)
        ).scalars()
    )
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    numbers = _Numbers()
    contracts: list[dict[str, Any]] = []
    for deal in deals:
        sub = by_id[deal.subsidiary_id]
        priced = books[sub.id]
        closed = (deal.closed_at or deal.updated_at).date()
        quote_day = closed - timedelta(days=rng.randint(7, 30))
        lines = _quote_lines(rng, priced, deal.amount)
        if not lines:
            continue
        quote_totals = totals([line for _product, line in lines])
        quote_id = new_id()
        rows["quote"].append(
            {
                "id": quote_id,
                "subsidiary_id": deal.subsidiary_id,
                "unit_id": deal.unit_id,
                "owner_id": deal.owner_id,
                "number": None,  # numbered below, in date order
                "revision": 1,
                "opportunity_id": deal.id,
                "account_id": deal.account_id,
                "price_book_id": priced.book.id,
                "title": deal.name,
                "currency": priced.book.currency,
                "status": "accepted",
                "valid_until": quote_day + timedelta(days=30),
                "payment_days": 30,
                "notes": None,
                "subtotal_list": quote_totals.subtotal_list,
                "discount_amount": quote_totals.discount_amount,
                "subtotal_net": quote_totals.subtotal_net,
                "tax_amount": quote_totals.tax_amount,
                "total": quote_totals.total,
                "discount_pct": quote_totals.discount_pct,
                "max_line_discount_pct": quote_totals.max_line_discount_pct,
                "below_floor": quote_totals.below_floor,
                "approval_request_id": None,
                "submitted_at": _at(quote_day),
                "accepted_at": _at(closed),
                "is_current": True,
                "version": 1,
                "created_at": _at(quote_day, 9),
                "updated_at": _at(closed),
            }
        )
        for position, (product, line) in enumerate(lines, start=1):
            rows["quote_line"].append(
                {
                    "id": new_id(),
                    "quote_id": quote_id,
                    "subsidiary_id": deal.subsidiary_id,
                    "position": position,
                    "product_id": product.id,
                    "description": None,
                    "quantity": line.quantity,
                    "unit": product.unit,
                    "list_price": line.list_price,
                    "floor_price": line.floor_price,
                    "discount_pct": line.discount_pct,
                    "net_price": line.net_price,
                    "net_amount": line.net_amount,
                    "tax_rate": line.tax_rate,
                    "tax_amount": line.tax_amount,
                    "line_total": line.line_total,
                }
            )
        signed = min(closed + timedelta(days=rng.randint(0, 10)), today)
        contracts.append(
            {
                "deal": deal,
                "sub": sub,
                "quote_id": quote_id,
                "signed": signed,
                "amount": quote_totals.total,
                "tax": quote_totals.tax_amount,
                "currency": priced.book.currency,
            }
        )
    contracts.sort(key=lambda c: (c["signed"], str(c["deal"].id)))
    for item in contracts:
        _contract_rows(rng, rows, numbers, item, today, approvers, sign_policy, tiers)
    for kind, prefix, day_key in (("quote", "QT", "created_at"), ("invoice", "FP", "issued_on")):
        for row in sorted(rows[kind], key=lambda r: (r[day_key], str(r["id"]))):
            day = row[day_key]
            row["number"] = numbers.take(
                by_id[row["subsidiary_id"]],
                kind,
                prefix,
                day.date() if isinstance(day, datetime) else day,
            )
    rows["sequence"] = numbers.sequence_rows()
    order = (
        ("quote", Quote),
        ("quote_line", QuoteLine),
        ("request", None),
        ("contract", Contract),
        ("installment", PaymentInstallment),
        ("invoice", Invoice),
        ("payment", Payment),
        ("allocation", PaymentAllocation),
        ("task", None),
        ("sequence", DocumentSequence),
    )
    from flotilla.models.approval import ApprovalRequest, ApprovalTask

    models: dict[str, Any] = {"request": ApprovalRequest, "task": ApprovalTask}
    for key, model in order:
        batch = rows.get(key, [])
        target = model or models[key]
        for start in range(0, len(batch), 2000):
            session.execute(insert(target), batch[start : start + 2000])
    counts = {key: len(rows.get(key, [])) for key, _model in order}
    audit.record(session, "demo.seed", entity_type=None, changes={"rows": counts})
    session.flush()
    _review_credit(session)
    counts["pending_quote"] = _pending_quote_approvals(session, books, subsidiaries, today)
    return counts


# Quotes waiting for approval right now, so approvers' inboxes and workbenches have work:
# (subsidiary code, rep login suffix, discount %). 15% in 北京 is beyond a manager's 10%.
PENDING_QUOTES = (("BJ", "rep2", 15), ("BJ", "rep3", 8), ("SZ", "rep2", 25), ("SH", "rep2", 14))
# A mid-sized line, so the amount stays within a manager's or director's authority.
PENDING_QUOTE_LIST_PRICE_CAP = Decimal("200000")


def _pending_quote_approvals(
    session: Session, books: dict[uuid.UUID, Priced], subsidiaries: list[OrgUnit], today: date
) -> int:
    """Raise a few real quote approvals through the quote service and the approval engine."""
    from flotilla.core.scope import resolve_scope
    from flotilla.quote import service as quotes
    from flotilla.quote.schemas import QuoteCreate, QuoteLineIn

    by_code = {s.code: s for s in subsidiaries}
    raised = 0
    for code, suffix, discount in PENDING_QUOTES:
        sub = by_code.get(code)
        rep = session.execute(
            select(User).where(User.username == f"{code.lower()}.{suffix}")
        ).scalar_one_or_none()
        if sub is None or rep is None or sub.id not in books:
            continue
        deal = (
            session.execute(
                select(Opportunity)
                .where(Opportunity.owner_id == rep.id, Opportunity.status == "open")
                .order_by(Opportunity.amount.desc(), Opportunity.id)
            )
            .scalars()
            .first()
        )
        if deal is None:
            continue
        priced = books[sub.id]
        affordable = [
            pe for pe in priced.entries if pe[1].list_price <= PENDING_QUOTE_LIST_PRICE_CAP
        ]
        product, _entry = max(
            affordable or priced.entries, key=lambda pe: (pe[1].list_price, pe[0].code)
        )
        scope = resolve_scope(session, rep)
        quote = quotes.create_quote(
            session,
            scope,
            QuoteCreate(
                opportunity_id=deal.id,
                price_book_id=priced.book.id,
                title=f"{deal.name} 报价",
                valid_until=today + timedelta(days=30),
                lines=[
                    QuoteLineIn(
                        product_id=product.id, quantity=Decimal(1), discount_pct=Decimal(discount)
                    )
                ],
            ),
        )
        quotes.submit(session, scope, quote.id, None)
        raised += 1
    return raised


def _quote_lines(rng: random.Random, priced: Priced, target: Decimal) -> list[tuple[Product, Any]]:
    """One main line sized to roughly the deal amount plus up to two smaller ones, at
    discounts within a rep's own authority (history quotes needed no approval)."""
    goods = [(p, e) for p, e in priced.entries if e.list_price > 0]
    if not goods:
        return []
    picks = rng.sample(goods, k=min(len(goods), rng.randint(1, 3)))
    lines = []
    remaining = target
    for index, (product, entry) in enumerate(picks):
        share = remaining if index == len(picks) - 1 else remaining * Decimal("0.7")
        discount = Decimal(rng.choice((0, 0, 2, 3, 5)))
        gross_unit = entry.list_price * (1 + product.tax_rate / 100)
        quantity = max(Decimal(1), (share / gross_unit).quantize(Decimal(1)))
        line = price_line(
            LineInput(
                list_price=entry.list_price,
                floor_price=entry.floor_price,
                quantity=quantity,
                tax_rate=product.tax_rate,
                discount_pct=discount,
            )
        )
        lines.append((product, line))
        remaining = max(Decimal(0), remaining - line.line_total)
    return lines


def _contract_rows(
    rng: random.Random,
    rows: dict[str, list[dict[str, Any]]],
    numbers: _Numbers,
    item: dict[str, Any],
    today: date,
    approvers: dict[tuple[uuid.UUID, str], uuid.UUID],
    sign_policy: ApprovalPolicy | None,
    tiers: dict[uuid.UUID, str],
) -> None:
    deal: Opportunity = item["deal"]
    sub: OrgUnit = item["sub"]
    signed: date = item["signed"]
    amount: Decimal = item["amount"]
    contract_id = new_id()
    request_id = new_id() if sign_policy is not None else None
    base = {
        "subsidiary_id": deal.subsidiary_id,
        "unit_id": deal.unit_id,
        "owner_id": deal.owner_id,
    }
    if request_id is not None and sign_policy is not None:
        decided = _at(signed, 9)
        rows["request"].append(
            {
                "id": request_id,
                **base,
                "action": "contract.sign",
                "record_type": "contract",
                "record_id": contract_id,
                "record_label": deal.name,
                "record_owner_id": deal.owner_id,
                "policy_id": sign_policy.id,
                "policy_snapshot": {
                    "code": sign_policy.code,
                    "name": sign_policy.name,
                    "name_en": sign_policy.name_en,
                    "condition": sign_policy.condition,
                    "steps": sign_policy.steps,
                },
                "facts": {
                    "amount": str(amount),
                    "amount_base": str(amount),
                    "currency": item["currency"],
                    "account.tier": tiers.get(deal.account_id, "smb"),
                },
                "read_fields": ["amount_base"],
                "status": "approved",
                "current_step": max(0, len(sign_policy.steps) - 1),
                "submitted_at": _at(signed - timedelta(days=2)),
                "decided_at": decided,
                "comment": None,
                "void_reason": None,
                "amount_base": amount,
                "base_currency": sub.currency,
                "consumed_at": decided,
                "version": 1,
                "created_at": _at(signed - timedelta(days=2)),
                "updated_at": decided,
            }
        )
        for step_index, role_code in enumerate(("finance", "sales_director")):
            approver = approvers.get((sub.id, role_code))
            if approver is None or step_index >= len(sign_policy.steps):
                continue
            rows["task"].append(
                {
                    "id": new_id(),
                    "request_id": request_id,
                    "subsidiary_id": sub.id,
                    "unit_id": deal.unit_id,
                    "step_index": step_index,
                    "step_name": str(sign_policy.steps[step_index].get("name", role_code)),
                    "mode": "any",
                    "approver_id": approver,
                    "status": "approved",
                    "decided_by_id": approver,
                    "decided_at": _at(signed - timedelta(days=1 - step_index), 11),
                    "comment": "同意",
                    "created_at": _at(signed - timedelta(days=2)),
                }
            )
    installments = []
    planned = Decimal(0)
    for seq, (label, share, days) in enumerate(PLAN, start=1):
        part = quantize(amount * share) if share is not None else amount - planned
        planned += part
        installments.append((seq, label, part, signed + timedelta(days=days)))
    on_time = PAYS_ON_TIME.get(sub.code, DEFAULT_PAYS_ON_TIME)
    fully_paid = True
    for seq, label, part, due in installments:
        installment_id = new_id()
        paid = Decimal(0)
        paid_at: date | None = None
        invoice_day = due - timedelta(days=7)
        if invoice_day <= today:
            rows["invoice"].append(
                {
                    "id": new_id(),
                    **base,
                    "number": None,  # numbered below, in date order
                    "contract_id": contract_id,
                    "installment_id": installment_id,
                    "account_id": deal.account_id,
                    "kind": "vat_special" if sub.currency == "CNY" else "commercial",
                    "amount": part,
                    "tax_amount": quantize(part * item["tax"] / amount) if amount else Decimal(0),
                    "currency": item["currency"],
                    "issued_on": invoice_day,
                    "external_number": None,
                    "status": "issued",
                    "void_reason": None,
                    "version": 1,
                    "created_at": _at(invoice_day),
                    "updated_at": _at(invoice_day),
                }
            )
        if due <= today:
            roll = rng.random()
            if roll < on_time:
                paid, paid_at = part, min(today, due + timedelta(days=rng.randint(-5, 15)))
            elif roll < on_time + (1 - on_time) / 3:
                paid, paid_at = quantize(part / 2), min(today, due + timedelta(days=20))
        if paid > 0 and paid_at is not None:
            payment_id = new_id()
            rows["payment"].append(
                {
                    "id": payment_id,
                    **base,
                    "account_id": deal.account_id,
                    "contract_id": contract_id,
                    "received_on": paid_at,
                    "amount": paid,
                    "currency": item["currency"],
                    "allocated_amount": paid,
                    "method": "bank_transfer",
                    "reference": f"{sub.code}{paid_at:%Y%m%d}{rng.randint(1000, 9999)}",
                    "payer_name": None,
                    "notes": None,
                    "status": "recorded",
                    "version": 1,
                    "created_at": _at(paid_at, 15),
                    "updated_at": _at(paid_at, 15),
                }
            )
            rows["allocation"].append(
                {
                    "id": new_id(),
                    "payment_id": payment_id,
                    "installment_id": installment_id,
                    "subsidiary_id": deal.subsidiary_id,
                    "unit_id": deal.unit_id,
                    "amount": paid,
                    "created_at": _at(paid_at, 15),
                }
            )
        fully_paid = fully_paid and paid == part
        rows["installment"].append(
            {
                "id": installment_id,
                **base,
                "contract_id": contract_id,
                "account_id": deal.account_id,
                "seq": seq,
                "label": label,
                "due_date": due,
                "amount": part,
                "currency": item["currency"],
                "invoiced_amount": part if invoice_day <= today else Decimal(0),
                "paid_amount": paid,
                "paid_at": paid_at if paid == part else None,
                "version": 1,
                "created_at": _at(signed),
                "updated_at": _at(paid_at or signed),
            }
        )
    rows["contract"].append(
        {
            "id": contract_id,
            **base,
            "number": numbers.take(sub, "contract", "HT", signed),
            "title": deal.name,
            "account_id": deal.account_id,
            "opportunity_id": deal.id,
            "quote_id": item["quote_id"],
            "selling_entity_id": sub.id,
            "amount": amount,
            "tax_amount": item["tax"],
            "currency": item["currency"],
            "payment_days": 30,
            "signing_date": signed,
            "start_date": signed,
            "end_date": signed + timedelta(days=365),
            "terms": "标准销售合同条款（集团法务 2025 版）",
            "status": "completed" if fully_paid else "active",
            "approval_request_id": request_id,
            "signed_at": _at(signed, 16),
            "signed_by_id": deal.owner_id,
            "completed_at": _at(signed + timedelta(days=365)) if fully_paid else None,
            "terminated_at": None,
            "termination_reason": None,
            "version": 1,
            "created_at": _at(signed - timedelta(days=3)),
            "updated_at": _at(signed, 16),
        }
    )


def _review_credit(session: Session) -> None:
    """Put accounts that pay too late on credit hold, as the daily job would."""
    from flotilla.receivable import credit

    while credit.review_all(session, clock.now()).more:
        pass
