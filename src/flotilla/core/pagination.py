"""Keyset (cursor) pagination shared by every list endpoint.

A cursor encodes the last row's sort value and id; the next page is rows strictly after
that pair, so pages stay stable while rows are inserted and cost the same at any depth.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from types import FunctionType
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import ColumnElement, Select, func, literal, select, tuple_
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.types import TypeDecorator

from flotilla.core.errors import Invalid, field_error

T = TypeVar("T")
ItemT = TypeVar("ItemT")

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


class Page(BaseModel, Generic[ItemT]):
    items: list[ItemT]
    next_cursor: str | None = None
    total: int | None = None


@dataclass(frozen=True)
class PageRequest:
    cursor: str | None = None
    limit: int = DEFAULT_LIMIT
    sort: str | None = None
    include_total: bool = False


@dataclass
class RowPage(Generic[T]):
    rows: list[T]
    next_cursor: str | None
    total: int | None


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, date):
        return {"D": value.isoformat()}
    if isinstance(value, uuid.UUID):
        return {"u": str(value)}
    if isinstance(value, Decimal):
        return {"d": str(value)}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if "t" in value:
            return datetime.fromisoformat(value["t"])
        if "D" in value:
            return date.fromisoformat(value["D"])
        if "u" in value:
            return uuid.UUID(value["u"])
        if "d" in value:
            return Decimal(value["d"])
    return value


def encode_cursor(sort_value: Any, row_id: uuid.UUID) -> str:
    raw = json.dumps([_encode(sort_value), str(row_id)], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _invalid_cursor() -> Invalid:
    return Invalid(fields=[field_error("cursor", "invalid_cursor")])


def decode_cursor(cursor: str) -> tuple[Any, uuid.UUID]:
    """The (sort value, id) pair of a cursor; anything forged or garbled is ``Invalid``."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        sort_value, row_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(row_id, str):
            raise TypeError("the cursor's row id is not a string")
        value = _decode(sort_value)
        if isinstance(value, datetime) and value.tzinfo is None:
            raise ValueError("the cursor's time has no UTC offset")
        return value, uuid.UUID(row_id)
    except (ValueError, TypeError, ArithmeticError, binascii.Error) as exc:
        raise _invalid_cursor() from exc


def _fits_type(expression: ColumnElement[Any], value: Any) -> bool:
    """Whether a cursor's sort value has the sort expression's type (else the SQL would
    fail on one backend and silently mis-page on the other)."""
    column_type = expression.type
    try:
        expected = column_type.python_type
        if expected is object and isinstance(column_type, TypeDecorator):
            expected = column_type.impl_instance.python_type
    except NotImplementedError:
        return True
    if expected is object:
        return True
    if isinstance(value, bool) and expected is not bool:
        return False
    if expected is date and isinstance(value, datetime):
        return False
    return isinstance(value, expected)


# A sort key is a column, an expression, or a function of "descending?" that returns one
# (e.g. a nullable column coalesced to a sentinel that sorts last either way).
SortKey = InstrumentedAttribute[Any] | ColumnElement[Any] | Callable[[bool], ColumnElement[Any]]


def paginate(
    session: Session,
    stmt: Select[T],
    *,
    request: PageRequest,
    sortable: Mapping[str, SortKey],
    default_sort: str,
    id_column: InstrumentedAttribute[uuid.UUID],
) -> RowPage[T]:
    """Run ``stmt`` (already scoped and filtered, selecting one entity) a page at a time.

    ``request.sort`` is a key of ``sortable``, optionally prefixed with ``-`` for
    descending. The sort expression must never be NULL so the keyset comparison is total;
    its value for the last row is read back from the database, so any expression works.
    """
    sort_key = request.sort or default_sort
    descending = sort_key.startswith("-")
    entry = sortable.get(sort_key.lstrip("-"))
    if entry is None:
        raise Invalid(
            fields=[field_error("sort", "literal_error", expected=", ".join(sorted(sortable)))]
        )
    expression: ColumnElement[Any] = (
        entry(descending) if isinstance(entry, FunctionType) else entry  # type: ignore[assignment]
    )
    limit = max(1, min(request.limit, MAX_LIMIT))
    total: int | None = None
    if request.include_total:
        total = session.execute(
            select(func.count()).select_from(stmt.order_by(None).subquery())
        ).scalar_one()
    page_stmt = stmt
    if request.cursor:
        after_value, after_id = decode_cursor(request.cursor)
        if not _fits_type(expression, after_value):
            raise _invalid_cursor()
        key = tuple_(expression, id_column)
        after = tuple_(literal(after_value, expression.type), literal(after_id, id_column.type))
        page_stmt = page_stmt.where(key < after if descending else key > after)
    order = (
        (expression.desc(), id_column.desc()) if descending else (expression.asc(), id_column.asc())
    )
    result = session.execute(
        page_stmt.add_columns(expression.label("_page_sort_value"))
        .order_by(*order)
        .limit(limit + 1)
    ).all()
    rows: list[T] = [row[0] for row in result]
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last_row = result[limit - 1]
        next_cursor = encode_cursor(last_row[1], getattr(last_row[0], id_column.key))
    return RowPage(rows=rows, next_cursor=next_cursor, total=total)
