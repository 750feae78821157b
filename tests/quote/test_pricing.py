"""Quote arithmetic, checked against numbers worked out by hand (see the comments)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from flotilla.quote import pricing
from flotilla.quote.pricing import LineInput


def _licence() -> pricing.PricedLine:
    # 3 × ¥12,345.67 at 15% off, 13% VAT:
    #   net price  12,345.67 × 0.85 = 10,493.8195        → 10,493.82
    #   list       12,345.67 × 3    = 37,037.01
    #   net        10,493.82 × 3    = 31,481.46
    #   VAT        31,481.46 × 0.13 =  4,092.5898        →  4,092.59
    #   line total 31,481.46 + 4,092.59 = 35,574.05
    return pricing.price_line(
        LineInput(D("12345.67"), D("3"), D("13"), floor_price=D("10000"), discount_pct=D("15"))
    )


def _service() -> pricing.PricedLine:
    # 1.5 人天 × ¥1,999.99 at 10% off, 6% VAT — two half-cent cases:
    #   net price  1,999.99 × 0.9 = 1,799.991            → 1,799.99
    #   list       1,999.99 × 1.5 = 2,999.985            → 2,999.99 (half up; half-even: .98)
    #   net        1,799.99 × 1.5 = 2,699.985            → 2,699.99 (half up; half-even: .98)
    #   VAT        2,699.99 × 0.06 = 161.9994            →   162.00
    #   line total 2,699.99 + 162.00 = 2,861.99
    return pricing.price_line(LineInput(D("1999.99"), D("1.5"), D("6"), discount_pct=D("10")))


def test_a_discounted_licence_line_is_priced_to_the_cent() -> None:
    line = _licence()
    assert line.net_price == D("10493.82")
    assert line.list_amount == D("37037.01")
    assert line.net_amount == D("31481.46")
    assert line.tax_amount == D("4092.59")
    assert line.line_total == D("35574.05")
    assert line.discount_pct == D("15.00")
    assert not line.below_floor


def test_half_cents_round_away_from_zero() -> None:
    line = _service()
    assert line.net_price == D("1799.99")
    assert line.list_amount == D("2999.99")
    assert line.net_amount == D("2699.99")
    assert line.tax_amount == D("162.00")
    assert line.line_total == D("2861.99")


def test_quote_totals_are_sums_of_the_rounded_lines() -> None:
    totals = pricing.totals([_licence(), _service()])
    # subtotal list 37,037.01 + 2,999.99 = 40,037.00; net 31,481.46 + 2,699.99 = 34,181.45
    assert totals.subtotal_list == D("40037.00")
    assert totals.subtotal_net == D("34181.45")
    # discount 40,037.00 − 34,181.45 = 5,855.55 = 14.6253…% → 14.63
    assert totals.discount_amount == D("5855.55")
    assert totals.discount_pct == D("14.63")
    assert totals.max_line_discount_pct == D("15.00")
    # VAT 4,092.59 + 162.00 = 4,254.59; total 34,181.45 + 4,254.59 = 38,436.04
    assert totals.tax_amount == D("4254.59")
    assert totals.total == D("38436.04")
    assert totals.below_floor is False


def test_a_net_price_is_kept_and_the_discount_derived_from_it() -> None:
    # 10,000.00 against 12,345.67: (2,345.67 / 12,345.67) × 100 = 18.9999…% → 19.00
    line = pricing.price_line(LineInput(D("12345.67"), D("3"), D("13"), net_price=D("10000")))
    assert line.net_price == D("10000.00")
    assert line.discount_pct == D("19.00")
    assert line.net_amount == D("30000.00")
    assert line.tax_amount == D("3900.00")
    assert line.line_total == D("33900.00")


def test_a_derived_discount_rounds_half_up_to_two_places() -> None:
    # 200.00 − 169.99 = 30.01 → 15.005% → 15.01 (half-even would give 15.00)
    line = pricing.price_line(LineInput(D("200"), D("1"), D("0"), net_price=D("169.99")))
    assert line.discount_pct == D("15.01")


def test_a_net_price_under_the_floor_is_flagged() -> None:
    line = pricing.price_line(
        LineInput(D("100"), D("1"), D("13"), floor_price=D("80"), discount_pct=D("20.01"))
    )
    assert line.net_price == D("79.99")
    assert line.below_floor
    assert pricing.totals([line]).below_floor
    at_floor = pricing.price_line(
        LineInput(D("100"), D("1"), D("13"), floor_price=D("80"), discount_pct=D("20"))
    )
    assert not at_floor.below_floor


def test_a_quote_without_lines_is_all_zero() -> None:
    totals = pricing.totals([])
    assert totals.total == D("0.00")
    assert totals.discount_pct == D("0.00")
    assert totals.max_line_discount_pct == D("0.00")
    assert totals.below_floor is False


def test_a_free_list_price_has_no_discount() -> None:
    line = pricing.price_line(LineInput(D("0"), D("2"), D("6"), net_price=D("0")))
    assert (line.discount_pct, line.line_total) == (D("0.00"), D("0.00"))
    assert pricing.totals([line]).discount_pct == D("0.00")


def test_a_fractional_quantity_keeps_four_places() -> None:
    # 0.3333 × 999.99 = 333.296667 → 333.30; VAT 13%: 43.329 → 43.33
    line = pricing.price_line(LineInput(D("999.99"), D("0.3333"), D("13")))
    assert line.net_amount == D("333.30")
    assert line.tax_amount == D("43.33")


def test_a_line_with_both_a_discount_and_a_net_price_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        pricing.price_line(LineInput(D("1"), D("1"), D("0"), discount_pct=D("1"), net_price=D("1")))
