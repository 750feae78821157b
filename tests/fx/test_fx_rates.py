"""Maintaining FX rates: one upsert, all-or-nothing bulk uploads, listing and deleting."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flotilla.models.ltc import FxRate
from tests.fixtures.factories import World, as_user, make_world, unknown_id
from tests.fixtures.product import ANALYST, SUBSIDIARY_FX_ADMIN, ensure_test_roles, make_rate

BASE = "/api/v1/fx-rates"
EN = {"Accept-Language": "en-US"}


@pytest.fixture
def world(db: Session) -> World:
    world = make_world(db)
    ensure_test_roles(db)
    return world


@pytest.fixture
def admin(client: TestClient, db: Session, world: World) -> dict[str, str]:
    return as_user(client, db, world.group, "group_admin")[1]


def fields(response: Any) -> set[tuple[str, str]]:
    return {(f["field"], f["code"]) for f in response.json()["error"]["fields"]}


def rate(**overrides: Any) -> dict[str, Any]:
    body = {
        "from_currency": "USD",
        "to_currency": "CNY",
        "period": "2026-10",
        "rate_type": "average",
        "rate": "7.1234",
    }
    body.update(overrides)
    return body


def stored(db: Session) -> list[tuple[str, str, date, str, Decimal]]:
    db.expire_all()
    rows = db.execute(
        select(
            FxRate.from_currency, FxRate.to_currency, FxRate.period, FxRate.rate_type, FxRate.rate
        ).order_by(FxRate.from_currency, FxRate.period, FxRate.rate_type)
    ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


# --- one rate ---------------------------------------------------------------------------------


def test_put_creates_then_updates_the_rate_of_a_month(
    client: TestClient, db: Session, admin: dict[str, str]
) -> None:
    created = client.put(BASE, json=rate(from_currency="usd"), headers=admin)
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["from_currency"], body["period"], body["rate"]) == (
        "USD",
        "2026-10-01",
        "7.12340000",
    )

    updated = client.put(BASE, json=rate(period="2026-10-17", rate="7.2"), headers=admin)
    assert updated.status_code == 200, updated.text
    assert (updated.json()["id"], updated.json()["rate"]) == (body["id"], "7.20000000")
    assert stored(db) == [("USD", "CNY", date(2026, 10, 1), "average", Decimal("7.20000000"))]


def test_put_checks_the_version_when_given(
    client: TestClient, db: Session, admin: dict[str, str]
) -> None:
    first = client.put(BASE, json=rate(), headers=admin).json()
    client.put(BASE, json=rate(rate="7.3"), headers=admin)
    stale = client.put(BASE, json=rate(rate="7.4", version=first["version"]), headers=admin)
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "version_conflict"
    assert stored(db)[0][4] == Decimal("7.3")


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"to_currency": "USD"}, {("to_currency", "fx_same_currency")}),
        ({"from_currency": "XYZ"}, {("from_currency", "invalid_currency")}),
        ({"from_currency": "US"}, {("from_currency", "string_pattern_mismatch")}),
        ({"period": "2026-13"}, {("period", "fx_invalid_period")}),
        ({"period": "2026-02-30"}, {("period", "fx_invalid_period")}),
        ({"period": "Oct 2026"}, {("period", "string_pattern_mismatch")}),
        ({"rate": "0"}, {("rate", "greater_than")}),
        ({"rate": "-7"}, {("rate", "greater_than")}),
        ({"rate": "7.123456789"}, {("rate", "decimal_max_places")}),
        ({"rate_type": "spot"}, {("rate_type", "literal_error")}),
    ],
)
def test_invalid_rates_are_refused(
    client: TestClient,
    db: Session,
    admin: dict[str, str],
    overrides: dict[str, Any],
    expected: set[tuple[str, str]],
) -> None:
    response = client.put(BASE, json=rate(**overrides), headers=admin)
    assert response.status_code == 422, response.text
    assert fields(response) == expected
    assert stored(db) == []


def test_rate_errors_are_explained_in_chinese_and_english(
    client: TestClient, admin: dict[str, str]
) -> None:
    body = rate(to_currency="USD", period="2026-13")
    zh = client.put(BASE, json=body, headers=admin).json()["error"]["fields"]
    en = client.put(BASE, json=body, headers={**admin, **EN}).json()["error"]["fields"]
    assert {f["message"] for f in zh} == {"原币种与目标币种不能相同", "期间应为 YYYY-MM 或有效日期"}
    assert {f["message"] for f in en} == {
        "The two currencies of a rate must differ",
        "The period must be YYYY-MM or a valid date",
    }


# --- bulk -------------------------------------------------------------------------------------


def test_bulk_upserts_every_row(client: TestClient, db: Session, admin: dict[str, str]) -> None:
    make_rate(db, "HKD", "CNY", date(2026, 9, 1), "0.91")
    make_rate(db, "SGD", "CNY", date(2026, 9, 1), "5.31")
    db.commit()
    response = client.post(
        f"{BASE}/bulk",
        json={
            "rates": [
                rate(from_currency="HKD", period="2026-09", rate="0.9123"),
                rate(from_currency="SGD", period="2026-09", rate="5.31"),
                rate(from_currency="HKD", period="2026-09", rate_type="period_end", rate="0.915"),
            ]
        },
        headers=admin,
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"created": 1, "updated": 1, "unchanged": 1}
    assert stored(db) == [
        ("HKD", "CNY", date(2026, 9, 1), "average", Decimal("0.9123")),
        ("HKD", "CNY", date(2026, 9, 1), "period_end", Decimal("0.915")),
        ("SGD", "CNY", date(2026, 9, 1), "average", Decimal("5.31")),
    ]


def test_bulk_is_all_or_nothing_and_names_every_bad_row(
    client: TestClient, db: Session, admin: dict[str, str]
) -> None:
    make_rate(db, "HKD", "CNY", date(2026, 9, 1), "0.91")
    db.commit()
    before = stored(db)
    response = client.post(
        f"{BASE}/bulk",
        json={
            "rates": [
                rate(from_currency="HKD", period="2026-09", rate="0.99"),
                rate(from_currency="EUR", rate="0"),
                rate(from_currency="CNY"),
                rate(period="2026-10-05"),
                rate(period="2026-10"),
                rate(from_currency="ABC"),
            ]
        },
        headers={**admin, **EN},
    )
    assert response.status_code == 422, response.text
    assert fields(response) == {("rates.1.rate", "greater_than")}
    # Schema problems are reported first; once the rows parse, the business checks follow.
    fixed = client.post(
        f"{BASE}/bulk",
        json={
            "rates": [
                rate(from_currency="HKD", period="2026-09", rate="0.99"),
                rate(period="2026-10-05"),
                rate(period="2026-10"),
                rate(from_currency="ABC"),
                rate(from_currency="CNY"),
            ]
        },
        headers={**admin, **EN},
    )
    assert fields(fixed) == {
        ("rates.2.period", "fx_duplicate_row"),
        ("rates.3.from_currency", "invalid_currency"),
        ("rates.4.to_currency", "fx_same_currency"),
    }
    messages = {f["field"]: f["message"] for f in fixed.json()["error"]["fields"]}
    assert messages["rates.2.period"] == "Repeats the currencies, period and rate type of row 1"
    assert stored(db) == before


def test_bulk_needs_at_least_one_row(client: TestClient, admin: dict[str, str]) -> None:
    response = client.post(f"{BASE}/bulk", json={"rates": []}, headers=admin)
    assert response.status_code == 422
    assert fields(response) == {("rates", "too_short")}


# --- who may read and write -------------------------------------------------------------------


def test_only_a_group_wide_fx_admin_writes_rates(
    client: TestClient, db: Session, world: World
) -> None:
    existing = make_rate(db, "USD", "CNY", date(2026, 1, 1), "7.1")
    _finance, finance = as_user(client, db, world.sub_a, "finance")
    _local, local_admin = as_user(client, db, world.sub_a, SUBSIDIARY_FX_ADMIN)
    for headers in (finance, local_admin):
        assert client.put(BASE, json=rate(), headers=headers).status_code == 403
        assert (
            client.post(f"{BASE}/bulk", json={"rates": [rate()]}, headers=headers).status_code
            == 403
        )
        assert client.delete(f"{BASE}/{existing.id}", headers=headers).status_code == 403
    assert len(stored(db)) == 1


@pytest.mark.parametrize(
    ("role", "anchor", "allowed"),
    [
        ("finance", "sub_a", True),  # analytics.read and quote.read
        ("sales_rep", "team_a", True),  # quote.read
        (ANALYST, "group", True),  # analytics.read only
        (SUBSIDIARY_FX_ADMIN, "sub_a", True),  # fx.admin only
        (None, "team_a", False),
    ],
)
def test_who_may_read_rates(
    client: TestClient, db: Session, world: World, role: str | None, anchor: str, allowed: bool
) -> None:
    existing = make_rate(db, "USD", "CNY", date(2026, 1, 1), "7.1")
    _user, headers = as_user(client, db, getattr(world, anchor), role)
    expected = 200 if allowed else 403
    assert client.get(BASE, headers=headers).status_code == expected
    assert client.get(f"{BASE}/{existing.id}", headers=headers).status_code == expected
    converted = client.get(
        f"{BASE}/convert",
        params={"amount": "1", "from": "USD", "to": "CNY", "date": "2026-01-15"},
        headers=headers,
    )
    assert converted.status_code == expected


def test_delete_removes_a_rate(client: TestClient, db: Session, admin: dict[str, str]) -> None:
    existing = make_rate(db, "USD", "CNY", date(2026, 1, 1), "7.1")
    db.commit()
    assert client.delete(f"{BASE}/{existing.id}", headers=admin).status_code == 204
    assert client.delete(f"{BASE}/{existing.id}", headers=admin).status_code == 404
    assert client.get(f"{BASE}/{unknown_id()}", headers=admin).status_code == 404
    assert db.execute(select(func.count()).select_from(FxRate)).scalar_one() == 0


# --- listing ----------------------------------------------------------------------------------


def test_the_list_is_newest_period_first_and_filters(
    client: TestClient, db: Session, admin: dict[str, str]
) -> None:
    for month in (1, 2, 3):
        make_rate(db, "USD", "CNY", date(2026, month, 1), "7.1")
        make_rate(db, "HKD", "CNY", date(2026, month, 1), "0.91", "period_end")
    db.commit()

    def listed(**params: Any) -> list[tuple[str, str, str]]:
        response = client.get(BASE, params=params, headers=admin)
        assert response.status_code == 200, response.text
        return [(i["from_currency"], i["period"], i["rate_type"]) for i in response.json()["items"]]

    assert [p for _c, p, _t in listed()] == [
        "2026-03-01",
        "2026-03-01",
        "2026-02-01",
        "2026-02-01",
        "2026-01-01",
        "2026-01-01",
    ]
    assert listed(from_currency="usd", period_from="2026-02", period_to="2026-03-31") == [
        ("USD", "2026-03-01", "average"),
        ("USD", "2026-02-01", "average"),
    ]
    assert listed(rate_type="period_end", sort="period")[0] == ("HKD", "2026-01-01", "period_end")
    assert listed(to_currency="USD") == []
    bad = client.get(BASE, params={"period_from": "2026-13"}, headers=admin)
    assert bad.status_code == 422
    assert fields(bad) == {("period_from", "fx_invalid_period")}
