"""How a list's Out model becomes worksheet columns and cells, the label catalogue and the
kernel's workbook writer."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from fastapi import FastAPI
from openpyxl import load_workbook
from pydantic import BaseModel

from flotilla.core import export
from flotilla.core.export_labels import field_label
from flotilla.core.export_lists import columns_for, flat_row, read_all
from flotilla.core.pagination import Page, PageRequest
from tests.core.test_export_lists import list_routes


class Stage(BaseModel):
    id: uuid.UUID
    name: str
    name_en: str | None


class Sample(BaseModel):
    id: uuid.UUID
    owner_name: str | None
    amount: Decimal
    closed_at: datetime | None
    stage: Stage
    competitors: list[str]
    condition: dict[str, object]
    steps: list[dict[str, object]]


STAGE_ID = uuid.UUID("01000000-0000-7000-8000-000000000001")


def _sample() -> Sample:
    return Sample(
        id=uuid.UUID("01000000-0000-7000-8000-000000000002"),
        owner_name="王五",
        amount=Decimal("1234.50"),
        closed_at=datetime(2026, 3, 31, 23, 59, tzinfo=UTC),
        stage=Stage(id=STAGE_ID, name="方案", name_en="Proposal"),
        competitors=["甲公司", "乙公司"],
        condition={"field": "amount", "gt": 100},
        steps=[{"name": "经理审批"}, {"name": "总监审批"}],
    )


def test_every_field_of_every_list_has_its_own_title_in_both_languages(app: FastAPI) -> None:
    untitled = sorted(
        f"{model.__name__}.{field}"
        for _path, model in list_routes(app)
        for field in model.model_fields
        if field_label(field) is None
    )
    assert untitled == []
    for path, model in list_routes(app):
        columns = columns_for(model)
        for titles in ([c.title_zh for c in columns], [c.title_en for c in columns]):
            assert len(set(titles)) == len(titles), f"{path}: two columns share a title"


def test_titles_are_composed_from_stems() -> None:
    assert field_label("account_id") == ("客户ID", "Account ID")
    assert field_label("account_name") == ("客户名称", "Account name")
    assert field_label("product_name_en") == ("产品英文名", "Product (English)")
    assert field_label("owner_name") == ("负责人", "Owner")
    assert field_label("requested_by_id") == ("申请人ID", "Requested by ID")
    assert field_label("no_such_field") is None


def test_columns_follow_the_model_and_say_times_are_utc() -> None:
    columns = columns_for(Sample)
    assert [c.key for c in columns] == list(Sample.model_fields)
    assert [(c.title_zh, c.title_en) for c in columns] == [
        ("ID", "ID"),
        ("负责人", "Owner"),
        ("金额", "Amount"),
        ("关闭时间(UTC)", "Closed at (UTC)"),
        ("销售阶段", "Stage"),
        ("竞争对手", "Competitors"),
        ("条件", "Condition"),
        ("审批步骤", "Steps"),
    ]


def test_nested_objects_become_their_name_and_lists_are_joined() -> None:
    row = flat_row(_sample(), "zh-CN")
    assert row == {
        "id": uuid.UUID("01000000-0000-7000-8000-000000000002"),
        "owner_name": "王五",
        "amount": Decimal("1234.50"),
        "closed_at": datetime(2026, 3, 31, 23, 59, tzinfo=UTC),
        "stage": "方案",
        "competitors": "甲公司, 乙公司",
        "condition": '{"field": "amount", "gt": 100}',
        "steps": "经理审批, 总监审批",
    }
    assert flat_row(_sample(), "en-US")["stage"] == "Proposal"


def test_a_list_of_unnamed_objects_is_kept_as_json() -> None:
    class Policy(BaseModel):
        steps: list[dict[str, object]]

    row = flat_row(Policy(steps=[{"mode": "any"}, {"name": "总监"}]), "zh-CN")
    assert row == {"steps": '[{"mode": "any"}, {"name": "总监"}]'}


def test_the_workbook_keeps_numbers_as_numbers_and_ids_as_text() -> None:
    sheet = export.Sheet(
        title="商机", columns=columns_for(Sample), rows=[flat_row(_sample(), "zh-CN")]
    )
    content, written = export.workbook_bytes([sheet], "zh-CN")
    assert written == 1
    book = load_workbook(io.BytesIO(content))
    ws = book["商机"]
    assert [c.value for c in ws[1]][:4] == ["ID", "负责人", "金额", "关闭时间(UTC)"]
    values = [c.value for c in ws[2]]
    assert values[0] == "01000000-0000-7000-8000-000000000002"
    assert values[2] == pytest.approx(1234.5)
    assert values[3] == datetime(2026, 3, 31, 23, 59)
    assert ws.freeze_panes == "A2"


def _pages(total: int) -> list[int]:
    """Sizes of the pages ``read_all`` asks for while reading ``total`` rows."""
    asked: list[int] = []

    def fetch(request: PageRequest) -> Page[Stage]:
        start = int(request.cursor or 0)
        asked.append(request.limit)
        end = min(start + request.limit, total)
        items = [Stage(id=STAGE_ID, name=str(i), name_en=None) for i in range(start, end)]
        return Page(items=items, next_cursor=str(end) if end < total else None)

    read_all(fetch, None)
    return asked


def test_an_export_reads_pages_of_five_hundred() -> None:
    assert _pages(1201) == [500, 500, 500]
    assert _pages(0) == [500]
