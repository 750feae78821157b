"""Keyset (cursor) pagination shared by every list endpoint.

A cursor encodes the last row's sort value and id; the next page is rows strictly after
that pair, so pages stay stable while rows are inserted and cost the same at any depth.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import Select, func, select, tuple_
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
    if isinstance(value, uuid.UUID):
        return {"u": str(value)}
    if isinstance(value, Decimal):
        return {"d": str(value)}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if "t" in value:
            return datetime.fromisoformat(value["t"])
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


def _fits_column(column: InstrumentedAttribute[Any], value: Any) -> bool:
    """Whether a cursor's sort value has the sort column's type (else the SQL would fail)."""
    column_type = column.type
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance
    try:
        expected = column_type.python_type
    except NotImplementedError:
        return True
    if expected is object:
        return True
    if isinstance(value, bool) and expected is not bool:
        return False
    return isinstance(value, expected)


def paginate(
    session: Session,
    stmt: Select[T],
    *,
    request: PageRequest,
    sortable: dict[str, InstrumentedAttribute[Any]],
    default_sort: str,
    id_column: InstrumentedAttribute[uuid.UUID],
) -> RowPage[T]:
    """Run ``stmt`` (already scoped and filtered) one page at a time.

    ``request.sort`` is a key of ``sortable``, optionally prefixed with ``-`` for
    descending. Sort columns must be NOT NULL so the keyset comparison is total.
    """
    sort_key = request.sort or default_sort
    descending = sort_key.startswith("-")
    column = sortable.get(sort_key.lstrip("-"))
    if column is None:
        raise Invalid(
            fields=[field_error("sort", "literal_error", expected=", ".join(sorted(sortable)))]
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
        if not _fits_column(column, after_value):
            raise _invalid_cursor()
        key, after = tuple_(column, id_column), tuple_(after_value, after_id)
        page_stmt = page_stmt.where(key < after if descending else key > after)
    order = (column.desc(), id_column.desc()) if descending else (column.asc(), id_column.asc())
    rows = list(session.execute(page_stmt.order_by(*order).limit(limit + 1)).scalars().all())
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = encode_cursor(getattr(last, column.key), getattr(last, id_column.key))
    return RowPage(rows=rows, next_cursor=next_cursor, total=total)
