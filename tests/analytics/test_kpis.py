"""The KPI league table against the hand-worked dataset (see ``dataset.py`` for every row)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from flotilla.analytics import facts
from flotilla.analytics.facts import MissingRate
from flotilla.core.scope import resolve_scope
from tests.analytics.dataset import Dataset
from tests.fixtures.factories import login

KPIS = "/api/v1/analytics/kpis"
FIGURES = (
    "won_count",
    "lost_count",
    "win_rate",
    "won_amount",
    "average_deal_size",
    "cycle_days",
    "open_pipeline",
    "weighted_pipeline",
    "remaining_target",
    "coverage",
    "overdue_receivables",
    "stalled_deals",
)


def kpis(client: TestClient, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    response = client.get(KPIS, params=params, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def row_of(body: dict[str, Any], unit_or_user: uuid.UUID) -> dict[str, Any]:
    key = str(unit_or_user)
    found = [
        r
        for r in body["rows"]
        if (r["user_id"] == key if r["kind"] == "person" else r["unit_id"] == key)
    ]
    assert len(found) == 1, f"no single row for {key}"
    return found[0]


def metric(row: dict[str, Any], name: str) -> tuple[Any, Any, Any]:
    figure = row["metrics"][name]
    return figure["target"], figure["actual"], figure["ratio"]


def figures(row: dict[str, Any]) -> dict[str, Any]:
    return {name: row[name] for name in FIGURES}


def test_group_league_table_of_the_vp(client: TestClient, data: Dataset) -> None:
    w = data.world
    body = kpis(client, login(client, data.vp))

    assert body["unit"]["id"] == str(w.group.id)  # the VP's top visible unit
    assert body["period"] == {
        "label": "2026-Q4",
        "kind": "quarter",
        "start": "2026-10-01",
        "end": "2027-01-01",
    }
    assert body["currency"] == "CNY"
    assert body["rate_types"] == {"flows": "average", "balances": "period_end"}
    assert body["as_of"] == "2026-12-15"
    assert body["pipeline_as_of_month"] == "2026-12"
    # C5 and O6 were signed/won in December (no HKD average); I6 is in USD (no rate).
    assert body["missing_rates"] == [
        {"from_currency": "HKD", "to_currency": "CNY", "period": "2026-12", "rate_type": "average"},
        {
            "from_currency": "USD",
            "to_currency": "CNY",
            "period": "2026-12",
            "rate_type": "period_end",
        },
    ]
    # Total, then the subsidiaries by rank, then the one person seated at the group (the VP).
    assert [(r["kind"], r["unit_id"], r["is_total"], r["rank"]) for r in body["rows"]] == [
        ("unit", str(w.group.id), True, None),
        ("unit", str(w.sub_a.id), False, 1),
        ("unit", str(w.sub_b.id), False, 2),
        # The VP has neither a target nor a signed contract: listed, unranked.
        ("person", str(w.group.id), False, None),
    ]

    group = row_of(body, w.group.id)
    # C1 100,000 + C2 50,000 + C3 30,000 + C4 HK$200,000 × 0.92 (C5 left out: no rate).
    assert metric(group, "contract_amount") == ("500000.00", "364000.00", "0.7280")
    # P1 60,000 + P4 10,000 + P3 HK$50,000 × 0.91; P2 was reversed.
    assert metric(group, "payment_collected") == (None, "115500.00", None)
    assert metric(group, "new_customers") == (None, 3, None)
    assert metric(group, "won_deals") == (None, 4, None)
    assert metric(group, "activities") == (None, 10, None)
    assert figures(group) == {
        "won_count": 4,
        "lost_count": 2,
        "win_rate": "0.6667",
        # O1 80,000 + O2 40,000 + O4 HK$100,000 × 0.91 (O6 left out: no December rate).
        "won_amount": "211000.00",
        "average_deal_size": "52750.00",  # 211,000 ÷ 4
        "cycle_days": "55.0",  # (40 + 50 + 100 + 30) ÷ 4
        # O8 100,000 + O9 25,000 + O10 HK$300,000 × 0.90 (period-end, December).
        "open_pipeline": "395000.00",
        # 50,000 + 20,000 + HK$30,000 × 0.90.
        "weighted_pipeline": "97000.00",
        "remaining_target": "136000.00",  # 500,000 − 364,000
        "coverage": "0.7132",  # 97,000 ÷ 136,000
        # I1 20,000 + I4 5,000 + I3 HK$100,000 × 0.90 (I6 in USD left out).
        "overdue_receivables": "115000.00",
        "stalled_deals": 2,  # O8 and O11
    }

    sub_a = row_of(body, w.sub_a.id)
    assert metric(sub_a, "contract_amount") == ("150000.00", "180000.00", "1.2000")
    assert metric(sub_a, "payment_collected") == (None, "70000.00", None)
    assert metric(sub_a, "new_customers") == (0, 2, None)  # a target of 0 has no ratio
    assert metric(sub_a, "won_deals") == (4, 2, "0.5000")
    assert metric(sub_a, "activities") == (None, 6, None)
    assert figures(sub_a) == {
        "won_count": 2,
        "lost_count": 1,
        "win_rate": "0.6667",
        "won_amount": "120000.00",
        "average_deal_size": "60000.00",
        "cycle_days": "45.0",
        "open_pipeline": "125000.00",
        "weighted_pipeline": "70000.00",
        "remaining_target": "0.00",  # ahead of target
        "coverage": None,
        "overdue_receivables": "25000.00",
        "stalled_deals": 2,
    }

    sub_b = row_of(body, w.sub_b.id)
    assert metric(sub_b, "contract_amount") == ("400000.00", "184000.00", "0.4600")
    assert metric(sub_b, "payment_collected") == (None, "45500.00", None)
    assert metric(sub_b, "new_customers") == (None, 1, None)
    assert metric(sub_b, "won_deals") == (None, 2, None)
    assert metric(sub_b, "activities") == (None, 4, None)
    assert figures(sub_b) == {
        "won_count": 2,
        "lost_count": 1,
        "win_rate": "0.6667",
        "won_amount": "91000.00",
        "average_deal_size": "45500.00",  # 91,000 ÷ 2 (O6 counted, its amount not converted)
        "cycle_days": "65.0",  # (100 + 30) ÷ 2
        "open_pipeline": "270000.00",
        "weighted_pipeline": "27000.00",
        "remaining_target": "216000.00",
        "coverage": "0.1250",  # 27,000 ÷ 216,000
        "overdue_receivables": "90000.00",
        "stalled_deals": 0,
    }

    vp = row_of(body, data.vp.id)
    assert vp["unit_id"] == str(w.group.id)
    assert metric(vp, "contract_amount") == (None, "0.00", None)
    assert vp["stalled_deals"] == 0


def test_group_total_is_the_sum_of_its_subsidiaries(client: TestClient, data: Dataset) -> None:
    body = kpis(client, login(client, data.vp))
    group, sub_a, sub_b = body["rows"][0], body["rows"][1], body["rows"][2]
    for name in ("contract_amount", "payment_collected", "new_customers", "won_deals"):
        total = Decimal(str(group["metrics"][name]["actual"]))
        parts = Decimal(str(sub_a["metrics"][name]["actual"])) + Decimal(
            str(sub_b["metrics"][name]["actual"])
        )
        assert total == parts, name
    for name in ("won_amount", "open_pipeline", "weighted_pipeline", "overdue_receivables"):
        assert Decimal(group[name]) == Decimal(sub_a[name]) + Decimal(sub_b[name]), name


def test_team_rows_are_the_reps_with_their_own_figures(client: TestClient, data: Dataset) -> None:
    w = data.world
    body = kpis(client, login(client, data.vp), unit_id=str(w.team_a.id))
    assert [(r["kind"], r["user_id"], r["rank"]) for r in body["rows"]] == [
        ("unit", None, None),
        ("person", str(data.rep1.id), 1),  # ratio 1.25 beats rep2's missing target
        ("person", str(data.rep2.id), 2),
    ]
    assert body["missing_rates"] == []

    rep1 = row_of(body, data.rep1.id)
    assert rep1["unit_id"] == str(w.team_a.id)
    assert metric(rep1, "contract_amount") == ("80000.00", "100000.00", "1.2500")
    assert metric(rep1, "payment_collected") == (None, "60000.00", None)
    assert metric(rep1, "new_customers") == (None, 1, None)
    assert metric(rep1, "won_deals") == (None, 1, None)
    assert metric(rep1, "activities") == (None, 5, None)
    assert figures(rep1) == {
        "won_count": 1,
        "lost_count": 1,
        "win_rate": "0.5000",
        "won_amount": "80000.00",
        "average_deal_size": "80000.00",
        "cycle_days": "40.0",
        "open_pipeline": "100000.00",
        "weighted_pipeline": "50000.00",
        "remaining_target": "0.00",
        "coverage": None,
        "overdue_receivables": "20000.00",
        "stalled_deals": 2,
    }
    rep2 = row_of(body, data.rep2.id)
    assert metric(rep2, "contract_amount") == (None, "50000.00", None)
    assert metric(rep2, "payment_collected") == (None, "0.00", None)  # P2 was reversed
    assert metric(rep2, "activities") == (None, 1, None)
    assert figures(rep2) == {
        "won_count": 1,
        "lost_count": 0,
        "win_rate": "1.0000",
        "won_amount": "40000.00",
        "average_deal_size": "40000.00",
        "cycle_days": "50.0",
        "open_pipeline": "25000.00",
        "weighted_pipeline": "20000.00",
        "remaining_target": None,
        "coverage": None,
        "overdue_receivables": "0.00",
        "stalled_deals": 0,
    }


def test_every_figure_drills_to_its_list(client: TestClient, data: Dataset) -> None:
    w = data.world
    body = kpis(client, login(client, data.vp), unit_id=str(w.team_a.id))
    team = str(w.team_a.id)
    drill = body["rows"][0]["drill"]
    won = {
        "resource": "opportunities",
        "query": {
            "unit_id": team,
            "status": "won",
            "closed_from": "2026-10-01",
            "closed_to": "2026-12-31",
        },
    }
    pipeline = {
        "resource": "opportunities",
        "query": {
            "unit_id": team,
            "status": "open",
            "expected_close_from": "2026-10-01",
            "expected_close_to": "2026-12-31",
        },
    }
    contracts = {
        "resource": "contracts",
        "query": {"unit_id": team, "signed_from": "2026-10-01", "signed_to": "2026-12-31"},
    }
    assert drill == {
        "contract_amount": contracts,
        "payment_collected": {
            "resource": "payments",
            "query": {
                "unit_id": team,
                "status": "recorded",
                "received_from": "2026-10-01",
                "received_to": "2026-12-31",
            },
        },
        "new_customers": {
            "resource": "accounts",
            "query": {"unit_id": team, "created_from": "2026-10-01", "created_to": "2026-12-31"},
        },
        "won_deals": won,
        "activities": {
            "resource": "activities",
            "query": {
                "unit_id": team,
                "occurred_from": "2026-10-01",
                "occurred_to": "2026-12-31",
            },
        },
        "won_count": won,
        "lost_count": {
            "resource": "opportunities",
            "query": {
                "unit_id": team,
                "status": "lost",
                "closed_from": "2026-10-01",
                "closed_to": "2026-12-31",
            },
        },
        "win_rate": {
            "resource": "opportunities",
            "query": {"unit_id": team, "closed_from": "2026-10-01", "closed_to": "2026-12-31"},
        },
        "won_amount": won,
        "average_deal_size": won,
        "cycle_days": won,
        "open_pipeline": pipeline,
        "weighted_pipeline": pipeline,
        "remaining_target": contracts,
        "coverage": pipeline,
        "overdue_receivables": {
            "resource": "receivables",
            "query": {"unit_id": team, "overdue": True},
        },
        "stalled_deals": {
            "resource": "opportunities",
            "query": {"unit_id": team, "stalled": True},
        },
    }
    person = row_of(body, data.rep1.id)["drill"]
    assert person["won_deals"] == {
        "resource": "opportunities",
        "query": {**won["query"], "owner_id": str(data.rep1.id)},
    }
    assert person["overdue_receivables"]["query"] == {
        "unit_id": team,
        "owner_id": str(data.rep1.id),
        "overdue": True,
    }


def test_figures_in_another_currency_use_inverse_rates_and_list_the_missing(
    client: TestClient, data: Dataset
) -> None:
    body = kpis(client, login(client, data.vp), currency="hkd")
    assert body["currency"] == "HKD"
    group = row_of(body, data.world.group.id)
    # C1 100,000 × (1 ÷ 0.92 = 1.08695652) = 108,695.65; C2 50,000 × 1.09890110 = 54,945.06;
    # C3 30,000 × 1.09890110 = 32,967.03; C4 and C5 are HKD already (C5 is in now).
    # Target 500,000 CNY at the October average: 543,478.26.
    assert metric(group, "contract_amount") == ("543478.26", "496607.74", "0.9138")
    assert metric(row_of(body, data.world.sub_a.id), "contract_amount")[1] == "196607.74"
    assert metric(row_of(body, data.world.sub_b.id), "contract_amount")[1] == "300000.00"
    # P4 (CNY, December) has no rate to HKD; I6 (USD) none either.
    assert body["missing_rates"] == [
        {"from_currency": "CNY", "to_currency": "HKD", "period": "2026-12", "rate_type": "average"},
        {
            "from_currency": "USD",
            "to_currency": "HKD",
            "period": "2026-12",
            "rate_type": "period_end",
        },
    ]


def test_a_currency_without_rates_reports_them_missing(client: TestClient, data: Dataset) -> None:
    body = kpis(client, login(client, data.vp), currency="EUR")
    group = row_of(body, data.world.group.id)
    # Nothing converts into EUR: no amount is ever taken at 1.
    assert metric(group, "contract_amount") == (None, "0.00", None)
    assert group["won_count"] == 4  # counts need no rate
    assert {
        "from_currency": "CNY",
        "to_currency": "EUR",
        "period": "2026-10",
        "rate_type": "average",
    } in body["missing_rates"]
    assert {
        "from_currency": "HKD",
        "to_currency": "EUR",
        "period": "2026-12",
        "rate_type": "period_end",
    } in body["missing_rates"]


def test_a_past_month_converts_pipeline_at_its_own_month(client: TestClient, data: Dataset) -> None:
    body = kpis(client, login(client, data.vp), period="2026-11")
    assert body["period"]["kind"] == "month"
    assert body["pipeline_as_of_month"] == "2026-11"
    group = row_of(body, data.world.group.id)
    # C2 50,000 + C3 30,000; no target is set for the month.
    assert metric(group, "contract_amount") == (None, "80000.00", None)
    assert group["open_pipeline"] == "0.00"  # nothing open expected to close in November


def test_director_sees_the_same_figures_as_the_vp_row(client: TestClient, data: Dataset) -> None:
    w = data.world
    group = kpis(client, login(client, data.vp))
    mine = kpis(client, login(client, data.director_a))
    assert mine["unit"]["id"] == str(w.sub_a.id)  # the director's default unit
    vp_row = row_of(group, w.sub_a.id)
    director_row = mine["rows"][0]
    assert director_row["is_total"] is True
    for key in ("metrics", *FIGURES, "drill", "unit_id", "name"):
        assert director_row[key] == vp_row[key], key
    # The director's table goes on down: the department, then the director's own seat.
    assert [(r["kind"], r["unit_id"]) for r in mine["rows"][1:]] == [
        ("unit", str(w.dept_a.id)),
        ("person", str(w.sub_a.id)),
    ]


def test_director_asking_for_a_sibling_subsidiary_gets_404(
    client: TestClient, data: Dataset
) -> None:
    headers = login(client, data.director_a)
    response = client.get(KPIS, params={"unit_id": str(data.world.sub_b.id)}, headers=headers)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    unknown = client.get(KPIS, params={"unit_id": str(uuid.uuid4())}, headers=headers)
    assert unknown.status_code == 404
    assert unknown.json() == response.json()  # hidden and absent look alike


def test_anonymous_callers_are_refused(client: TestClient, data: Dataset) -> None:
    assert client.get(KPIS).status_code == 401


def test_a_bad_period_is_422_in_both_languages(client: TestClient, data: Dataset) -> None:
    headers = login(client, data.vp)
    zh = client.get(KPIS, params={"period": "2026-Q5"}, headers=headers)
    assert zh.status_code == 422
    assert zh.json()["error"]["code"] == "invalid_period"
    assert zh.json()["error"]["message"] == "期间“2026-Q5”无效，应为 2026、2026-Q3 或 2026-07"
    assert zh.json()["error"]["fields"][0]["field"] == "period"
    en = client.get(
        KPIS, params={"period": "2026-Q5"}, headers={**headers, "Accept-Language": "en-US"}
    )
    assert en.json()["error"]["message"] == "Invalid period “2026-Q5”: use 2026, 2026-Q3 or 2026-07"


def test_a_malformed_currency_is_422(client: TestClient, data: Dataset) -> None:
    response = client.get(KPIS, params={"currency": "RMB1"}, headers=login(client, data.vp))
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == [
        {"field": "currency", "code": "invalid_currency", "message": "币种代码无效"}
    ]


def test_achieved_rolls_units_and_owners_up(db: Session, data: Dataset) -> None:
    """The facts kernel targets call: each unit's whole subtree, each owner's own rows."""
    w = data.world
    scope = resolve_scope(db, data.vp)
    result = facts.achieved(
        db,
        scope,
        "contract_amount",
        date(2026, 10, 1),
        date(2027, 1, 1),
        "CNY",
        unit_ids=[w.group.id, w.dept_a.id, w.dept_b.id],
        owner_ids=[data.rep1.id, data.rep_b.id],
    )
    assert result.by_unit == {
        w.group.id: Decimal("364000.00"),
        w.dept_a.id: Decimal("180000.00"),
        w.dept_b.id: Decimal("184000.00"),
    }
    assert result.by_owner == {
        data.rep1.id: Decimal("100000.00"),
        data.rep_b.id: Decimal("184000.00"),
    }
    assert result.missing_rates == [MissingRate("HKD", "CNY", "2026-12", "average")]
    assert result.rate_type == "average"

    counted = facts.achieved(
        db,
        scope,
        "activities",
        date(2026, 10, 1),
        date(2027, 1, 1),
        "CNY",
        unit_ids=[w.sub_a.id],
        owner_ids=[data.rep2.id],
    )
    assert counted.by_unit == {w.sub_a.id: Decimal(6)}
    assert counted.by_owner == {data.rep2.id: Decimal(1)}
    assert counted.missing_rates == []
    assert counted.rate_type is None


def test_achieved_is_limited_to_the_callers_scope(db: Session, data: Dataset) -> None:
    w = data.world
    result = facts.achieved(
        db,
        resolve_scope(db, data.director_a),
        "contract_amount",
        date(2026, 10, 1),
        date(2027, 1, 1),
        "CNY",
        unit_ids=[w.group.id, w.sub_b.id],
        owner_ids=[data.rep_b.id],
    )
    # Nothing of subsidiary B reaches a director of A, not even through the group's total.
    assert result.by_unit == {w.group.id: Decimal("180000.00"), w.sub_b.id: Decimal("0.00")}
    assert result.by_owner == {data.rep_b.id: Decimal("0.00")}
    assert result.missing_rates == []
