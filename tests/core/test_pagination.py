"""Keyset (cursor) pagination: round-trips, stability, and refusal of forged cursors."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.core.errors import Invalid
from flotilla.core.pagination import (
    MAX_LIMIT,
    PageRequest,
    decode_cursor,
    encode_cursor,
    paginate,
)
from flotilla.models.org import OrgUnit
from tests.fixtures.factories import as_user, make_unit, make_user, make_world

ROW_ID = uuid.UUID("0190f3a2-7c1e-7000-8000-000000000001")


def _raw_cursor(payload: Any) -> str:
    """Build a cursor by hand, the way a tampering client would."""
    raw = json.dumps(payload).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "value",
    [
        "zhang.san",
        "张三",
        42,
        datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=UTC),
        datetime(2026, 3, 1, 16, 30, tzinfo=timezone(timedelta(hours=8))),
        uuid.UUID("0190f3a2-7c1e-7000-8000-0000000000ff"),
        Decimal("12345.6700"),
    ],
)
def test_a_cursor_round_trips_its_sort_value_and_row_id(value: Any) -> None:
    cursor = encode_cursor(value, ROW_ID)

    decoded_value, decoded_id = decode_cursor(cursor)

    assert decoded_id == ROW_ID
    assert decoded_value == value
    assert type(decoded_value) is type(value)


def test_a_cursor_is_url_safe_and_unpadded() -> None:
    cursor = encode_cursor("??>>~~ 中文", ROW_ID)

    assert "=" not in cursor and "+" not in cursor and "/" not in cursor


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "not a cursor",
        "!!!",
        "abc",
        _raw_cursor("just a string"),
        _raw_cursor({"a": 1, "b": 2}),
        _raw_cursor([1, 2, 3]),
        _raw_cursor([1, 2]),
        _raw_cursor(["a", "not-a-uuid"]),
        _raw_cursor([{"t": "yesterday"}, str(ROW_ID)]),
        _raw_cursor([{"t": 5}, str(ROW_ID)]),
        _raw_cursor([{"t": "2026-03-01T08:30:00"}, str(ROW_ID)]),
        _raw_cursor([{"d": "lots"}, str(ROW_ID)]),
        _raw_cursor([{"u": "nope"}, str(ROW_ID)]),
        base64.urlsafe_b64encode(b"\xff\xfe\x00garbage").decode(),
    ],
)
def test_a_garbled_or_forged_cursor_is_invalid(cursor: str) -> None:
    with pytest.raises(Invalid) as raised:
        decode_cursor(cursor)

    assert raised.value.status == 422
    assert [(f.field, f.code) for f in raised.value.fields] == [("cursor", "invalid_cursor")]


def _codes(rows: list[OrgUnit]) -> list[str]:
    return [row.code for row in rows]


def _walk(db: Session, limit: int, sort: str | None = None) -> list[str]:
    seen: list[str] = []
    cursor = None
    for _ in range(100):
        page = paginate(
            db,
            select(OrgUnit),
            request=PageRequest(cursor=cursor, limit=limit, sort=sort),
            sortable={"code": OrgUnit.code, "created_at": OrgUnit.created_at},
            default_sort="code",
            id_column=OrgUnit.id,
        )
        seen.extend(_codes(page.rows))
        cursor = page.next_cursor
        if cursor is None:
            return seen
    raise AssertionError("pagination does not terminate")


def test_paging_visits_every_row_once_in_sort_order(db: Session) -> None:
    make_world(db)
    all_codes = sorted(db.execute(select(OrgUnit.code)).scalars())

    assert _walk(db, limit=2) == all_codes
    assert _walk(db, limit=4, sort="-code") == sorted(all_codes, reverse=True)
    assert _walk(db, limit=len(all_codes)) == all_codes


def test_rows_with_equal_sort_values_are_neither_skipped_nor_repeated(db: Session) -> None:
    world = make_world(db)
    same_moment = datetime(2026, 1, 1, tzinfo=UTC)
    for _ in range(5):
        make_unit(db, world.dept_b, "team").created_at = same_moment
    db.flush()
    all_codes = set(db.execute(select(OrgUnit.code)).scalars())

    walked = _walk(db, limit=2, sort="created_at")

    assert sorted(walked) == sorted(all_codes)
    assert len(walked) == len(set(walked))


def test_rows_inserted_before_the_cursor_do_not_shift_later_pages(db: Session) -> None:
    world = make_world(db)
    sortable = {"code": OrgUnit.code}
    first = paginate(
        db,
        select(OrgUnit),
        request=PageRequest(limit=3),
        sortable=sortable,
        default_sort="code",
        id_column=OrgUnit.id,
    )
    make_unit(db, world.dept_b, "team", code="0-FIRST-IN-ORDER")

    second = paginate(
        db,
        select(OrgUnit),
        request=PageRequest(cursor=first.next_cursor, limit=100),
        sortable=sortable,
        default_sort="code",
        id_column=OrgUnit.id,
    )

    assert not set(_codes(first.rows)) & set(_codes(second.rows))
    assert "0-FIRST-IN-ORDER" not in _codes(second.rows)


def test_the_total_counts_every_matching_row_regardless_of_the_page(db: Session) -> None:
    make_world(db)
    expected = len(db.execute(select(OrgUnit.id)).all())
    first = paginate(
        db,
        select(OrgUnit),
        request=PageRequest(limit=2, include_total=True),
        sortable={"code": OrgUnit.code},
        default_sort="code",
        id_column=OrgUnit.id,
    )
    second = paginate(
        db,
        select(OrgUnit),
        request=PageRequest(cursor=first.next_cursor, limit=2, include_total=True),
        sortable={"code": OrgUnit.code},
        default_sort="code",
        id_column=OrgUnit.id,
    )

    assert first.total == second.total == expected
    without = paginate(
        db,
        select(OrgUnit),
        request=PageRequest(limit=2),
        sortable={"code": OrgUnit.code},
        default_sort="code",
        id_column=OrgUnit.id,
    )
    assert without.total is None


def test_a_cursor_whose_value_does_not_fit_the_sort_column_is_invalid(db: Session) -> None:
    make_world(db)
    sortable = {"code": OrgUnit.code, "created_at": OrgUnit.created_at}

    for sort, value in (("code", 7), ("code", True), ("created_at", "U1")):
        with pytest.raises(Invalid) as raised:
            paginate(
                db,
                select(OrgUnit),
                request=PageRequest(cursor=encode_cursor(value, ROW_ID), sort=sort),
                sortable=sortable,
                default_sort="code",
                id_column=OrgUnit.id,
            )
        assert [(f.field, f.code) for f in raised.value.fields] == [("cursor", "invalid_cursor")]


# --- over HTTP -------------------------------------------------------------------------------


def _error_fields(response: Any) -> list[tuple[str, str]]:
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    return [(f["field"], f["code"]) for f in error["fields"]]


def test_a_cursor_from_one_sort_used_with_another_is_refused(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    for _ in range(3):
        make_user(db, world.team_a, None)
    _admin, headers = as_user(client, db, world.group, "group_admin")
    by_name = client.get(
        "/api/v1/users", params={"limit": 1, "sort": "username"}, headers=headers
    ).json()
    assert by_name["next_cursor"]

    response = client.get(
        "/api/v1/users",
        params={"limit": 1, "sort": "created_at", "cursor": by_name["next_cursor"]},
        headers=headers,
    )

    assert _error_fields(response) == [("cursor", "invalid_cursor")]


@pytest.mark.parametrize(
    ("path", "sort"),
    [
        ("/api/v1/users", "created_at"),
        ("/api/v1/org-units", "name"),
        ("/api/v1/audit-events", "seq"),
    ],
)
def test_forged_cursors_are_refused_on_every_list(
    client: TestClient, db: Session, path: str, sort: str
) -> None:
    world = make_world(db)
    _admin, headers = as_user(client, db, world.group, "group_admin")
    forged = [
        "%%%",
        _raw_cursor([1, 2]),
        _raw_cursor([[1], str(ROW_ID)]),
        _raw_cursor([{"t": "2026-03-01T08:30:00"}, str(ROW_ID)]),
        encode_cursor({"nested": "object"}, ROW_ID),
    ]

    for cursor in forged:
        response = client.get(path, params={"cursor": cursor, "sort": sort}, headers=headers)
        assert _error_fields(response) == [("cursor", "invalid_cursor")], cursor


@pytest.mark.parametrize("limit", [0, -1, MAX_LIMIT + 1, "ten"])
def test_an_out_of_range_limit_is_refused(client: TestClient, db: Session, limit: Any) -> None:
    world = make_world(db)
    _admin, headers = as_user(client, db, world.group, "group_admin")

    response = client.get("/api/v1/users", params={"limit": limit}, headers=headers)

    assert [field for field, _code in _error_fields(response)] == ["limit"]
