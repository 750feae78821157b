"""Stalled deals: whole days in the current stage beyond the stage's ``max_days``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from flotilla.core import clock
from flotilla.models.identity import User
from flotilla.process.seed import ensure_standard_template
from tests.fixtures.factories import login, make_user, make_world
from tests.fixtures.process import SIMPLE_STAGES, latest_version, make_opportunity, make_template

BASE = "/api/v1/opportunities"
START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def listed(client: TestClient, user: User, **params: Any) -> dict[str, Any]:
    headers = login(client, user)  # a fresh session: the frozen clock moves by weeks
    response = client.get(BASE, params={"limit": 100, **params}, headers=headers)
    assert response.status_code == 200, response.text
    return {item["name"]: item for item in response.json()["items"]}


def test_a_deal_is_stalled_once_its_days_in_stage_exceed_the_stage_limit(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    standard = latest_version(db, ensure_standard_template(db))
    version = latest_version(db, make_template(db, SIMPLE_STAGES, code="SIMPLE"))
    owner = make_user(db, world.team_a, "sales_rep")
    with clock.frozen_at(START):
        make_opportunity(db, world.team_a, owner, version=version, name="prospect-10d")
        make_opportunity(
            db, world.team_a, owner, version=version, stage_code="proposal", name="proposal-20d"
        )
        make_opportunity(
            db, world.team_a, owner, version=version, stage_code="closing", name="no-limit"
        )
        make_opportunity(db, world.team_a, owner, version=version, stage_code="lost", name="closed")
        make_opportunity(db, world.team_a, owner, version=standard, name="qualify-14d")
        db.commit()

        clock.advance(timedelta(days=10, hours=23))
        items = listed(client, owner)
        assert items["prospect-10d"]["days_in_stage"] == 10
        assert not any(item["stalled"] for item in items.values())
        assert listed(client, owner, stalled="true") == {}

        clock.advance(timedelta(hours=1))  # 11 whole days > 10
        items = listed(client, owner)
        assert {name for name, item in items.items() if item["stalled"]} == {"prospect-10d"}
        assert set(listed(client, owner, stalled="true")) == {"prospect-10d"}
        assert set(listed(client, owner, stalled="false")) == {
            "proposal-20d",
            "no-limit",
            "closed",
            "qualify-14d",
        }

        clock.advance(timedelta(days=10))  # 21 days: past 14 and 20, closed deals never stall
        stalled = set(listed(client, owner, stalled="true"))
        assert stalled == {"prospect-10d", "proposal-20d", "qualify-14d"}
        items = listed(client, owner)
        assert items["closed"]["stalled"] is False
        assert items["no-limit"]["days_in_stage"] == 21


def test_a_transition_restarts_the_stage_clock_and_records_the_days_spent(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    version = latest_version(db, make_template(db, SIMPLE_STAGES, code="SIMPLE"))
    owner = make_user(db, world.team_a, "sales_rep")
    with clock.frozen_at(START):
        deal = make_opportunity(db, world.team_a, owner, version=version, name="moving")
        db.commit()
        clock.advance(timedelta(days=12))
        headers = login(client, owner)
        detail = client.get(f"{BASE}/{deal.id}", headers=headers).json()
        assert (detail["days_in_stage"], detail["stalled"]) == (12, True)
        moved = client.post(
            f"{BASE}/{deal.id}/transitions",
            json={"to_stage": "proposal", "version": detail["version"]},
            headers=headers,
        )
        assert moved.status_code == 200, moved.text
        assert (moved.json()["days_in_stage"], moved.json()["stalled"]) == (0, False)
        assert moved.json()["stage_entered_at"] == "2026-03-14T09:30:00Z"
        history = client.get(f"{BASE}/{deal.id}/history", headers=headers).json()
        assert history[-1]["days_in_previous"] == 12
        assert listed(client, owner, stalled="true") == {}
