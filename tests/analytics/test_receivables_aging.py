"""Receivables aging per child unit against the hand-worked dataset (see ``dataset.py``)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.analytics.dataset import Dataset
from tests.fixtures.factories import login

AGING = "/api/v1/analytics/receivables-aging"
AMOUNTS = ("not_due", "d1_30", "d31_90", "d91_180", "over_180", "overdue", "total")


def aging(client: TestClient, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    response = client.get(AGING, params=params, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def amounts(row: dict[str, Any]) -> tuple[str, ...]:
    return tuple(row[code] for code in AMOUNTS)


def test_buckets_per_subsidiary_and_the_group_total(client: TestClient, data: Dataset) -> None:
    w = data.world
    body = aging(client, login(client, data.vp))
    assert body["as_of"] == "2026-12-15"
    assert body["rate_type"] == "period_end"
    assert [b["code"] for b in body["buckets"]] == [
        "not_due",
        "d1_30",
        "d31_90",
        "d91_180",
        "over_180",
    ]
    assert [(r["unit_id"], r["is_total"]) for r in body["rows"]] == [
        (str(w.group.id), True),
        (str(w.sub_a.id), False),
        (str(w.sub_b.id), False),
    ]
    # (not_due, d1_30, d31_90, d91_180, over_180, overdue, total)
    # A: I2 70,000 not due; I1 20,000 15 days; I4 5,000 197 days.
    # B: I5 HK$100,000 not due and I3 HK$100,000 106 days, × 0.90; I6 (USD) has no rate.
    assert amounts(body["rows"][1]) == (
        "70000.00",
        "20000.00",
        "0.00",
        "0.00",
        "5000.00",
        "25000.00",
        "95000.00",
    )
    assert amounts(body["rows"][2]) == (
        "90000.00",
        "0.00",
        "0.00",
        "90000.00",
        "0.00",
        "90000.00",
        "180000.00",
    )
    assert amounts(body["rows"][0]) == (
        "160000.00",
        "20000.00",
        "0.00",
        "90000.00",
        "5000.00",
        "115000.00",
        "275000.00",
    )
    assert body["missing_rates"] == [
        {
            "from_currency": "USD",
            "to_currency": "CNY",
            "period": "2026-12",
            "rate_type": "period_end",
        }
    ]
    assert body["rows"][1]["drill"]["overdue"] == {
        "resource": "receivables",
        "query": {"unit_id": str(w.sub_a.id), "overdue": True, "as_of": "2026-12-15"},
    }


def test_an_earlier_as_of_moves_buckets_and_rates(client: TestClient, data: Dataset) -> None:
    body = aging(client, login(client, data.vp), as_of="2026-11-15")
    # On 2026-11-15 I1 is not due yet and I4 is 167 days late; there is no November
    # period-end HKD rate, so subsidiary B's receivables are left out and listed.
    assert amounts(body["rows"][1]) == (
        "90000.00",
        "0.00",
        "0.00",
        "5000.00",
        "0.00",
        "5000.00",
        "95000.00",
    )
    assert amounts(body["rows"][2]) == ("0.00",) * 7
    assert body["missing_rates"] == [
        {
            "from_currency": "HKD",
            "to_currency": "CNY",
            "period": "2026-11",
            "rate_type": "period_end",
        },
        {
            "from_currency": "USD",
            "to_currency": "CNY",
            "period": "2026-11",
            "rate_type": "period_end",
        },
    ]


def test_director_gets_the_vp_figures_for_their_subsidiary(
    client: TestClient, data: Dataset
) -> None:
    w = data.world
    vp_row = aging(client, login(client, data.vp))["rows"][1]
    headers = login(client, data.director_a)
    mine = aging(client, headers)
    assert mine["unit"]["id"] == str(w.sub_a.id)
    assert amounts(mine["rows"][0]) == amounts(vp_row)
    assert [r["unit_id"] for r in mine["rows"]] == [str(w.sub_a.id), str(w.dept_a.id)]
    assert amounts(mine["rows"][1]) == amounts(vp_row)  # everything sits in dept_a's subtree
    assert (
        client.get(AGING, params={"unit_id": str(w.sub_b.id)}, headers=headers).status_code == 404
    )
