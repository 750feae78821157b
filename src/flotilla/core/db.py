"""Database kernel: declarative base, portable column types, engine and sessions.

The same models and migrations run on SQLite (embedded default, WAL mode) and PostgreSQL.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, MetaData, Uuid, create_engine, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect, Engine, make_url
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    declared_attr,
    mapped_column,
    sessionmaker,
)
from sqlalchemy.types import TypeDecorator

from flotilla.core import clock
from flotilla.core.ids import new_id

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use flotilla.core.clock")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


JSONType = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        uuid.UUID: Uuid(),
        datetime: UTCDateTime(),
        dict[str, Any]: JSONType,
        list[Any]: JSONType,
    }


class IdMixin:
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)


class VersionedMixin:
    """Optimistic concurrency: every UPDATE is ``WHERE version = :seen`` and bumps it."""

    version: Mapped[int] = mapped_column(default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


# Connection option: begin SQLite transactions IMMEDIATE (take the writer lock up front).
SQLITE_BEGIN_IMMEDIATE = "flotilla_sqlite_begin_immediate"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin_immediate_off(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, emit BEGIN so SAVEPOINTs and locks behave.
    dbapi_connection.isolation_level = None


def _sqlite_begin(conn: Any) -> None:
    immediate = conn.get_execution_options().get(SQLITE_BEGIN_IMMEDIATE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine with the per-backend settings Flotilla relies on."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "connect", _sqlite_begin_immediate_off)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def make_session_factory(engine: Engine, **kwargs: Any) -> sessionmaker[Session]:
    """Sessions with the audit listeners and the scope guard attached."""
    from flotilla.activity import rollup
    from flotilla.core import audit, scope

    audit.install(Session)
    rollup.install(Session)
    scope.install_guard(Session)
    bind: Engine = engine
    if isinstance(engine, Engine) and engine.dialect.name == "sqlite":
        # A unit of work reads before it writes. A deferred SQLite transaction that has read
        # cannot take the writer lock once another writer committed meanwhile: it fails at
        # once with "database is locked" (busy_timeout does not apply). Sessions therefore
        # begin IMMEDIATE, so concurrent writers queue on busy_timeout instead of failing.
        bind = engine.execution_options(**{SQLITE_BEGIN_IMMEDIATE: True})
    return sessionmaker(bind=bind, expire_on_commit=False, autoflush=False, **kwargs)


def read_only_factory(factory: sessionmaker[Session]) -> sessionmaker[Session]:
    """Sessions for requests that only read: on SQLite they begin DEFERRED, so readers never
    queue behind writers (WAL lets them read a snapshot). Elsewhere the same factory."""
    bind = factory.kw.get("bind")
    if isinstance(bind, Engine) and bind.get_execution_options().get(SQLITE_BEGIN_IMMEDIATE):
        deferred = bind.execution_options(**{SQLITE_BEGIN_IMMEDIATE: False})
        return sessionmaker(**{**factory.kw, "bind": deferred})
    return factory


def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A unit of work: commit on success, roll back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


class Scoped:
    """A table whose rows are visible through the access scope kernel.

    Subclasses say how a row relates to org units and to its owner; the kernel
    (``flotilla.core.scope``) builds every filter from these two hooks, and the session
    guard refuses any ORM query on a ``Scoped`` table that did not go through it.
    """

    @classmethod
    def scope_unit_condition(cls, visible_unit_ids: Any) -> Any:
        """SQL condition: the row belongs to one of ``visible_unit_ids`` (a subquery)."""
        raise NotImplementedError(f"{cls.__name__} must define scope_unit_condition")

    @classmethod
    def scope_owner_condition(cls, user_id: uuid.UUID) -> Any | None:
        """SQL condition: the row is the caller's own; ``None`` if the table has no owner."""
        return None

    @classmethod
    def scope_reach_condition(
        cls,
        path_prefixes: frozenset[str],
        unit_ids: frozenset[uuid.UUID],
        own_user_id: uuid.UUID | None,
    ) -> Any | None:
        """Optionally, the whole reach (units by path prefix or id, plus the caller's own
        rows) as one SQL condition, for tables where composing the two hooks above with OR
        plans badly; ``None`` (the default) composes them."""
        return None


class Audited:
    """A table whose every insert, update and delete lands on the audit chain.

    ``audit_exclude`` names columns never written to the trail; ``audit_redact`` names
    columns whose change is recorded without the value (e.g. password hashes).
    """

    audit_exclude: frozenset[str] = frozenset({"created_at", "updated_at", "version"})
    audit_redact: frozenset[str] = frozenset()

    def audit_label(self) -> str:
        return str(getattr(self, "id", ""))

    def audit_unit_id(self) -> uuid.UUID | None:
        """The org unit that anchors this row for audit-trail visibility."""
        return getattr(self, "unit_id", None)

    def audit_subsidiary_id(self) -> uuid.UUID | None:
        return getattr(self, "subsidiary_id", None)


class UnitOwned(Scoped):
    """A business row that belongs to a subsidiary, an org unit and (usually) an owner.

    Every business table carries ``subsidiary_id`` so group-wide queries aggregate per
    subsidiary and the data can be sharded by subsidiary later.
    """

    @declared_attr
    def subsidiary_id(cls) -> Mapped[uuid.UUID]:
        return mapped_column(ForeignKey("org_unit.id"), index=True)

    @declared_attr
    def unit_id(cls) -> Mapped[uuid.UUID]:
        return mapped_column(ForeignKey("org_unit.id"), index=True)

    @declared_attr
    def owner_id(cls) -> Mapped[uuid.UUID | None]:
        return mapped_column(ForeignKey("app_user.id"), index=True)

    @classmethod
    def scope_unit_condition(cls, visible_unit_ids: Any) -> Any:
        return cls.unit_id.in_(visible_unit_ids)

    @classmethod
    def scope_owner_condition(cls, user_id: uuid.UUID) -> Any | None:
        return cls.owner_id == user_id
