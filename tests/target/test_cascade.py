"""Cascading a unit's target to its direct children: manual, equal and last-period splits
with exact cents, updates in place, and all-or-nothing refusals with per-row errors.

The unit is 甲大客户部 (dept_a) with two teams (甲一组 team_a, 甲二组 team_a2) and a rep placed
directly in it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flotilla.models.analytics import Target
from flotilla.models.identity import User
from flotilla.models.org import OrgUnit
from tests.fixtures.factories import World, as_user, make_unit, make_user, make_world
from tests.fixtures.target import make_target, signed_contract

CASCADE = "/api/v1/targets/cascade"


@dataclass
class Setup:
    world: World
    team_a2: OrgUnit
    rep: User
    headers: dict[str, str]


def _setup(client: TestClient, db: Session) -> Setup:
    world = make_world(db)
    team_a2 = make_unit(db, world.dept_a, "team", "甲二组", code="A-KA-2")
    rep = make_user(db, world.dept_a, "sales_rep")
    _director, headers = as_user(client, db, world.sub_a, "sales_director")
    return Setup(world, team_a2, rep, headers)


def _children(setup: Setup) -> list[dict[str, str]]:
    return [
        {"unit_id": str(setup.world.team_a.id)},
        {"unit_id": str(setup.team_a2.id)},
        {"user_id": str(setup.rep.id)},
    ]


def _stored_values(db: Session, setup: Setup, metric: str = "contract_amount") -> list[Any]:
    """The children's stored values in split order: team_a, team_a2, the rep."""
    db.expire_all()
    rows = db.execute(
        select(Target).where(Target.metric == metric, Target.period_start == date(2026, 4, 1))
    ).scalars()
    by_key = {(t.unit_id, t.assignee_user_id): t.value for t in rows}
    return [
        by_key.get((setup.world.team_a.id, None)),
        by_key.get((setup.team_a2.id, None)),
        by_key.get((setup.world.dept_a.id, setup.rep.id)),
    ]


def test_equal_split_gives_the_left_over_cents_to_the_first_children(
    client: TestClient, db: Session
) -> None:
    setup = _setup(client, db)
    parent = make_target(db, setup.world.dept_a, "100000.01")
    db.commit()

    response = client.post(
        CASCADE,
        json={
            "metric": "contract_amount",
            "period": "2026-Q2",
            "unit_id": str(setup.world.dept_a.id),
            "method": "equal",
            "splits": _children(setup),
        },
        headers=setup.headers,
    )

    assert response.status_code == 200, response.text
    # 10,000,001 cents ÷ 3 = 3,333,333 rest 2: the first two children get a cent more.
    assert _stored_values(db, setup) == [
        Decimal("33333.34"),
        Decimal("33333.34"),
        Decimal("33333.33"),
    ]
    view = response.json()
    values = {(i["unit"]["id"], (i["assignee"] or {}).get("id")): i["value"] for i in view["items"]}
    assert values == {
        (str(setup.world.dept_a.id), None): "100000.01",
        (str(setup.world.team_a.id), None): "33333.34",
        (str(setup.team_a2.id), None): "33333.34",
        (str(setup.world.dept_a.id), str(setup.rep.id)): "33333.33",
    }
    assert str(parent.id) in {i["id"] for i in view["items"]}
    stored = db.execute(select(Target).where(Target.assignee_user_id == setup.rep.id)).scalar_one()
    assert (stored.owner_id, stored.subsidiary_id, stored.currency) == (
        setup.rep.id,
        setup.world.sub_a.id,
        "CNY",
    )


def test_equal_split_of_a_count_hands_out_whole_items(client: TestClient, db: Session) -> None:
    setup = _setup(client, db)
    make_target(db, setup.world.dept_a, "10", metric="won_deals")
    db.commit()

    response = client.post(
        CASCADE,
        json={
            "metric": "won_deals",
            "period": "2026-Q2",
            "unit_id": str(setup.world.dept_a.id),
            "method": "equal",
            "splits": _children(setup),
        },
        headers=setup.headers,
    )

    assert response.status_code == 200, response.text
    assert _stored_values(db, setup, "won_deals") == [Decimal(4), Decimal(3), Decimal(3)]
    assert sorted(i["value"] for i in response.json()["items"]) == ["10", "3", "3", "4"]


def test_manual_split_takes_each_value_and_updates_existing_targets_in_place(
    client: TestClient, db: Session
) -> None:
    setup = _setup(client, db)
    make_target(db, setup.world.dept_a, "100000.00")
    existing = make_target(db, setup.world.team_a, "1.00", note="保留备注")
    db.commit()
    splits = _children(setup)
    splits[0]["value"] = "60000"
    splits[1]["value"] = "40000.5"
    splits[2]["value"] = "0"

    response = client.post(
        CASCADE,
        json={
            "metric": "contract_amount",
            "period": "2026-Q2",
            "unit_id": str(setup.world.dept_a.id),
            "splits": splits,
        },
        headers=setup.headers,
    )

    assert response.status_code == 200, response.text
    assert _stored_values(db, setup) == [Decimal("60000.00"), Decimal("40000.50"), Decimal("0.00")]
    updated = db.execute(select(Target).where(Target.id == existing.id)).scalar_one()
    assert (updated.version, updated.note) == (2, "保留备注")
    assert db.execute(select(func.count(Target.id))).scalar_one() == 4


def test_last_period_split_follows_last_years_actuals(client: TestClient, db: Session) -> None:
    setup = _setup(client, db)
    make_target(db, setup.world.dept_a, "100000.00")
    # 2025-Q2: team_a ¥10,000, team_a2 ¥20,000, the rep nothing. This year's deal is ignored.
    signed_contract(db, setup.world.team_a, "10000.00", date(2025, 4, 15))
    signed_contract(db, setup.team_a2, "20000.00", date(2025, 5, 15))
    signed_contract(db, setup.world.team_a, "50000.00", date(2026, 4, 20))
    db.commit()

    response = client.post(
        CASCADE,
        json={
            "metric": "contract_amount",
            "period": "2026-Q2",
            "unit_id": str(setup.world.dept_a.id),
            "method": "last_period",
            "splits": _children(setup),
        },
        headers=setup.headers,
    )

    assert response.status_code == 200, response.text
    # 10,000,000 cents × 1/3 = 3,333,333.33…, × 2/3 = 6,666,666.66…: the larger remainder
    # (team_a2's) takes the cent left over.
    assert _stored_values(db, setup) == [
        Decimal("33333.33"),
        Decimal("66666.67"),
        Decimal("0.00"),
    ]


def test_last_period_split_without_history_is_equal(client: TestClient, db: Session) -> None:
    setup = _setup(client, db)
    make_target(db, setup.world.dept_a, "1000.00")
    db.commit()

    response = client.post(
        CASCADE,
        json={
            "metric": "contract_amount",
            "period": "2026-Q2",
            "unit_id": str(setup.world.dept_a.id),
            "method": "last_period",
            "splits": _children(setup),
        },
        headers=setup.headers,
    )

    assert response.status_code == 200, response.text
    assert _stored_values(db, setup) == [
        Decimal("333.34"),
        Decimal("333.33"),
        Decimal("333.33"),
    ]


def test_a_bad_row_refuses_the_whole_cascade_naming_each_row(
    client: TestClient, db: Session
) -> None:
    setup = _setup(client, db)
    make_target(db, setup.world.sub_a, "500000.00")
    db.commit()
    before = db.execute(select(func.count(Target.id))).scalar_one()

    response = client.post(
        CASCADE,
        json={
            "metric": "contract_amount",
            "period": "2026-Q2",
            "unit_id": str(setup.world.sub_a.id),
            "method": "equal",
            "splits": [
                {"unit_id": str(setup.world.dept_a.id)},
                {"unit_id": str(setup.world.team_a.id)},
                {"unit_id": str(setup.world.dept_a.id), "user_id": str(setup.rep.id)},
                {"unit_id": str(setup.world.dept_a.id)},
                {"unit_id": str(setup.world.dept_b.id)},
                {"user_id": str(setup.rep.id), "value": "1"},
            ],
        },
        headers={**setup.headers, "Accept-Language": "en-US"},
    )

    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert [(f["field"], f["code"]) for f in error["fields"]] == [
        ("splits.1.unit_id", "target_not_a_child"),
        ("splits.2.unit_id", "target_split_one_of"),
        ("splits.3.unit_id", "target_split_duplicate"),
        ("splits.4.unit_id", "target_not_a_child"),
        ("splits.5.value", "target_split_value_computed"),
        ("splits.5.user_id", "target_not_a_child"),
    ]
    assert error["fields"][2]["message"] == "Repeats row 0"
    assert str(setup.world.dept_b.id) not in response.text
    assert db.execute(select(func.count(Target.id))).scalar_one() == before


def test_manual_rows_need_values_of_the_metrics_kind(client: TestClient, db: Session) -> None:
    setup = _setup(client, db)
    make_target(db, setup.world.dept_a, "10", metric="won_deals")
    db.commit()

    response = client.post(
        CASCADE,
        json={
            "metric": "won_deals",
            "period": "2026-Q2",
            "unit_id": str(setup.world.dept_a.id),
            "splits": [
                {"unit_id": str(setup.world.team_a.id), "value": "4"},
                {"unit_id": str(setup.team_a2.id)},
                {"user_id": str(setup.rep.id), "value": "2.5"},
            ],
        },
        headers=setup.headers,
    )

    assert response.status_code == 422, response.text
    assert [(f["field"], f["code"]) for f in response.json()["error"]["fields"]] == [
        ("splits.1.value", "target_split_value_required"),
        ("splits.2.value", "target_whole_number"),
    ]
    assert _stored_values(db, setup, "won_deals") == [None, None, None]


def test_the_parent_target_must_exist_and_the_unit_be_reachable(
    client: TestClient, db: Session
) -> None:
    setup = _setup(client, db)
    make_target(db, setup.world.dept_b, "100.00")
    db.commit()
    body = {
        "metric": "contract_amount",
        "period": "2026-Q2",
        "method": "equal",
        "splits": _children(setup),
    }

    missing = client.post(
        CASCADE, json={**body, "unit_id": str(setup.world.dept_a.id)}, headers=setup.headers
    )
    hidden = client.post(
        CASCADE,
        json={
            **body,
            "unit_id": str(setup.world.dept_b.id),
            "splits": [{"user_id": str(setup.rep.id)}],
        },
        headers=setup.headers,
    )

    assert missing.status_code == 422, missing.text
    assert missing.json()["error"]["code"] == "target_parent_missing"
    assert (
        missing.json()["error"]["message"] == "请先为该组织单元设定此指标在本期间的目标，再向下分解"
    )
    assert hidden.status_code == 404, hidden.text
