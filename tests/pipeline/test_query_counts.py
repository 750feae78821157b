"""N+1 guard for the pipeline analytics: the statements an answer takes do not grow with the
deals, units, stages, owners or currencies behind it, and a 2-row and a 20-row page of the
drill list take the same number."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from flotilla.core import clock
from flotilla.pipeline.snapshot import take
from tests.fixtures.factories import as_user, make_unit, make_user
from tests.fixtures.process import make_opportunity
from tests.fixtures.receivable import make_rate
from tests.opportunity.test_list_query_counts import assert_constant
from tests.pipeline.story import D2, D3, NOW, Story, make_story
from tests.user.test_list_query_counts import counting_statements

REQUESTS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("/api/v1/analytics/pipeline", {}),
    ("/api/v1/analytics/pipeline", {"date": "2026-03-09", "currency": "HKD"}),
    ("/api/v1/analytics/pipeline-changes", {"from": "2026-03-02", "to": "2026-04-06"}),
    ("/api/v1/analytics/pipeline-changes", {"from": "2026-03-09", "to": "2026-04-07"}),
)


def _count(client: TestClient, db: Session, headers: dict[str, str]) -> list[int]:
    counts = []
    for path, params in REQUESTS:
        with clock.frozen_at(NOW), counting_statements(db) as statements:
            response = client.get(path, params=params, headers=headers)
        assert response.status_code == 200, response.text
        counts.append(len(statements))
    return counts


def _grow(db: Session, story: Story) -> None:
    """Twenty-four more deals over new teams in both subsidiaries, two new currencies (one
    without a rate), several owners and every open stage; snapshotted on D3 again."""
    make_rate(db, "USD", "CNY", D3, "7.10")
    world = story.world
    stages = ("prospect", "proposal", "closing")
    with clock.frozen_at(datetime(2026, 4, 2, 2, 0, tzinfo=UTC)):
        for index in range(24):
            parent = (world.dept_a, world.dept_b, world.team_a)[index % 3]
            team = make_unit(db, parent, "team")
            owner = make_user(db, team, "sales_rep")
            deal = make_opportunity(
                db,
                team,
                owner,
                version=story.process.version,
                stage_code=stages[index % 3],
                amount=str(1000 * (index + 1)),
            )
            deal.currency = ("CNY", "USD", "SGD", "HKD")[index % 4]
    db.flush()
    take(db, D3)
    db.commit()


@pytest.mark.parametrize(
    ("role_code", "anchor"), [("group_sales_vp", "group"), ("sales_director", "sub_a")]
)
def test_pipeline_analytics_run_a_fixed_number_of_statements(
    client: TestClient, db: Session, role_code: str, anchor: str
) -> None:
    story = make_story(db)
    _user, headers = as_user(client, db, getattr(story.world, anchor), role_code)
    before = _count(client, db, headers)

    _grow(db, story)
    after = _count(client, db, headers)

    assert after == before


def test_the_drill_list_runs_a_fixed_number_of_statements(client: TestClient, db: Session) -> None:
    story = make_story(db)
    _grow(db, story)
    _user, headers = as_user(client, db, story.world.group, "group_sales_vp")
    with clock.frozen_at(NOW):
        assert_constant(client, db, "/api/v1/analytics/pipeline/rows", headers)
        assert_constant(
            client,
            db,
            "/api/v1/analytics/pipeline/rows",
            headers,
            **{"from": D2.isoformat(), "date": D3.isoformat(), "change": "new"},
        )
