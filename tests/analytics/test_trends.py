"""Monthly trends with MoM and YoY against the hand-worked dataset (see ``dataset.py``)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.analytics.dataset import Dataset
from tests.fixtures.factories import login

TRENDS = "/api/v1/analytics/trends"


def trends(client: TestClient, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    response = client.get(TRENDS, params=params, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def series(body: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (
            p["month"],
            p["value"],
            p["previous_month_value"],
            p["mom"],
            p["previous_year_value"],
            p["yoy"],
        )
        for p in body["points"]
    ]


def test_contract_amount_by_month_with_mom_and_yoy(client: TestClient, data: Dataset) -> None:
    body = trends(
        client,
        login(client, data.vp),
        metric="contract_amount",
        **{"from": "2026-09", "to": "2026-12"},
    )
    assert body["unit"]["id"] == str(data.world.group.id)
    assert body["rate_type"] == "average"
    assert body["currency"] == "CNY"
    assert series(body) == [
        # C8 70,000; nothing in August or a year earlier.
        ("2026-09", "70000.00", "0.00", None, "0.00", None),
        # C1 100,000 + C4 HK$200,000 × 0.92; MoM 214,000 ÷ 70,000; YoY against C10 200,000.
        ("2026-10", "284000.00", "70000.00", "3.0571", "200000.00", "0.4200"),
        # C2 50,000 + C3 30,000; MoM −204,000 ÷ 284,000.
        ("2026-11", "80000.00", "284000.00", "-0.7183", "0.00", None),
        # C5 has no December rate: left out and listed.
        ("2026-12", "0.00", "80000.00", "-1.0000", "0.00", None),
    ]
    assert body["missing_rates"] == [
        {"from_currency": "HKD", "to_currency": "CNY", "period": "2026-12", "rate_type": "average"}
    ]
    assert body["points"][1]["drill"] == {
        "resource": "contracts",
        "query": {
            "unit_id": str(data.world.group.id),
            "signed_from": "2026-10-01",
            "signed_to": "2026-10-31",
        },
    }


def test_counts_trend_as_whole_numbers(client: TestClient, data: Dataset) -> None:
    body = trends(
        client,
        login(client, data.vp),
        metric="new_customers",
        **{"from": "2026-10", "to": "2026-12"},
    )
    assert body["rate_type"] is None
    # A1, A2, A3; September had A4 and A5 (UTC bounds: A5 is September 30 in UTC).
    assert series(body) == [
        ("2026-10", 1, 2, "-0.5000", 0, None),
        ("2026-11", 1, 1, "0.0000", 0, None),
        ("2026-12", 1, 1, "0.0000", 0, None),
    ]
    assert body["points"][0]["drill"] == {
        "resource": "accounts",
        "query": {
            "unit_id": str(data.world.group.id),
            "created_from": "2026-10-01",
            "created_to": "2026-10-31",
        },
    }


def test_won_amount_of_a_subsidiary(client: TestClient, data: Dataset) -> None:
    body = trends(
        client,
        login(client, data.vp),
        metric="won_amount",
        unit_id=str(data.world.sub_b.id),
        **{"from": "2026-10", "to": "2026-12"},
    )
    # O4 HK$100,000 × 0.91 in November; O6 (December) has no rate; O5 was lost.
    assert [(p["month"], p["value"], p["mom"]) for p in body["points"]] == [
        ("2026-10", "0.00", None),
        ("2026-11", "91000.00", None),
        ("2026-12", "0.00", "-1.0000"),
    ]
    assert body["points"][1]["drill"]["query"] == {
        "unit_id": str(data.world.sub_b.id),
        "status": "won",
        "closed_from": "2026-11-01",
        "closed_to": "2026-11-30",
    }


def test_default_range_is_the_last_twelve_months(client: TestClient, data: Dataset) -> None:
    body = trends(client, login(client, data.vp), metric="activities")
    assert (body["from_month"], body["to_month"]) == ("2026-01", "2026-12")
    values = {p["month"]: p["value"] for p in body["points"]}
    assert len(values) == 12
    assert (values["2026-09"], values["2026-10"], values["2026-11"], values["2026-12"]) == (
        1,
        3,
        6,
        1,
    )


def test_director_trends_stop_at_their_subsidiary(client: TestClient, data: Dataset) -> None:
    headers = login(client, data.director_a)
    body = trends(client, headers, metric="contract_amount", **{"from": "2026-10", "to": "2026-11"})
    assert body["unit"]["id"] == str(data.world.sub_a.id)
    assert [p["value"] for p in body["points"]] == ["100000.00", "80000.00"]
    hidden = client.get(
        TRENDS,
        params={"metric": "contract_amount", "unit_id": str(data.world.sub_b.id)},
        headers=headers,
    )
    assert hidden.status_code == 404


def test_bad_ranges_are_422(client: TestClient, data: Dataset) -> None:
    headers = {**login(client, data.vp), "Accept-Language": "en-US"}

    def error(**params: str) -> dict[str, Any]:
        response = client.get(TRENDS, params={"metric": "won_deals", **params}, headers=headers)
        assert response.status_code == 422, response.text
        body: dict[str, Any] = response.json()["error"]
        return body

    too_long = error(**{"from": "2024-01", "to": "2027-01"})  # 37 months
    assert too_long["fields"] == [
        {
            "field": "from",
            "code": "analytics_month_range_too_long",
            "message": "A trend covers at most 36 months",
        }
    ]
    reversed_range = error(**{"from": "2026-12", "to": "2026-01"})
    assert reversed_range["fields"][0]["code"] == "analytics_month_range_reversed"
    malformed = error(**{"from": "2026-13"})
    assert malformed["fields"] == [
        {
            "field": "from",
            "code": "analytics_invalid_month",
            "message": "Invalid month “2026-13”: use the form 2026-07",
        }
    ]
    assert error(metric="satisfaction")["code"] == "validation_failed"
    # Exactly 36 months is fine.
    ok = client.get(
        TRENDS,
        params={"metric": "won_deals", "from": "2024-01", "to": "2026-12"},
        headers=headers,
    )
    assert ok.status_code == 200
    assert len(ok.json()["points"]) == 36
