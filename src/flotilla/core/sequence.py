"""Gap-free document numbers per subsidiary, kind and year (合同编号、发票编号).

The counter row is locked (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite writers already hold
the database write lock from ``BEGIN IMMEDIATE``) and advanced inside the caller's
transaction, so two concurrent transactions never get the same number and a rolled-back
transaction gives its number back: the numbers that exist are 1..n without holes.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from flotilla.core.ids import new_id
from flotilla.core.scope import system_access
from flotilla.models.ltc import DocumentSequence


def next_value(session: Session, subsidiary_id: uuid.UUID, kind: str, year: int) -> int:
    """Take the next number of the (subsidiary, kind, year) series in this transaction."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    # Create the counter if it is missing without racing a concurrent creator: whoever
    # loses the insert simply goes on to lock the row the winner made.
    session.execute(
        insert(DocumentSequence)
        .values(id=new_id(), subsidiary_id=subsidiary_id, kind=kind, year=year, last_value=0)
        .on_conflict_do_nothing(index_elements=["subsidiary_id", "kind", "year"])
    )
    counter = session.execute(
        system_access(
            select(DocumentSequence)
            .where(
                DocumentSequence.subsidiary_id == subsidiary_id,
                DocumentSequence.kind == kind,
                DocumentSequence.year == year,
            )
            .with_for_update()
        ).execution_options(populate_existing=True)
    ).scalar_one()
    counter.last_value += 1
    session.flush()
    return counter.last_value


def document_number(
    session: Session,
    subsidiary_id: uuid.UUID,
    subsidiary_code: str,
    kind: str,
    prefix: str,
    year: int,
) -> str:
    """A formatted number such as ``BJ-HT-2026-000123`` (subsidiary, kind prefix, year, seq)."""
    value = next_value(session, subsidiary_id, kind, year)
    return f"{subsidiary_code}-{prefix}-{year}-{value:06d}"
