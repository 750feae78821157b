"""Daily pipeline snapshots: one SCD-2 version per opportunity per change of its pipeline state.

A version of an opportunity is valid from ``valid_from`` (inclusive) to ``valid_to``
(exclusive; ``NULL`` while current). "The pipeline on day D" is every version with
``valid_from <= D < valid_to``: the state at the **end** of D. The nightly job runs at 00:30
China time (16:30 UTC), when the UTC date is still the China day that has just ended, and
snapshots that day.

``take`` compares the state of every opportunity (all of them, open and closed: a deal won
on D gets a version with status ``won`` from D) with its current version in set-based SQL:

1. versions already written for ``day`` by an earlier run of the same day whose state has
   changed since are removed (and the version they replaced is reopened when the deal is
   back where it was), so a same-day re-run reflects the latest state;
2. current versions whose opportunity has a different state (or is gone) get
   ``valid_to = day`` in one ``UPDATE … WHERE NOT EXISTS (same state)``;
3. opportunities without a current version get one, ``valid_from = day``, in one
   ``INSERT … SELECT`` (the database makes the ids: UUIDv7 like every id).

Running it twice for the same day changes nothing the second time; a day earlier than the
latest ``valid_from``/``valid_to`` on file is refused (``SnapshotDayRefused``, a
``ValueError`` that answers 409). Concurrent runs are serialized by a transaction-level
advisory lock on PostgreSQL (SQLite serializes writers anyway).

``from_history=True`` back-fills a past day from the stage history (the demo uses it): the
opportunities created by the end of ``day``; the stage is the last ``stage_history`` row
changed by then (status from that stage's kind); the forecast category follows the status
the way transitions set it (won → ``closed``, lost → ``omitted``, open → the current category,
or ``pipeline`` when the deal is closed now). Amount, currency, owner, unit and expected close
date are today's values — the history does not record their changes (an approximation).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import (
    ColumnElement,
    Date,
    FromClause,
    Table,
    Uuid,
    case,
    delete,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from flotilla.core.errors import Conflict
from flotilla.core.scope import system_access
from flotilla.models.analytics import PipelineSnapshot
from flotilla.models.org import OrgUnit
from flotilla.models.sales import Opportunity, ProcessStage, StageHistory

SNAPSHOT = cast(Table, PipelineSnapshot.__table__)
OPPORTUNITY = cast(Table, Opportunity.__table__)
STAGE = cast(Table, ProcessStage.__table__)
HISTORY = cast(Table, StageHistory.__table__)

# The state a version records, in column order.
STATE_COLUMNS = (
    "subsidiary_id",
    "unit_id",
    "owner_id",
    "stage_id",
    "stage_position",
    "probability",
    "status",
    "amount",
    "currency",
    "forecast_category",
    "expected_close_date",
)

DEFAULT_TIMEZONE = "Asia/Shanghai"
# pg_advisory_xact_lock key: "pipeline snapshot" runs one at a time.
ADVISORY_LOCK_KEY = 0x50_49_50_45  # "PIPE"


class SnapshotDayRefused(Conflict, ValueError):
    """A snapshot for a day before the latest one on file: history is written forwards."""

    def __init__(self, day: date, latest: date) -> None:
        super().__init__("snapshot_day_passed", day=day.isoformat(), latest=latest.isoformat())
        self.day = day
        self.latest = latest


@dataclass(frozen=True)
class SnapshotResult:
    """What one ``take`` did: versions opened and closed, opportunities whose current
    version already held their state, and same-day versions replaced by a re-run."""

    opened: int
    closed: int
    unchanged: int
    replaced: int = 0


@dataclass(frozen=True)
class _State:
    """The state of every opportunity as SQL: one expression per column over ``source``."""

    columns: dict[str, ColumnElement[Any]]
    source: FromClause
    where: tuple[ColumnElement[bool], ...]

    @property
    def opportunity_id(self) -> ColumnElement[Any]:
        return OPPORTUNITY.c.id

    def select(self) -> Any:
        labelled = [self.opportunity_id.label("opportunity_id")]
        labelled += [self.columns[name].label(name) for name in STATE_COLUMNS]
        return select(*labelled).select_from(self.source).where(*self.where)

    def matches(self, version: FromClause) -> ColumnElement[bool]:
        """SQL: ``version`` (a row of ``pipeline_snapshot``) holds the opportunity's state.

        Written as "found by id, and no column differs" (NULL-safe ``IS DISTINCT FROM`` on
        every column): only the primary key can drive the look-up, so the planner never
        probes a composite index such as (unit, status, stage) that a big unit makes wide."""
        differs = [self.columns[name].is_distinct_from(version.c[name]) for name in STATE_COLUMNS]
        return exists(
            select(literal(1))
            .select_from(self.source)
            .where(
                *self.where,
                self.opportunity_id == version.c.opportunity_id,
                ~or_(*differs),
            )
        )


def _live_state() -> _State:
    opportunity, stage = OPPORTUNITY, STAGE
    columns: dict[str, ColumnElement[Any]] = {
        name: opportunity.c[name] for name in STATE_COLUMNS if name in opportunity.c
    }
    columns["stage_position"] = stage.c.position
    columns["probability"] = stage.c.probability
    return _State(
        columns=columns,
        source=opportunity.join(stage, stage.c.id == opportunity.c.stage_id),
        where=(),
    )


def _history_state(end: datetime) -> _State:
    """The state at ``end`` (exclusive) reconstructed from the stage history."""
    opportunity, stage, history = OPPORTUNITY, STAGE, HISTORY
    # The last move by then (ties on changed_at: the later id). A correlated look-up on
    # (opportunity_id, changed_at) costs one index probe per deal whatever plan surrounds
    # it; a window over the whole history joined back can be re-scanned per deal by a
    # nested loop when the planner's estimates are off.
    last_move = (
        select(history.c.to_stage_id)
        .where(history.c.opportunity_id == opportunity.c.id, history.c.changed_at < end)
        .order_by(history.c.changed_at.desc(), history.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    # No move recorded by then although the deal existed: the stage it left on its first
    # recorded move, else (no history at all) its stage now. Evaluated only for those deals.
    first_origin = (
        select(history.c.from_stage_id)
        .where(history.c.opportunity_id == opportunity.c.id)
        .order_by(history.c.changed_at, history.c.id)
        .limit(1)
        .scalar_subquery()
    )
    stage_then = func.coalesce(last_move, first_origin, opportunity.c.stage_id)
    columns: dict[str, ColumnElement[Any]] = {
        name: opportunity.c[name] for name in STATE_COLUMNS if name in opportunity.c
    }
    columns["stage_id"] = stage.c.id
    columns["stage_position"] = stage.c.position
    columns["probability"] = stage.c.probability
    columns["status"] = stage.c.kind
    columns["forecast_category"] = case(
        (stage.c.kind == "won", "closed"),
        (stage.c.kind == "lost", "omitted"),
        (opportunity.c.status == "open", opportunity.c.forecast_category),
        else_="pipeline",
    )
    return _State(
        columns=columns,
        source=opportunity.join(stage, stage.c.id == stage_then),
        where=(opportunity.c.created_at < end,),
    )


def group_timezone(session: Session) -> ZoneInfo:
    """The group root's time zone (China time when unset or unknown)."""
    name = session.execute(
        system_access(select(OrgUnit.timezone).where(OrgUnit.parent_id.is_(None))).limit(1)
    ).scalar_one_or_none()
    try:
        return ZoneInfo(name or DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


def end_of_day(session: Session, day: date) -> datetime:
    """The first instant after ``day`` in the group's time zone, in UTC."""
    zone = group_timezone(session)
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)


def latest_day(session: Session) -> date | None:
    """The latest day any version starts or ends on (snapshots are written forwards)."""
    row = session.execute(
        system_access(select(func.max(SNAPSHOT.c.valid_from), func.max(SNAPSHOT.c.valid_to)))
    ).one()
    days = [d for d in row if d is not None]
    return max(days) if days else None


def _lock(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(ADVISORY_LOCK_KEY)))


def take(
    session: Session,
    day: date,
    *,
    from_history: bool = False,
) -> SnapshotResult:
    """Record every opportunity's pipeline state for ``day`` (see the module docstring),
    in the caller's transaction. Invariant afterwards: each opportunity in the state has
    exactly one current version, and it holds that state."""
    session.flush()
    _lock(session)
    latest = latest_day(session)
    if latest is not None and day < latest:
        raise SnapshotDayRefused(day, latest)
    state = _history_state(end_of_day(session, day)) if from_history else _live_state()
    version = SNAPSHOT
    current = version.c.valid_to.is_(None)

    # Core statements on the tables: the scope guard watches ORM entities only.
    replaced = _rowcount(
        session,
        delete(version).where(current, version.c.valid_from == day, ~state.matches(version)),
    )
    closed = _rowcount(
        session,
        update(version)
        .where(current, version.c.valid_from < day, ~state.matches(version))
        .values(valid_to=day),
    )
    reopened = 0
    if replaced:
        reopened = _reopen(session, state, day)
    opened = _open_missing(session, state, day)
    # Every opportunity in the state has a stage (a foreign key), so counting the
    # opportunities the state selects is counting the state.
    total = session.execute(
        system_access(select(func.count()).select_from(OPPORTUNITY).where(*state.where))
    ).scalar_one()
    return SnapshotResult(
        opened=opened,
        closed=closed,
        unchanged=int(total) - opened - reopened,
        replaced=replaced,
    )


def _rowcount(session: Session, stmt: Any) -> int:
    """Run a DML statement and say how many rows it touched (``preserve_rowcount``: an
    ``INSERT … SELECT`` reports -1 on psycopg otherwise)."""
    result = cast(
        CursorResult[Any], session.execute(stmt.execution_options(preserve_rowcount=True))
    )
    return int(result.rowcount)


def _reopen(session: Session, state: _State, day: date) -> int:
    """After same-day versions were removed: a version closed on ``day`` whose state is the
    opportunity's state again becomes current once more (instead of a duplicate version)."""
    version = SNAPSHOT
    other = SNAPSHOT.alias("other")
    has_current = exists(
        select(literal(1)).where(
            other.c.opportunity_id == version.c.opportunity_id, other.c.valid_to.is_(None)
        )
    )
    return _rowcount(
        session,
        update(version)
        .where(version.c.valid_to == day, ~has_current, state.matches(version))
        .values(valid_to=None),
    )


def _open_missing(session: Session, state: _State, day: date) -> int:
    """Insert a version from ``day`` for every opportunity in ``state`` without a current
    one, in one ``INSERT … SELECT`` (ids made by the database, see ``uuid7_sql``)."""
    version = SNAPSHOT
    has_current = exists(
        select(literal(1)).where(
            version.c.opportunity_id == OPPORTUNITY.c.id, version.c.valid_to.is_(None)
        )
    )
    rows = state.select().where(~has_current).subquery("missing")
    names = ["opportunity_id", *STATE_COLUMNS]
    source = select(
        uuid7_sql(session.get_bind().dialect.name),
        *(rows.c[name] for name in names),
        literal(day, Date()),
    )
    return _rowcount(session, version.insert().from_select(["id", *names, "valid_from"], source))


# UUIDv7 (as ``flotilla.core.ids.new_id`` makes them): 48 bits of Unix milliseconds, the
# version nibble 7, 12 random bits, the variant (8–b), 62 random bits — as 32 hex digits.
_UUID7_SQL = {
    # gen_random_uuid() is a v4 UUID as text: its random digits (and variant, position 20)
    # fill everything after the timestamp and the version nibble.
    "postgresql": (
        "CAST(lpad(to_hex(CAST(floor(extract(epoch FROM clock_timestamp()) * 1000) AS bigint)),"
        " 12, '0') || '7' || substr(gen_random_uuid()::text, 16, 3)"
        " || substr(gen_random_uuid()::text, 20, 4)"
        " || substr(gen_random_uuid()::text, 25, 12) AS uuid)"
    ),
    # SQLite stores a Uuid as 32 lower-case hex digits.
    "sqlite": (
        "lower(printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER))"
        " || '7' || substr(hex(randomblob(2)), 2, 3)"
        " || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(8)), 2, 15))"
    ),
}


def uuid7_sql(dialect: str) -> ColumnElement[uuid.UUID]:
    """SQL making a fresh UUIDv7 per row, so a set-based insert needs no round trip per id."""
    return literal_column(_UUID7_SQL[dialect], type_=Uuid())
