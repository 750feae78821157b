"""The demo group's dashboards tell a story (issue #7): 北京 ahead of target, 上海 behind,
香港 about on track, 新加坡 with thin pipeline coverage, 深圳 with overdue receivables, and
one cascade gap the targets screen warns about.

The demo is seeded once for the module on its own database and read through the real API
as the group VP, the way a visitor meets it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from flotilla.core.db import make_engine, make_session_factory
from flotilla.core.scope import mark_system_session
from flotilla.demo import seed_demo
from flotilla.main import create_app
from flotilla.models.analytics import ActivityMonth, PipelineSnapshot, Target
from flotilla.models.audit import AuditEvent
from flotilla.models.org import OrgUnit
from flotilla.models.sales import Activity
from tests.fixtures.factories import login

if TYPE_CHECKING:
    from tests.conftest import DatabaseFactory

DEMO_PASSWORD = "flotilla-demo"
SUBSIDIARIES = ("BJ", "SH", "SZ", "HK", "SG")
METRICS = ("contract_amount", "payment_collected", "new_customers", "won_deals", "activities")


@dataclass
class SeededDemo:
    factory: sessionmaker[Session]
    client: TestClient
    vp: dict[str, str]
    unit_ids: dict[str, uuid.UUID]  # unit code → id

    def session(self) -> Session:
        session = self.factory()
        mark_system_session(session)
        return session

    def get(self, path: str, headers: dict[str, str] | None = None, **params: Any) -> Any:
        response = self.client.get(path, params=params, headers=headers or self.vp)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture(scope="module")
def demo(database_factory: DatabaseFactory) -> Iterator[SeededDemo]:
    database = database_factory.create()
    engine = make_engine(database.url)
    factory = make_session_factory(engine)
    try:
        seed_demo(factory, DEMO_PASSWORD)
        with factory() as session:
            mark_system_session(session)
            unit_ids = {
                code: unit_id for code, unit_id in session.execute(select(OrgUnit.code, OrgUnit.id))
            }
        client = TestClient(create_app(factory))
        yield SeededDemo(factory, client, login(client, "vp", DEMO_PASSWORD), unit_ids)
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def league(demo: SeededDemo) -> dict[str, dict[str, Any]]:
    """The group dashboard's league table (the current fiscal quarter, in CNY): unit code →
    row, the group's total row under ``XH``."""
    report = demo.get("/api/v1/analytics/kpis")
    assert report["currency"] == "CNY"
    assert report["missing_rates"] == []
    codes = {str(unit_id): code for code, unit_id in demo.unit_ids.items()}
    return {codes[row["unit_id"]]: row for row in report["rows"] if row["kind"] == "unit"}


def ratio(row: dict[str, Any], metric: str) -> Decimal:
    return Decimal(row["metrics"][metric]["ratio"])


def test_beijing_is_ahead_of_its_contract_target(league: dict[str, dict[str, Any]]) -> None:
    assert Decimal("1.15") <= ratio(league["BJ"], "contract_amount") <= Decimal("1.25")
    assert league["BJ"]["rank"] == 1


def test_shanghai_is_behind_its_contract_target(league: dict[str, dict[str, Any]]) -> None:
    assert Decimal("0.60") <= ratio(league["SH"], "contract_amount") <= Decimal("0.70")
    assert ratio(league["SH"], "contract_amount") < Decimal("0.8")


def test_hong_kong_is_about_on_track(league: dict[str, dict[str, Any]]) -> None:
    assert Decimal("0.95") <= ratio(league["HK"], "contract_amount") <= Decimal("1.05")


def test_singapore_has_thin_pipeline_coverage(league: dict[str, dict[str, Any]]) -> None:
    singapore = league["SG"]
    assert Decimal(singapore["remaining_target"]) > 0
    assert Decimal(singapore["weighted_pipeline"]) > 0
    assert Decimal("0.30") <= Decimal(singapore["coverage"]) <= Decimal("0.50")
    assert Decimal(singapore["coverage"]) < Decimal("0.6")
    covered = {c: Decimal(league[c]["coverage"]) for c in SUBSIDIARIES if league[c]["coverage"]}
    assert min(covered, key=lambda code: covered[code]) == "SG"


def test_shenzhen_carries_the_group_s_largest_overdue_receivables(
    league: dict[str, dict[str, Any]],
) -> None:
    overdue = {code: Decimal(league[code]["overdue_receivables"]) for code in SUBSIDIARIES}
    assert overdue["SZ"] > 0
    assert max(overdue, key=lambda code: overdue[code]) == "SZ"


def test_every_subsidiary_has_a_target_on_every_metric_and_the_group_s_is_their_sum(
    league: dict[str, dict[str, Any]],
) -> None:
    for metric in METRICS:
        targets = [Decimal(league[code]["metrics"][metric]["target"]) for code in SUBSIDIARIES]
        assert all(t > 0 for t in targets), metric
        assert Decimal(league["XH"]["metrics"][metric]["target"]) == sum(targets), metric


def test_the_targets_screen_warns_about_shanghai_s_key_account_team_only(
    demo: SeededDemo, league: dict[str, dict[str, Any]]
) -> None:
    quarter = demo.get("/api/v1/analytics/kpis")["period"]["label"]
    report = demo.get("/api/v1/targets/consistency", period=quarter)
    issues = [(i["unit"]["id"], i["metric"], i["status"]) for i in report["issues"]]
    assert issues == [(str(demo.unit_ids["SH-KA"]), "contract_amount", "under")]
    gap = report["issues"][0]
    assert Decimal(gap["difference"]) < 0
    assert Decimal(gap["children_sum"]) == Decimal(gap["value"]) + Decimal(gap["difference"])


def test_the_fiscal_year_s_targets_add_up_across_the_cascade_except_the_one_gap(
    demo: SeededDemo,
) -> None:
    year = demo.get("/api/v1/analytics/kpis")["period"]["label"].split("-")[0]
    report = demo.get("/api/v1/targets/consistency", period=year)
    assert {(i["unit"]["id"], i["metric"]) for i in report["issues"]} == {
        (str(demo.unit_ids["SH-KA"]), "contract_amount")
    }


def test_a_director_sees_the_same_story_for_their_subsidiary(
    demo: SeededDemo, league: dict[str, dict[str, Any]]
) -> None:
    director = login(demo.client, "sh.director", DEMO_PASSWORD)
    own = demo.get("/api/v1/analytics/kpis", headers=director)["rows"][0]
    assert own["is_total"] and own["unit_id"] == str(demo.unit_ids["SH"])
    assert own["metrics"] == league["SH"]["metrics"]


def test_the_derived_tables_are_filled_from_the_bulk_loaded_rows(demo: SeededDemo) -> None:
    with demo.session() as session:
        activities = session.execute(select(func.count()).select_from(Activity)).scalar_one()
        rolled_up = session.execute(select(func.sum(ActivityMonth.count))).scalar_one()
        snapshot_days = session.execute(
            select(func.count(func.distinct(PipelineSnapshot.valid_from)))
        ).scalar_one()
    assert rolled_up == activities
    # Weekly back-fill over half a year plus today; a day only counts if something changed.
    assert snapshot_days >= 20


def test_targets_are_on_the_audit_trail_as_created_by_the_system(demo: SeededDemo) -> None:
    with demo.session() as session:
        targets = session.execute(select(func.count()).select_from(Target)).scalar_one()
        events = session.execute(
            select(AuditEvent.actor_name, func.count())
            .where(AuditEvent.action == "target.create")
            .group_by(AuditEvent.actor_name)
        ).all()
    assert targets > 0
    assert [tuple(e) for e in events] == [("system", targets)]
