"""Converting an amount with the month's rate: direct, inverse, same currency, and a missing
rate reported (never taken as 1)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from flotilla.core import fx
from tests.fixtures.factories import World, as_user, make_world
from tests.fixtures.product import make_rate

PATH = "/api/v1/fx-rates/convert"
EN = {"Accept-Language": "en-US"}


@pytest.fixture
def world(db: Session) -> World:
    return make_world(db)


@pytest.fixture
def reader(client: TestClient, db: Session, world: World) -> dict[str, str]:
    return as_user(client, db, world.sub_a, "finance")[1]


def convert(client: TestClient, headers: dict[str, str], **params: Any) -> Any:
    return client.get(PATH, params=params, headers=headers)


def test_a_direct_rate_converts_and_rounds_to_the_cent(
    client: TestClient, db: Session, reader: dict[str, str]
) -> None:
    make_rate(db, "USD", "CNY", date(2026, 10, 1), "7.12345678")
    make_rate(db, "USD", "CNY", date(2026, 10, 1), "7.2", "period_end")
    db.commit()
    response = convert(
        client, reader, amount="1000.05", **{"from": "usd", "to": "CNY"}, date="2026-10-31"
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "amount": "1000.05",
        "from_currency": "USD",
        "to_currency": "CNY",
        "date": "2026-10-31",
        "period": "2026-10-01",
        "rate_type": "average",
        "rate": "7.12345678",
        "rate_source": "direct",
        "converted": "7123.81",  # 7123.8129… half up
    }
    period_end = convert(
        client, reader, amount="10", **{"from": "USD", "to": "CNY"}, date="2026-10-01",
        rate_type="period_end",
    )  # fmt: skip
    assert (period_end.json()["rate"], period_end.json()["converted"]) == ("7.20000000", "72.00")


def test_the_inverse_pair_is_used_when_the_direct_one_is_missing(
    client: TestClient, db: Session, reader: dict[str, str]
) -> None:
    make_rate(db, "HKD", "CNY", date(2026, 10, 1), "0.9")
    db.commit()
    response = convert(
        client, reader, amount="900", **{"from": "CNY", "to": "HKD"}, date="2026-10-15"
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["rate"], body["rate_source"], body["converted"]) == (
        "1.11111111",
        "inverse",
        "1000.00",
    )
    # The same figure the kernel gives analytics.
    assert fx.convert(db, Decimal("900"), "CNY", "HKD", date(2026, 10, 15), "average") == Decimal(
        body["converted"]
    )


def test_the_same_currency_needs_no_rate(client: TestClient, reader: dict[str, str]) -> None:
    response = convert(
        client, reader, amount="12.5", **{"from": "CNY", "to": "CNY"}, date="2026-10-15"
    )
    assert response.status_code == 200, response.text
    assert (response.json()["rate_source"], response.json()["converted"]) == (
        "same_currency",
        "12.50",
    )


def test_a_missing_rate_is_reported_naming_the_pair_and_month(
    client: TestClient, db: Session, reader: dict[str, str]
) -> None:
    # Rates for other months, the other rate type and other pairs do not stand in.
    make_rate(db, "SGD", "CNY", date(2026, 9, 1), "5.3")
    make_rate(db, "SGD", "CNY", date(2026, 10, 1), "5.3", "period_end")
    make_rate(db, "SGD", "USD", date(2026, 10, 1), "0.74")
    db.commit()
    params = {"amount": "100", "from": "SGD", "to": "CNY", "date": "2026-10-20"}
    zh = client.get(PATH, params=params, headers=reader)
    assert zh.status_code == 422, zh.text
    error = zh.json()["error"]
    assert error["code"] == "fx_rate_missing"
    assert error["message"] == "缺少 SGD→CNY 在 2026-10 的汇率（average）"
    assert (error["from_currency"], error["to_currency"], error["period"], error["rate_type"]) == (
        "SGD",
        "CNY",
        "2026-10",
        "average",
    )
    assert "converted" not in zh.text
    en = client.get(
        PATH,
        params={**params, "rate_type": "period_end", "date": "2026-11-02"},
        headers={**reader, **EN},
    )
    assert en.json()["error"]["message"] == "No period_end rate for SGD→CNY in 2026-11"


def test_convert_validates_its_parameters(client: TestClient, reader: dict[str, str]) -> None:
    response = convert(
        client, reader, amount="-1", **{"from": "XYZ", "to": "CNY"}, date="2026-10-15"
    )
    assert response.status_code == 422
    assert {f["field"] for f in response.json()["error"]["fields"]} == {"amount"}
    unknown = convert(client, reader, amount="1", **{"from": "XYZ", "to": "CNY"}, date="2026-10-15")
    assert unknown.status_code == 422
    assert [(f["field"], f["code"]) for f in unknown.json()["error"]["fields"]] == [
        ("from", "invalid_currency")
    ]
    missing = client.get(PATH, params={"amount": "1", "from": "USD"}, headers=reader)
    assert {f["field"] for f in missing.json()["error"]["fields"]} == {"to", "date"}
