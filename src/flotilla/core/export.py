"""Exports to XLSX (openpyxl): every list and every analytic answers ``?format=xlsx``.

An export reads exactly what the JSON answer would (the same scoped service call), is
refused without ``export.run`` and is written to the audit trail as an ``export`` event in
the request's transaction, naming what was exported, the filters and the row count.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, Literal

from fastapi import Query
from fastapi.responses import Response
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import Session

from flotilla.core import audit, clock
from flotilla.core.scope import Scope

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A list export walks every page of the scoped query up to this many rows.
MAX_EXPORT_ROWS = 100_000

ResponseFormat = Annotated[
    Literal["json", "xlsx"],
    Query(
        alias="format",
        description="`xlsx` downloads the same data as an Excel workbook (needs export.run; "
        "audited as an export)",
    ),
]


@dataclass(frozen=True)
class Column:
    key: str
    title_zh: str
    title_en: str

    def title(self, locale: str) -> str:
        return self.title_en if locale == "en-US" else self.title_zh


@dataclass
class Sheet:
    """One worksheet: a title, its columns and rows (dicts keyed by ``Column.key``)."""

    title: str
    columns: Sequence[Column]
    rows: Iterable[dict[str, Any]] = field(default_factory=list)


def cell_value(value: Any) -> Any:
    """A JSON-ish value as an Excel cell: numbers stay numbers, ids and enums become text,
    nested objects become their name or text."""
    if value is None or isinstance(value, (bool, int, float, date, datetime)):
        if isinstance(value, datetime) and value.tzinfo is not None:
            return value.replace(tzinfo=None)
        return value
    if isinstance(value, Decimal):
        return value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, dict):
        for key in ("name", "label", "display_name", "code"):
            if key in value:
                return cell_value(value[key])
        return ", ".join(f"{k}={cell_value(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple, set)):
        return ", ".join(str(cell_value(v)) for v in value)
    return str(value)


def workbook_bytes(sheets: Sequence[Sheet], locale: str) -> tuple[bytes, int]:
    """The workbook and the number of data rows written over all sheets."""
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    written = 0
    for sheet in sheets:
        ws = book.create_sheet(_sheet_title(sheet.title))
        ws.append([column.title(locale) for column in sheet.columns])
        widths = [len(column.title(locale)) * 2 + 2 for column in sheet.columns]
        for row in sheet.rows:
            values = [cell_value(row.get(column.key)) for column in sheet.columns]
            ws.append(values)
            written += 1
            for index, value in enumerate(values):
                widths[index] = min(max(widths[index], len(str(value or "")) + 2), 60)
        for index, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(index)].width = width
        ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), written


def _sheet_title(title: str) -> str:
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in title)
    return cleaned[:31] or "Sheet"


def xlsx_response(
    session: Session,
    scope: Scope,
    *,
    name: str,
    sheets: Sequence[Sheet],
    locale: str,
    filters: dict[str, Any] | None = None,
) -> Response:
    """Answer with ``sheets`` as ``<name>.xlsx`` and audit the export in this transaction.

    The caller has already read ``sheets`` through the scope kernel; this only refuses a
    caller without ``export.run`` (403) and records who exported what.
    """
    scope.require("export.run")
    content, row_count = workbook_bytes(sheets, locale)
    audit.record(
        session,
        "export",
        entity_type=name,
        entity_label=name,
        changes={
            "format": "xlsx",
            "rows": row_count,
            "filters": {k: _filter_text(v) for k, v in (filters or {}).items() if v is not None},
        },
    )
    stamp = f"{clock.now():%Y%m%d-%H%M}"
    return Response(
        content=content,
        media_type=XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}-{stamp}.xlsx"'},
    )


def _filter_text(value: Any) -> Any:
    if isinstance(value, (str, int, bool)):
        return value
    return str(value)
