"""Setting, changing and deleting targets: validation in both languages, the unique key,
optimistic locking, the audit trail, the list's limits and the XLSX export."""

from __future__ import annotations

import io
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flotilla.models.analytics import Target
from flotilla.models.audit import AuditEvent
from tests.fixtures.factories import World, as_user, login, make_unit, make_user, make_world
from tests.fixtures.target import make_target

TARGETS = "/api/v1/targets"
EN = {"Accept-Language": "en-US"}


def _error(response: Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == code, error
    return error


def _fields(error: dict[str, Any]) -> set[tuple[str, str]]:
    return {(f["field"], f["code"]) for f in error["fields"]}


def _director(client: TestClient, db: Session) -> tuple[World, dict[str, str]]:
    world = make_world(db)
    _user, headers = as_user(client, db, world.sub_a, "sales_director")
    return world, headers


def _stored(db: Session, target_id: str) -> Target:
    db.expire_all()
    return db.execute(select(Target).where(Target.id == uuid.UUID(target_id))).scalar_one()


def test_director_sets_a_unit_target_in_the_group_currency(client: TestClient, db: Session) -> None:
    world, headers = _director(client, db)

    response = client.post(
        TARGETS,
        json={
            "metric": "contract_amount",
            "period": "2026-Q3",
            "unit_id": str(world.dept_a.id),
            "value": "1250000.5",
            "note": "华北大客户",
        },
        headers=headers,
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["metric"] == "contract_amount"
    assert body["period"] == {
        "label": "2026-Q3",
        "kind": "quarter",
        "start": "2026-07-01",
        "end": "2026-10-01",
    }
    assert body["unit"] == {"id": str(world.dept_a.id), "name": "甲大客户部", "kind": "department"}
    assert body["assignee"] is None
    assert body["value"] == "1250000.50"
    assert body["currency"] == "CNY"
    assert body["note"] == "华北大客户"
    assert body["version"] == 1
    assert body["achievement"]["actual"] == "0.00"
    assert body["achievement"]["ratio"] == "0.0000"
    stored = _stored(db, body["id"])
    assert (stored.subsidiary_id, stored.owner_id, stored.assignee_key) == (
        world.sub_a.id,
        None,
        "",
    )
    event = db.execute(select(AuditEvent).where(AuditEvent.entity_id == stored.id)).scalar_one()
    assert event.action == "target.create"
    assert event.entity_label == "contract_amount quarter 2026-07"


def test_a_person_target_is_owned_by_the_person(client: TestClient, db: Session) -> None:
    world, headers = _director(client, db)
    rep = make_user(db, world.team_a, "sales_rep")
    db.commit()

    response = client.post(
        TARGETS,
        json={
            "metric": "won_deals",
            "period": "2026-08",
            "unit_id": str(world.team_a.id),
            "assignee_user_id": str(rep.id),
            "value": 3,
        },
        headers=headers,
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["assignee"] == {"id": str(rep.id), "name": rep.display_name}
    assert body["value"] == "3"
    assert body["currency"] is None
    assert body["period"]["label"] == "2026-08"
    stored = _stored(db, body["id"])
    assert (stored.owner_id, stored.assignee_key) == (rep.id, rep.id.hex)
    # The rep (own scope) sees their own target, and only that.
    make_target(db, world.team_a, "5", metric="won_deals", kind="month", start=date(2026, 8, 1))
    db.commit()
    rep_headers = login(client, rep)
    seen = client.get(TARGETS, params={"period": "2026-08"}, headers=rep_headers).json()
    assert [item["id"] for item in seen["items"]] == [body["id"]]


def test_a_group_target_carries_the_root_as_its_subsidiary(client: TestClient, db: Session) -> None:
    world = make_world(db)
    _vp, headers = as_user(client, db, world.group, "group_sales_vp")

    response = client.post(
        TARGETS,
        json={
            "metric": "activities",
            "period": "2026",
            "unit_id": str(world.group.id),
            "value": 900,
        },
        headers=headers,
    )

    assert response.status_code == 201, response.text
    assert _stored(db, response.json()["id"]).subsidiary_id == world.group.id


@pytest.mark.parametrize(
    ("body", "code", "expected"),
    [
        (
            {"metric": "won_deals", "value": "2.5"},
            "validation_failed",
            ("value", "target_whole_number"),
        ),
        ({"value": "-1"}, "validation_failed", ("value", "greater_than_equal")),
        ({"value": "10.001"}, "validation_failed", ("value", "decimal_max_places")),
        ({"metric": "revenue"}, "validation_failed", ("metric", "literal_error")),
        ({"period": "2026-Q5"}, "invalid_period", ("period", "invalid_period")),
        ({"period": "2026-13"}, "invalid_period", ("period", "invalid_period")),
        ({"period": "0000"}, "invalid_period", ("period", "invalid_period")),
        ({"unit_id": None}, "validation_failed", ("unit_id", "uuid_type")),
        ({"surprise": 1}, "validation_failed", ("surprise", "extra_forbidden")),
    ],
)
def test_invalid_targets_are_refused_with_field_errors(
    client: TestClient, db: Session, body: dict[str, Any], code: str, expected: tuple[str, str]
) -> None:
    world, headers = _director(client, db)
    payload = {
        "metric": "contract_amount",
        "period": "2026-Q3",
        "unit_id": str(world.dept_a.id),
        "value": "100",
        **body,
    }

    error = _error(client.post(TARGETS, json=payload, headers=headers), 422, code)

    assert _fields(error) == {expected}
    assert db.execute(select(func.count(Target.id))).scalar_one() == 0


def test_validation_messages_are_chinese_by_default_and_english_on_request(
    client: TestClient, db: Session
) -> None:
    world, headers = _director(client, db)
    payload = {"metric": "won_deals", "period": "2026-Q3", "unit_id": str(world.dept_a.id)}

    zh = _error(
        client.post(TARGETS, json={**payload, "value": "2.5"}, headers=headers),
        422,
        "validation_failed",
    )
    en = _error(
        client.post(TARGETS, json={**payload, "value": "2.5"}, headers={**headers, **EN}),
        422,
        "validation_failed",
    )
    assert zh["fields"][0]["message"] == "该指标按个数计，目标值须为整数"
    assert (
        en["fields"][0]["message"] == "This metric counts items; the target must be a whole number"
    )

    bad_period = {**payload, "value": 2, "period": "2026-Q9"}
    zh = _error(client.post(TARGETS, json=bad_period, headers=headers), 422, "invalid_period")
    en = _error(
        client.post(TARGETS, json=bad_period, headers={**headers, **EN}), 422, "invalid_period"
    )
    assert zh["message"] == "期间“2026-Q9”无效，应为 2026、2026-Q3 或 2026-07"
    assert en["message"] == "Invalid period “2026-Q9”: use 2026, 2026-Q3 or 2026-07"
    assert en["fields"] == [
        {
            "field": "period",
            "code": "invalid_period",
            "message": "Invalid period “2026-Q9”: use 2026, 2026-Q3 or 2026-07",
        }
    ]


def test_a_person_must_hold_a_position_in_the_unit(client: TestClient, db: Session) -> None:
    world, headers = _director(client, db)
    elsewhere = make_user(db, world.team_a, "sales_rep")
    other_subsidiary = make_user(db, world.dept_b, "sales_rep")
    db.commit()
    payload = {
        "metric": "won_deals",
        "period": "2026-Q3",
        "unit_id": str(world.dept_a.id),
        "value": 1,
    }

    not_here = client.post(
        TARGETS, json={**payload, "assignee_user_id": str(elsewhere.id)}, headers=headers
    )
    hidden = client.post(
        TARGETS, json={**payload, "assignee_user_id": str(other_subsidiary.id)}, headers=headers
    )

    error = _error(not_here, 422, "validation_failed")
    assert _fields(error) == {("assignee_user_id", "target_assignee_not_in_unit")}
    error = _error(hidden, 422, "validation_failed")
    assert _fields(error) == {("assignee_user_id", "unknown_reference")}
    assert str(other_subsidiary.id) not in hidden.text


def test_a_second_target_with_the_same_key_is_a_conflict_naming_the_first(
    client: TestClient, db: Session
) -> None:
    world, headers = _director(client, db)
    payload = {
        "metric": "contract_amount",
        "period": "2026-Q3",
        "unit_id": str(world.dept_a.id),
        "value": "100",
    }
    first = client.post(TARGETS, json=payload, headers=headers)
    assert first.status_code == 201, first.text

    again = client.post(TARGETS, json={**payload, "value": "200"}, headers=headers)
    # The same quarter by its months is another period; so is another metric.
    month = client.post(TARGETS, json={**payload, "period": "2026-07"}, headers=headers)

    error = _error(again, 409, "target_exists")
    assert error["existing_id"] == first.json()["id"]
    assert month.status_code == 201, month.text


def test_value_and_note_change_at_the_version_read(client: TestClient, db: Session) -> None:
    world, headers = _director(client, db)
    target = make_target(db, world.dept_a, "100.00", note="初版")
    db.commit()

    changed = client.put(
        f"{TARGETS}/{target.id}",
        json={"version": 1, "value": "150.25", "note": "上调"},
        headers=headers,
    )
    stale = client.put(f"{TARGETS}/{target.id}", json={"version": 1, "value": "1"}, headers=headers)
    note_only = client.put(
        f"{TARGETS}/{target.id}", json={"version": 2, "note": None}, headers=headers
    )

    assert changed.status_code == 200, changed.text
    assert (changed.json()["value"], changed.json()["note"], changed.json()["version"]) == (
        "150.25",
        "上调",
        2,
    )
    _error(stale, 409, "version_conflict")
    assert note_only.status_code == 200, note_only.text
    stored = _stored(db, str(target.id))
    assert (stored.value, stored.note, stored.version) == (Decimal("150.25"), None, 3)
    actions = (
        db.execute(
            select(AuditEvent.action)
            .where(AuditEvent.entity_id == target.id)
            .order_by(AuditEvent.seq)
        )
        .scalars()
        .all()
    )
    assert actions == ["target.create", "target.update", "target.update"]


def test_a_target_cannot_be_moved_or_given_a_null_value(client: TestClient, db: Session) -> None:
    world, headers = _director(client, db)
    target = make_target(db, world.dept_a, "100.00")
    db.commit()

    moved = client.put(
        f"{TARGETS}/{target.id}",
        json={"version": 1, "unit_id": str(world.dept_b.id)},
        headers=headers,
    )
    emptied = client.put(
        f"{TARGETS}/{target.id}", json={"version": 1, "value": None}, headers=headers
    )

    assert _fields(_error(moved, 422, "validation_failed")) == {("unit_id", "extra_forbidden")}
    assert _fields(_error(emptied, 422, "validation_failed")) == {("value", "missing")}
    stored = _stored(db, str(target.id))
    assert (stored.unit_id, stored.value, stored.version) == (world.dept_a.id, Decimal("100.00"), 1)


def test_delete_removes_the_target_and_is_audited(client: TestClient, db: Session) -> None:
    world, headers = _director(client, db)
    target = make_target(db, world.dept_a, "100.00")
    db.commit()

    response = client.delete(f"{TARGETS}/{target.id}", headers=headers)

    assert response.status_code == 204, response.text
    assert client.get(f"{TARGETS}/{target.id}", headers=headers).status_code == 404
    assert client.delete(f"{TARGETS}/{target.id}", headers=headers).status_code == 404
    assert db.execute(
        select(AuditEvent.action).where(
            AuditEvent.entity_id == target.id, AuditEvent.action == "target.delete"
        )
    ).scalar_one()


def test_the_list_needs_a_period_and_refuses_more_than_500_targets(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    for index in range(501):
        make_target(db, make_unit(db, world.dept_a, "team", code=f"BULK-{index}"), "1.00")
    _vp, headers = as_user(client, db, world.group, "group_sales_vp")

    missing = client.get(TARGETS, headers=headers)
    too_many = client.get(TARGETS, params={"period": "2026-Q2"}, headers={**headers, **EN})
    narrowed = client.get(
        TARGETS, params={"period": "2026-Q2", "metric": "won_deals"}, headers=headers
    )

    assert _fields(_error(missing, 422, "validation_failed")) == {("period", "missing")}
    error = _error(too_many, 422, "target_too_many")
    assert error["message"] == "More than 500 targets match; narrow the filter by metric or unit"
    assert narrowed.status_code == 200
    assert narrowed.json()["items"] == []


def test_include_children_needs_a_unit(client: TestClient, db: Session) -> None:
    world, headers = _director(client, db)

    response = client.get(
        TARGETS, params={"period": "2026-Q2", "include_children": "true"}, headers=headers
    )

    assert _fields(_error(response, 422, "validation_failed")) == {
        ("unit_id", "target_children_need_unit")
    }
    assert world


def test_the_list_exports_to_xlsx_and_the_export_is_audited(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    rep = make_user(db, world.team_a, "sales_rep")
    make_target(db, world.dept_a, "150000.00")
    make_target(db, world.team_a, "20", metric="activities", assignee=rep)
    _vp, headers = as_user(client, db, world.group, "group_sales_vp")
    _manager, manager = as_user(client, db, world.dept_a, "sales_manager")

    response = client.get(
        TARGETS, params={"period": "2026-Q2", "format": "xlsx"}, headers={**headers, **EN}
    )
    refused = client.get(TARGETS, params={"period": "2026-Q2", "format": "xlsx"}, headers=manager)

    assert response.status_code == 200, response.text
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == [
        "Metric",
        "Period",
        "Unit",
        "Person",
        "Target",
        "Actual",
        "Ratio",
        "Rank",
        "Currency",
        "Note",
    ]
    assert rows[1][:9] == ["Contract amount", "2026-Q2", "甲大客户部", None, 150000, 0, 0, 1, "CNY"]
    assert rows[2][:9] == ["Activities", "2026-Q2", "甲一组", rep.display_name, 20, 0, 0, 1, None]
    assert len(rows) == 3
    _error(refused, 403, "forbidden")
    export = db.execute(select(AuditEvent).where(AuditEvent.action == "export")).scalar_one()
    assert export.entity_type == "targets"
    assert export.changes["rows"] == 2
    assert export.changes["filters"]["period"] == "2026-Q2"
