"""The monthly activity roll-up (``activity_month``), kept exact in every write transaction.

Invariant: ``activity_month`` holds exactly the rows of ::

    SELECT month(occurred_at), unit_id, coalesce(owner_id, NO_OWNER), kind, count(*)
    FROM activity GROUP BY 1, 2, 3, 4

where the month is the first day of ``occurred_at``'s UTC month (no row has a count of 0).

A session listener keeps it so: ``before_flush`` turns the flush's new, changed (unit,
owner, kind or month of ``occurred_at``) and deleted activities into per-key deltas, and
``after_flush`` applies them with one upsert (``INSERT … ON CONFLICT … DO UPDATE SET count =
count + excluded.count``) on the same connection, so the roll-up commits or rolls back with
the activity rows. Keys are applied in sorted order, so concurrent writers lock roll-up rows
in the same order and cannot deadlock on them.

Statements that bypass the unit of work (``session.execute(insert(Activity), rows)``, Core
or raw SQL bulk loads such as the demo and the benchmark) are not seen by the listener: call
``rebuild`` after them (``flotilla analytics rebuild-rollups`` from the shell).

``subsidiary_id`` of a roll-up row is a placement hint for per-subsidiary reads: the
listener takes it from the activity that created the row, ``rebuild`` from the unit's
current subsidiary (they differ only after a unit moved to another subsidiary).
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, date, datetime
from typing import Any, cast

from sqlalchemy import (
    Date,
    Table,
    Uuid,
    and_,
    delete,
    event,
    func,
    insert,
    inspect,
    literal,
    or_,
    select,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from flotilla.models.analytics import NO_OWNER, ActivityMonth
from flotilla.models.org import OrgUnit
from flotilla.models.sales import Activity

# Activity attributes that decide which roll-up row counts an activity.
TRACKED = ("occurred_at", "unit_id", "owner_id", "kind")

_PENDING_KEY = "flotilla.activity_rollup_pending"

RollupKey = tuple[date, uuid.UUID, uuid.UUID, str]  # month, unit, owner, kind

ROLLUP = cast(Table, ActivityMonth.__table__)
ACTIVITY = cast(Table, Activity.__table__)
KEY_COLUMNS = ("month", "unit_id", "owner_id", "kind")


def month_of(moment: datetime) -> date:
    """The first day of ``moment``'s month in UTC."""
    utc = moment.astimezone(UTC) if moment.tzinfo is not None else moment
    return date(utc.year, utc.month, 1)


def _key(values: dict[str, Any]) -> RollupKey | None:
    occurred_at = values["occurred_at"]
    if occurred_at is None or values["unit_id"] is None or values["kind"] is None:
        return None
    return (
        month_of(occurred_at),
        values["unit_id"],
        values["owner_id"] or NO_OWNER,
        values["kind"],
    )


def _current(activity: Activity) -> dict[str, Any]:
    return {name: getattr(activity, name) for name in TRACKED}


def _before_change(activity: Activity) -> dict[str, Any]:
    """The tracked values as the database holds them (before this flush's changes).

    ``install`` turns on active history for the tracked attributes, so a changed attribute
    always carries its previous value even if it was not loaded when it was set."""
    state = inspect(activity)
    values: dict[str, Any] = {}
    for name in TRACKED:
        history = state.attrs[name].history
        if history.deleted:
            values[name] = history.deleted[0]
        elif history.unchanged:
            values[name] = history.unchanged[0]
        else:
            values[name] = getattr(activity, name)
    return values


class _Pending:
    """The deltas of one flush, and a subsidiary for each key a delta may create."""

    def __init__(self) -> None:
        self.deltas: Counter[RollupKey] = Counter()
        self.subsidiaries: dict[RollupKey, uuid.UUID] = {}

    def add(self, values: dict[str, Any], subsidiary_id: uuid.UUID | None, step: int) -> None:
        key = _key(values)
        if key is None:
            return
        self.deltas[key] += step
        if subsidiary_id is not None:
            self.subsidiaries.setdefault(key, subsidiary_id)


def _collect(session: Session, _flush_context: Any, _instances: Any) -> None:
    pending = _Pending()
    for instance in session.new:
        if isinstance(instance, Activity):
            pending.add(_current(instance), instance.subsidiary_id, +1)
    for instance in session.deleted:
        if isinstance(instance, Activity):
            before = _before_change(instance)
            pending.add(before, _before_subsidiary(instance), -1)
    for instance in session.dirty:
        if not isinstance(instance, Activity):
            continue
        if not session.is_modified(instance, include_collections=False):
            continue
        before, after = _before_change(instance), _current(instance)
        if _key(before) == _key(after):
            continue
        pending.add(before, _before_subsidiary(instance), -1)
        pending.add(after, instance.subsidiary_id, +1)
    changed = {key: step for key, step in pending.deltas.items() if step != 0}
    if changed:
        # Replaces anything a failed earlier flush left behind (its writes were rolled back).
        session.info[_PENDING_KEY] = (changed, pending.subsidiaries)
    else:
        session.info.pop(_PENDING_KEY, None)


def _before_subsidiary(activity: Activity) -> uuid.UUID | None:
    history = inspect(activity).attrs["subsidiary_id"].history
    value = history.deleted[0] if history.deleted else activity.subsidiary_id
    return value if isinstance(value, uuid.UUID) else None


def _apply(session: Session, _flush_context: Any) -> None:
    pending = session.info.pop(_PENDING_KEY, None)
    if not pending:
        return
    deltas, subsidiaries = pending
    apply_deltas(session.connection(), deltas, subsidiaries)


def _upsert(connection: Connection) -> Any:
    dialect = connection.dialect.name
    if dialect == "postgresql":
        stmt: Any = postgresql.insert(ROLLUP)
    elif dialect == "sqlite":
        stmt = sqlite.insert(ROLLUP)
    else:  # pragma: no cover - the two supported backends
        raise RuntimeError(f"no upsert for dialect {dialect!r}")
    return stmt.on_conflict_do_update(
        index_elements=[ROLLUP.c[name] for name in KEY_COLUMNS],
        set_={"count": ROLLUP.c.count + stmt.excluded.count},
    )


def apply_deltas(
    connection: Connection,
    deltas: dict[RollupKey, int],
    subsidiaries: dict[RollupKey, uuid.UUID],
) -> None:
    """Add ``deltas`` to the roll-up rows (creating missing ones) and drop rows that reach
    zero. A key with no known subsidiary only ever decrements an existing row, so its
    placeholder subsidiary is never stored unless the roll-up had drifted."""
    keys = sorted(deltas)
    rows = []
    for key in keys:
        month, unit_id, owner_id, kind = key
        subsidiary_id = subsidiaries.get(key, unit_id)
        rows.append(
            {
                "month": month,
                "subsidiary_id": subsidiary_id,
                "unit_id": unit_id,
                "owner_id": owner_id,
                "kind": kind,
                "count": deltas[key],
            }
        )
    connection.execute(_upsert(connection), rows)
    emptied = [key for key in keys if deltas[key] < 0]
    if emptied:
        connection.execute(
            delete(ROLLUP).where(ROLLUP.c.count <= 0, or_(*(_matches(key) for key in emptied)))
        )


def _matches(key: RollupKey) -> ColumnElement[bool]:
    month, unit_id, owner_id, kind = key
    return and_(
        ROLLUP.c.month == month,
        ROLLUP.c.unit_id == unit_id,
        ROLLUP.c.owner_id == owner_id,
        ROLLUP.c.kind == kind,
    )


def _discard(session: Session, _previous_transaction: Any) -> None:
    session.info.pop(_PENDING_KEY, None)


def _keep_previous_value(_target: Any, value: Any, _old: Any, _initiator: Any) -> Any:
    return value


def install(session_class: type[Session]) -> None:
    """Attach the roll-up listeners to a session class (once, like the audit listeners)."""
    if not event.contains(session_class, "before_flush", _collect):
        event.listen(session_class, "before_flush", _collect)
        event.listen(session_class, "after_flush", _apply)
        event.listen(session_class, "after_soft_rollback", _discard)
    for name in (*TRACKED, "subsidiary_id"):
        attribute = getattr(Activity, name)
        if not event.contains(attribute, "set", _keep_previous_value):
            event.listen(attribute, "set", _keep_previous_value, active_history=True, retval=True)


def month_expression(dialect: str) -> ColumnElement[date]:
    """SQL for the first day of ``activity.occurred_at``'s UTC month on ``dialect``."""
    occurred_at = ACTIVITY.c.occurred_at
    if dialect == "postgresql":
        return sql_cast(func.date_trunc("month", func.timezone("UTC", occurred_at)), Date)
    # SQLite stores UTC text ("YYYY-MM-DD HH:MM:SS…"); date() answers "YYYY-MM-01".
    return func.date(occurred_at, "start of month", type_=Date)


def grouped_activities(dialect: str) -> Any:
    """The defining query: activities counted per month, unit, owner and kind."""
    month = month_expression(dialect).label("month")
    owner = func.coalesce(ACTIVITY.c.owner_id, literal(NO_OWNER, Uuid())).label("owner_id")
    units = cast(Table, OrgUnit.__table__)
    subsidiary = func.coalesce(units.c.subsidiary_id, units.c.id).label("subsidiary_id")
    return (
        select(
            month,
            subsidiary,
            ACTIVITY.c.unit_id,
            owner,
            ACTIVITY.c.kind,
            func.count().label("count"),
        )
        .select_from(ACTIVITY.join(units, units.c.id == ACTIVITY.c.unit_id))
        .group_by(month, subsidiary, ACTIVITY.c.unit_id, owner, ACTIVITY.c.kind)
    )


def rebuild(session: Session) -> int:
    """Recompute the whole roll-up from ``activity`` (after bulk loads) in the caller's
    transaction; returns the number of roll-up rows."""
    session.flush()
    connection = session.connection()
    connection.execute(delete(ROLLUP))
    connection.execute(
        insert(ROLLUP).from_select(
            ["month", "subsidiary_id", "unit_id", "owner_id", "kind", "count"],
            grouped_activities(connection.dialect.name),
        )
    )
    return int(connection.execute(select(func.count()).select_from(ROLLUP)).scalar_one())
