"""The fiscal-year start month: a group setting on the root, read by anyone signed in, set
by a group administrator (here or on the root org unit), and what it does to targets — with
April, ``2026-Q1`` is April–June 2026."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.models.audit import AuditEvent
from flotilla.models.org import OrgUnit
from tests.fixtures.factories import as_user, make_world
from tests.fixtures.target import make_target, signed_contract

FISCAL = "/api/v1/targets/fiscal-year"
TARGETS = "/api/v1/targets"
UNITS = "/api/v1/org-units"
EN = {"Accept-Language": "en-US"}


def _root_month(db: Session) -> int | None:
    db.expire_all()
    return db.execute(
        select(OrgUnit.fiscal_year_start_month).where(OrgUnit.parent_id.is_(None))
    ).scalar_one()


def test_anyone_signed_in_reads_the_start_month_january_by_default(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    _nobody, headers = as_user(client, db, world.team_a, None)

    response = client.get(FISCAL, headers=headers)

    assert response.status_code == 200, response.text
    assert response.json() == {"start_month": 1}


def test_a_group_admin_sets_the_start_month_and_it_is_audited(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    _admin, headers = as_user(client, db, world.group, "group_admin")

    response = client.put(FISCAL, json={"start_month": 4}, headers=headers)

    assert response.status_code == 200, response.text
    assert response.json() == {"start_month": 4}
    assert client.get(FISCAL, headers=headers).json() == {"start_month": 4}
    assert _root_month(db) == 4
    event = db.execute(
        select(AuditEvent).where(
            AuditEvent.action == "org_unit.update", AuditEvent.entity_id == world.group.id
        )
    ).scalar_one()
    assert event.changes["fiscal_year_start_month"] == {"before": None, "after": 4}


def test_only_a_group_admin_may_set_it(client: TestClient, db: Session) -> None:
    world = make_world(db)
    _vp, vp = as_user(client, db, world.group, "group_sales_vp")
    _sub_admin, sub_admin = as_user(client, db, world.sub_a, "subsidiary_admin")

    for headers in (vp, sub_admin):
        response = client.put(FISCAL, json={"start_month": 4}, headers=headers)
        assert response.status_code == 403, response.text
    assert _root_month(db) is None


def test_a_month_outside_1_to_12_is_refused_in_both_languages(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    _admin, headers = as_user(client, db, world.group, "group_admin")

    zh = client.put(FISCAL, json={"start_month": 13}, headers=headers)
    en = client.put(FISCAL, json={"start_month": 0}, headers={**headers, **EN})

    for response in (zh, en):
        assert response.status_code == 422, response.text
        assert response.json()["error"]["fields"][0]["field"] == "start_month"
        assert response.json()["error"]["fields"][0]["code"] == "invalid_fiscal_month"
    assert zh.json()["error"]["fields"][0]["message"] == "财年起始月份应为 1 到 12 之间的整数"
    assert (
        en.json()["error"]["fields"][0]["message"]
        == "The fiscal year's first month must be a whole number from 1 to 12"
    )
    assert _root_month(db) is None


def test_the_root_org_unit_carries_the_setting_and_no_other_unit_may(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    _admin, headers = as_user(client, db, world.group, "group_admin")

    root = client.patch(
        f"{UNITS}/{world.group.id}",
        json={"version": world.group.version, "fiscal_year_start_month": 7},
        headers=headers,
    )
    subsidiary = client.patch(
        f"{UNITS}/{world.sub_a.id}",
        json={"version": world.sub_a.version, "fiscal_year_start_month": 7},
        headers=headers,
    )
    out_of_range = client.patch(
        f"{UNITS}/{world.group.id}",
        json={"version": world.group.version + 1, "fiscal_year_start_month": 13},
        headers=headers,
    )

    assert root.status_code == 200, root.text
    assert root.json()["fiscal_year_start_month"] == 7
    assert subsidiary.status_code == 422, subsidiary.text
    assert [(f["field"], f["code"]) for f in subsidiary.json()["error"]["fields"]] == [
        ("fiscal_year_start_month", "fiscal_month_root_only")
    ]
    assert out_of_range.status_code == 422, out_of_range.text
    assert out_of_range.json()["error"]["fields"][0]["code"] == "invalid_fiscal_month"
    assert _root_month(db) == 7


def test_with_april_2026_q1_is_april_to_june_2026(client: TestClient, db: Session) -> None:
    world = make_world(db)
    world.group.fiscal_year_start_month = 4
    signed_contract(db, world.dept_a, "8000.00", date(2026, 5, 10))
    signed_contract(db, world.dept_a, "1000.00", date(2026, 2, 10))  # fiscal 2025-Q4
    _director, headers = as_user(client, db, world.sub_a, "sales_director")

    created = client.post(
        TARGETS,
        json={
            "metric": "contract_amount",
            "period": "2026-Q1",
            "unit_id": str(world.dept_a.id),
            "value": "10000",
        },
        headers=headers,
    )
    year = client.get(TARGETS, params={"period": "2026"}, headers=headers)
    quarter = client.get(TARGETS, params={"period": "2026-Q1"}, headers=headers)

    assert created.status_code == 201, created.text
    body = created.json()
    assert body["period"] == {
        "label": "2026-Q1",
        "kind": "quarter",
        "start": "2026-04-01",
        "end": "2026-07-01",
    }
    assert body["achievement"]["actual"] == "8000.00"
    assert body["achievement"]["ratio"] == "0.8000"
    assert year.json()["items"] == []
    assert year.json()["period"] == {
        "label": "2026",
        "kind": "year",
        "start": "2026-04-01",
        "end": "2027-04-01",
    }
    assert [i["id"] for i in quarter.json()["items"]] == [body["id"]]


def test_the_start_month_cannot_change_under_quarter_or_year_targets(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    make_target(db, world.dept_a, "5", metric="won_deals", kind="month", start=date(2026, 5, 1))
    _admin, headers = as_user(client, db, world.group, "group_admin")

    with_months = client.put(FISCAL, json={"start_month": 4}, headers=headers)
    make_target(db, world.dept_a, "5", metric="won_deals", kind="quarter", start=date(2026, 4, 1))
    db.commit()
    with_quarters = client.put(FISCAL, json={"start_month": 1}, headers=headers)
    unchanged = client.put(FISCAL, json={"start_month": 4}, headers=headers)

    assert with_months.status_code == 200, with_months.text
    assert with_quarters.status_code == 409, with_quarters.text
    error = with_quarters.json()["error"]
    assert (error["code"], error["count"]) == ("fiscal_year_in_use", 1)
    assert (
        error["message"]
        == "已有 1 个按财季或财年设定的目标，不能更改财年起始月份；请先删除这些目标"
    )
    assert unchanged.status_code == 200, unchanged.text
    assert _root_month(db) == 4
