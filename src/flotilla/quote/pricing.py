"""Quote arithmetic: pure functions over ``Decimal``, no database, no floats.

Every rounding is half away from zero (``ROUND_HALF_UP``, 商业舍入) and happens at the
points named below, in this order, so the same lines always give the same cents:

Per line
    ``net_price   = quantize(list_price × (100 − discount_pct) / 100)``
    (or, when the client sends ``net_price`` instead, that net price as sent and
    ``discount_pct = round_pct((list_price − net_price) / list_price × 100)``)
    ``list_amount = quantize(list_price × quantity)``
    ``net_amount  = quantize(net_price × quantity)``
    ``tax_amount  = quantize(net_amount × tax_rate / 100)``
    ``line_total  = net_amount + tax_amount``

Per quote
    ``subtotal_list   = Σ list_amount``   ``subtotal_net = Σ net_amount``
    ``discount_amount = subtotal_list − subtotal_net``
    ``discount_pct    = round_pct(discount_amount / subtotal_list × 100)`` (0 without lines)
    ``max_line_discount_pct = max(line discount_pct)`` (0 without lines)
    ``below_floor     = any(net_price < floor_price)``
    ``tax_amount      = Σ line tax_amount``   ``total = subtotal_net + tax_amount``
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from flotilla.core.money import quantize

HUNDRED = Decimal(100)
ZERO = Decimal("0.00")
PCT_EXPONENT = Decimal("0.01")


def round_pct(value: Decimal) -> Decimal:
    """A percentage rounded half up to two places (15.005 → 15.01)."""
    return value.quantize(PCT_EXPONENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LineInput:
    """What a line is priced from: the book's list price, floor and the product's tax rate,
    the client's quantity and either a discount or a net price (never both)."""

    list_price: Decimal
    quantity: Decimal
    tax_rate: Decimal
    floor_price: Decimal | None = None
    discount_pct: Decimal | None = None
    net_price: Decimal | None = None


@dataclass(frozen=True)
class PricedLine:
    list_price: Decimal
    floor_price: Decimal | None
    quantity: Decimal
    tax_rate: Decimal
    discount_pct: Decimal
    net_price: Decimal
    list_amount: Decimal
    net_amount: Decimal
    tax_amount: Decimal
    line_total: Decimal

    @property
    def below_floor(self) -> bool:
        return self.floor_price is not None and self.net_price < self.floor_price


@dataclass(frozen=True)
class QuoteTotals:
    subtotal_list: Decimal
    subtotal_net: Decimal
    discount_amount: Decimal
    discount_pct: Decimal
    max_line_discount_pct: Decimal
    below_floor: bool
    tax_amount: Decimal
    total: Decimal


def net_price_for(list_price: Decimal, discount_pct: Decimal) -> Decimal:
    return quantize(list_price * (HUNDRED - discount_pct) / HUNDRED)


def discount_for(list_price: Decimal, net_price: Decimal) -> Decimal:
    """The discount a net price represents, rounded to two places (0 for a free list
    price, whose only allowed net price is 0)."""
    if list_price == 0:
        return round_pct(Decimal(0))
    return round_pct((list_price - net_price) / list_price * HUNDRED)


def line_amounts(
    *,
    list_price: Decimal,
    floor_price: Decimal | None,
    quantity: Decimal,
    tax_rate: Decimal,
    discount_pct: Decimal,
    net_price: Decimal,
) -> PricedLine:
    """A line's amounts from its settled unit prices (used both for new lines and to
    recompute stored ones, whose ``discount_pct`` and ``net_price`` are kept as stored)."""
    list_amount = quantize(list_price * quantity)
    net_amount = quantize(net_price * quantity)
    tax_amount = quantize(net_amount * tax_rate / HUNDRED)
    return PricedLine(
        list_price=quantize(list_price),
        floor_price=None if floor_price is None else quantize(floor_price),
        quantity=quantity,
        tax_rate=tax_rate,
        discount_pct=round_pct(discount_pct),
        net_price=quantize(net_price),
        list_amount=list_amount,
        net_amount=net_amount,
        tax_amount=tax_amount,
        line_total=net_amount + tax_amount,
    )


def price_line(line: LineInput) -> PricedLine:
    """Price one line. With ``net_price`` the client's net price is kept to the cent and the
    discount derived from it; otherwise the net price follows from the discount (0 if none).
    The caller has already refused a line that carries both."""
    if line.discount_pct is not None and line.net_price is not None:
        raise ValueError("a line carries a discount or a net price, not both")
    if line.net_price is not None:
        net_price = quantize(line.net_price)
        discount_pct = discount_for(line.list_price, net_price)
    else:
        discount_pct = round_pct(line.discount_pct or Decimal(0))
        net_price = net_price_for(line.list_price, discount_pct)
    return line_amounts(
        list_price=line.list_price,
        floor_price=line.floor_price,
        quantity=line.quantity,
        tax_rate=line.tax_rate,
        discount_pct=discount_pct,
        net_price=net_price,
    )


def totals(lines: Sequence[PricedLine]) -> QuoteTotals:
    """The quote's totals: sums of the rounded line amounts (never re-rounded sums of
    unrounded products), so the quote always equals the sum of what its lines show."""
    subtotal_list = sum((line.list_amount for line in lines), ZERO)
    subtotal_net = sum((line.net_amount for line in lines), ZERO)
    tax_amount = sum((line.tax_amount for line in lines), ZERO)
    discount_amount = subtotal_list - subtotal_net
    if subtotal_list == 0:
        discount_pct = round_pct(Decimal(0))
    else:
        discount_pct = round_pct(discount_amount / subtotal_list * HUNDRED)
    max_line = max((line.discount_pct for line in lines), default=Decimal(0))
    return QuoteTotals(
        subtotal_list=subtotal_list,
        subtotal_net=subtotal_net,
        discount_amount=discount_amount,
        discount_pct=discount_pct,
        max_line_discount_pct=round_pct(max_line),
        below_floor=any(line.below_floor for line in lines),
        tax_amount=tax_amount,
        total=subtotal_net + tax_amount,
    )
