"""The fiscal periods kernel: parsing, the period containing a day, shifting, a year earlier
and months — with the fiscal year starting in January and in April."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from flotilla.core.errors import Invalid
from flotilla.core.i18n import translate
from flotilla.core.period import (
    Period,
    add_months,
    fiscal_start_month,
    group_currency,
    parse_period,
    period_containing,
)
from tests.fixtures.factories import make_unit


def _p(kind: str, start: date, end: date, label: str) -> Period:
    return Period(kind, start, end, label)


@pytest.mark.parametrize(
    ("text", "start_month", "expected"),
    [
        ("2026", 1, _p("year", date(2026, 1, 1), date(2027, 1, 1), "2026")),
        ("2026-Q1", 1, _p("quarter", date(2026, 1, 1), date(2026, 4, 1), "2026-Q1")),
        ("2026-Q4", 1, _p("quarter", date(2026, 10, 1), date(2027, 1, 1), "2026-Q4")),
        ("2026-07", 1, _p("month", date(2026, 7, 1), date(2026, 8, 1), "2026-07")),
        ("2026-12", 1, _p("month", date(2026, 12, 1), date(2027, 1, 1), "2026-12")),
        ("2026", 4, _p("year", date(2026, 4, 1), date(2027, 4, 1), "2026")),
        ("2026-Q1", 4, _p("quarter", date(2026, 4, 1), date(2026, 7, 1), "2026-Q1")),
        ("2026-Q3", 4, _p("quarter", date(2026, 10, 1), date(2027, 1, 1), "2026-Q3")),
        ("2026-Q4", 4, _p("quarter", date(2027, 1, 1), date(2027, 4, 1), "2026-Q4")),
        # A month is a calendar month whatever the fiscal year.
        ("2026-02", 4, _p("month", date(2026, 2, 1), date(2026, 3, 1), "2026-02")),
        (" 2026-Q2 ", 1, _p("quarter", date(2026, 4, 1), date(2026, 7, 1), "2026-Q2")),
    ],
)
def test_parse_period(text: str, start_month: int, expected: Period) -> None:
    assert parse_period(text, start_month) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "26",
        "2026-Q0",
        "2026-Q5",
        "2026-00",
        "2026-13",
        "2026-7",
        "2026/07",
        "Q1-2026",
        "0000",
        "9999-Q4",
    ],
)
def test_invalid_period_text_is_a_422_naming_the_text(text: str) -> None:
    with pytest.raises(Invalid) as raised:
        parse_period(text, 4, field="from")

    error = raised.value
    assert (error.status, error.code) == (422, "invalid_period")
    assert [(f.field, f.code, f.params) for f in error.fields] == [
        ("from", "invalid_period", {"value": text})
    ]
    assert translate(error.code, "zh-CN", **error.params) == (
        f"期间“{text}”无效，应为 2026、2026-Q3 或 2026-07"
    )
    assert translate(error.code, "en-US", **error.params) == (
        f"Invalid period “{text}”: use 2026, 2026-Q3 or 2026-07"
    )


@pytest.mark.parametrize(
    ("kind", "day", "start_month", "label", "start"),
    [
        ("month", date(2026, 2, 28), 4, "2026-02", date(2026, 2, 1)),
        ("quarter", date(2026, 2, 28), 1, "2026-Q1", date(2026, 1, 1)),
        ("quarter", date(2026, 2, 28), 4, "2025-Q4", date(2026, 1, 1)),
        ("quarter", date(2026, 4, 1), 4, "2026-Q1", date(2026, 4, 1)),
        ("quarter", date(2026, 3, 31), 4, "2025-Q4", date(2026, 1, 1)),
        ("quarter", date(2026, 12, 31), 4, "2026-Q3", date(2026, 10, 1)),
        ("year", date(2026, 3, 31), 4, "2025", date(2025, 4, 1)),
        ("year", date(2026, 4, 1), 4, "2026", date(2026, 4, 1)),
        ("year", date(2026, 12, 31), 1, "2026", date(2026, 1, 1)),
    ],
)
def test_period_containing(kind: str, day: date, start_month: int, label: str, start: date) -> None:
    found = period_containing(kind, day, start_month)
    assert (found.kind, found.label, found.start) == (kind, label, start)
    assert found.contains(day)
    assert not found.contains(found.end)


def test_shifted_moves_by_whole_periods_across_fiscal_years() -> None:
    q4 = parse_period("2026-Q4", 4)  # January–March 2027
    assert q4.shifted(1, 4) == parse_period("2027-Q1", 4)
    assert q4.shifted(1, 4).start == date(2027, 4, 1)
    assert q4.shifted(-4, 4) == parse_period("2025-Q4", 4)
    assert parse_period("2026-01", 1).shifted(-1, 1) == parse_period("2025-12", 1)
    assert parse_period("2026", 4).shifted(2, 4) == parse_period("2028", 4)


def test_year_earlier_keeps_the_kind_and_the_label_position() -> None:
    assert parse_period("2026-Q1", 4).year_earlier(4) == _p(
        "quarter", date(2025, 4, 1), date(2025, 7, 1), "2025-Q1"
    )
    assert parse_period("2026-03", 1).year_earlier(1) == parse_period("2025-03", 1)
    assert parse_period("2026", 1).year_earlier(1) == parse_period("2025", 1)


def test_months_lists_the_first_day_of_each_month() -> None:
    assert parse_period("2026-Q4", 4).months == [
        date(2027, 1, 1),
        date(2027, 2, 1),
        date(2027, 3, 1),
    ]
    assert parse_period("2026-07", 1).months == [date(2026, 7, 1)]
    year = parse_period("2026", 4).months
    assert (len(year), year[0], year[-1]) == (12, date(2026, 4, 1), date(2027, 3, 1))


def test_add_months_crosses_years_both_ways() -> None:
    assert add_months(date(2026, 11, 15), 3) == date(2027, 2, 1)
    assert add_months(date(2026, 1, 31), -1) == date(2025, 12, 1)


def test_the_group_settings_come_from_the_root(db: Session) -> None:
    assert fiscal_start_month(db) == 1
    root = make_unit(db, None, "group", currency="HKD")
    assert (fiscal_start_month(db), group_currency(db)) == (1, "HKD")
    root.fiscal_year_start_month = 4
    db.flush()
    assert fiscal_start_month(db) == 4
