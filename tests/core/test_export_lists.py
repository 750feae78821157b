"""``?format=xlsx`` on the list endpoints: every list answers a workbook; the workbook holds
exactly the rows and values of the JSON answer (every page, masking included, scope
included); ``export.run`` is required and each export is on the audit trail."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from httpx import Response
from openpyxl import load_workbook
from pydantic import BaseModel
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from flotilla.core import export
from flotilla.core.export_labels import LIST_TITLES
from flotilla.core.export_lists import TRUNCATED_HEADER, columns_for
from flotilla.core.pagination import Page
from flotilla.models.audit import AuditEvent
from flotilla.models.sales import Activity
from tests.fixtures.factories import as_user, make_user, make_world
from tests.fixtures.process import SIMPLE_STAGES, latest_version, make_opportunity, make_template
from tests.fixtures.product import make_book
from tests.fixtures.sales import make_account, make_activity, make_contact, make_lead
from tests.user.test_list_query_counts import counting_statements


def list_routes(app: FastAPI) -> Iterator[tuple[str, type[BaseModel]]]:
    """(path, item model) of every GET route answering a ``Page``."""
    pending: list[Any] = list(app.routes)
    while pending:
        route = pending.pop(0)
        original = getattr(route, "original_router", None)
        if original is not None:
            pending.extend(original.routes)
            continue
        if not isinstance(route, APIRoute) or "GET" not in route.methods:
            continue
        model = route.response_model
        if isinstance(model, type) and issubclass(model, Page):
            yield route.path, model.model_fields["items"].annotation.__args__[0]


def workbook_rows(response: Response) -> tuple[str, list[str], list[dict[str, Any]]]:
    """The single sheet's title, header row and data rows (keyed by header)."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == export.XLSX_MEDIA_TYPE
    assert response.content[:2] == b"PK"
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert len(book.sheetnames) == 1
    sheet = book[book.sheetnames[0]]
    values = list(sheet.iter_rows(values_only=True))
    header = [str(cell) for cell in values[0]]
    rows = [dict(zip(header, row, strict=True)) for row in values[1:]]
    return sheet.title, header, rows


def json_items(
    client: TestClient, headers: dict[str, str], path: str, **params: Any
) -> list[dict[str, Any]]:
    """Every item of a list, walking its cursor pages."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        page_params = {**params, "limit": 500, **({"cursor": cursor} if cursor else {})}
        response = client.get(path, params=page_params, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        items.extend(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return items


def export_events(db: Session) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.action == "export").order_by(AuditEvent.seq)
    return list(db.execute(stmt).scalars())


def test_every_list_route_answers_a_workbook_and_keeps_its_page_in_openapi(
    client: TestClient, app: FastAPI, db: Session
) -> None:
    world = make_world(db)
    account = make_account(db, world.team_a)
    version = latest_version(db, make_template(db, SIMPLE_STAGES, code="EXPORT"))
    deal = make_opportunity(db, world.team_a, version=version, account=account)
    book = make_book(db)
    _admin, headers = as_user(client, db, world.group, "group_admin")
    path_values = {"account_id": account.id, "opportunity_id": deal.id, "book_id": book.id}
    spec = client.get("/api/openapi.json").json()

    sheet_titles = {zh for zh, _en in LIST_TITLES.values()}
    routes = dict(list_routes(app))
    assert len(routes) >= 27, sorted(routes)
    for path, model in routes.items():
        operation = spec["paths"][path]["get"]
        assert "format" in {p["name"] for p in operation["parameters"]}, path
        content = operation["responses"]["200"]["content"]
        assert set(content) == {"application/json", export.XLSX_MEDIA_TYPE}, path
        page_schema = content["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        assert {"items", "next_cursor"} <= set(
            spec["components"]["schemas"][page_schema]["properties"]
        ), path

        url = path.format(**path_values)
        title, header, _rows = workbook_rows(
            client.get(url, params={"format": "xlsx"}, headers=headers)
        )
        assert title in sheet_titles, path
        assert header == [column.title_zh for column in columns_for(model)], path
    assert len(export_events(db)) == len(routes)


def _bulk_activities(db: Session, unit: Any, count: int, start: datetime) -> None:
    subsidiary_id = unit.subsidiary_id or unit.id
    db.execute(
        insert(Activity),
        [
            {
                "kind": "call",
                "subject": f"批量跟进{index:04d}",
                # Pairs share a time so the id breaks ties across page boundaries.
                "occurred_at": start - timedelta(minutes=index // 2),
                "completed_at": start - timedelta(minutes=index // 2),
                "subsidiary_id": subsidiary_id,
                "unit_id": unit.id,
            }
            for index in range(count)
        ],
    )


def test_an_export_holds_exactly_the_json_rows_of_every_page(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    start = datetime(2026, 5, 31, 12, 0, tzinfo=UTC)
    _bulk_activities(db, world.team_a, 1203, start)
    _bulk_activities(db, world.dept_b, 7, start)
    _director, headers = as_user(client, db, world.sub_a, "sales_director")

    expected = json_items(client, headers, "/api/v1/activities")
    response = client.get("/api/v1/activities", params={"format": "xlsx"}, headers=headers)
    title, _header, rows = workbook_rows(response)

    assert len(expected) == 1203
    assert title == "活动"
    assert TRUNCATED_HEADER not in response.headers
    assert [row["ID"] for row in rows] == [item["id"] for item in expected]
    assert [row["主题"] for row in rows] == [item["subject"] for item in expected]
    assert rows[0]["发生时间(UTC)"] == datetime(2026, 5, 31, 12, 0)
    assert rows[-1]["发生时间(UTC)"] == datetime(2026, 5, 31, 1, 59)
    assert rows[0]["已逾期"] is False
    # The request's sort is the file's order too.
    ascending = client.get(
        "/api/v1/activities", params={"format": "xlsx", "sort": "occurred_at"}, headers=headers
    )
    assert [row["ID"] for row in workbook_rows(ascending)[2]] == [
        item["id"] for item in json_items(client, headers, "/api/v1/activities", sort="occurred_at")
    ]


def test_masked_fields_stay_masked_in_the_file(client: TestClient, db: Session) -> None:
    world = make_world(db)
    make_user(db, world.team_a, phone="13812345678", email="zhang.san@example.cn")
    make_contact(db, make_account(db, world.team_a))
    make_lead(db, world.team_a, phone="13712345678", email="buyer@example.cn")
    # The auditor may export everything but holds no pii.read.
    _auditor, headers = as_user(client, db, world.group, "auditor", phone="13600000000")

    for path, masked_phone in (
        ("/api/v1/users", "138****5678"),
        ("/api/v1/contacts", "139****1111"),
        ("/api/v1/leads", "137****5678"),
    ):
        expected = json_items(client, headers, path)
        _title, _header, rows = workbook_rows(
            client.get(path, params={"format": "xlsx"}, headers=headers)
        )
        by_id = {row["ID"]: row for row in rows}
        assert masked_phone in {row["电话"] for row in rows}, path
        assert "13812345678" not in {row["电话"] for row in rows}
        for item in expected:
            assert by_id[item["id"]]["电话"] == item["phone"], path
            assert by_id[item["id"]]["邮箱"] == item["email"], path


def test_a_caller_without_export_run_is_refused_and_nothing_is_audited(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    make_activity(db, world.team_a)
    _manager, headers = as_user(client, db, world.dept_a, "sales_manager")
    before = len(export_events(db))

    response = client.get("/api/v1/activities", params={"format": "xlsx"}, headers=headers)

    assert response.status_code == 403, response.text
    assert response.json()["error"]["code"] == "forbidden"
    assert len(export_events(db)) == before
    # The JSON list is still theirs to read.
    assert client.get("/api/v1/activities", headers=headers).status_code == 200


def test_an_export_is_audited_with_its_row_count_and_filters(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    for _ in range(3):
        make_activity(db, world.team_a, kind="visit")
    make_activity(db, world.team_a, kind="call")
    director, headers = as_user(client, db, world.sub_a, "sales_director")

    response = client.get(
        "/api/v1/activities",
        params={
            "format": "xlsx",
            "kind": "visit",
            "unit_id": str(world.dept_a.id),
            "limit": 2,
            "include_total": "true",
        },
        headers=headers,
    )

    assert len(workbook_rows(response)[2]) == 3
    (event,) = export_events(db)
    assert event.actor_id == director.id
    assert event.entity_type == "activities"
    assert event.changes == {
        "format": "xlsx",
        "rows": 3,
        "filters": {"kind": "visit", "unit_id": str(world.dept_a.id)},
    }


def test_path_parameters_are_part_of_the_audited_filters(client: TestClient, db: Session) -> None:
    world = make_world(db)
    account = make_account(db, world.team_a)
    make_contact(db, account)
    make_contact(db, make_account(db, world.team_a))
    _director, headers = as_user(client, db, world.sub_a, "sales_director")

    response = client.get(
        f"/api/v1/accounts/{account.id}/contacts", params={"format": "xlsx"}, headers=headers
    )

    assert len(workbook_rows(response)[2]) == 1
    (event,) = export_events(db)
    assert event.changes["filters"] == {"account_id": str(account.id)}


def test_sibling_subsidiary_rows_never_appear_in_the_file(client: TestClient, db: Session) -> None:
    world = make_world(db)
    version = latest_version(db, make_template(db, SIMPLE_STAGES, code="SIBLING"))
    mine = {str(make_opportunity(db, world.team_a, version=version).id) for _ in range(3)}
    theirs = {str(make_opportunity(db, world.dept_b, version=version).id) for _ in range(2)}
    _director, headers = as_user(client, db, world.sub_a, "sales_director")
    _vp, vp_headers = as_user(client, db, world.group, "group_sales_vp")

    def exported(params: dict[str, Any], who: dict[str, str]) -> set[str]:
        response = client.get(
            "/api/v1/opportunities", params={"format": "xlsx", **params}, headers=who
        )
        return {row["ID"] for row in workbook_rows(response)[2]}

    assert exported({}, headers) == mine
    assert exported({"subsidiary_id": str(world.sub_b.id)}, headers) == set()
    assert exported({"unit_id": str(world.dept_b.id)}, headers) == set()
    assert exported({}, vp_headers) == mine | theirs


def test_an_export_stops_at_the_row_limit_and_says_so(
    client: TestClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = make_world(db)
    for _ in range(4):
        make_activity(db, world.team_a)
    _director, headers = as_user(client, db, world.sub_a, "sales_director")
    expected = [item["id"] for item in json_items(client, headers, "/api/v1/activities")]

    monkeypatch.setattr(export, "MAX_EXPORT_ROWS", 3)
    cut = client.get("/api/v1/activities", params={"format": "xlsx"}, headers=headers)
    assert [row["ID"] for row in workbook_rows(cut)[2]] == expected[:3]
    assert cut.headers[TRUNCATED_HEADER] == "true"
    assert export_events(db)[-1].changes["rows"] == 3

    monkeypatch.setattr(export, "MAX_EXPORT_ROWS", 4)
    whole = client.get("/api/v1/activities", params={"format": "xlsx"}, headers=headers)
    assert [row["ID"] for row in workbook_rows(whole)[2]] == expected
    assert TRUNCATED_HEADER not in whole.headers


def test_english_callers_get_english_titles_and_names(client: TestClient, db: Session) -> None:
    world = make_world(db)
    version = latest_version(db, make_template(db, SIMPLE_STAGES, code="ENGLISH"))
    deal = make_opportunity(db, world.team_a, version=version, competitors=["甲", "乙"])
    _director, headers = as_user(client, db, world.sub_a, "sales_director")

    response = client.get(
        "/api/v1/opportunities",
        params={"format": "xlsx"},
        headers={**headers, "Accept-Language": "en-US"},
    )
    title, header, rows = workbook_rows(response)

    assert title == "Opportunities"
    assert header[:3] == ["ID", "Name", "Account ID"]
    assert "Closed at (UTC)" in header
    (row,) = rows
    assert row["ID"] == str(deal.id)
    assert row["Stage"] == "Prospect"
    assert row["Competitors"] == "甲, 乙"
    assert row["Amount"] == 100000


def test_an_export_runs_a_fixed_number_of_statements_per_page(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    version = latest_version(db, make_template(db, SIMPLE_STAGES, code="COUNT"))
    for _ in range(2):
        make_opportunity(db, world.team_a, version=version)
    _director, headers = as_user(client, db, world.sub_a, "sales_director")

    def statements() -> int:
        with counting_statements(db) as seen:
            response = client.get(
                "/api/v1/opportunities", params={"format": "xlsx"}, headers=headers
            )
        assert response.status_code == 200, response.text
        return len(seen)

    few = statements()
    for _ in range(30):
        make_opportunity(db, world.dept_a, version=version)
    db.commit()
    assert statements() == few


def test_an_unknown_format_is_refused(client: TestClient, db: Session) -> None:
    world = make_world(db)
    _director, headers = as_user(client, db, world.sub_a, "sales_director")
    response = client.get("/api/v1/accounts", params={"format": "csv"}, headers=headers)
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == "format"


def test_ids_in_the_file_are_text(client: TestClient, db: Session) -> None:
    world = make_world(db)
    activity = make_activity(db, world.team_a)
    _director, headers = as_user(client, db, world.sub_a, "sales_director")
    response = client.get("/api/v1/activities", params={"format": "xlsx"}, headers=headers)
    (row,) = workbook_rows(response)[2]
    assert row["ID"] == str(activity.id)
    assert uuid.UUID(row["组织单元ID"]) == world.team_a.id
