"""``?format=xlsx``: the same figures as JSON in a workbook, refused without export.run,
written to the audit trail as an export."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.core.export import XLSX_MEDIA_TYPE
from flotilla.models.audit import AuditEvent
from tests.analytics.dataset import Dataset
from tests.fixtures.factories import login


def sheet_rows(content: bytes) -> list[list[Any]]:
    book = load_workbook(io.BytesIO(content))
    assert len(book.worksheets) == 1
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def test_kpi_league_table_exports_with_its_figures(
    client: TestClient, db: Session, data: Dataset
) -> None:
    headers = login(client, data.vp)
    response = client.get("/api/v1/analytics/kpis", params={"format": "xlsx"}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == XLSX_MEDIA_TYPE
    rows = sheet_rows(response.content)
    header = rows[0]
    assert header[:6] == ["名称", "类型", "排名", "签约额目标", "签约额完成", "签约额完成率"]
    assert "覆盖率" in header and "逾期应收" in header
    assert len(rows) == 1 + 4  # group, A, B, the VP
    group = dict(zip(header, rows[1], strict=True))
    assert group["名称"] == "测试集团"
    assert group["类型"] == "total"
    assert group["排名"] is None
    assert Decimal(str(group["签约额目标"])) == Decimal("500000")
    assert Decimal(str(group["签约额完成"])) == Decimal("364000")
    assert Decimal(str(group["签约额完成率"])) == Decimal("0.728")
    assert group["新增客户完成"] == 3
    assert Decimal(str(group["覆盖率"])) == Decimal("0.7132")
    assert Decimal(str(group["逾期应收"])) == Decimal("115000")
    sub_b = dict(zip(header, rows[3], strict=True))
    assert (sub_b["名称"], sub_b["排名"]) == ("乙子公司", 2)

    event = (
        db.execute(
            select(AuditEvent).where(AuditEvent.action == "export").order_by(AuditEvent.seq.desc())
        )
        .scalars()
        .first()
    )
    assert event is not None
    assert event.entity_type == "analytics-kpis"
    assert event.actor_id == data.vp.id
    assert event.changes["rows"] == 4
    assert event.changes["filters"]["period"] == "2026-Q4"


def test_titles_follow_the_callers_language(client: TestClient, data: Dataset) -> None:
    headers = {**login(client, data.vp), "Accept-Language": "en-US"}
    response = client.get(
        "/api/v1/analytics/trends",
        params={"format": "xlsx", "metric": "contract_amount", "from": "2026-10", "to": "2026-11"},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    rows = sheet_rows(response.content)
    assert rows[0] == ["Month", "Contract amount", "Previous month", "MoM", "A year earlier", "YoY"]
    assert rows[1][0] == "2026-10"
    assert Decimal(str(rows[1][1])) == Decimal("284000")
    assert Decimal(str(rows[1][5])) == Decimal("0.42")


def test_aging_exports_one_line_per_unit(client: TestClient, data: Dataset) -> None:
    response = client.get(
        "/api/v1/analytics/receivables-aging",
        params={"format": "xlsx"},
        headers=login(client, data.vp),
    )
    assert response.status_code == 200, response.text
    rows = sheet_rows(response.content)
    assert rows[0][0] == "单位"
    assert [r[0] for r in rows[1:]] == ["测试集团", "甲子公司", "乙子公司"]
    assert Decimal(str(rows[1][-1])) == Decimal("275000")  # total


def test_export_needs_export_run(client: TestClient, db: Session, data: Dataset) -> None:
    headers = login(client, data.manager_a)  # a sales manager reads analytics, cannot export
    json_answer = client.get("/api/v1/analytics/kpis", headers=headers)
    assert json_answer.status_code == 200
    before = db.execute(select(AuditEvent.seq).where(AuditEvent.action == "export")).all()
    for path in ("kpis", "receivables-aging"):
        response = client.get(
            f"/api/v1/analytics/{path}", params={"format": "xlsx"}, headers=headers
        )
        assert response.status_code == 403, response.text
    after = db.execute(select(AuditEvent.seq).where(AuditEvent.action == "export")).all()
    assert after == before
