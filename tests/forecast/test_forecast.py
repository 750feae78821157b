"""The forecast on a hand-written dataset, every figure worked out by hand.

Now is 2026-05-20 12:00 UTC; the period is the current fiscal quarter 2026-Q2 (April–June;
the fiscal year starts in January). Stages: lead 10 % → proposal 40 % → negotiation 70 % →
won / lost. Rates into CNY: HKD period-end 2026-05 0.90, HKD average 2026-04 0.92; USD has
none. Every move is at 09:00 UTC.

Open, expected to close in the period (age in stage now → bucket):
  O1  CNY 100,000 commit     negotiation since 05-10 (10 d → 0_30)       A
  O2  CNY  50,000 best_case  proposal since 03-01    (80 d → 31_90)      A
  O3  CNY  20,000 pipeline   lead since 01-01        (139 d → over_90)   A
  O4  USD  10,000 commit     negotiation since 05-01 (no rate: left out) A
  O6  CNY  40,000 omitted    proposal since 05-15    (5 d → 0_30)        A
  O7  HKD 200,000 commit     negotiation since 04-01 (49 d → 31_90)      B
Not in the period: O5 (closes in August) and P1 (HKD 50,000, lead since 2025-10-01, was
expected to close 2026-03-15).
Closed (days in each stage):
  H1…H6  CNY 10,000, proposal from 2025-07-01 for 10 (won), 12 (won), 40 (lost),
         50 (won), 5 (lost), 35 (lost) days                                  A
  W1  CNY  80,000 lead 28 → proposal 45 → won 2026-04-15                      A
  W2  HKD 100,000 negotiation 19 → won 2026-04-20                             B
  W3  CNY  60,000 lead 19 → negotiation 100 → won 2026-03-30 (close 03-31)    A
  L1  CNY  25,000 lead 25 → proposal 62 → lost 2026-02-10 (close 02-28)       A

A forecast for A learns from A's closed deals (W2 is B's), whoever asks:
  lead         W1 28 W3 19 L1 25: 3 examples < 5 → probability 0.1000
  proposal     0_30: all 8 stays, 4 won → 0.5000; 31_90: H3 H4 H6 W1 L1 = 5, 2 won →
               0.4000; over_90: none → the stage's 0.5000
  negotiation  W3 only → probability 0.7000
Subsidiary A: categories pipeline 20,000 (1), best_case 50,000 (1), commit 100,000 (2: O4
left out), omitted 40,000 (1), closed W1 80,000 (1); weighted 2,000 + (20,000 + 16,000) +
70,000 = 108,000; statistical 20,000 × 0.1 + (50,000 × 0.4 + 40,000 × 0.5) + 100,000 × 0.7
= 112,000; commit + closed 180,000; target 500,000.

Back-test 2026-Q1 (pipeline at 2026-01-01 00:00; model from deals closed before it, H1…H6:
proposal 0.5000 in every bucket, lead and negotiation at their probabilities):
  W3  negotiation since 12-20 (11 d)  60,000 → 42,000 (weighted 42,000), won in Q1
  L1  proposal since 12-10 (21 d)     25,000 → 12,500 (weighted 10,000)
  P1  lead since 10-01 (91 d)         HK$50,000 × 0.90 = 45,000 → 4,500 (weighted 4,500)
  predicted 59,000, actual 60,000, error 1,000 / 60,000 = 0.0167; stage-weighted 56,500,
  error 0.0583. 2025-Q2…Q4 have no pipeline (error null), so both MAPEs are Q1's.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.core import clock
from flotilla.models.analytics import Target
from flotilla.models.audit import AuditEvent
from flotilla.models.identity import User
from tests.fixtures.factories import World, login, make_user, make_world
from tests.fixtures.receivable import make_rate
from tests.forecast.builders import make_deal, make_process

FORECAST = "/api/v1/analytics/forecast"
NOW = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)


@dataclass
class Example:
    world: World
    vp: User
    director_a: User
    director_b: User


@pytest.fixture
def frozen() -> Iterator[None]:
    with clock.frozen_at(NOW):
        yield


def make_example(db: Session) -> Example:
    world = make_world(db)
    version = make_process(db)
    a, b = world.team_a, world.dept_b

    def deal(unit: Any, path: list[tuple[str, str]], amount: str, **fields: Any) -> None:
        make_deal(db, unit, version, path, amount=amount, **fields)

    q2 = {"expected_close": "2026-06-15"}
    deal(a, [("negotiation", "2026-05-10")], "100000", category="commit", **q2, name="O1")
    deal(a, [("proposal", "2026-03-01")], "50000", category="best_case", **q2, name="O2")
    deal(a, [("lead", "2026-01-01")], "20000", category="pipeline", **q2, name="O3")
    deal(a, [("negotiation", "2026-05-01")], "10000", currency="USD", category="commit", **q2)
    deal(a, [("proposal", "2026-04-20")], "30000", expected_close="2026-08-15", name="O5")
    deal(a, [("proposal", "2026-05-15")], "40000", category="omitted", **q2, name="O6")
    deal(b, [("negotiation", "2026-04-01")], "200000", currency="HKD", category="commit", **q2)
    deal(a, [("lead", "2025-10-01")], "50000", currency="HKD", expected_close="2026-03-15")
    for outcome, day in (
        ("won", "2025-07-11"),
        ("won", "2025-07-13"),
        ("lost", "2025-08-10"),
        ("won", "2025-08-20"),
        ("lost", "2025-07-06"),
        ("lost", "2025-08-05"),
    ):
        deal(a, [("proposal", "2025-07-01"), (outcome, day)], "10000", expected_close="2025-09-30")
    deal(
        a,
        [("lead", "2026-02-01"), ("proposal", "2026-03-01"), ("won", "2026-04-15")],
        "80000",
        expected_close="2026-04-15",
        name="W1",
    )
    deal(
        b,
        [("negotiation", "2026-04-01"), ("won", "2026-04-20")],
        "100000",
        currency="HKD",
        expected_close="2026-04-20",
        name="W2",
    )
    deal(
        a,
        [("lead", "2025-12-01"), ("negotiation", "2025-12-20"), ("won", "2026-03-30")],
        "60000",
        expected_close="2026-03-31",
        name="W3",
    )
    deal(
        a,
        [("lead", "2025-11-15"), ("proposal", "2025-12-10"), ("lost", "2026-02-10")],
        "25000",
        expected_close="2026-02-28",
        name="L1",
    )
    make_rate(db, "HKD", "CNY", date(2026, 5, 1), "0.90", "period_end")
    make_rate(db, "HKD", "CNY", date(2026, 4, 1), "0.92", "average")
    db.add(
        Target(
            metric="contract_amount",
            period_kind="quarter",
            period_start=date(2026, 4, 1),
            assignee_key="",
            value=Decimal("500000"),
            currency="CNY",
            subsidiary_id=world.sub_a.id,
            unit_id=world.sub_a.id,
        )
    )
    vp = make_user(db, world.group, "group_sales_vp")
    director_a = make_user(db, world.sub_a, "sales_director")
    director_b = make_user(db, world.sub_b, "sales_director")
    db.commit()
    return Example(world, vp, director_a, director_b)


@pytest.fixture
def example(db: Session, frozen: None) -> Example:
    return make_example(db)


def get_forecast(client: TestClient, user: User, **params: Any) -> dict[str, Any]:
    response = client.get(FORECAST, params=params, headers=login(client, user))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def categories(body: dict[str, Any]) -> dict[str, tuple[int, str]]:
    return {c["category"]: (c["count"], c["amount"]) for c in body["by_category"]}


def stages(body: dict[str, Any]) -> dict[str, tuple[int, str, str, str]]:
    return {
        s["stage_code"]: (s["count"], s["amount"], s["weighted"], s["statistical"])
        for s in body["stages"]
    }


def model(body: dict[str, Any]) -> dict[tuple[str, str], tuple[int, int, Any, str, str]]:
    return {
        (c["stage_code"], c["age_bucket"]): (
            c["examples"],
            c["wins"],
            c["win_rate"],
            c["applied_rate"],
            c["basis"],
        )
        for c in body["model"]
    }


def test_the_forecast_of_a_subsidiary_by_hand(client: TestClient, example: Example) -> None:
    body = get_forecast(client, example.director_a)

    assert body["unit"]["id"] == str(example.world.sub_a.id)
    assert body["period"] == {
        "label": "2026-Q2",
        "kind": "quarter",
        "start": "2026-04-01",
        "end": "2026-07-01",
    }
    assert (body["currency"], body["as_of"]) == ("CNY", "2026-05-20")
    assert categories(body) == {
        "pipeline": (1, "20000.00"),
        "best_case": (1, "50000.00"),
        "commit": (2, "100000.00"),
        "omitted": (1, "40000.00"),
        "closed": (1, "80000.00"),
    }
    assert stages(body) == {
        "lead": (1, "20000.00", "2000.00", "2000.00"),
        "proposal": (2, "90000.00", "36000.00", "40000.00"),
        "negotiation": (2, "100000.00", "70000.00", "70000.00"),
    }
    assert body["stage_weighted"] == "108000.00"
    assert body["statistical"] == "112000.00"
    assert body["committed_plus_closed"] == "180000.00"
    assert body["target"] == "500000.00"
    assert body["missing_rates"] == [
        {
            "from_currency": "USD",
            "to_currency": "CNY",
            "period": "2026-05",
            "rate_type": "period_end",
        }
    ]


def test_the_model_learns_win_rates_by_stage_and_age_with_fallbacks(
    client: TestClient, example: Example
) -> None:
    body = get_forecast(client, example.director_a)
    assert model(body) == {
        ("lead", "0_30"): (3, 2, "0.6667", "0.1000", "probability"),
        ("lead", "31_90"): (0, 0, None, "0.1000", "probability"),
        ("lead", "over_90"): (0, 0, None, "0.1000", "probability"),
        ("proposal", "0_30"): (8, 4, "0.5000", "0.5000", "bucket"),
        ("proposal", "31_90"): (5, 2, "0.4000", "0.4000", "bucket"),
        ("proposal", "over_90"): (0, 0, None, "0.5000", "stage"),
        ("negotiation", "0_30"): (1, 1, "1.0000", "0.7000", "probability"),
        ("negotiation", "31_90"): (1, 1, "1.0000", "0.7000", "probability"),
        ("negotiation", "over_90"): (1, 1, "1.0000", "0.7000", "probability"),
    }


def test_the_backtest_replays_the_last_four_quarters(client: TestClient, example: Example) -> None:
    backtest = get_forecast(client, example.director_a)["backtest"]
    empty = {
        "count": 0,
        "predicted": "0.00",
        "actual": "0.00",
        "error": None,
        "stage_weighted_predicted": "0.00",
        "stage_weighted_error": None,
    }
    assert backtest["quarters"] == [
        {"quarter": "2025-Q2", "start": "2025-04-01", "end": "2025-07-01", **empty},
        {"quarter": "2025-Q3", "start": "2025-07-01", "end": "2025-10-01", **empty},
        {"quarter": "2025-Q4", "start": "2025-10-01", "end": "2026-01-01", **empty},
        {
            "quarter": "2026-Q1",
            "start": "2026-01-01",
            "end": "2026-04-01",
            "count": 3,
            "predicted": "59000.00",
            "actual": "60000.00",
            "error": "0.0167",
            "stage_weighted_predicted": "56500.00",
            "stage_weighted_error": "0.0583",
        },
    ]
    assert backtest["mean_absolute_percentage_error"] == "0.0167"
    assert backtest["stage_weighted_mean_absolute_percentage_error"] == "0.0583"


def test_the_group_forecast_converts_other_currencies(client: TestClient, example: Example) -> None:
    # O7 HK$200,000 × 0.90 = 180,000 (period-end, May); W2 HK$100,000 × 0.92 = 92,000
    # (average, April, its close month). The VP's model has W2 as a second negotiation
    # example aged 0_30 — still under 5, so O7 weighs 0.7 either way.
    body = get_forecast(client, example.vp)
    assert body["unit"]["id"] == str(example.world.group.id)
    assert categories(body) == {
        "pipeline": (1, "20000.00"),
        "best_case": (1, "50000.00"),
        "commit": (3, "280000.00"),
        "omitted": (1, "40000.00"),
        "closed": (2, "172000.00"),
    }
    assert stages(body)["negotiation"] == (3, "280000.00", "196000.00", "196000.00")
    assert body["stage_weighted"] == "234000.00"
    assert body["statistical"] == "238000.00"
    assert body["committed_plus_closed"] == "452000.00"
    assert body["target"] is None
    assert model(body)[("negotiation", "0_30")][:2] == (2, 2)


def test_a_requested_currency_converts_through_the_inverse_rate(
    client: TestClient, example: Example
) -> None:
    # CNY → HKD is 1 / 0.90 = 1.11111111: O1 ¥100,000 → HK$111,111.11; O7 is already HKD.
    body = get_forecast(client, example.vp, currency="hkd")
    assert body["currency"] == "HKD"
    assert categories(body)["commit"] == (3, "311111.11")
    assert body["missing_rates"] == [
        {
            "from_currency": "USD",
            "to_currency": "HKD",
            "period": "2026-05",
            "rate_type": "period_end",
        }
    ]


def test_a_director_sees_the_vps_figures_for_their_subsidiary(
    client: TestClient, example: Example
) -> None:
    as_director = get_forecast(client, example.director_a)
    as_vp = get_forecast(client, example.vp, unit_id=str(example.world.sub_a.id))
    # The model learns from the forecast unit's history (A), whoever asks: the VP's model
    # for A leaves out subsidiary B's W2 exactly as the director's does.
    assert as_director == as_vp
    assert model(as_vp)[("negotiation", "0_30")][:2] == (1, 1)


def test_a_director_learns_nothing_from_another_subsidiary(
    client: TestClient, example: Example
) -> None:
    # Director B sees W2 only: one negotiation example; O7 alone is B's pipeline.
    body = get_forecast(client, example.director_b)
    assert model(body)[("negotiation", "0_30")] == (1, 1, "1.0000", "0.7000", "probability")
    assert model(body)[("proposal", "0_30")] == (0, 0, None, "0.4000", "probability")
    assert categories(body)["commit"] == (1, "180000.00")
    assert categories(body)["closed"] == (1, "92000.00")
    headers = login(client, example.director_b)
    sibling = {"unit_id": str(example.world.sub_a.id)}
    response = client.get(FORECAST, params=sibling, headers=headers)
    assert response.status_code == 404


def test_drill_descriptors_of_the_forecast(client: TestClient, example: Example) -> None:
    body = get_forecast(client, example.director_a)
    unit = str(example.world.sub_a.id)
    commit = next(c for c in body["by_category"] if c["category"] == "commit")
    assert commit["drill"] == {
        "resource": "opportunities",
        "query": {
            "unit_id": unit,
            "status": "open",
            "forecast_category": "commit",
            "expected_close_from": "2026-04-01",
            "expected_close_to": "2026-06-30",
        },
    }
    closed = next(c for c in body["by_category"] if c["category"] == "closed")
    assert closed["drill"]["query"] == {
        "unit_id": unit,
        "status": "won",
        "closed_from": "2026-04-01",
        "closed_to": "2026-06-30",
    }
    # One process with one "proposal" row: the list's stage_id filter means the same.
    proposal = next(s for s in body["stages"] if s["stage_code"] == "proposal")
    assert set(proposal["drill"]["query"]) == {
        "unit_id",
        "status",
        "stage_id",
        "expected_close_from",
        "expected_close_to",
    }


def test_other_periods_and_bad_parameters(client: TestClient, example: Example) -> None:
    march = get_forecast(client, example.director_a, period="2026-03")
    # Open deals expected in March: P1 (HK$50,000 × 0.90); won in March: W3.
    assert categories(march)["pipeline"] == (1, "45000.00")
    assert categories(march)["closed"] == (1, "60000.00")
    assert march["target"] is None
    headers = {**login(client, example.director_a), "Accept-Language": "en-US"}
    bad_period = client.get(FORECAST, params={"period": "2026-Q5"}, headers=headers)
    assert bad_period.status_code == 422
    assert bad_period.json()["error"]["code"] == "invalid_period"
    bad_currency = client.get(FORECAST, params={"currency": "RMB1"}, headers=headers)
    assert bad_currency.status_code == 422
    assert client.get(FORECAST).status_code == 401


def test_both_endpoints_export_to_xlsx_and_the_export_is_audited(
    client: TestClient, db: Session, example: Example
) -> None:
    headers = {**login(client, example.director_a), "Accept-Language": "en-US"}
    response = client.get(FORECAST, params={"format": "xlsx"}, headers=headers)
    assert response.status_code == 200, response.text
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["categories", "stages", "model", "backtest"]
    rows = list(book["categories"].iter_rows(values_only=True))
    assert rows[0] == ("Category", "Deals", "Amount (CNY)", "Rate type")
    assert rows[3] == ("Commit", 2, 100000, "period_end")
    assert rows[5] == ("Closed (won)", 1, 80000, "average")
    backtest = list(book["backtest"].iter_rows(values_only=True))
    assert backtest[4][:5] == ("2026-Q1", 3, 59000, 60000, 0.0167)

    funnel = client.get(
        "/api/v1/analytics/funnel",
        params={"format": "xlsx", "from": "2026-04-01", "to": "2026-05-15"},
        headers=headers,
    )
    assert funnel.status_code == 200, funnel.text
    assert load_workbook(io.BytesIO(funnel.content)).sheetnames == ["stages", "summary"]

    exports = db.execute(
        select(AuditEvent.entity_type, AuditEvent.actor_id).where(AuditEvent.action == "export")
    ).all()
    assert sorted(exports) == [
        ("forecast", example.director_a.id),
        ("funnel", example.director_a.id),
    ]


def test_exporting_needs_the_export_permission(
    client: TestClient, db: Session, example: Example
) -> None:
    manager = make_user(db, example.world.sub_a, "sales_manager")  # analytics, no export.run
    db.commit()
    headers = login(client, manager)
    assert client.get(FORECAST, headers=headers).status_code == 200
    assert client.get(FORECAST, params={"format": "xlsx"}, headers=headers).status_code == 403
