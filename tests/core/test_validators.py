"""Legal-entity field validators: USCC (GB 32100-2015), ISO 4217 currency, IANA time zone."""

from __future__ import annotations

import pytest
from stdnum.cn import uscc as uscc_number

from flotilla.core.errors import Invalid
from flotilla.core.validators import (
    check_org_fields,
    is_valid_currency,
    is_valid_timezone,
    is_valid_uscc,
    normalize_uscc,
)

# 17 characters of body; the 18th is the weighted check character.
BODIES = ["91310115MA1K4A2B3", "91110108MA01C3PX1", "9111000010000000X", "12100000400000398"]


def _with_check(body: str) -> str:
    return body + uscc_number.calc_check_digit(body)


@pytest.mark.parametrize("body", BODIES)
def test_a_uscc_with_the_right_check_character_is_valid(body: str) -> None:
    assert is_valid_uscc(_with_check(body))


@pytest.mark.parametrize("body", BODIES)
def test_every_wrong_check_character_is_rejected(body: str) -> None:
    good = _with_check(body)
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    for wrong in alphabet.replace(good[-1], ""):
        assert not is_valid_uscc(body + wrong), body + wrong


def test_a_single_changed_body_character_breaks_the_check() -> None:
    good = _with_check(BODIES[0])
    tampered = good[:10] + ("1" if good[10] != "1" else "2") + good[11:]
    assert not is_valid_uscc(tampered)


@pytest.mark.parametrize(
    "value",
    [
        "",
        _with_check(BODIES[0])[:-1],  # 17 characters
        _with_check(BODIES[0]) + "0",  # 19 characters
        "A" + _with_check(BODIES[0])[1:],  # the first 8 must be digits
        _with_check(BODIES[0])[:10] + "I" + _with_check(BODIES[0])[11:],  # no I, O, S, V, Z
        "９１３１０１１５ＭＡ１Ｋ４Ａ２Ｂ３Ｘ",  # full-width characters
    ],
)
def test_malformed_uscc_values_are_rejected(value: str) -> None:
    assert not is_valid_uscc(value)


def test_normalizing_a_uscc_removes_spaces_and_dashes_and_uppercases() -> None:
    good = _with_check(BODIES[0])
    typed = f" {good[:6].lower()} {good[6:12].lower()}-{good[12:].lower()} "

    assert normalize_uscc(typed) == good
    assert is_valid_uscc(normalize_uscc(typed))


@pytest.mark.parametrize("code", ["CNY", "HKD", "USD", "EUR", "JPY", "SGD"])
def test_iso_4217_currencies_are_valid(code: str) -> None:
    assert is_valid_currency(code)


@pytest.mark.parametrize("code", ["", "RMB", "ABC", "US", "USDT", "cny", "Cny", "12X", "C N"])
def test_other_currency_codes_are_rejected(code: str) -> None:
    assert not is_valid_currency(code)


@pytest.mark.parametrize("name", ["Asia/Shanghai", "Asia/Hong_Kong", "Europe/Berlin", "UTC"])
def test_iana_time_zones_are_valid(name: str) -> None:
    assert is_valid_timezone(name)


@pytest.mark.parametrize(
    "name",
    [
        "",
        "Mars/Olympus_Mons",
        "asia/shanghai",
        "Beijing",
        "../../etc/passwd",
        "/etc/localtime",
        "Asia/Shanghai\x00",
        "UTC+8",
    ],
)
def test_other_time_zone_names_are_rejected(name: str) -> None:
    assert not is_valid_timezone(name)


def test_check_org_fields_returns_normalized_uscc_and_currency() -> None:
    good = _with_check(BODIES[1])

    assert check_org_fields(uscc=good.lower(), currency="hkd", timezone="Asia/Hong_Kong") == (
        good,
        "HKD",
    )
    assert check_org_fields(uscc=None, currency=None, timezone=None) == (None, None)


def test_check_org_fields_reports_every_bad_field_at_once() -> None:
    bad_uscc = _with_check(BODIES[0])[:-1] + "0"
    if is_valid_uscc(bad_uscc):
        bad_uscc = bad_uscc[:-1] + "1"

    with pytest.raises(Invalid) as raised:
        check_org_fields(uscc=bad_uscc, currency="RMB", timezone="Nowhere/City")

    assert raised.value.status == 422
    assert [(f.field, f.code) for f in raised.value.fields] == [
        ("uscc", "invalid_uscc"),
        ("currency", "invalid_currency"),
        ("timezone", "invalid_timezone"),
    ]
