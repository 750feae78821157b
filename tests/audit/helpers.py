"""Helpers for reading and (deliberately) tampering with the audit trail in tests."""

from __future__ import annotations

import uuid
from typing import Any, cast

from sqlalchemy import Connection, Table, delete, insert, select, update
from sqlalchemy.orm import Session

from flotilla.models.audit import AuditEvent

AUDIT_TABLE = cast(Table, AuditEvent.__table__)


def events(session: Session, **filters: Any) -> list[AuditEvent]:
    """Audit events matching ``filters`` (column == value), oldest first."""
    stmt = select(AuditEvent).filter_by(**filters).order_by(AuditEvent.seq)
    session.expire_all()
    return list(session.execute(stmt).scalars())


def event_rows(conn: Connection) -> list[dict[str, Any]]:
    """Every event as a plain row (bypasses the ORM identity map), oldest first."""
    rows = conn.execute(select(AUDIT_TABLE).order_by(AUDIT_TABLE.c.seq)).mappings().all()
    return [dict(row) for row in rows]


def actor_name(user: Any) -> str:
    """The name snapshot audit events record for a signed-in user."""
    return f"{user.display_name} ({user.username})"


def bypass_append_only(conn: Connection) -> None:
    """Let UPDATE and DELETE reach ``audit_event`` for the rest of the current transaction.

    This is what an attacker with database access would do; tests use it to prove that the
    hash chain still exposes the tampering. On SQLite the triggers are dropped (DDL is
    transactional there, so a rollback restores them); on PostgreSQL user triggers are
    switched off for this transaction only.
    """
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
    else:
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_event_no_update")
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_event_no_delete")


def tamper(conn: Connection, seq: int, **values: Any) -> None:
    """Overwrite columns of one event in place (the caller bypassed the triggers)."""
    result = conn.execute(update(AUDIT_TABLE).where(AUDIT_TABLE.c.seq == seq).values(**values))
    assert result.rowcount == 1, f"no audit event with seq={seq}"


def remove(conn: Connection, seq: int) -> None:
    result = conn.execute(delete(AUDIT_TABLE).where(AUDIT_TABLE.c.seq == seq))
    assert result.rowcount == 1, f"no audit event with seq={seq}"


def swap(conn: Connection, first: int, second: int) -> None:
    """Reorder history: event ``first`` and event ``second`` trade places in the sequence."""
    rows = {
        row["seq"]: row
        for row in conn.execute(
            select(AUDIT_TABLE).where(AUDIT_TABLE.c.seq.in_([first, second]))
        ).mappings()
    }
    assert set(rows) == {first, second}
    conn.execute(delete(AUDIT_TABLE).where(AUDIT_TABLE.c.seq.in_([first, second])))
    conn.execute(
        insert(AUDIT_TABLE),
        [{**rows[second], "seq": first}, {**rows[first], "seq": second}],
    )


def as_uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
