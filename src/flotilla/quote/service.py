"""Quotes (报价): priced lines from a price book, exact totals with tax, revisions, and
submission through the approval engine (action ``quote.submit``).

Invariants:
- A quote sits where its opportunity sits (subsidiary, unit, owner copied at creation) and
  nobody creates one outside their own ``quote.write`` reach (``ensure_still_visible``).
- Prices, floors and tax rates come from the quote's price book and the product, never from
  the client; the currency is the book's. Totals are recomputed from the lines on every
  change of the lines (``pricing``), so a quote always equals the sum of its lines.
- Content changes are allowed in ``draft``, ``pending_approval`` and ``approved`` only. After
  each one the approval engine hears the new facts (``gate.record_changed``): a request it
  voids sends the quote back to ``draft``; an ``approved`` quote that needed no approval goes
  back to ``draft`` as soon as any of its approval facts changes.
- Revisions share the number; exactly one revision of a number is current, and a new one is
  a draft copy of the current one, which becomes ``superseded``.
- Status moves only along: draft → (submit) pending_approval | approved; pending_approval →
  approved | rejected (by the decision) or draft (withdrawn/voided); approved → sent →
  accepted | declined; any non-draft current revision → superseded (revise).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from flotilla.approval import gate, registry
from flotilla.core import audit, clock, lookup
from flotilla.core.errors import Conflict, FieldError, Forbidden, Invalid, field_error
from flotilla.core.pagination import PageRequest, RowPage
from flotilla.core.scope import Scope, ensure_still_visible, get_visible
from flotilla.core.sequence import document_number
from flotilla.models.approval import ApprovalRequest
from flotilla.models.ltc import PriceBook, Quote, QuoteLine
from flotilla.models.sales import Opportunity
from flotilla.product import service as product_service
from flotilla.quote import pricing, repository
from flotilla.quote.repository import QuoteFilters
from flotilla.quote.schemas import (
    ApproverOut,
    QuoteAction,
    QuoteApprovalOut,
    QuoteCreate,
    QuoteDecline,
    QuoteDetailOut,
    QuoteLineIn,
    QuoteLineOut,
    QuoteLinesReplace,
    QuoteOut,
    QuoteUpdate,
)

READ = "quote.read"
WRITE = "quote.write"
OPPORTUNITY_READ = "opportunity.read"
ACTION = "quote.submit"
NUMBER_KIND = "quote"
NUMBER_PREFIX = "QT"
EDITABLE = frozenset({"draft", "pending_approval", "approved"})
LIVE_REQUEST = frozenset({"pending", "approved"})
# ``void_reason`` of a request whose quote was revised (a message code of this feature).
VOID_REVISED = "quote_revised"


def _today() -> date:
    return clock.now().date()


def _label(quote: Quote) -> str:
    return f"{quote.number} v{quote.revision} {quote.title}"[:300]


# --- presentation ------------------------------------------------------------------------


def present(session: Session, scope: Scope, quotes: Sequence[Quote]) -> list[QuoteOut]:
    """Render a page of quotes: account, opportunity and owner names in one query each
    (names of records the caller cannot see stay ``null``)."""
    accounts = lookup.visible_account_names(session, scope, (q.account_id for q in quotes))
    deals = lookup.visible_opportunity_names(session, scope, (q.opportunity_id for q in quotes))
    owners = lookup.user_names(session, (q.owner_id for q in quotes))
    return [
        QuoteOut(
            id=q.id,
            number=q.number,
            revision=q.revision,
            is_current=q.is_current,
            title=q.title,
            status=q.status,
            opportunity_id=q.opportunity_id,
            opportunity_name=deals.get(q.opportunity_id),
            account_id=q.account_id,
            account_name=accounts.get(q.account_id),
            price_book_id=q.price_book_id,
            currency=q.currency,
            valid_until=q.valid_until,
            payment_days=q.payment_days,
            subtotal_list=q.subtotal_list,
            discount_amount=q.discount_amount,
            subtotal_net=q.subtotal_net,
            tax_amount=q.tax_amount,
            total=q.total,
            discount_pct=q.discount_pct,
            max_line_discount_pct=q.max_line_discount_pct,
            below_floor=q.below_floor,
            approval_request_id=q.approval_request_id,
            submitted_at=q.submitted_at,
            accepted_at=q.accepted_at,
            subsidiary_id=q.subsidiary_id,
            unit_id=q.unit_id,
            owner_id=q.owner_id,
            owner_name=owners.get(q.owner_id) if q.owner_id else None,
            version=q.version,
            created_at=q.created_at,
            updated_at=q.updated_at,
        )
        for q in quotes
    ]


def _present_lines(session: Session, lines: Sequence[QuoteLine]) -> list[QuoteLineOut]:
    products = repository.products_by_id(session, (line.product_id for line in lines))
    out = []
    for line in lines:
        amounts = pricing.line_amounts(
            list_price=line.list_price,
            floor_price=line.floor_price,
            quantity=line.quantity,
            tax_rate=line.tax_rate,
            discount_pct=line.discount_pct,
            net_price=line.net_price,
        )
        product = products.get(line.product_id)
        out.append(
            QuoteLineOut(
                id=line.id,
                position=line.position,
                product_id=line.product_id,
                product_code=product.code if product else None,
                product_name=product.name if product else None,
                product_name_en=product.name_en if product else None,
                description=line.description,
                quantity=line.quantity,
                unit=line.unit,
                list_price=line.list_price,
                discount_pct=line.discount_pct,
                net_price=line.net_price,
                list_amount=amounts.list_amount,
                net_amount=line.net_amount,
                tax_rate=line.tax_rate,
                tax_amount=line.tax_amount,
                line_total=line.line_total,
                below_floor=amounts.below_floor,
            )
        )
    return out


def _present_approval(session: Session, request: ApprovalRequest | None) -> QuoteApprovalOut | None:
    if request is None:
        return None
    steps = request.policy_snapshot.get("steps") or []
    step = steps[request.current_step] if 0 <= request.current_step < len(steps) else {}
    approver_ids = (
        repository.pending_approvers(session, request.id, request.current_step)
        if request.status == "pending"
        else []
    )
    names = lookup.user_names(session, approver_ids)
    return QuoteApprovalOut(
        id=request.id,
        status=request.status,
        current_step=request.current_step,
        step_name=step.get("name") if isinstance(step, dict) else None,
        step_name_en=step.get("name_en") if isinstance(step, dict) else None,
        pending_approvers=[
            ApproverOut(user_id=user_id, display_name=names.get(user_id))
            for user_id in approver_ids
        ],
        submitted_at=request.submitted_at,
        decided_at=request.decided_at,
        void_reason=request.void_reason,
    )


def present_detail(session: Session, scope: Scope, quote: Quote) -> QuoteDetailOut:
    """One quote with its lines (product codes and names), its price book's name and the
    state of its latest approval request."""
    summary = present(session, scope, [quote])[0]
    book = repository.price_book(session, quote.price_book_id)
    request = gate.latest_request(session, action=ACTION, record_id=quote.id)
    return QuoteDetailOut(
        **summary.model_dump(),
        notes=quote.notes,
        price_book_name=book.name if book else None,
        lines=_present_lines(session, repository.lines_of(session, quote.id)),
        approval=_present_approval(session, request),
    )


# --- reads --------------------------------------------------------------------------------


def list_quotes(
    session: Session, scope: Scope, page: PageRequest, filters: QuoteFilters
) -> RowPage[Quote]:
    return repository.list_quotes(session, scope, READ, page, filters)


def list_for_opportunity(
    session: Session, scope: Scope, opportunity_id: uuid.UUID, page: PageRequest
) -> RowPage[Quote]:
    """Every revision of every quote on a deal the caller can see (404 otherwise); the
    quotes themselves still pass the caller's ``quote.read`` scope."""
    get_visible(session, scope, Opportunity, OPPORTUNITY_READ, opportunity_id)
    filters = QuoteFilters(opportunity_id=opportunity_id, current_only=False)
    return repository.list_quotes(session, scope, READ, page, filters)


def get_quote(session: Session, scope: Scope, quote_id: uuid.UUID) -> Quote:
    return get_visible(session, scope, Quote, READ, quote_id)


# --- pricing the lines ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Line:
    data: QuoteLineIn
    unit: str
    priced: pricing.PricedLine


def _usable_book(session: Session, subsidiary_id: uuid.UUID, price_book_id: uuid.UUID) -> PriceBook:
    """An active group book or one of the subsidiary's own, within its validity dates."""
    today = _today()
    for book in product_service.books_for_subsidiary(session, subsidiary_id):
        if book.id != price_book_id:
            continue
        if (book.valid_from is None or book.valid_from <= today) and (
            book.valid_to is None or today <= book.valid_to
        ):
            return book
    raise Invalid(fields=[field_error("price_book_id", "quote_price_book_unavailable")])


def _price_lines(session: Session, book: PriceBook, lines: Sequence[QuoteLineIn]) -> list[_Line]:
    """Price every line from the book, or refuse with one field error per bad line."""
    problems: list[FieldError] = []
    priced: list[_Line] = []
    for index, line in enumerate(lines):
        if line.discount_pct is not None and line.net_price is not None:
            problems.append(field_error(f"lines.{index}.net_price", "quote_price_both_given"))
            continue
        price = product_service.price_for(session, book.id, line.product_id)
        if price is None:
            problems.append(field_error(f"lines.{index}.product_id", "quote_product_not_priced"))
            continue
        if line.net_price is not None and line.net_price > price.list_price:
            problems.append(
                field_error(
                    f"lines.{index}.net_price",
                    "quote_net_price_above_list",
                    list_price=str(price.list_price),
                )
            )
            continue
        result = pricing.price_line(
            pricing.LineInput(
                list_price=price.list_price,
                floor_price=price.floor_price,
                quantity=line.quantity,
                tax_rate=price.tax_rate,
                discount_pct=line.discount_pct,
                net_price=line.net_price,
            )
        )
        priced.append(_Line(data=line, unit=price.unit, priced=result))
    if problems:
        raise Invalid(fields=problems)
    return priced


def _write_lines(session: Session, quote: Quote, lines: Sequence[_Line]) -> None:
    for position, line in enumerate(lines, start=1):
        p = line.priced
        session.add(
            QuoteLine(
                quote_id=quote.id,
                subsidiary_id=quote.subsidiary_id,
                position=position,
                product_id=line.data.product_id,
                description=line.data.description,
                quantity=p.quantity,
                unit=line.unit,
                list_price=p.list_price,
                floor_price=p.floor_price,
                discount_pct=p.discount_pct,
                net_price=p.net_price,
                net_amount=p.net_amount,
                tax_rate=p.tax_rate,
                tax_amount=p.tax_amount,
                line_total=p.line_total,
            )
        )


def _apply_totals(quote: Quote, lines: Sequence[pricing.PricedLine]) -> None:
    t = pricing.totals(lines)
    quote.subtotal_list = t.subtotal_list
    quote.subtotal_net = t.subtotal_net
    quote.discount_amount = t.discount_amount
    quote.discount_pct = t.discount_pct
    quote.max_line_discount_pct = t.max_line_discount_pct
    quote.below_floor = t.below_floor
    quote.tax_amount = t.tax_amount
    quote.total = t.total


# --- approval facts --------------------------------------------------------------------------


def _local_facts(quote: Quote) -> tuple[Any, ...]:
    """The approval facts a quote edit can change (the account's and FX-derived ones
    follow from these)."""
    return (
        quote.total,
        quote.currency,
        quote.discount_pct,
        quote.max_line_discount_pct,
        quote.below_floor,
        quote.payment_days,
    )


def _facts(session: Session, quote: Quote, *, strict: bool) -> dict[str, Any]:
    """The ``quote.submit`` facts. ``amount_base`` is the total in the subsidiary's currency
    (``gate.base_amount``): without a rate, submitting (``strict``) is refused with
    ``fx_rate_missing`` — never converted at 1 — while an edit reports it as unknown."""
    amount_base = gate.base_amount(
        session,
        action=ACTION,
        record_id=quote.id,
        amount=quote.total,
        currency=quote.currency,
        subsidiary_id=quote.subsidiary_id,
        field="currency",
        strict=strict,
    )
    return {
        "amount": quote.total,
        "amount_base": amount_base,
        "currency": quote.currency,
        "discount_pct": quote.discount_pct,
        "max_line_discount_pct": quote.max_line_discount_pct,
        "below_floor": quote.below_floor,
        "payment_days": quote.payment_days,
        **gate.account_facts(session, quote.account_id),
    }


def _after_change(session: Session, quote: Quote, before: tuple[Any, ...]) -> None:
    """Tell the approval engine what the quote looks like now. A request it voids (a fact
    its policy reads changed) sends the quote back to draft; so does any fact change of an
    ``approved`` quote that needed no approval at all (its verdict was about other facts)."""
    session.flush()
    voided = gate.record_changed(
        session, action=ACTION, record_id=quote.id, facts=_facts(session, quote, strict=False)
    )
    if quote.status in ("pending_approval", "approved"):
        if any(request.id == quote.approval_request_id for request in voided):
            quote.status = "draft"
            quote.approval_request_id = None
        elif (
            quote.status == "approved"
            and quote.approval_request_id is None
            and _local_facts(quote) != before
        ):
            quote.status = "draft"
    session.flush()


# --- writes -------------------------------------------------------------------------------


def _deal_for_quote(session: Session, scope: Scope, opportunity_id: uuid.UUID) -> Opportunity:
    deal = repository.opportunity_for(session, scope, WRITE, opportunity_id)
    if deal is not None:
        return deal
    if repository.opportunity_for(session, scope, OPPORTUNITY_READ, opportunity_id) is not None:
        # The caller sees the deal but may not quote on it.
        raise Forbidden("out_of_scope")
    raise Invalid(fields=[field_error("opportunity_id", "unknown_reference")])


def _check_valid_until(valid_until: date | None) -> None:
    if valid_until is not None and valid_until < _today():
        raise Invalid(fields=[field_error("valid_until", "quote_valid_until_past")])


def create_quote(session: Session, scope: Scope, data: QuoteCreate) -> Quote:
    """A draft quote (revision 1) on a deal ``quote.write`` reaches, placed with the deal,
    priced from a book the deal's subsidiary may use, numbered ``<SUB>-QT-<year>-<seq>``
    from the subsidiary's gap-free series."""
    scope.require(WRITE)
    deal = _deal_for_quote(session, scope, data.opportunity_id)
    if deal.status == "lost":
        raise Conflict("opportunity_closed")
    book = _usable_book(session, deal.subsidiary_id, data.price_book_id)
    _check_valid_until(data.valid_until)
    lines = _price_lines(session, book, data.lines)
    subsidiary = lookup.unit_by_id(session, deal.subsidiary_id)
    assert subsidiary is not None
    number = document_number(
        session, subsidiary.id, subsidiary.code, NUMBER_KIND, NUMBER_PREFIX, _today().year
    )
    quote = Quote(
        number=number,
        revision=1,
        opportunity_id=deal.id,
        account_id=deal.account_id,
        price_book_id=book.id,
        title=data.title,
        currency=book.currency,
        status="draft",
        valid_until=data.valid_until,
        payment_days=data.payment_days,
        notes=data.notes,
        is_current=True,
        subsidiary_id=deal.subsidiary_id,
        unit_id=deal.unit_id,
        owner_id=deal.owner_id,
    )
    _apply_totals(quote, [line.priced for line in lines])
    session.add(quote)
    session.flush()
    _write_lines(session, quote, lines)
    ensure_still_visible(session, scope, Quote, WRITE, quote.id)
    return quote


def _writable(session: Session, scope: Scope, quote_id: uuid.UUID, version: int | None) -> Quote:
    quote = get_visible(session, scope, Quote, WRITE, quote_id)
    if version is not None and quote.version != version:
        raise Conflict("version_conflict")
    return quote


def _state_conflict(code: str, quote: Quote) -> Conflict:
    """A 409 naming the quote's state (also as ``status`` next to the code, for programs)."""
    return Conflict(code, state=quote.status, extra={"status": quote.status})


def _require_editable(quote: Quote) -> None:
    if quote.status not in EDITABLE or not quote.is_current:
        raise _state_conflict("quote_locked", quote)


def _require_status(quote: Quote, *allowed: str) -> None:
    if quote.status not in allowed or not quote.is_current:
        raise _state_conflict("quote_bad_state", quote)


def update_quote(session: Session, scope: Scope, quote_id: uuid.UUID, data: QuoteUpdate) -> Quote:
    """Edit header fields (title, validity, payment terms, notes) while the quote is
    editable; the approval engine then re-checks the facts (see ``_after_change``)."""
    quote = _writable(session, scope, quote_id, data.version)
    changes: dict[str, Any] = data.model_dump(exclude_unset=True, exclude={"version"})
    for key in ("title", "payment_days"):
        if key in changes and changes[key] is None:
            raise Invalid(fields=[field_error(key, "missing")])
    if not changes:
        return quote
    _require_editable(quote)
    if changes.get("valid_until") is not None:
        _check_valid_until(changes["valid_until"])
    before = _local_facts(quote)
    for key, value in changes.items():
        setattr(quote, key, value)
    _after_change(session, quote, before)
    return quote


def replace_lines(
    session: Session, scope: Scope, quote_id: uuid.UUID, data: QuoteLinesReplace
) -> Quote:
    """Replace every line, re-priced from the quote's book as it stands today, and
    recompute the totals; the approval engine then re-checks the facts."""
    quote = _writable(session, scope, quote_id, data.version)
    _require_editable(quote)
    book = _usable_book(session, quote.subsidiary_id, quote.price_book_id)
    lines = _price_lines(session, book, data.lines)
    before = _local_facts(quote)
    repository.delete_lines(session, quote.id)
    _write_lines(session, quote, lines)
    _apply_totals(quote, [line.priced for line in lines])
    _after_change(session, quote, before)
    return quote


def submit(session: Session, scope: Scope, quote_id: uuid.UUID, data: QuoteAction | None) -> Quote:
    """Submit a draft with lines: the engine decides whether ``quote.submit`` needs
    approval for these facts. Not required (or already approved) → ``approved``;
    otherwise ``pending_approval`` with the request's id."""
    quote = _writable(session, scope, quote_id, data.version if data else None)
    _require_status(quote, "draft")
    if not repository.lines_of(session, quote.id):
        raise Invalid("quote_no_lines", fields=[field_error("lines", "quote_no_lines")])
    facts = _facts(session, quote, strict=True)
    result = gate.guard(
        session, scope, action=ACTION, record=quote, label=_label(quote), facts=facts
    )
    quote.submitted_at = clock.now()
    quote.approval_request_id = result.request.id if result.request is not None else None
    quote.status = "pending_approval" if result.status == "pending" else "approved"
    session.flush()
    return quote


def _refuse_if_expired(quote: Quote) -> None:
    if quote.valid_until is not None and quote.valid_until < _today():
        raise Conflict(
            "quote_expired",
            valid_until=quote.valid_until.isoformat(),
            extra={"valid_until": quote.valid_until.isoformat()},
        )


def send(session: Session, scope: Scope, quote_id: uuid.UUID, data: QuoteAction | None) -> Quote:
    """Send an approved, unexpired quote to the customer. Sending is what the approval was
    for, so the approval request is consumed here (one approval, one quote sent)."""
    quote = _writable(session, scope, quote_id, data.version if data else None)
    if quote.status == "pending_approval":
        # The guarded action is impossible until approved: say so, naming the request.
        waiting = gate.latest_request(session, action=ACTION, record_id=quote.id)
        if waiting is not None and waiting.status == "pending":
            raise gate.ApprovalPending(waiting)
    _require_status(quote, "approved")
    _refuse_if_expired(quote)
    if quote.approval_request_id is not None:
        request = gate.latest_request(session, action=ACTION, record_id=quote.id)
        if (
            request is not None
            and request.id == quote.approval_request_id
            and request.status == "approved"
            and request.consumed_at is None
        ):
            gate.consume(session, request)
    quote.status = "sent"
    session.flush()
    return quote


def accept(session: Session, scope: Scope, quote_id: uuid.UUID, data: QuoteAction | None) -> Quote:
    """The customer accepted a sent quote, on or before its ``valid_until`` day."""
    quote = _writable(session, scope, quote_id, data.version if data else None)
    _require_status(quote, "sent")
    _refuse_if_expired(quote)
    quote.status = "accepted"
    quote.accepted_at = clock.now()
    session.flush()
    return quote


def decline(session: Session, scope: Scope, quote_id: uuid.UUID, data: QuoteDecline) -> Quote:
    """The customer declined a sent quote; the reason goes on the audit trail."""
    quote = _writable(session, scope, quote_id, data.version)
    _require_status(quote, "sent")
    quote.status = "declined"
    session.flush()
    audit.record(
        session,
        "quote.decline",
        entity_type="quote",
        entity_id=quote.id,
        entity_label=quote.audit_label(),
        unit_id=quote.unit_id,
        subsidiary_id=quote.subsidiary_id,
        changes={"reason": {"before": None, "after": data.reason}},
    )
    return quote


def revise(session: Session, scope: Scope, quote_id: uuid.UUID, data: QuoteAction | None) -> Quote:
    """Open revision n+1 of a non-draft current quote as a draft copy (same number, lines
    and terms); the old revision becomes ``superseded`` and a request still waiting on it
    is voided, so nobody approves a quote that no longer counts."""
    quote = _writable(session, scope, quote_id, data.version if data else None)
    if quote.status == "draft" or not quote.is_current:
        raise _state_conflict("quote_bad_state", quote)
    revisions = repository.revisions_of(session, quote.subsidiary_id, quote.number)
    lines = repository.lines_of(session, quote.id)
    # Superseded first (the versioned UPDATE makes a concurrent revise fail with 409), then
    # the open request is voided: its outcome no longer moves a revision that is not current.
    quote.status = "superseded"
    quote.is_current = False
    session.flush()
    _void_open_request(session, quote)
    new = Quote(
        number=quote.number,
        revision=max(r.revision for r in revisions) + 1,
        opportunity_id=quote.opportunity_id,
        account_id=quote.account_id,
        price_book_id=quote.price_book_id,
        title=quote.title,
        currency=quote.currency,
        status="draft",
        valid_until=quote.valid_until,
        payment_days=quote.payment_days,
        notes=quote.notes,
        subtotal_list=quote.subtotal_list,
        discount_amount=quote.discount_amount,
        subtotal_net=quote.subtotal_net,
        tax_amount=quote.tax_amount,
        total=quote.total,
        discount_pct=quote.discount_pct,
        max_line_discount_pct=quote.max_line_discount_pct,
        below_floor=quote.below_floor,
        is_current=True,
        subsidiary_id=quote.subsidiary_id,
        unit_id=quote.unit_id,
        owner_id=quote.owner_id,
    )
    session.add(new)
    session.flush()
    for line in lines:
        session.add(
            QuoteLine(
                quote_id=new.id,
                subsidiary_id=new.subsidiary_id,
                position=line.position,
                product_id=line.product_id,
                description=line.description,
                quantity=line.quantity,
                unit=line.unit,
                list_price=line.list_price,
                floor_price=line.floor_price,
                discount_pct=line.discount_pct,
                net_price=line.net_price,
                net_amount=line.net_amount,
                tax_rate=line.tax_rate,
                tax_amount=line.tax_amount,
                line_total=line.line_total,
            )
        )
    ensure_still_visible(session, scope, Quote, WRITE, new.id)
    return new


def _void_open_request(session: Session, quote: Quote) -> None:
    """Void the request a revision's status rests on while it is still open (pending, or
    approved and never used to send the quote)."""
    request = gate.latest_request(session, action=ACTION, record_id=quote.id)
    if request is None or request.status not in LIVE_REQUEST:
        return
    if request.status == "approved" and request.consumed_at is not None:
        return
    gate.void(session, request, VOID_REVISED)


# --- the approval outcome --------------------------------------------------------------------


@registry.on_outcome(ACTION)
def on_decision(session: Session, request: ApprovalRequest, outcome: registry.Outcome) -> None:
    """Move the quote a ``quote.submit`` request was raised for: approved → ``approved``;
    rejected → ``rejected``; withdrawn or voided → ``draft``. Only the request the quote's
    status rests on moves it (an older request of a superseded revision moves nothing)."""
    quote = repository.quote_for_outcome(session, request.record_id)
    if quote is None or not quote.is_current or quote.approval_request_id != request.id:
        return
    if outcome == "approved" and quote.status == "pending_approval":
        quote.status = "approved"
    elif outcome == "rejected" and quote.status == "pending_approval":
        quote.status = "rejected"
    elif outcome in ("withdrawn", "voided") and quote.status in ("pending_approval", "approved"):
        quote.status = "draft"
        quote.approval_request_id = None
    session.flush()
