"""The funnel on a hand-written history, every figure worked out by hand.

Now is 2026-05-20 12:00 UTC; the range is 2026-04-01 … 2026-05-15. Stages: lead (max 10
days) → proposal (max 20) → negotiation (max 30) → won / lost. Every move is at 09:00 UTC.

  D1  lead 03-20 → proposal 04-05 → negotiation 04-20 → won 05-01          team A
  D2  lead 04-02 → proposal 04-10 → lost 04-25                              team A
  D3  lead 04-03 → lost 04-08                                               team A
  D4  lead 04-10 → proposal 04-12 (open; 38 days > 20: stalled)             team A
  D5  lead 05-15 (open, 5 days)                                             team A
  D6  lead 04-05 → proposal 04-15 → negotiation 04-25 → proposal 05-02
      → negotiation 05-18 (open)                                            team A
  D7  lead 05-16 (after the range)                                          team A
  D8  lead 02-01 → proposal 03-01 (before the range; open, stalled)         team A
  D9  lead 04-04 → proposal 04-06 (open, stalled)                           subsidiary B
  D10 lead 04-06 → proposal 04-09 → won 04-30                               department A
  D11 lead 04-07 → lost 04-20 → lead 04-22 (reopened) → proposal 05-05,
      on subsidiary A's variant of the process (same stage codes)           team A

Subsidiary A, entered in range (first entry per deal and stage):
  lead        D2 D3 D4 D5 D6 D10 D11 = 7; advanced D2 D4 D6 D10 D11 = 5 (D11 after its
              reopening); dropped D3 = 1; in progress D5 = 1; conversion 5/7 = 0.7143
  proposal    D1 D2 D4 D6 D10 D11 = 6; advanced D1 D6 D10 = 3; dropped D2; in progress
              D4 D11 = 2; conversion 0.5000
  negotiation D1 D6 = 2; advanced D1 (D6 went back and re-entered: no later stage);
              in progress D6; conversion 0.5000
Days in stage, transitions out in range: lead D1 16, D2 8, D3 5, D4 2, D6 10, D10 3,
D11 13 and 13 → 70 / 8 = 8.75 → 8.8; proposal D1 15, D2 15, D6 10, D10 21 → 61 / 4 = 15.25
→ 15.3 (D6's exit on 05-18 is after the range); negotiation D1 11, D6 7 → 9.0.
Cohort: D1 D2 D3 D4 D5 D6 D10 D11 = 8, won D1 D10, lost D2 D3 → win rate 0.5000.
Stalled now: proposal D4 D8 = 2.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from flotilla.core import clock
from flotilla.core.scope import resolve_scope
from flotilla.forecast import repository
from flotilla.models.identity import User
from tests.fixtures.factories import World, login, make_user, make_world
from tests.forecast.builders import make_deal, make_process

FUNNEL = "/api/v1/analytics/funnel"
NOW = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)
RANGE = {"from": "2026-04-01", "to": "2026-05-15"}
FIGURES = ("entered", "advanced", "dropped", "in_progress", "conversion", "average_days")


@dataclass
class Funnel:
    world: World
    vp: User
    director_a: User


@pytest.fixture
def frozen() -> Iterator[None]:
    with clock.frozen_at(NOW):
        yield


@pytest.fixture
def example(db: Session, frozen: None) -> Funnel:
    world = make_world(db)
    version = make_process(db)
    variant = make_process(db, subsidiary=world.sub_a, base=None)
    a, b = world.team_a, world.dept_b
    make_deal(
        db,
        a,
        version,
        [
            ("lead", "2026-03-20"),
            ("proposal", "2026-04-05"),
            ("negotiation", "2026-04-20"),
            ("won", "2026-05-01"),
        ],
        name="D1",
    )
    make_deal(
        db,
        a,
        version,
        [("lead", "2026-04-02"), ("proposal", "2026-04-10"), ("lost", "2026-04-25")],
        name="D2",
    )
    make_deal(db, a, version, [("lead", "2026-04-03"), ("lost", "2026-04-08")], name="D3")
    make_deal(db, a, version, [("lead", "2026-04-10"), ("proposal", "2026-04-12")], name="D4")
    make_deal(db, a, version, [("lead", "2026-05-15")], name="D5")
    make_deal(
        db,
        a,
        version,
        [
            ("lead", "2026-04-05"),
            ("proposal", "2026-04-15"),
            ("negotiation", "2026-04-25"),
            ("proposal", "2026-05-02"),
            ("negotiation", "2026-05-18"),
        ],
        name="D6",
    )
    make_deal(db, a, version, [("lead", "2026-05-16")], name="D7")
    make_deal(db, a, version, [("lead", "2026-02-01"), ("proposal", "2026-03-01")], name="D8")
    make_deal(db, b, version, [("lead", "2026-04-04"), ("proposal", "2026-04-06")], name="D9")
    make_deal(
        db,
        world.dept_a,
        version,
        [("lead", "2026-04-06"), ("proposal", "2026-04-09"), ("won", "2026-04-30")],
        name="D10",
    )
    make_deal(
        db,
        a,
        variant,
        [
            ("lead", "2026-04-07"),
            ("lost", "2026-04-20"),
            ("lead", "2026-04-22"),
            ("proposal", "2026-05-05"),
        ],
        name="D11",
    )
    vp = make_user(db, world.group, "group_sales_vp")
    director_a = make_user(db, world.sub_a, "sales_director")
    db.commit()
    return Funnel(world, vp, director_a)


def get_funnel(client: TestClient, user: User, **params: Any) -> dict[str, Any]:
    response = client.get(FUNNEL, params=params, headers=login(client, user))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def figures(body: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
    return {stage["stage_code"]: tuple(stage[name] for name in FIGURES) for stage in body["stages"]}


def test_the_funnel_of_a_subsidiary_counts_every_stage_by_hand(
    client: TestClient, example: Funnel
) -> None:
    body = get_funnel(client, example.director_a, **RANGE)

    assert body["unit"]["id"] == str(example.world.sub_a.id)
    assert (body["from_date"], body["to_date"]) == ("2026-04-01", "2026-05-15")
    assert [stage["stage_code"] for stage in body["stages"]] == ["lead", "proposal", "negotiation"]
    assert figures(body) == {
        "lead": (7, 5, 1, 1, "0.7143", "8.8"),
        "proposal": (6, 3, 1, 2, "0.5000", "15.3"),
        "negotiation": (2, 1, 0, 1, "0.5000", "9.0"),
    }
    assert {s["stage_code"]: s["transitions_out"] for s in body["stages"]} == {
        "lead": 8,
        "proposal": 4,
        "negotiation": 2,
    }
    assert {s["stage_code"]: s["stalled"] for s in body["stages"]} == {
        "lead": 0,
        "proposal": 2,
        "negotiation": 0,
    }
    totals = {key: body["totals"][key] for key in ("entered", "won", "lost", "win_rate", "stalled")}
    assert totals == {"entered": 8, "won": 2, "lost": 2, "win_rate": "0.5000", "stalled": 2}


def test_the_group_funnel_adds_the_other_subsidiary(client: TestClient, example: Funnel) -> None:
    # D9 (subsidiary B) entered lead and proposal and is stalled in proposal; its lead stay
    # was 2 days, so lead averages (70 + 2) / 9 = 8.0.
    body = get_funnel(client, example.vp, **RANGE)

    assert body["unit"]["id"] == str(example.world.group.id)  # the VP's default unit
    assert figures(body) == {
        "lead": (8, 6, 1, 1, "0.7500", "8.0"),
        "proposal": (7, 3, 1, 3, "0.4286", "15.3"),
        "negotiation": (2, 1, 0, 1, "0.5000", "9.0"),
    }
    assert body["totals"]["entered"] == 9
    assert body["totals"]["stalled"] == 3


def test_a_unit_counts_its_own_subtree_only(client: TestClient, example: Funnel) -> None:
    # Team A holds everything of subsidiary A but D10 (in the department itself).
    body = get_funnel(client, example.vp, unit_id=str(example.world.team_a.id), **RANGE)
    assert figures(body)["lead"][:4] == (6, 4, 1, 1)
    assert figures(body)["proposal"][:4] == (5, 2, 1, 2)
    assert body["totals"]["won"] == 1


def test_a_director_sees_the_same_funnel_as_the_vp_for_their_subsidiary(
    client: TestClient, example: Funnel
) -> None:
    as_director = get_funnel(client, example.director_a, **RANGE)
    as_vp = get_funnel(client, example.vp, unit_id=str(example.world.sub_a.id), **RANGE)
    assert as_director == as_vp


def test_a_director_asking_for_the_sibling_subsidiary_gets_404(
    client: TestClient, example: Funnel
) -> None:
    headers = login(client, example.director_a)
    response = client.get(
        FUNNEL, params={"unit_id": str(example.world.sub_b.id), **RANGE}, headers=headers
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    unknown = client.get(FUNNEL, params={"unit_id": str(example.vp.id)}, headers=headers)
    assert unknown.status_code == 404


def test_the_default_range_is_the_current_fiscal_quarter(
    client: TestClient, example: Funnel
) -> None:
    body = get_funnel(client, example.director_a)
    assert (body["from_date"], body["to_date"]) == ("2026-04-01", "2026-06-30")
    # D7 (05-16) is inside the quarter but after the explicit range above.
    assert figures(body)["lead"][0] == 8


def test_drill_descriptors_name_the_rows_behind_each_figure(
    client: TestClient, example: Funnel
) -> None:
    body = get_funnel(client, example.director_a, **RANGE)
    unit = str(example.world.sub_a.id)
    proposal = next(s for s in body["stages"] if s["stage_code"] == "proposal")
    entered = {
        "unit_id": unit,
        "entered_stage_code": "proposal",
        "entered_from": "2026-04-01",
        "entered_to": "2026-05-15",
    }
    assert proposal["drill"]["entered"] == {"resource": "opportunities", "query": entered}
    assert proposal["drill"]["dropped"]["query"] == {**entered, "funnel_outcome": "dropped"}
    # "proposal" has a row in the standard and one in A's variant: named by code.
    assert proposal["drill"]["stalled"]["query"] == {
        "unit_id": unit,
        "stalled": True,
        "stage_code": "proposal",
    }
    assert body["totals"]["drill"]["won"]["query"] == {
        "unit_id": unit,
        "entered_from": "2026-04-01",
        "entered_to": "2026-05-15",
        "status": "won",
    }


def test_the_drill_condition_selects_exactly_the_counted_deals(
    db: Session, example: Funnel
) -> None:
    scope = resolve_scope(db, example.director_a)
    catalogue = repository.load_catalogue(db)
    start = datetime(2026, 4, 1, tzinfo=UTC)
    end = datetime(2026, 5, 16, tzinfo=UTC)
    sub_a = example.world.sub_a

    def count(stage_code: str | None, outcome: str | None = None) -> int:
        condition = repository.funnel_condition(
            catalogue, start=start, end=end, stage_code=stage_code, outcome=outcome
        )
        return repository.count_opportunities(db, scope, sub_a, condition)

    assert [count("lead"), count("lead", "advanced"), count("lead", "dropped")] == [7, 5, 1]
    assert count("lead", "in_progress") == 1
    assert [count("proposal"), count("proposal", "advanced")] == [6, 3]
    assert [count("proposal", "dropped"), count("proposal", "in_progress")] == [1, 2]
    assert [count("negotiation"), count("negotiation", "advanced")] == [2, 1]
    assert count(None) == 8


def test_bad_ranges_are_refused_with_field_errors(client: TestClient, example: Funnel) -> None:
    headers = {**login(client, example.vp), "Accept-Language": "en-US"}
    reversed_range = client.get(
        FUNNEL, params={"from": "2026-05-01", "to": "2026-04-30"}, headers=headers
    )
    assert reversed_range.status_code == 422
    assert reversed_range.json()["error"]["fields"] == [
        {
            "field": "to",
            "code": "funnel_range_reversed",
            "message": "The end date (to) cannot be before the start date (from)",
        }
    ]
    too_long = client.get(
        FUNNEL,
        params={"from": "2023-01-01", "to": "2026-01-01"},
        headers={**headers, "Accept-Language": "zh-CN"},
    )
    assert too_long.status_code == 422
    assert too_long.json()["error"]["fields"] == [
        {"field": "to", "code": "funnel_range_too_long", "message": "日期范围最长 3 年"}
    ]
    three_years = client.get(
        FUNNEL, params={"from": "2023-01-01", "to": "2025-12-31"}, headers=headers
    )
    assert three_years.status_code == 200
    malformed = client.get(FUNNEL, params={"from": "2026-13-01"}, headers=headers)
    assert malformed.status_code == 422
    end_of_calendar = client.get(
        FUNNEL, params={"from": "9999-01-01", "to": "9999-12-31"}, headers=headers
    )
    assert end_of_calendar.status_code == 200
    assert end_of_calendar.json()["totals"]["entered"] == 0


def test_anonymous_callers_and_callers_without_analytics_are_refused(
    client: TestClient, db: Session, example: Funnel
) -> None:
    assert client.get(FUNNEL).status_code == 401
    admin = make_user(db, example.world.sub_a, "subsidiary_admin")  # no analytics.read
    db.commit()
    response = client.get(FUNNEL, headers=login(client, admin))
    assert response.status_code == 403


def test_a_deal_created_in_range_counts_as_entering_its_first_stage(
    client: TestClient, db: Session, example: Funnel
) -> None:
    """The creation row (no from-stage) is what the opportunity service writes on create."""
    before = figures(get_funnel(client, example.director_a, **RANGE))["lead"][0]
    make_deal(db, example.world.team_a, make_process(db), [("lead", "2026-04-30")])
    db.commit()
    after = figures(get_funnel(client, example.director_a, **RANGE))["lead"][0]
    assert (before, after) == (7, 8)


def test_every_funnel_drill_down_lists_exactly_the_counted_deals(
    client: TestClient, example: Funnel
) -> None:
    """Follow each descriptor to the opportunity list: its total is the figure."""
    headers = login(client, example.director_a)
    body = get_funnel(client, example.director_a, **RANGE)
    followed = 0
    for stage in body["stages"]:
        for figure in ("entered", "advanced", "dropped", "in_progress", "stalled"):
            drill = stage["drill"][figure]
            assert drill["resource"] == "opportunities"
            listed = client.get(
                "/api/v1/opportunities",
                params={**drill["query"], "include_total": "true", "limit": 500},
                headers=headers,
            )
            assert listed.status_code == 200, listed.text
            assert listed.json()["total"] == stage[figure], (stage["stage_code"], figure)
            followed += 1
        transitions = client.get(
            "/api/v1/opportunities",
            params={**stage["drill"]["average_days"]["query"], "include_total": "true"},
            headers=headers,
        )
        assert transitions.status_code == 200, transitions.text
        assert transitions.json()["total"] <= stage["transitions_out"]
    assert followed == 5 * len(body["stages"])
    outcome_without_stage = client.get(
        "/api/v1/opportunities", params={"funnel_outcome": "advanced"}, headers=headers
    )
    assert outcome_without_stage.status_code == 422
    assert outcome_without_stage.json()["error"]["fields"][0]["field"] == "entered_stage_code"
