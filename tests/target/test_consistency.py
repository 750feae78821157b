"""The consistency check: where children's targets do not add up to their parent's.

Contract-amount targets for 2026-Q2 (children are child units' own targets plus the targets
of persons placed directly in the unit):

    group  ¥300,000.00 ← sub_a ¥200,000.00 + sub_b ¥120,000.00 = ¥320,000.00   over  +20,000
    sub_a  ¥200,000.00 ← dept_a ¥150,000.00 (dept_a2 has none)  = ¥150,000.00  under −50,000
    dept_a ¥150,000.00 ← team_a ¥100,000.00 + rep ¥50,000.00    = ¥150,000.00  ok
    team_a ¥100,000.00, no child carries a target                              not checked
    sub_b  ¥120,000.00, no child carries a target                              not checked
Won deals for 2026-Q2: dept_a 10 ← team_a 7 = 7, under −3.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from flotilla.models.analytics import Target
from flotilla.models.org import OrgUnit
from tests.fixtures.factories import World, as_user, make_unit, make_user, make_world
from tests.fixtures.target import make_target

CONSISTENCY = "/api/v1/targets/consistency"


@dataclass
class Setup:
    world: World
    dept_a2: OrgUnit
    group: Target
    sub_a: Target
    dept_a: Target
    won_deals: Target


def _setup(db: Session) -> Setup:
    world = make_world(db)
    dept_a2 = make_unit(db, world.sub_a, "department", "甲渠道部", code="A-CH")
    rep = make_user(db, world.dept_a, "sales_rep")
    setup = Setup(
        world=world,
        dept_a2=dept_a2,
        group=make_target(db, world.group, "300000.00"),
        sub_a=make_target(db, world.sub_a, "200000.00"),
        dept_a=make_target(db, world.dept_a, "150000.00"),
        won_deals=make_target(db, world.dept_a, "10", metric="won_deals"),
    )
    make_target(db, world.sub_b, "120000.00")
    make_target(db, world.team_a, "100000.00")
    make_target(db, world.dept_a, "50000.00", assignee=rep)
    make_target(db, world.team_a, "7", metric="won_deals")
    db.commit()
    return setup


def _unit(unit: OrgUnit) -> dict[str, str]:
    return {"id": str(unit.id), "name": unit.name, "kind": unit.kind}


def _issues(client: TestClient, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    response = client.get(CONSISTENCY, params={"period": "2026-Q2", **params}, headers=headers)
    assert response.status_code == 200, response.text
    issues: list[dict[str, Any]] = response.json()["issues"]
    return issues


def test_mismatches_are_listed_with_sums_differences_and_missing_children(
    client: TestClient, db: Session
) -> None:
    setup = _setup(db)
    world = setup.world
    _vp, headers = as_user(client, db, world.group, "group_sales_vp")

    issues = _issues(client, headers)

    assert issues == [
        {
            "target_id": str(setup.group.id),
            "metric": "contract_amount",
            "unit": _unit(world.group),
            "value": "300000.00",
            "children_sum": "320000.00",
            "difference": "20000.00",
            "children_with_target": 2,
            "children_without_target": [],
            "status": "over",
            "currency": "CNY",
        },
        {
            "target_id": str(setup.sub_a.id),
            "metric": "contract_amount",
            "unit": _unit(world.sub_a),
            "value": "200000.00",
            "children_sum": "150000.00",
            "difference": "-50000.00",
            "children_with_target": 1,
            "children_without_target": [_unit(setup.dept_a2)],
            "status": "under",
            "currency": "CNY",
        },
        {
            "target_id": str(setup.won_deals.id),
            "metric": "won_deals",
            "unit": _unit(world.dept_a),
            "value": "10",
            "children_sum": "7",
            "difference": "-3",
            "children_with_target": 1,
            "children_without_target": [],
            "status": "under",
            "currency": None,
        },
    ]


def test_all_adds_the_parents_that_add_up(client: TestClient, db: Session) -> None:
    setup = _setup(db)
    _vp, headers = as_user(client, db, setup.world.group, "group_sales_vp")

    issues = _issues(client, headers, all="true", metric="contract_amount")

    assert [(i["unit"]["name"], i["status"]) for i in issues] == [
        ("测试集团", "over"),
        ("甲子公司", "under"),
        ("甲大客户部", "ok"),
    ]
    ok = issues[2]
    assert (ok["value"], ok["children_sum"], ok["difference"], ok["children_with_target"]) == (
        "150000.00",
        "150000.00",
        "0.00",
        2,
    )


def test_a_unit_narrows_to_its_subtree(client: TestClient, db: Session) -> None:
    setup = _setup(db)
    _vp, headers = as_user(client, db, setup.world.group, "group_sales_vp")

    issues = _issues(client, headers, unit_id=str(setup.world.sub_a.id))

    assert [i["target_id"] for i in issues] == [str(setup.sub_a.id), str(setup.won_deals.id)]


def test_a_director_sees_their_subsidiarys_issues_and_not_the_groups(
    client: TestClient, db: Session
) -> None:
    setup = _setup(db)
    _director, headers = as_user(client, db, setup.world.sub_a, "sales_director")

    issues = _issues(client, headers, metric="contract_amount")

    assert [i["target_id"] for i in issues] == [str(setup.sub_a.id)]
    assert issues[0]["children_sum"] == "150000.00"
    response = client.get(
        CONSISTENCY,
        params={"period": "2026-Q2", "unit_id": str(setup.world.group.id)},
        headers=headers,
    )
    assert response.status_code == 404


def test_the_check_exports_to_xlsx(client: TestClient, db: Session) -> None:
    setup = _setup(db)
    _vp, headers = as_user(client, db, setup.world.group, "group_sales_vp")

    response = client.get(
        CONSISTENCY, params={"period": "2026-Q2", "format": "xlsx"}, headers=headers
    )

    assert response.status_code == 200, response.text
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == [
        "指标",
        "期间",
        "组织单元",
        "目标",
        "下级合计",
        "差额",
        "状态",
        "未设目标的下级单元",
    ]
    assert rows[2] == [
        "签约金额",
        "2026-Q2",
        "甲子公司",
        200000,
        150000,
        -50000,
        "under",
        "甲渠道部",
    ]
    assert len(rows) == 4
