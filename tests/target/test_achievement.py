"""Achievement, ratio and rank of targets against hand-computed facts (see ``example.py``),
and that a director sees the same figures as the group VP for their subsidiary — without
anything of the sibling subsidiary showing through a total, a rank or a missing rate."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.fixtures.factories import as_user
from tests.target.example import PERIOD, build_example

TARGETS = "/api/v1/targets"
HKD_JUNE = {
    "from_currency": "HKD",
    "to_currency": "CNY",
    "period": "2026-06",
    "rate_type": "average",
}


def _by_id(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in body["items"]}


def _figures(item: dict[str, Any]) -> tuple[Any, ...]:
    achieved = item["achievement"]
    return item["value"], achieved["actual"], achieved["ratio"], item["rank"]


def test_achievement_ratio_and_rank_match_the_worked_example(
    client: TestClient, db: Session
) -> None:
    example = build_example(db)
    _vp, headers = as_user(client, db, example.world.group, "group_sales_vp")

    response = client.get(
        TARGETS, params={"period": PERIOD, "metric": "contract_amount"}, headers=headers
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["period"] == {
        "label": "2026-Q2",
        "kind": "quarter",
        "start": "2026-04-01",
        "end": "2026-07-01",
    }
    assert body["currency"] == "CNY"
    assert body["missing_rates"] == [HKD_JUNE]
    items = _by_id(body)
    assert _figures(items[str(example.group.id)]) == ("300000.00", "242000.00", "0.8067", 1)
    assert _figures(items[str(example.sub_a.id)]) == ("200000.00", "150000.00", "0.7500", 2)
    assert _figures(items[str(example.sub_b.id)]) == ("80000.00", "92000.00", "1.1500", 1)
    assert _figures(items[str(example.dept_a.id)]) == ("150000.00", "150000.00", "1.0000", 1)
    assert _figures(items[str(example.team_a.id)]) == ("100000.00", "120000.00", "1.2000", 1)
    assert _figures(items[str(example.rep2_target.id)]) == ("40000.00", "30000.00", "0.7500", 1)
    assert _figures(items[str(example.rep3_target.id)]) == ("10000.00", "0.00", "0.0000", 2)
    assert _figures(items[str(example.rep1_target.id)]) == ("0.00", "120000.00", None, None)
    assert len(items) == 8

    sub_b = items[str(example.sub_b.id)]
    assert sub_b["unit"] == {
        "id": str(example.world.sub_b.id),
        "name": "乙子公司",
        "kind": "subsidiary",
    }
    assert sub_b["assignee"] is None
    assert sub_b["currency"] == "CNY"
    assert sub_b["achievement"]["rate_type"] == "average"
    assert sub_b["achievement"]["missing_rates"] == [HKD_JUNE]
    rep2 = items[str(example.rep2_target.id)]
    assert rep2["assignee"] == {"id": str(example.rep2.id), "name": example.rep2.display_name}


def test_count_targets_measure_whole_items_without_currency(
    client: TestClient, db: Session
) -> None:
    example = build_example(db)
    _vp, headers = as_user(client, db, example.world.group, "group_sales_vp")

    response = client.get(
        TARGETS, params={"period": PERIOD, "metric": "new_customers"}, headers=headers
    )

    assert response.status_code == 200, response.text
    (item,) = response.json()["items"]
    assert item["id"] == str(example.new_customers.id)
    assert item["value"] == "4"
    assert item["currency"] is None
    assert item["achievement"] == {
        "actual": "2",
        "ratio": "0.5000",
        "rate_type": None,
        "missing_rates": [],
    }
    assert item["rank"] == 1


def test_director_gets_the_vps_figures_for_their_subsidiary_and_nothing_of_the_sibling(
    client: TestClient, db: Session
) -> None:
    example = build_example(db)
    _vp, vp = as_user(client, db, example.world.group, "group_sales_vp")
    _director, director = as_user(client, db, example.world.sub_a, "sales_director")
    params = {"period": PERIOD, "metric": "contract_amount"}

    vp_items = _by_id(client.get(TARGETS, params=params, headers=vp).json())
    response = client.get(TARGETS, params=params, headers=director)

    assert response.status_code == 200, response.text
    body = response.json()
    director_items = _by_id(body)
    mine = {
        str(t.id)
        for t in (
            example.sub_a,
            example.dept_a,
            example.team_a,
            example.rep1_target,
            example.rep2_target,
            example.rep3_target,
        )
    }
    assert set(director_items) == mine
    for target_id in mine - {str(example.sub_a.id)}:
        assert _figures(director_items[target_id]) == _figures(vp_items[target_id])
    # The sibling subsidiary is not there to be ranked against, and its missing HKD rate is
    # not the director's business.
    assert _figures(director_items[str(example.sub_a.id)]) == (
        "200000.00",
        "150000.00",
        "0.7500",
        1,
    )
    assert body["missing_rates"] == []
    assert client.get(f"{TARGETS}/{example.sub_b.id}", headers=director).status_code == 404
    assert client.get(f"{TARGETS}/{example.group.id}", headers=director).status_code == 404


def test_one_target_reads_with_its_achievement_and_rank(client: TestClient, db: Session) -> None:
    example = build_example(db)
    _vp, headers = as_user(client, db, example.world.group, "group_sales_vp")

    response = client.get(f"{TARGETS}/{example.sub_a.id}", headers=headers)

    assert response.status_code == 200, response.text
    assert _figures(response.json()) == ("200000.00", "150000.00", "0.7500", 2)


def test_the_cascade_view_is_the_unit_its_persons_and_its_child_units(
    client: TestClient, db: Session
) -> None:
    example = build_example(db)
    _vp, headers = as_user(client, db, example.world.group, "group_sales_vp")
    params = {
        "period": PERIOD,
        "metric": "contract_amount",
        "unit_id": str(example.world.dept_a.id),
    }

    own = client.get(TARGETS, params=params, headers=headers)
    cascade = client.get(TARGETS, params={**params, "include_children": "true"}, headers=headers)

    assert own.status_code == 200, own.text
    assert [i["id"] for i in own.json()["items"]] == [
        str(example.dept_a.id),
        *sorted(
            [str(example.rep2_target.id), str(example.rep3_target.id)],
            key=lambda i: {
                str(example.rep2_target.id): example.rep2.display_name,
                str(example.rep3_target.id): example.rep3.display_name,
            }[i],
        ),
    ]
    assert cascade.status_code == 200, cascade.text
    assert {i["id"] for i in cascade.json()["items"]} == {
        str(example.dept_a.id),
        str(example.rep2_target.id),
        str(example.rep3_target.id),
        str(example.team_a.id),
    }
