"""``?format=xlsx`` on every list endpoint.

A list handler takes the ``ListExport`` dependency and hands it the function that produces
one page of its JSON answer. Without ``format=xlsx`` that page is the answer. With it, the
same function is walked page by page (``EXPORT_PAGE_SIZE`` rows, the request's sort, up to
``export.MAX_EXPORT_ROWS``), so the workbook holds exactly the rows and values the JSON
would — the same scoped query, the same ``present`` (masking included) — flattened into one
column per field of the Out model. ``xlsx_response`` then refuses a caller without
``export.run`` and audits the export with the request's query parameters as its filters.
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from flotilla.core import export
from flotilla.core.errors import error_responses
from flotilla.core.export_labels import LIST_TITLES, field_label
from flotilla.core.http import CurrentScope, DbSession, request_locale
from flotilla.core.pagination import Page, PageRequest, RowPage
from flotilla.core.scope import Scope

OutT = TypeVar("OutT", bound=BaseModel)
RowT = TypeVar("RowT")

EXPORT_PAGE_SIZE = 500
EXPORT_PERMISSION = "export.run"
# Set on a workbook cut off at ``MAX_EXPORT_ROWS`` (narrow the filters to get the rest).
TRUNCATED_HEADER = "X-Export-Truncated"
# Paging parameters say which page to show, not what to export: left out of the audit.
_PAGING_PARAMETERS = frozenset({"format", "cursor", "limit", "include_total"})
# Keys that name a nested object in a cell, in order of preference.
_NAME_KEYS = ("name", "label", "display_name", "code")

# The 200 answer of a list is its Page as JSON or, with ``format=xlsx``, a workbook.
XLSX_CONTENT: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {export.XLSX_MEDIA_TYPE: {}},
        "description": "The page as JSON, or every matching row as a workbook (`format=xlsx`)",
    }
}


def list_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` of a list route: its error statuses and the workbook answer."""
    return {**error_responses(*statuses), **XLSX_CONTENT}


@dataclass(frozen=True)
class ListExporter:
    session: Session
    scope: Scope
    response_format: str
    locale: str
    filters: dict[str, Any]

    def page(
        self,
        request: PageRequest,
        fetch: Callable[[PageRequest], Page[OutT]],
        *,
        name: str,
        model: type[OutT],
    ) -> Page[OutT] | Response:
        """``fetch(request)`` as JSON, or every page of ``fetch`` as ``<name>.xlsx``."""
        if self.response_format != "xlsx":
            return fetch(request)
        # Refuse before reading what could be a hundred thousand rows.
        self.scope.require(EXPORT_PERMISSION)
        items, truncated = read_all(fetch, request.sort)
        response = export.xlsx_response(
            self.session,
            self.scope,
            name=name,
            sheets=[list_sheet(name, model, items, self.locale)],
            locale=self.locale,
            filters=self.filters,
        )
        if truncated:
            response.headers[TRUNCATED_HEADER] = "true"
        return response

    def rows(
        self,
        request: PageRequest,
        fetch: Callable[[PageRequest], RowPage[RowT]],
        present: Callable[[list[RowT]], Sequence[OutT]] | None = None,
        *,
        name: str,
        model: type[OutT],
    ) -> Page[OutT] | Response:
        """Like ``page`` for a service that returns rows and a ``present`` that turns them
        into Out models (default: ``model.model_validate`` of each row)."""

        def presented(page_request: PageRequest) -> Page[OutT]:
            result = fetch(page_request)
            items = (
                list(present(result.rows))
                if present is not None
                else [model.model_validate(row) for row in result.rows]
            )
            return Page(items=items, next_cursor=result.next_cursor, total=result.total)

        return self.page(request, presented, name=name, model=model)


def read_all(
    fetch: Callable[[PageRequest], Page[OutT]], sort: str | None
) -> tuple[list[OutT], bool]:
    """Every item ``fetch`` pages through, in ``sort`` order, up to ``MAX_EXPORT_ROWS``;
    and whether rows beyond that were left out."""
    limit = export.MAX_EXPORT_ROWS
    items: list[OutT] = []
    cursor: str | None = None
    while True:
        page = fetch(PageRequest(cursor=cursor, limit=EXPORT_PAGE_SIZE, sort=sort))
        items.extend(page.items)
        if len(items) > limit or (len(items) == limit and page.next_cursor is not None):
            return items[:limit], True
        if page.next_cursor is None:
            return items, False
        cursor = page.next_cursor


def list_sheet(
    name: str, model: type[BaseModel], items: Sequence[BaseModel], locale: str
) -> export.Sheet:
    """One worksheet: a column per field of ``model``, a row per item."""
    zh, en = LIST_TITLES.get(name, (name, name))
    return export.Sheet(
        title=en if locale == "en-US" else zh,
        columns=columns_for(model),
        rows=(flat_row(item, locale) for item in items),
    )


def columns_for(model: type[BaseModel]) -> list[export.Column]:
    """A column per field, titled from the label catalogue (times are UTC, and say so)."""
    columns = []
    for key, info in model.model_fields.items():
        zh, en = field_label(key) or (key, key)
        if _holds_datetime(info.annotation):
            zh, en = f"{zh}(UTC)", f"{en} (UTC)"
        columns.append(export.Column(key=key, title_zh=zh, title_en=en))
    return columns


def flat_row(item: BaseModel, locale: str) -> dict[str, Any]:
    """The item's fields as cell values: nested objects by their name, lists joined."""
    return {key: _flat(value, locale) for key, value in item.model_dump(mode="python").items()}


def _flat(value: Any, locale: str) -> Any:
    if isinstance(value, dict):
        if locale == "en-US" and value.get("name_en"):
            return value["name_en"]
        for key in _NAME_KEYS:
            if value.get(key) is not None:
                return value[key]
        # A JSON document (a rule, an audit change set): shown as compact JSON.
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    if isinstance(value, (list, tuple)):
        if any(isinstance(v, dict) and not _names(v) for v in value):
            return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
        return ", ".join(str(export.cell_value(_flat(v, locale))) for v in value)
    return value


def _names(value: dict[str, Any]) -> bool:
    return any(value.get(key) is not None for key in _NAME_KEYS)


def _holds_datetime(annotation: Any) -> bool:
    if annotation is datetime:
        return True
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return any(_holds_datetime(arg) for arg in typing.get_args(annotation))
    return False


def list_export(
    request: Request,
    session: DbSession,
    scope: CurrentScope,
    response_format: export.ResponseFormat = "json",
) -> ListExporter:
    filters: dict[str, Any] = dict(request.path_params)
    for key in request.query_params:
        if key not in _PAGING_PARAMETERS:
            values = request.query_params.getlist(key)
            filters[key] = values[0] if len(values) == 1 else ", ".join(values)
    return ListExporter(
        session=session,
        scope=scope,
        response_format=response_format,
        locale=request_locale(request),
        filters=filters,
    )


# A list handler's ``format`` parameter and what answers it.
ListExport = Annotated[ListExporter, Depends(list_export, scope="function")]
