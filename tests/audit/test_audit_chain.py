"""The audit trail is tamper-evident: ``verify_chain`` names the first event that does not
fit, and the database itself refuses to update or delete events.

Tampering tests switch the append-only triggers off inside the test's transaction (as an
attacker with database access could); the transaction is rolled back afterwards.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, delete, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from flotilla.core.audit import GENESIS_HASH, event_hash, hashed_fields, verify_chain
from flotilla.models.audit import AuditChainHead
from tests.audit.helpers import (
    AUDIT_TABLE,
    bypass_append_only,
    event_rows,
    remove,
    swap,
    tamper,
)
from tests.fixtures.factories import make_user, make_world


@pytest.fixture
def chain(db: Session) -> list[dict[str, object]]:
    """A committed trail of a few dozen events (roles, org tree, users and grants)."""
    world = make_world(db)
    for unit in (world.team_a, world.dept_b):
        make_user(db, unit, "sales_rep")
    db.commit()
    rows = event_rows(db.connection())
    assert len(rows) >= 10, "the fixture should build a chain worth tampering with"
    return rows


def middle(rows: list[dict[str, object]]) -> int:
    seq = rows[len(rows) // 2]["seq"]
    assert isinstance(seq, int)
    return seq


def test_an_untouched_chain_verifies(db: Session, chain: list[dict[str, object]]) -> None:
    result = verify_chain(db)
    assert result.ok, result
    assert result.checked == len(chain)
    assert result.broken_seq is None
    assert [row["seq"] for row in chain] == list(range(1, len(chain) + 1))
    assert chain[0]["prev_hash"] == GENESIS_HASH
    head = db.execute(select(AuditChainHead)).scalar_one()
    assert (head.last_seq, head.last_hash) == (len(chain), chain[-1]["hash"])


def test_an_untouched_chain_verifies_across_batches(
    db: Session, chain: list[dict[str, object]]
) -> None:
    result = verify_chain(db, batch_size=3)
    assert result.ok, result
    assert result.checked == len(chain)


def test_an_empty_trail_verifies(db: Session) -> None:
    result = verify_chain(db)
    assert result.ok, result
    assert result.checked == 0


def test_altering_an_events_changes_is_detected_at_that_event(
    db: Session, chain: list[dict[str, object]]
) -> None:
    conn = db.connection()
    seq = middle(chain)
    bypass_append_only(conn)
    tamper(conn, seq, changes={"name": {"before": None, "after": "改过的名字"}})

    result = verify_chain(db)
    assert not result.ok
    assert result.broken_seq == seq
    assert result.reason is not None and "hash" in result.reason
    assert result.checked == seq - 1


def test_altering_an_events_actor_name_is_detected_at_that_event(
    db: Session, chain: list[dict[str, object]]
) -> None:
    conn = db.connection()
    seq = middle(chain)
    bypass_append_only(conn)
    tamper(conn, seq, actor_name="someone else")

    result = verify_chain(db)
    assert not result.ok
    assert result.broken_seq == seq


def test_rewriting_an_event_with_a_fresh_hash_is_detected_at_the_next_event(
    db: Session, chain: list[dict[str, object]]
) -> None:
    """An attacker who also recomputes the altered event's hash breaks the next link."""
    conn = db.connection()
    seq = middle(chain)
    forged = {**chain[seq - 1], "actor_name": "someone else"}
    forged_hash = event_hash(str(forged["prev_hash"]), hashed_fields(forged))
    bypass_append_only(conn)
    tamper(conn, seq, actor_name="someone else", hash=forged_hash)

    result = verify_chain(db)
    assert not result.ok
    assert result.broken_seq == seq + 1
    assert result.reason is not None and "previous-hash" in result.reason


def test_deleting_a_middle_event_is_detected_as_missing(
    db: Session, chain: list[dict[str, object]]
) -> None:
    conn = db.connection()
    seq = middle(chain)
    bypass_append_only(conn)
    remove(conn, seq)

    result = verify_chain(db)
    assert not result.ok
    assert result.broken_seq == seq
    assert result.reason is not None and "missing" in result.reason


def test_deleting_the_last_event_is_detected_through_the_chain_head(
    db: Session, chain: list[dict[str, object]]
) -> None:
    conn = db.connection()
    last = len(chain)
    bypass_append_only(conn)
    remove(conn, last)

    result = verify_chain(db)
    assert not result.ok
    assert result.broken_seq == last
    assert result.checked == last - 1
    assert result.reason is not None and "chain head" in result.reason


def test_deleting_the_first_event_is_detected_as_missing(
    db: Session, chain: list[dict[str, object]]
) -> None:
    conn = db.connection()
    bypass_append_only(conn)
    remove(conn, 1)

    result = verify_chain(db)
    assert not result.ok
    assert result.broken_seq == 1


def test_swapping_two_events_is_detected(db: Session, chain: list[dict[str, object]]) -> None:
    conn = db.connection()
    seq = middle(chain)
    bypass_append_only(conn)
    swap(conn, seq, seq + 1)

    result = verify_chain(db)
    assert not result.ok
    assert result.broken_seq == seq


def _refused(connection: Connection, statement: object) -> None:
    with pytest.raises(DBAPIError, match="append-only"), connection.begin_nested():
        connection.execute(statement)  # type: ignore[call-overload]


def test_the_database_refuses_to_update_an_audit_event(
    connection: Connection, chain: list[dict[str, object]]
) -> None:
    seq = middle(chain)
    _refused(
        connection,
        update(AUDIT_TABLE).where(AUDIT_TABLE.c.seq == seq).values(actor_name="someone else"),
    )
    _refused(connection, update(AUDIT_TABLE).values(client_ip="10.0.0.1"))
    assert event_rows(connection) == chain


def test_the_database_refuses_to_delete_an_audit_event(
    connection: Connection, chain: list[dict[str, object]]
) -> None:
    _refused(connection, delete(AUDIT_TABLE).where(AUDIT_TABLE.c.seq == len(chain)))
    _refused(connection, delete(AUDIT_TABLE))
    assert event_rows(connection) == chain


def test_the_database_refuses_to_truncate_the_audit_trail(
    connection: Connection, chain: list[dict[str, object]]
) -> None:
    if connection.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE; DELETE without WHERE is covered above")
    _refused(connection, text("TRUNCATE audit_event"))
    assert event_rows(connection) == chain
