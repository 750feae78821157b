"""Analytics at scale: each analytics endpoint next to the bare SQL GROUP BY over the raw rows.

Builds a fresh, migrated database with a group of 50 subsidiaries (currencies CNY, HKD, SGD
and USD; FX rates for every month), 2 departments × 2 teams × 10 reps each, a sales director
per subsidiary and a group sales VP, then generates with set-based SQL (PostgreSQL:
``INSERT … SELECT generate_series``; SQLite: a recursive CTE, in transactions of a million
rows) 200,000 accounts, 1,000,000 opportunities over three years (≈ 25% won, 20% lost, the
rest open) with their stage history (3–4 rows each), 10,000,000 activities, a contract for
every won deal with two installments and a payment for each installment paid, and targets for
the current fiscal quarter and year. Then ``flotilla.activity.rollup.rebuild`` fills the
monthly activity roll-up and ``flotilla.pipeline.snapshot.take`` records the pipeline on two
days.

Every value is a function of the row number (multiplicative hashes), so both databases hold
the same data, and ids are ``<kind>-0000-7000-8000-<number>`` so rows refer to each other
without look-ups.

It then times, for the VP (group scope) and for the director of one HKD subsidiary, every
analytics endpoint in-process through the FastAPI app (``TestClient``, bearer token from a
real login: the full HTTP stack, scope kernel included) next to the **baseline**: the bare
SQL ``GROUP BY`` over the raw rows that answers the core of the same question, through
``text()`` on the same connection. Sides are interleaved; medians are reported with the ratio
ours / baseline. Where the baseline's figure can be converted into the endpoint's, the two are
compared before timing (a difference is printed, not hidden). A column "our SQL" replays the
statements the endpoint emitted straight on the driver: the database's share of our time.

    .venv/bin/python bench/analytics.py                                  # SQLite, full size
    .venv/bin/python bench/analytics.py --db postgresql                  # throwaway PostgreSQL
    .venv/bin/python bench/analytics.py --opportunities 20000 --activities 200000   # small

Loading drops the non-unique indexes of the bulk tables (on PostgreSQL also their foreign
keys) after ``upgrade`` and recreates them from their own definitions after loading; the
benchmark checks that the schema is then identical to the migrated one. PostgreSQL gets
``VACUUM ANALYZE`` after loading, as autovacuum would; SQLite gets no ``ANALYZE``, as Flotilla
runs none. ``--keep`` leaves the database in place (its URL is printed) and ``--url`` times
an existing one built by this command, without generating again.

PostgreSQL is reached through ``FLOTILLA_BENCH_DATABASE_URL`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``); the benchmark creates its own
database there and drops it at the end.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

os.environ.setdefault("FLOTILLA_ARGON2_TIME_COST", "1")
os.environ.setdefault("FLOTILLA_ARGON2_MEMORY_KIB", "1024")

import sqlalchemy
import sqlalchemy.exc
from sqlalchemy import Connection, Engine, bindparam, event, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from flotilla.core import audit, clock
from flotilla.core.db import UTCDateTime, make_engine, make_session_factory
from flotilla.core.migrate import upgrade
from flotilla.core.period import add_months, period_containing
from flotilla.core.scope import mark_system_session, system_access
from flotilla.core.security import hash_password
from flotilla.models.analytics import MONEY_METRICS, Target
from flotilla.models.identity import Position, Role, RoleGrant, User
from flotilla.models.ltc import FxRate
from flotilla.models.org import OrgUnit, path_segment
from flotilla.models.sales import ProcessStage, ProcessVersion
from flotilla.process.seed import ensure_standard_template
from flotilla.role.builtin import BUILTIN_ROLES

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
DEPARTMENTS_PER_SUBSIDIARY = 2
TEAMS_PER_DEPARTMENT = 2
REPS_PER_TEAM = 10
REPS_PER_DEPARTMENT = REPS_PER_TEAM * TEAMS_PER_DEPARTMENT
REPS_PER_SUBSIDIARY = REPS_PER_DEPARTMENT * DEPARTMENTS_PER_SUBSIDIARY
DIRECTOR_SUBSIDIARY = 6  # the timed director's subsidiary: an HKD one
PASSWORD = "bench-password-2026"
FAKE_PASSWORD_HASH = "$argon2id$bench$not-a-real-hash"
GROUP_CURRENCY = "CNY"
CHUNK = 1_000_000  # rows per generating statement (one transaction each)
HISTORY_DAYS = 1095  # three years of opportunities and activities

# Currency of subsidiary s: by s % 10 (six CNY, two HKD, one SGD, one USD), and how a CNY
# amount is scaled into it (numerator, denominator) so deals are of similar size everywhere.
CURRENCY_BY_DIGIT = ["CNY"] * 6 + ["HKD", "HKD", "SGD", "USD"]
LOCAL_SCALE = {"CNY": (1, 1), "HKD": (11, 10), "SGD": (10, 54), "USD": (10, 72)}
FX_TO_CNY = {"HKD": Decimal("0.92"), "SGD": Decimal("5.35"), "USD": Decimal("7.18")}
ACTIVITY_KINDS = [
    ("call", "电话沟通"),
    ("visit", "客户拜访"),
    ("meeting", "会议"),
    ("email", "邮件"),
    ("note", "备注"),
    ("task", "待办"),
]
STAGE_CODES = ["qualify", "needs_analysis", "solution_quote", "negotiation", "won", "lost"]

# Ids: "<kind>-0000-7000-8000-<number>" (a well-formed UUIDv7 shape), so a generated row can
# name the account, rep or unit it belongs to by arithmetic instead of a join.
KINDS = {
    "unit": 0xA1,
    "user": 0xA2,
    "account": 0xA3,
    "opportunity": 0xA4,
    "stage_history": 0xA5,
    "activity": 0xA6,
    "contract": 0xA7,
    "installment": 0xA8,
    "payment": 0xA9,
}
SUBSIDIARY_BASE = 1_000_000  # unit numbers: 0 the group, then subsidiaries, departments, teams
DEPARTMENT_BASE = 2_000_000
TEAM_BASE = 3_000_000
DIRECTOR_BASE = 1_000_000  # user numbers: reps from 0, directors, the VP
VP_NUMBER = 2_000_000
# Odd multipliers for the row-number hashes (Weyl sequences modulo 2^32).
MULTIPLIERS = [
    2654435761,
    2246822519,
    3266489917,
    2869860233,
    3323798929,
    2400173899,
    4034296747,
    3735928559,
    2971215073,
]


def bench_id(kind: str, number: int) -> uuid.UUID:
    return uuid.UUID(f"{KINDS[kind]:08x}000070008000{number:012x}")


def subsidiary_currency(s: int) -> str:
    return CURRENCY_BY_DIGIT[s % 10]


@dataclass(frozen=True)
class Size:
    subsidiaries: int
    opportunities: int
    activities: int

    @property
    def reps(self) -> int:
        return self.subsidiaries * REPS_PER_SUBSIDIARY

    @property
    def accounts(self) -> int:
        # A multiple of the rep count, so account a, opportunity j and activity i all belong
        # to rep (number mod reps) and a deal's account is one of its owner's.
        return max(self.reps, self.opportunities // 5 // self.reps * self.reps)


# --- database lifecycle ------------------------------------------------------------------


@contextmanager
def throwaway_database(backend: str, keep: bool) -> Iterator[str]:
    """Yield the URL of a new, empty database; remove it afterwards unless ``keep``."""
    if backend == "sqlite":
        workdir = tempfile.mkdtemp(prefix="flotilla-bench-")
        try:
            yield f"sqlite:///{Path(workdir) / 'bench.db'}"
        finally:
            if not keep:
                for child in Path(workdir).iterdir():
                    child.unlink()
                Path(workdir).rmdir()
        return
    admin_url = os.environ.get("FLOTILLA_BENCH_DATABASE_URL", DEFAULT_PG_URL)
    name = f"flotilla_bench_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except sqlalchemy.exc.SQLAlchemyError as error:
        admin.dispose()
        sys.exit(f"cannot create a database (FLOTILLA_BENCH_DATABASE_URL): {error}")
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        if not keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


BULK_TABLES = (
    "account",
    "opportunity",
    "stage_history",
    "activity",
    "contract",
    "payment_installment",
    "payment",
)


def schema_snapshot(conn: Connection) -> list[tuple[Any, ...]]:
    """Every index and constraint definition of the database, to compare before/after."""
    if conn.dialect.name == "sqlite":
        rows = conn.exec_driver_sql(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
        )
    else:
        rows = conn.exec_driver_sql(
            "SELECT 'index', indexname, tablename, indexdef FROM pg_indexes "
            "WHERE schemaname = 'public' "
            "UNION ALL SELECT 'constraint', conname, conrelid::regclass::text, "
            "pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2"
        )
    return [tuple(r) for r in rows]


def drop_for_load(conn: Connection) -> list[str]:
    """Drop the non-unique indexes of the bulk tables (PostgreSQL: and their foreign keys);
    return the statements that recreate them exactly."""
    placeholders = ", ".join(f"'{t}'" for t in BULK_TABLES)
    if conn.dialect.name == "sqlite":
        indexes = conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
            f"AND tbl_name IN ({placeholders}) AND sql LIKE 'CREATE INDEX%' ORDER BY name"
        ).all()
        for name, _sql in indexes:
            conn.exec_driver_sql(f'DROP INDEX "{name}"')
        return [sql for _name, sql in indexes]
    tables = ", ".join(f"'{t}'::regclass" for t in BULK_TABLES)
    constraints = conn.exec_driver_sql(
        "SELECT conname, conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint "
        f"WHERE conrelid IN ({tables}) AND contype = 'f' ORDER BY conname"
    ).all()
    indexes = conn.exec_driver_sql(
        "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
        f"WHERE indrelid IN ({tables}) AND NOT indisunique AND NOT indisprimary ORDER BY 1"
    ).all()
    for name, _definition in indexes:
        conn.exec_driver_sql(f"DROP INDEX {name}")
    for name, table, _definition in constraints:
        conn.exec_driver_sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    return [d for _n, d in indexes] + [
        f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for n, t, d in constraints
    ]


# --- SQL that differs by dialect -----------------------------------------------------------


class Sql:
    """The few expressions the generating statements need, for SQLite or PostgreSQL. All
    values are integers computed from a row number ``i``; dates count days before today."""

    def __init__(self, dialect: str, today: date) -> None:
        self.sqlite = dialect == "sqlite"
        self.today = today.isoformat()

    def series(self, lo: int, hi: int) -> tuple[str, str]:
        """(WITH clause, FROM item) yielding column ``i`` for lo <= i < hi."""
        if self.sqlite:
            cte = (
                f"WITH RECURSIVE s(i) AS (SELECT {lo} UNION ALL "
                f"SELECT i + 1 FROM s WHERE i + 1 < {hi})"
            )
            return cte, "s"
        return "", f"generate_series({lo}, {hi - 1}) AS s(i)"

    def uid(self, kind: str, number: str) -> str:
        prefix = f"{KINDS[kind]:08x}"
        if self.sqlite:
            return f"('{prefix}000070008000' || printf('%012x', {number}))"
        return f"CAST('{prefix}-0000-7000-8000-' || lpad(to_hex({number}), 12, '0') AS uuid)"

    def uuid_literal(self, value: uuid.UUID) -> str:
        return f"'{value.hex}'" if self.sqlite else f"CAST('{value}' AS uuid)"

    def day(self, ago: str) -> str:
        """The date ``ago`` days before today (negative: after)."""
        if self.sqlite:
            return f"date('{self.today}', (0 - ({ago})) || ' days')"
        return f"(DATE '{self.today}' - CAST(({ago}) AS integer))"

    def ts(self, ago: str, seconds: str) -> str:
        """UTC timestamp ``seconds`` after midnight of the day ``ago`` days before today."""
        if self.sqlite:
            return (
                f"(strftime('%Y-%m-%d %H:%M:%S', '{self.today}', (0 - ({ago})) || ' days', "
                f"({seconds}) || ' seconds') || '.000000')"
            )
        return (
            f"((TIMESTAMP '{self.today}' - make_interval(days => CAST(({ago}) AS integer)) "
            f"+ make_interval(secs => ({seconds}))) AT TIME ZONE 'UTC')"
        )

    @staticmethod
    def mix(number: str, k: int) -> str:
        """A well-spread integer 0–65535 from a row number (one of several hashes)."""
        return f"((CAST(({number}) AS BIGINT) * {MULTIPLIERS[k]}) % 4294967296 / 65536)"

    def greatest(self, a: str, b: str) -> str:
        return f"max({a}, {b})" if self.sqlite else f"GREATEST({a}, {b})"

    def json(self, literal: str) -> str:
        return f"'{literal}'" if self.sqlite else f"CAST('{literal}' AS jsonb)"

    def month(self, column: str) -> str:
        """First day of a UTC timestamp's month."""
        if self.sqlite:
            return f"date({column}, 'start of month')"
        return f"CAST(date_trunc('month', {column} AT TIME ZONE 'UTC') AS date)"

    # Rep r (0-based) sits in team r / 10, department r / 20, subsidiary r / 40.
    def rep_user(self, r: str) -> str:
        return self.uid("user", r)

    def rep_team(self, r: str) -> str:
        return self.uid("unit", f"{TEAM_BASE} + ({r}) / {REPS_PER_TEAM}")

    def rep_subsidiary(self, r: str) -> str:
        return self.uid("unit", f"{SUBSIDIARY_BASE} + ({r}) / {REPS_PER_SUBSIDIARY}")

    def rep_currency(self, r: str) -> str:
        digit = f"(({r}) / {REPS_PER_SUBSIDIARY}) % 10"
        branches = " ".join(
            f"WHEN {d} THEN '{c}'" for d, c in enumerate(CURRENCY_BY_DIGIT) if c != "CNY"
        )
        return f"(CASE {digit} {branches} ELSE 'CNY' END)"

    def local_amount(self, cny_cents: str, r: str) -> str:
        """A CNY-sized amount scaled into the rep's subsidiary currency (whole cents)."""
        digit = f"(({r}) / {REPS_PER_SUBSIDIARY}) % 10"
        branches = []
        for d, currency in enumerate(CURRENCY_BY_DIGIT):
            num, den = LOCAL_SCALE[currency]
            if (num, den) != (1, 1):
                branches.append(f"WHEN {d} THEN ({cny_cents}) * {num} / {den}")
        return f"(CASE {digit} {' '.join(branches)} ELSE ({cny_cents}) END)"


# --- the world: org, people, roles, process, rates ----------------------------------------


@dataclass
class World:
    size: Size
    today: date
    group_id: uuid.UUID
    vp_id: uuid.UUID
    director_id: uuid.UUID
    director_subsidiary_id: uuid.UUID
    director_currency: str
    version_id: uuid.UUID
    stage_ids: dict[str, uuid.UUID]
    stage_probability: dict[str, int]
    stage_max_days: dict[str, int | None]
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


def _unit(
    number: int, parent: dict[str, Any] | None, kind: str, code: str, name: str, currency: str
) -> dict[str, Any]:
    unit_id = bench_id("unit", number)
    now = clock.now()
    if kind == "group":
        subsidiary_id = None
    elif kind == "subsidiary":
        subsidiary_id = unit_id
    else:
        assert parent is not None
        subsidiary_id = parent["subsidiary_id"]
    return {
        "id": unit_id,
        "parent_id": parent["id"] if parent else None,
        "kind": kind,
        "code": code,
        "name": name,
        "name_en": None,
        "uscc": None,
        "currency": currency,
        "region": None,
        "timezone": "Asia/Shanghai",
        "subsidiary_id": subsidiary_id,
        "path": (parent["path"] if parent else "/") + path_segment(unit_id),
        "depth": parent["depth"] + 1 if parent else 0,
        "is_active": True,
        "fiscal_year_start_month": None,
        "manager_id": None,
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }


def _user(
    number: int, username: str, display_name: str, unit: dict[str, Any], password_hash: str
) -> dict[str, Any]:
    now = clock.now()
    return {
        "id": bench_id("user", number),
        "username": username,
        "display_name": display_name,
        "email": f"{username}@bench.example.cn",
        "phone": None,
        "password_hash": password_hash,
        "is_active": True,
        "locale": "zh-CN",
        "primary_unit_id": unit["id"],
        "subsidiary_id": unit["subsidiary_id"],
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }


def _position(user: dict[str, Any], unit: dict[str, Any], title: str) -> dict[str, Any]:
    now = clock.now()
    return {
        "id": uuid.uuid4(),
        "user_id": user["id"],
        "unit_id": unit["id"],
        "title": title,
        "is_primary": True,
        "created_at": now,
        "updated_at": now,
    }


def build_org(factory: sessionmaker[Session], size: Size, today: date) -> World:
    """Org tree, people, roles and grants, the group's process and FX rates; Core inserts in
    a system session (the process template through its seeding code, audited as system)."""
    now = clock.now()
    real_hash = hash_password(PASSWORD)
    group = _unit(0, None, "group", "G", "基准集团", GROUP_CURRENCY)
    units = [group]
    users: list[dict[str, Any]] = []
    positions: list[dict[str, Any]] = []
    directors: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for s in range(size.subsidiaries):
        currency = subsidiary_currency(s)
        sub = _unit(
            SUBSIDIARY_BASE + s, group, "subsidiary", f"S{s:02d}", f"子公司{s:02d}", currency
        )
        units.append(sub)
        for d in range(DEPARTMENTS_PER_SUBSIDIARY):
            department_number = s * DEPARTMENTS_PER_SUBSIDIARY + d
            dept = _unit(
                DEPARTMENT_BASE + department_number,
                sub,
                "department",
                f"S{s:02d}-D{d}",
                f"销售{d + 1}部",
                currency,
            )
            units.append(dept)
            for t in range(TEAMS_PER_DEPARTMENT):
                team_number = department_number * TEAMS_PER_DEPARTMENT + t
                team = _unit(
                    TEAM_BASE + team_number,
                    dept,
                    "team",
                    f"S{s:02d}-D{d}-T{t}",
                    f"{t + 1}组",
                    currency,
                )
                units.append(team)
                for k in range(REPS_PER_TEAM):
                    r = team_number * REPS_PER_TEAM + k
                    rep = _user(r, f"rep{r:05d}", f"销售{r:05d}", team, FAKE_PASSWORD_HASH)
                    users.append(rep)
                    positions.append(_position(rep, team, "销售代表"))
        director_hash = real_hash if s == DIRECTOR_SUBSIDIARY else FAKE_PASSWORD_HASH
        director = _user(
            DIRECTOR_BASE + s, f"director{s:02d}", f"销售总监{s:02d}", sub, director_hash
        )
        users.append(director)
        positions.append(_position(director, sub, "销售总监"))
        directors.append((director, sub))
    vp = _user(VP_NUMBER, "vp", "集团销售副总", group, real_hash)
    users.append(vp)
    positions.append(_position(vp, group, "集团销售副总"))

    roles = []
    for code, (name, name_en, data_scope, permissions, description) in BUILTIN_ROLES.items():
        roles.append(
            {
                "id": uuid.uuid4(),
                "code": code,
                "name": name,
                "name_en": name_en,
                "description": description,
                "permissions": sorted(set(permissions)),
                "data_scope": data_scope,
                "is_builtin": True,
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
        )
    role_id = {r["code"]: r["id"] for r in roles}
    grants = [
        {
            "id": uuid.uuid4(),
            "user_id": director["id"],
            "role_id": role_id["sales_director"],
            "unit_id": sub["id"],
            "created_at": now,
            "updated_at": now,
        }
        for director, sub in directors
    ]
    grants.append(
        {
            "id": uuid.uuid4(),
            "user_id": vp["id"],
            "role_id": role_id["group_sales_vp"],
            "unit_id": group["id"],
            "created_at": now,
            "updated_at": now,
        }
    )

    rates = []
    first_month = add_months(today, -(HISTORY_DAYS // 30 + 6))
    last_month = add_months(today, 13)
    month, n = first_month, 0
    while month < last_month:
        for currency, base in FX_TO_CNY.items():
            # A small monthly drift; the period-end rate differs from the average.
            average = (base * (1 + Decimal((n * 7) % 11 - 5) / 1000)).quantize(Decimal("1e-6"))
            closing = (base * (1 + Decimal((n * 5) % 13 - 6) / 1000)).quantize(Decimal("1e-6"))
            for rate_type, rate in (("average", average), ("period_end", closing)):
                rates.append(
                    {
                        "id": uuid.uuid4(),
                        "from_currency": currency,
                        "to_currency": GROUP_CURRENCY,
                        "period": month,
                        "rate_type": rate_type,
                        "rate": rate,
                        "created_at": now,
                        "updated_at": now,
                        "version": 1,
                    }
                )
        month, n = add_months(month, 1), n + 1

    with factory() as session:
        mark_system_session(session)
        audit.set_context(session, audit.SYSTEM_CONTEXT)
        session.execute(insert(OrgUnit.__table__), units)
        session.execute(insert(Role.__table__), roles)
        session.execute(insert(User.__table__), users)
        session.execute(insert(Position.__table__), positions)
        session.execute(insert(RoleGrant.__table__), grants)
        session.execute(insert(FxRate.__table__), rates)
        template = ensure_standard_template(session)
        version = session.execute(
            select(ProcessVersion).where(ProcessVersion.template_id == template.id)
        ).scalar_one()
        stages = session.execute(
            select(ProcessStage).where(ProcessStage.version_id == version.id)
        ).scalars()
        stage_ids, probability, max_days = {}, {}, {}
        for stage in stages:
            stage_ids[stage.code] = stage.id
            probability[stage.code] = stage.probability
            max_days[stage.code] = stage.max_days
        session.commit()
    if [c for c in STAGE_CODES if c not in stage_ids]:
        sys.exit(f"the standard process lacks stages {STAGE_CODES}: {sorted(stage_ids)}")
    return World(
        size=size,
        today=today,
        group_id=group["id"],
        vp_id=vp["id"],
        director_id=bench_id("user", DIRECTOR_BASE + DIRECTOR_SUBSIDIARY),
        director_subsidiary_id=bench_id("unit", SUBSIDIARY_BASE + DIRECTOR_SUBSIDIARY),
        director_currency=subsidiary_currency(DIRECTOR_SUBSIDIARY),
        version_id=version.id,
        stage_ids=stage_ids,
        stage_probability=probability,
        stage_max_days=max_days,
        counts={"org units": len(units), "users": len(users), "fx rates": len(rates)},
    )


# --- the bulk rows: set-based SQL ----------------------------------------------------------


class Generator:
    """Runs the generating statements on one raw driver connection (no ORM, no audit)."""

    def __init__(self, engine: Engine, world: World) -> None:
        self.world = world
        self.size = world.size
        self.sql = Sql(engine.dialect.name, world.today)
        self.raw = engine.raw_connection()
        self.driver: Any = self.raw.driver_connection
        if self.sql.sqlite:
            # This connection only: a large page cache, no fsync, no per-row foreign-key
            # look-ups (every reference is computed from row numbers of rows written first).
            self.driver.execute("PRAGMA cache_size = -2000000")
            self.driver.execute("PRAGMA synchronous = OFF")
            self.driver.execute("PRAGMA foreign_keys = OFF")
        else:
            self.driver.execute("SET synchronous_commit = off")
            self.driver.execute("SET work_mem = '256MB'")
            self.driver.commit()

    def run(self, statement: str) -> int:
        if self.sql.sqlite:
            self.driver.execute("BEGIN")
            cursor = self.driver.execute(statement)
            count = cursor.rowcount
            self.driver.execute("COMMIT")
            return int(count)
        with self.driver.cursor() as cursor:
            cursor.execute(statement)
            count = cursor.rowcount
        self.driver.commit()
        return int(count)

    def chunked(self, label: str, total: int, build: Callable[[str, str], str]) -> int:
        """Insert rows 0..total in statements of CHUNK rows: build(with_clause, from_item)."""
        started = time.perf_counter()
        written = 0
        for lo in range(0, total, CHUNK):
            hi = min(lo + CHUNK, total)
            cte, source = self.sql.series(lo, hi)
            written += self.run(build(cte, source))
            if total > CHUNK:
                print(
                    f"  {label}: {hi:,} / {total:,} ({time.perf_counter() - started:.0f} s)",
                    file=sys.stderr,
                    flush=True,
                )
        self.world.timings[label] = time.perf_counter() - started
        return written

    def close(self) -> None:
        if self.sql.sqlite:
            self.driver.execute("PRAGMA foreign_keys = ON")
            self.driver.execute("PRAGMA synchronous = NORMAL")
        self.raw.close()

    # -- accounts -------------------------------------------------------------------------

    def accounts(self) -> None:
        q = self.sql
        r = f"i % {self.size.reps}"
        created = q.ts(f"1 + {q.mix('i', 0)} % {HISTORY_DAYS + 365}", "36000")
        self.chunked(
            "accounts",
            self.size.accounts,
            lambda cte, source: (
                f"""
            INSERT INTO account (id, name, name_en, name_key, uscc, industry, region, tier,
                value_class, parent_account_id, status, external_id, last_follow_up_at,
                pool_entered_at, force_reason, created_by_id, created_at, updated_at, version,
                subsidiary_id, unit_id, owner_id)
            {cte}
            SELECT {q.uid("account", "i")}, '基准客户' || i || '有限公司', NULL, '基准客户' || i,
                NULL, '制造', NULL, 'smb', 'C', NULL, 'owned', NULL, NULL, NULL, NULL,
                {q.rep_user(r)}, {created}, {created}, 1,
                {q.rep_subsidiary(r)}, {q.rep_team(r)}, {q.rep_user(r)}
            FROM {source}"""
            ),
        )

    # -- opportunities and their stage history ---------------------------------------------

    def plan_opportunities(self) -> None:
        """bench_opp: each deal's life as integers. outcome 0 won, 1 lost, 2 open; k the stage
        reached (1–4: qualify … negotiation); n its stage-history rows; ``*_ago`` days before
        today of creation and of the last transition (close, or entering the current stage).
        Closed deals were created up to three years ago and took 7–180 days; open ones were
        created in the last year (those still in qualification: the last 45 days) and entered
        their current stage in the last eighth of their life, so about half are stalled."""
        q = self.sql
        self.run(
            "CREATE TABLE bench_opp (j BIGINT PRIMARY KEY, r INTEGER, outcome INTEGER, "
            "k INTEGER, n INTEGER, created_ago INTEGER, last_ago INTEGER, sec0 INTEGER, "
            "cny_cents BIGINT, close_ahead INTEGER, draw INTEGER)"
        )
        closed_span = HISTORY_DAYS - 180  # close dates over the last ~2.5 years

        def build(cte: str, source: str) -> str:
            return f"""
            INSERT INTO bench_opp (j, r, outcome, k, n, created_ago, last_ago, sec0, cny_cents,
                close_ahead, draw)
            {cte}
            SELECT j, j % {self.size.reps}, outcome, k,
                CASE outcome WHEN 0 THEN 5 WHEN 1 THEN k + 1 ELSE k END,
                CASE WHEN outcome < 2 THEN 1 + h2 % {closed_span} + cycle ELSE created_open END,
                CASE WHEN outcome < 2 THEN 1 + h2 % {closed_span}
                     WHEN k = 1 THEN created_open
                     ELSE {q.greatest("created_open * (h3 % 100) / 800", "1")} END,
                32400 + h4 % 36000, (20000 + (h5 * 7 + h6) % 980000) * 100 + h6 % 100,
                h6 % 180 - 30, h7 % 100
            FROM (
                SELECT j, h2, h3, h4, h5, h6, h7, 7 + h3 % 173 AS cycle,
                    CASE WHEN h4 % 4 = 0 THEN 1 + h2 % 45 ELSE 1 + h2 % 364 END AS created_open,
                    CASE WHEN u < 25 THEN 0 WHEN u < 45 THEN 1 ELSE 2 END AS outcome,
                    CASE WHEN u < 25 THEN 4 ELSE 1 + h4 % 4 END AS k
                FROM (
                    SELECT i AS j, {q.mix("i", 1)} % 100 AS u, {q.mix("i", 2)} AS h2,
                        {q.mix("i", 3)} AS h3, {q.mix("i", 4)} AS h4, {q.mix("i", 5)} AS h5,
                        {q.mix("i", 6)} AS h6, {q.mix("i", 7)} AS h7
                    FROM {source}
                ) hashed
            ) planned"""

        self.chunked("planned deals", self.size.opportunities, build)

    def _stage_case(self, position: str) -> str:
        q = self.sql
        branches = " ".join(
            f"WHEN {p} THEN {q.uuid_literal(self.world.stage_ids[code])}"
            for p, code in enumerate(STAGE_CODES, start=1)
        )
        return f"(CASE {position} {branches} END)"

    def opportunities(self) -> None:
        q = self.sql
        w = self.world
        last_at = q.ts("o.last_ago", "o.sec0 + o.n * 60")
        final_position = "(CASE o.outcome WHEN 0 THEN 5 WHEN 1 THEN 6 ELSE o.k END)"
        # Open deals: commit late, best case in the middle, a few omitted.
        category = (
            "(CASE WHEN o.outcome = 0 THEN 'closed' WHEN o.outcome = 1 THEN 'omitted' "
            "WHEN o.draw < 5 THEN 'omitted' "
            "WHEN o.k = 4 AND o.draw < 70 THEN 'commit' WHEN o.k >= 3 THEN 'best_case' "
            "WHEN o.k = 2 AND o.draw < 30 THEN 'best_case' ELSE 'pipeline' END)"
        )
        self.run(
            f"""
            INSERT INTO opportunity (id, account_id, name, amount, currency,
                expected_close_date, process_version_id, stage_id, stage_entered_at, status,
                forecast_category, source, competitors, loss_reason, checklist_state,
                closed_at, lead_id, created_at, updated_at, version, subsidiary_id, unit_id,
                owner_id)
            SELECT {q.uid("opportunity", "o.j")}, {q.uid("account", f"o.j % {w.size.accounts}")},
                '基准商机' || o.j, {q.local_amount("o.cny_cents", "o.r")}, {q.rep_currency("o.r")},
                CASE WHEN o.outcome = 2 THEN {q.day("0 - o.close_ahead")}
                     ELSE {q.day("o.last_ago")} END,
                {q.uuid_literal(w.version_id)}, {self._stage_case(final_position)}, {last_at},
                CASE o.outcome WHEN 0 THEN 'won' WHEN 1 THEN 'lost' ELSE 'open' END,
                {category}, NULL, {q.json("[]")},
                CASE WHEN o.outcome = 1 THEN '价格' END, {q.json("{}")},
                CASE WHEN o.outcome < 2 THEN {last_at} END, NULL,
                {q.ts("o.created_ago", "o.sec0 + 60")}, {last_at}, 1,
                {q.rep_subsidiary("o.r")}, {q.rep_team("o.r")}, {q.rep_user("o.r")}
            FROM bench_opp o"""
        )

    def stage_history(self) -> None:
        """Row t (1..n) of deal j: into stage t (the last row of a closed deal: won/lost),
        spaced evenly from creation to the last transition."""
        q = self.sql
        steps = " UNION ALL ".join(f"SELECT {t} AS t" for t in range(1, 6))
        ago = "o.created_ago - CASE WHEN o.n > 1 THEN ((t.t - 1) * (o.created_ago - o.last_ago)) / (o.n - 1) ELSE 0 END"  # noqa: E501
        previous_ago = "o.created_ago - CASE WHEN o.n > 1 THEN ((t.t - 2) * (o.created_ago - o.last_ago)) / (o.n - 1) ELSE 0 END"  # noqa: E501
        to_position = (
            "(CASE WHEN t.t = o.n AND o.outcome = 0 THEN 5 "
            "WHEN t.t = o.n AND o.outcome = 1 THEN 6 ELSE t.t END)"
        )
        self.run(
            f"""
            INSERT INTO stage_history (id, opportunity_id, subsidiary_id, from_stage_id,
                to_stage_id, changed_by_id, changed_at, days_in_previous, reason, is_skip,
                is_backward)
            SELECT {q.uid("stage_history", "o.j * 8 + t.t")}, {q.uid("opportunity", "o.j")},
                {q.rep_subsidiary("o.r")},
                CASE WHEN t.t > 1 THEN {self._stage_case("t.t - 1")} END,
                {self._stage_case(to_position)}, {q.rep_user("o.r")},
                {q.ts(ago, "o.sec0 + t.t * 60")},
                CASE WHEN t.t > 1 THEN ({previous_ago}) - ({ago}) END, NULL, FALSE, FALSE
            FROM bench_opp o JOIN ({steps}) t ON t.t <= o.n"""
        )

    # -- lead to cash: contracts, installments, payments -------------------------------------

    def contracts(self) -> None:
        q = self.sql
        w = self.world
        signed_on = q.day("o.last_ago")
        self.run(
            f"""
            INSERT INTO contract (id, number, title, account_id, opportunity_id, quote_id,
                selling_entity_id, amount, tax_amount, currency, payment_days, signing_date,
                start_date, end_date, terms, status, approval_request_id, signed_at,
                signed_by_id, completed_at, terminated_at, termination_reason, created_at,
                updated_at, version, subsidiary_id, unit_id, owner_id)
            SELECT {q.uid("contract", "o.j")}, 'HT' || o.j, '基准合同' || o.j,
                {q.uid("account", f"o.j % {w.size.accounts}")}, {q.uid("opportunity", "o.j")},
                NULL, {q.rep_subsidiary("o.r")}, {q.local_amount("o.cny_cents", "o.r")},
                {q.local_amount("o.cny_cents", "o.r")} * 13 / 100, {q.rep_currency("o.r")}, 30,
                {signed_on}, {signed_on}, {q.day("o.last_ago - 365")}, NULL,
                CASE WHEN o.last_ago > 365 THEN 'completed' WHEN o.last_ago > 30 THEN 'active'
                     ELSE 'signed' END,
                NULL, {q.ts("o.last_ago", "o.sec0 + 600")}, {q.rep_user("o.r")},
                CASE WHEN o.last_ago > 365 THEN {q.ts("o.last_ago - 365", "o.sec0")} END,
                NULL, NULL, {q.ts("o.last_ago", "o.sec0 + 600")},
                {q.ts("o.last_ago", "o.sec0 + 600")}, 1,
                {q.rep_subsidiary("o.r")}, {q.rep_team("o.r")}, {q.rep_user("o.r")}
            FROM bench_opp o WHERE o.outcome = 0"""
        )

    def _installments_source(self) -> str:
        """Two installments per contract (half on signing + 30 days, the rest + 120); one in
        ten is never paid (so receivables age), the others are paid around their due date."""
        q = self.sql
        local = q.local_amount("o.cny_cents", "o.r")
        return f"""
            SELECT o.j, o.r, p.seq, o.last_ago AS signed_ago,
                CASE p.seq WHEN 1 THEN ({local}) / 2 ELSE ({local}) - ({local}) / 2 END AS amount,
                o.last_ago - p.days AS due_ago,
                {q.mix("o.j * 2 + p.seq", 8)} % 10 AS unpaid_draw,
                {q.mix("o.j * 2 + p.seq", 8)} % 20 - 5 AS delay
            FROM bench_opp o CROSS JOIN (SELECT 1 AS seq, 30 AS days UNION ALL SELECT 2, 120) p
            WHERE o.outcome = 0"""

    def installments(self) -> None:
        q = self.sql
        w = self.world
        paid = "(x.due_ago >= 1 AND x.unpaid_draw <> 0)"
        paid_ago = q.greatest("x.due_ago - x.delay", "1")
        self.run(
            f"""
            INSERT INTO payment_installment (id, contract_id, account_id, seq, label, due_date,
                amount, currency, invoiced_amount, paid_amount, paid_at, created_at, updated_at,
                version, subsidiary_id, unit_id, owner_id)
            SELECT {q.uid("installment", "x.j * 2 + x.seq")}, {q.uid("contract", "x.j")},
                {q.uid("account", f"x.j % {w.size.accounts}")}, x.seq,
                CASE x.seq WHEN 1 THEN '首付款' ELSE '尾款' END, {q.day("x.due_ago")},
                x.amount, {q.rep_currency("x.r")}, CASE WHEN {paid} THEN x.amount ELSE 0 END,
                CASE WHEN {paid} THEN x.amount ELSE 0 END,
                CASE WHEN {paid} THEN {q.day(paid_ago)} END,
                {q.ts("x.signed_ago", "36000")}, {q.ts("x.signed_ago", "36000")},
                1, {q.rep_subsidiary("x.r")}, {q.rep_team("x.r")}, {q.rep_user("x.r")}
            FROM ({self._installments_source()}) x"""
        )
        self.run(
            f"""
            INSERT INTO payment (id, account_id, contract_id, received_on, amount, currency,
                allocated_amount, method, reference, payer_name, notes, status, created_at,
                updated_at, version, subsidiary_id, unit_id, owner_id)
            SELECT {q.uid("payment", "x.j * 2 + x.seq")},
                {q.uid("account", f"x.j % {w.size.accounts}")}, {q.uid("contract", "x.j")},
                {q.day(paid_ago)}, x.amount, {q.rep_currency("x.r")}, x.amount,
                'bank_transfer', 'HK' || (x.j * 2 + x.seq), NULL, NULL, 'recorded',
                {q.ts(paid_ago, "36000")}, {q.ts(paid_ago, "36000")}, 1,
                {q.rep_subsidiary("x.r")}, {q.rep_team("x.r")}, {q.rep_user("x.r")}
            FROM ({self._installments_source()}) x WHERE {paid}"""
        )

    # -- activities ------------------------------------------------------------------------

    def activities(self) -> None:
        q = self.sql
        w = self.world
        r = f"i % {w.size.reps}"
        kind_draw = f"({q.mix('i', 1)} % {len(ACTIVITY_KINDS)})"
        kinds = " ".join(f"WHEN {n} THEN '{k}'" for n, (k, _s) in enumerate(ACTIVITY_KINDS))
        subjects = " ".join(f"WHEN {n} THEN '{s}'" for n, (_k, s) in enumerate(ACTIVITY_KINDS))
        occurred = q.ts(f"1 + {q.mix('i', 2)} % {HISTORY_DAYS}", f"28800 + {q.mix('i', 3)} % 43200")
        opportunity = (
            f"CASE WHEN i % 3 = 0 THEN {q.uid('opportunity', f'i % {w.size.opportunities}')} END"
        )
        self.chunked(
            "activities",
            w.size.activities,
            lambda cte, source: (
                f"""
            INSERT INTO activity (id, kind, subject, body, account_id, contact_id,
                opportunity_id, occurred_at, due_at, completed_at, created_at, updated_at,
                version, subsidiary_id, unit_id, owner_id)
            {cte}
            SELECT {q.uid("activity", "i")}, CASE {kind_draw} {kinds} END,
                CASE {kind_draw} {subjects} END, NULL,
                {q.uid("account", f"i % {w.size.accounts}")}, NULL, {opportunity},
                {occurred}, NULL, {occurred}, {occurred}, {occurred}, 1,
                {q.rep_subsidiary(r)}, {q.rep_team(r)}, {q.rep_user(r)}
            FROM {source}"""
            ),
        )

    def activity_rollup_by_hand(self) -> None:
        """The monthly roll-up as one GROUP BY, when ``flotilla.activity.rollup`` is absent."""
        q = self.sql
        self.run(
            f"""
            INSERT INTO activity_month (month, subsidiary_id, unit_id, owner_id, kind, count)
            SELECT {q.month("occurred_at")}, subsidiary_id, unit_id, owner_id, kind, count(*)
            FROM activity GROUP BY {q.month("occurred_at")}, subsidiary_id, unit_id, owner_id,
                kind"""
        )

    def drop_plan(self) -> None:
        self.run("DROP TABLE bench_opp")


# --- targets, roll-up, snapshots -----------------------------------------------------------


def _number(value: Any) -> int:
    """The row number inside a generated id."""
    return int(uuid.UUID(str(value)).hex[-12:], 16)


def rep_yearly_facts(session: Session, world: World) -> dict[str, dict[int, Decimal]]:
    """Each rep's last 365 days per target metric (money roughly in CNY), to set targets
    near what reps actually do: some ahead, some behind."""
    since = world.today - timedelta(days=365)
    since_at = datetime(since.year, since.month, since.day, tzinfo=UTC)
    q = Sql(session.get_bind().dialect.name, world.today)
    statements = {
        "contract_amount": (
            "SELECT owner_id, currency, sum(amount) FROM contract WHERE status IN "
            "('signed', 'active', 'completed') AND signing_date >= :since GROUP BY 1, 2"
        ),
        "payment_collected": (
            "SELECT owner_id, currency, sum(amount) FROM payment WHERE status = 'recorded' "
            "AND received_on >= :since GROUP BY 1, 2"
        ),
        "new_customers": (
            "SELECT owner_id, 'CNY', count(*) FROM account WHERE created_at >= :since_at "
            "GROUP BY 1, 2"
        ),
        "won_deals": (
            "SELECT owner_id, 'CNY', count(*) FROM opportunity WHERE status = 'won' "
            "AND closed_at >= :since_at GROUP BY 1, 2"
        ),
        "activities": (
            "SELECT owner_id, 'CNY', sum(count) FROM activity_month "
            f"WHERE month >= {q.day('365')} GROUP BY 1, 2"
        ),
    }
    bind = {"since": since, "since_at": since_at}
    if q.sqlite:
        bind["since_at"] = since_at.replace(tzinfo=None).isoformat(sep=" ")
    facts: dict[str, dict[int, Decimal]] = {}
    for metric, statement in statements.items():
        per_rep: dict[int, Decimal] = defaultdict(Decimal)
        for owner, currency, value in session.execute(text(statement), bind):
            amount = Decimal(int(value))
            if metric in ("contract_amount", "payment_collected"):
                num, den = LOCAL_SCALE[currency]
                amount = amount * den / num / 100  # cents in local currency → CNY-ish yuan
            per_rep[_number(owner)] += amount
        facts[metric] = per_rep
    return facts


def build_targets(factory: sessionmaker[Session], world: World) -> None:
    """Targets for the current fiscal quarter and year: per rep around their last year
    (0.8–1.3×), teams and departments the sum of their reps, subsidiaries the sum of their
    departments times 0.9–1.3 (so some are ahead of target, some behind), the group the sum."""
    size = world.size
    now = clock.now()
    with factory() as session:
        mark_system_session(session)
        facts = rep_yearly_facts(session, world)
        rows = []
        for kind, share in (("quarter", Decimal("0.25")), ("year", Decimal(1))):
            period = period_containing(kind, world.today, 1)
            for metric, per_rep in facts.items():
                money = metric in ("contract_amount", "payment_collected")

                def value(amount: Decimal, money: bool = money) -> Decimal:
                    return amount.quantize(Decimal("1")) if money else Decimal(int(amount))

                def row(
                    unit_number: int,
                    subsidiary_number: int | None,
                    amount: Decimal,
                    user_number: int | None = None,
                    period: Any = period,
                    metric: str = metric,
                    money: bool = money,
                ) -> dict[str, Any]:
                    unit_id = bench_id("unit", unit_number)
                    user_id = bench_id("user", user_number) if user_number is not None else None
                    return {
                        "id": uuid.uuid4(),
                        "metric": metric,
                        "period_kind": period.kind,
                        "period_start": period.start,
                        "assignee_user_id": user_id,
                        "assignee_key": user_id.hex if user_id else "",
                        "value": value(amount),
                        "currency": GROUP_CURRENCY if money else None,
                        "note": None,
                        "created_at": now,
                        "updated_at": now,
                        "version": 1,
                        "subsidiary_id": (
                            bench_id("unit", SUBSIDIARY_BASE + subsidiary_number)
                            if subsidiary_number is not None
                            else unit_id
                        ),
                        "unit_id": unit_id,
                        "owner_id": user_id,
                    }

                group_total = Decimal(0)
                for s in range(size.subsidiaries):
                    sub_total = Decimal(0)
                    for d in range(DEPARTMENTS_PER_SUBSIDIARY):
                        dept_number = s * DEPARTMENTS_PER_SUBSIDIARY + d
                        dept_total = Decimal(0)
                        for t in range(TEAMS_PER_DEPARTMENT):
                            team_number = dept_number * TEAMS_PER_DEPARTMENT + t
                            team_total = Decimal(0)
                            for k in range(REPS_PER_TEAM):
                                r = team_number * REPS_PER_TEAM + k
                                factor = Decimal(8 + (r * 7) % 6) / 10
                                amount = value(per_rep.get(r, Decimal(0)) * share * factor)
                                team_total += amount
                                rows.append(row(TEAM_BASE + team_number, s, amount, r))
                            rows.append(row(TEAM_BASE + team_number, s, team_total))
                            dept_total += team_total
                        rows.append(row(DEPARTMENT_BASE + dept_number, s, dept_total))
                        sub_total += dept_total
                    sub_total = value(sub_total * Decimal(9 + (s * 3) % 5) / 10)
                    rows.append(row(SUBSIDIARY_BASE + s, s, sub_total))
                    group_total += sub_total
                rows.append(row(0, None, group_total))
        for start in range(0, len(rows), 5000):
            session.execute(insert(Target.__table__), rows[start : start + 5000])
        session.commit()


def fill_derived(factory: sessionmaker[Session], generator: Generator, world: World) -> list[str]:
    """The monthly activity roll-up and two pipeline snapshots, through their own code when
    it is there. Returns notes on what was skipped or done by hand."""
    notes = []
    started = time.perf_counter()
    try:
        from flotilla.activity import rollup
    except ImportError:
        generator.activity_rollup_by_hand()
        notes.append("flotilla.activity.rollup missing: activity_month filled by one GROUP BY")
    else:
        with factory() as session:
            mark_system_session(session)
            audit.set_context(session, audit.SYSTEM_CONTEXT)
            rollup.rebuild(session)
            session.commit()
    world.timings["activity roll-up"] = time.perf_counter() - started

    started = time.perf_counter()
    try:
        from flotilla.pipeline import snapshot
    except ImportError:
        notes.append("flotilla.pipeline.snapshot missing: no pipeline snapshots taken")
    else:
        for day, from_history in ((world.today - timedelta(days=7), True), (world.today, False)):
            with factory() as session:
                mark_system_session(session)
                audit.set_context(session, audit.SYSTEM_CONTEXT)
                snapshot.take(session, day, from_history=from_history)
                session.commit()
        with factory() as session:
            world.counts["pipeline_snapshot"] = session.execute(
                text("SELECT count(*) FROM pipeline_snapshot")
            ).scalar_one()
    world.timings["pipeline snapshots"] = time.perf_counter() - started
    return notes


def generate(engine: Engine, factory: sessionmaker[Session], size: Size) -> tuple[World, list[str]]:
    """Everything above, in order; bulk tables load without their secondary indexes."""
    today = clock.now().date()
    started = time.perf_counter()
    world = build_org(factory, size, today)
    with engine.connect() as conn:
        before = schema_snapshot(conn)
        recreate = drop_for_load(conn)
        conn.commit()

    generator = Generator(engine, world)
    for label, step in (
        ("accounts", generator.accounts),
        ("planned deals", generator.plan_opportunities),
        ("opportunities", generator.opportunities),
        ("stage_history", generator.stage_history),
        ("contracts", generator.contracts),
        ("installments and payments", generator.installments),
        ("activities", generator.activities),
    ):
        step_started = time.perf_counter()
        step()
        world.timings.setdefault(label, time.perf_counter() - step_started)
        print(f"  {label}: {time.perf_counter() - step_started:.0f} s", file=sys.stderr, flush=True)
    generator.drop_plan()

    step_started = time.perf_counter()
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("SET maintenance_work_mem = '1GB'")
        for statement in recreate:
            conn.exec_driver_sql(statement)
        conn.commit()
        if schema_snapshot(conn) != before:
            sys.exit("the schema after loading differs from the migrated one")
    world.timings["indexes"] = time.perf_counter() - step_started
    print(f"  indexes: {world.timings['indexes']:.0f} s", file=sys.stderr, flush=True)

    notes = fill_derived(factory, generator, world)
    generator.close()
    build_targets(factory, world)

    step_started = time.perf_counter()
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    world.timings["vacuum analyze"] = time.perf_counter() - step_started
    with engine.connect() as conn:
        for table in (*BULK_TABLES, "activity_month", "target"):
            world.counts[table] = conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one()
    world.timings["total"] = time.perf_counter() - started
    return world, notes


def load_world(factory: sessionmaker[Session], size: Size) -> World:
    """The World of a database this command generated before (``--url``)."""
    with factory() as session:
        mark_system_session(session)
        stages = session.execute(
            select(
                ProcessStage.code,
                ProcessStage.id,
                ProcessStage.probability,
                ProcessStage.max_days,
                ProcessVersion.id,
            ).join(ProcessVersion, ProcessVersion.id == ProcessStage.version_id)
        ).all()
        world = World(
            size=size,
            today=clock.now().date(),
            group_id=bench_id("unit", 0),
            vp_id=bench_id("user", VP_NUMBER),
            director_id=bench_id("user", DIRECTOR_BASE + DIRECTOR_SUBSIDIARY),
            director_subsidiary_id=bench_id("unit", SUBSIDIARY_BASE + DIRECTOR_SUBSIDIARY),
            director_currency=subsidiary_currency(DIRECTOR_SUBSIDIARY),
            version_id=stages[0][4],
            stage_ids={code: stage_id for code, stage_id, _p, _m, _v in stages},
            stage_probability={code: p for code, _id, p, _m, _v in stages},
            stage_max_days={code: m for code, _id, _p, m, _v in stages},
        )
        for table in (*BULK_TABLES, "activity_month", "target", "pipeline_snapshot"):
            world.counts[table] = session.execute(
                text(f"SELECT count(*) FROM {table}")
            ).scalar_one()
    return world


# --- timing --------------------------------------------------------------------------------


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def measure(sides: tuple[Callable[[], Any], ...], repeat: int, warmup: int) -> list[float]:
    """Median seconds of each side, interleaved (rotating order) so drift hits all alike."""
    for _ in range(warmup):
        for side in sides:
            side()
    times: list[list[float]] = [[] for _ in sides]
    for i in range(repeat):
        for k in range(len(sides)):
            index = (i + k) % len(sides)
            times[index].append(_timed(sides[index])[0])
    return [statistics.median(t) for t in times]


def captured_sql(engine: Engine, run_ours: Callable[[], Any]) -> list[tuple[str, Any]]:
    """The SELECTs our code sends to the driver, with their parameters, from one run."""
    captured: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            captured.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        run_ours()
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    return captured


def replay(conn: Connection, statements: list[tuple[str, Any]]) -> Callable[[], None]:
    """Our exact SQL straight to the driver: the database's share of our time."""

    def run() -> None:
        for statement, parameters in statements:
            conn.exec_driver_sql(statement, parameters).all()
        conn.rollback()

    return run


def profile(conn: Connection, label: str, statements: list[tuple[str, Any]], top: int) -> None:
    """The slowest of our statements, each timed once, with the database's plan for it."""
    timed = []
    for statement, parameters in statements:
        seconds, _rows = _timed(lambda s=statement, p=parameters: conn.exec_driver_sql(s, p).all())
        timed.append((seconds, statement, parameters))
    conn.rollback()
    timed.sort(key=lambda t: -t[0])
    explain = "EXPLAIN QUERY PLAN " if conn.dialect.name == "sqlite" else "EXPLAIN "
    for seconds, statement, parameters in timed[:top]:
        print(f"--- {label}: {seconds * 1000:.1f} ms\n{statement}", file=sys.stderr)
        for row in conn.exec_driver_sql(explain + statement, parameters):
            print("    " + " | ".join(str(v) for v in row), file=sys.stderr)
        conn.rollback()


def profile_baseline(
    conn: Connection, label: str, statements: list[tuple[str, str]], bind: dict[str, Any]
) -> None:
    """Each baseline statement timed once, with its plan."""
    explain = "EXPLAIN QUERY PLAN " if conn.dialect.name == "sqlite" else "EXPLAIN "
    for name, sql in statements:
        stmt, params = bound(sql, bind)
        seconds, _rows = _timed(lambda s=stmt, p=params: conn.execute(s, p).all())
        print(f"--- {label} baseline {name}: {seconds * 1000:.1f} ms\n{sql}", file=sys.stderr)
        stmt, params = bound(explain + sql, bind)
        for row in conn.execute(stmt, params):
            print("    " + " | ".join(str(v) for v in row), file=sys.stderr)
        conn.rollback()


def server_version(engine: Engine) -> str:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            return "SQLite " + str(conn.exec_driver_sql("select sqlite_version()").scalar_one())
        return "PostgreSQL " + str(conn.exec_driver_sql("show server_version").scalar_one())


def load_average() -> str:
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "n/a"
    return f"{one:.1f} / {five:.1f} / {fifteen:.1f}"


# --- the cases: endpoint, baseline SQL, and how to compare them -------------------------------


@dataclass(frozen=True)
class Caller:
    label: str
    user_id: uuid.UUID
    unit_id: uuid.UUID
    subsidiary_id: uuid.UUID | None  # None: the whole group


@dataclass
class Case:
    name: str
    caller: Caller
    path: str
    params: dict[str, str]
    baseline: list[tuple[str, str]]  # (label, SQL with :named parameters)
    check: Callable[[dict[str, Any], dict[str, list[Any]]], list[str]] | None = None


class Rates:
    """Every FX rate on file, to convert baseline sums the way the endpoints do."""

    def __init__(self, session: Session) -> None:
        self.rates: dict[tuple[str, date, str], Decimal] = {
            (c, p, t): r
            for c, p, t, r in session.execute(
                system_access(
                    select(FxRate.from_currency, FxRate.period, FxRate.rate_type, FxRate.rate)
                )
            )
        }

    def convert(self, cents: Any, currency: str, month: date, rate_type: str) -> Decimal:
        amount = Decimal(int(cents or 0)) / 100
        if currency == GROUP_CURRENCY:
            return amount
        rate = self.rates[(currency, month.replace(day=1), rate_type)]
        return (amount * rate).quantize(Decimal("0.01"))


def _month(value: Any) -> date:
    text_value = str(value)
    return date(int(text_value[0:4]), int(text_value[5:7]), 1)


def _close(label: str, ours: Any, expected: Decimal | int, slack: Decimal) -> list[str]:
    """A difference beyond ``slack`` (rounding: the endpoints round each grouped row)."""
    value = Decimal(str(ours))
    if abs(value - Decimal(expected)) <= slack:
        return []
    return [f"{label}: ours {value}, baseline {expected}"]


class Cases:
    """Builds every timed case for one caller: what to request and the bare SQL next to it."""

    def __init__(self, world: World, sql: Sql, rates: Rates) -> None:
        self.world = world
        self.sql = sql
        self.rates = rates
        self.today = world.today
        self.quarter = period_containing("quarter", world.today, 1)
        self.now = clock.now()

    def params(self) -> dict[str, Any]:
        """Bound values the baselines use (dates, UTC midnights, the as-of cut-offs)."""
        q = self.quarter
        trend_from = add_months(self.today.replace(day=1), -11)
        trend_to = add_months(self.today.replace(day=1), 1)
        return {
            "start": q.start,
            "end": q.end,
            "start_at": datetime.combine(q.start, datetime.min.time(), tzinfo=UTC),
            "end_at": datetime.combine(q.end, datetime.min.time(), tzinfo=UTC),
            "today": self.today,
            "trend_from": add_months(trend_from, -12),
            "trend_to": trend_to,
            "trend_from_at": datetime.combine(
                add_months(trend_from, -12), datetime.min.time(), tzinfo=UTC
            ),
            "trend_to_at": datetime.combine(trend_to, datetime.min.time(), tzinfo=UTC),
            "week_ago": self.today - timedelta(days=7),
        }

    def ym(self, column: str, timestamp: bool) -> str:
        """'YYYY-MM' of a column, written as the endpoints' own month grouping is."""
        if self.sql.sqlite:
            return f"substr({column}, 1, 7)"
        inner = f"timezone('UTC', {column})" if timestamp else column
        return f"to_char({inner}, 'YYYY-MM')"

    @staticmethod
    def scope(caller: Caller, alias: str = "") -> tuple[str, str]:
        """(filter, grouping column): the director's subsidiary by unit, the VP's group by
        subsidiary."""
        prefix = f"{alias}." if alias else ""
        if caller.subsidiary_id is None:
            return "", f"{prefix}subsidiary_id"
        return f"AND {prefix}subsidiary_id = :sid", f"{prefix}unit_id"

    def stalled_condition(self) -> str:
        q = self.sql
        branches = []
        for code in STAGE_CODES[:4]:
            max_days = self.world.stage_max_days[code]
            if max_days is None:
                continue
            # Whole days in the stage above max_days: entered at or before now − (max + 1).
            cutoff = self.now - timedelta(days=max_days + 1)
            literal = (
                f"'{cutoff.replace(tzinfo=None).isoformat(sep=' ')}'"
                if q.sqlite
                else f"TIMESTAMPTZ '{cutoff.isoformat()}'"
            )
            branches.append(
                f"(o.stage_id = {q.uuid_literal(self.world.stage_ids[code])} "
                f"AND o.stage_entered_at <= {literal})"
            )
        return "(" + " OR ".join(branches) + ")"

    # -- KPIs ------------------------------------------------------------------------------

    def kpis(self, caller: Caller) -> Case:
        filt, grp = self.scope(caller)
        ofilt, ogrp = self.scope(caller, "o")
        days = (
            "julianday(closed_at) - julianday(created_at)"
            if self.sql.sqlite
            else "EXTRACT(EPOCH FROM (closed_at - created_at)) / 86400.0"
        )
        baseline = [
            (
                "contracts",
                f"SELECT {grp}, currency, {self.ym('signing_date', False)}, sum(amount) "
                "FROM contract WHERE status IN ('signed', 'active', 'completed') "
                f"AND signing_date >= :start AND signing_date < :end {filt} GROUP BY 1, 2, 3",
            ),
            (
                "payments",
                f"SELECT {grp}, currency, {self.ym('received_on', False)}, sum(amount) "
                "FROM payment WHERE status = 'recorded' "
                f"AND received_on >= :start AND received_on < :end {filt} GROUP BY 1, 2, 3",
            ),
            (
                "closed deals",
                f"SELECT {grp}, status, currency, {self.ym('closed_at', True)}, count(*), "
                f"sum(amount), sum({days}) FROM opportunity WHERE status IN ('won', 'lost') "
                f"AND closed_at >= :start_at AND closed_at < :end_at {filt} "
                "GROUP BY 1, 2, 3, 4",
            ),
            (
                "open pipeline",
                f"SELECT {ogrp}, o.stage_id, o.currency, count(*), sum(o.amount), "
                "sum(o.amount * s.probability) FROM opportunity o "
                "JOIN process_stage s ON s.id = o.stage_id WHERE o.status = 'open' "
                "AND o.expected_close_date >= :start AND o.expected_close_date < :end "
                f"{ofilt} GROUP BY 1, 2, 3",
            ),
            (
                "new customers",
                f"SELECT {grp}, count(*) FROM account WHERE created_at >= :start_at "
                f"AND created_at < :end_at {filt} GROUP BY 1",
            ),
            (
                "activities (raw)",
                f"SELECT {grp}, count(*) FROM activity WHERE occurred_at >= :start_at "
                f"AND occurred_at < :end_at {filt} GROUP BY 1",
            ),
            (
                "overdue",
                f"SELECT {grp}, currency, sum(amount - paid_amount) FROM payment_installment "
                f"WHERE due_date < :today AND amount > paid_amount {filt} GROUP BY 1, 2",
            ),
            (
                "stalled",
                f"SELECT {ogrp}, count(*) FROM opportunity o WHERE o.status = 'open' "
                f"AND {self.stalled_condition()} {ofilt} GROUP BY 1",
            ),
        ]
        today_month = self.today.replace(day=1)

        def check(body: dict[str, Any], rows: dict[str, list[Any]]) -> list[str]:
            total = next(r for r in body["rows"] if r["is_total"])
            metrics = total["metrics"]
            slack = Decimal("0.01") * 2000
            contract = sum(
                (
                    self.rates.convert(r[3], r[1], _month(r[2]), "average")
                    for r in rows["contracts"]
                ),
                Decimal(0),
            )
            payment = sum(
                (self.rates.convert(r[3], r[1], _month(r[2]), "average") for r in rows["payments"]),
                Decimal(0),
            )
            won = [r for r in rows["closed deals"] if r[1] == "won"]
            won_amount = sum(
                (self.rates.convert(r[5], r[2], _month(r[3]), "average") for r in won), Decimal(0)
            )
            pipeline = sum(
                (
                    self.rates.convert(r[4], r[2], today_month, "period_end")
                    for r in rows["open pipeline"]
                ),
                Decimal(0),
            )
            overdue = sum(
                (
                    self.rates.convert(r[2], r[1], today_month, "period_end")
                    for r in rows["overdue"]
                ),
                Decimal(0),
            )
            return [
                *_close("contract_amount", metrics["contract_amount"]["actual"], contract, slack),
                *_close(
                    "payment_collected", metrics["payment_collected"]["actual"], payment, slack
                ),
                *_close(
                    "won_deals", metrics["won_deals"]["actual"], sum(r[4] for r in won), Decimal(0)
                ),
                *_close(
                    "lost_count",
                    total["lost_count"],
                    sum(r[4] for r in rows["closed deals"] if r[1] == "lost"),
                    Decimal(0),
                ),
                *_close("won_amount", total["won_amount"], won_amount, slack),
                *_close("open_pipeline", total["open_pipeline"], pipeline, slack),
                *_close(
                    "new_customers",
                    metrics["new_customers"]["actual"],
                    sum(r[1] for r in rows["new customers"]),
                    Decimal(0),
                ),
                *_close(
                    "activities (roll-up vs raw)",
                    metrics["activities"]["actual"],
                    sum(r[1] for r in rows["activities (raw)"]),
                    Decimal(0),
                ),
                *_close("overdue_receivables", total["overdue_receivables"], overdue, slack),
                *_close(
                    "stalled_deals",
                    total["stalled_deals"],
                    sum(r[1] for r in rows["stalled"]),
                    Decimal(0),
                ),
            ]

        return Case(
            "kpis",
            caller,
            "/api/v1/analytics/kpis",
            {"unit_id": str(caller.unit_id), "period": self.quarter.label},
            baseline,
            check,
        )

    # -- trends ----------------------------------------------------------------------------

    def trends(self, caller: Caller, metric: str) -> Case:
        filt, _grp = self.scope(caller)
        if metric == "contract_amount":
            sql = (
                f"SELECT {self.ym('signing_date', False)}, currency, sum(amount) FROM contract "
                "WHERE status IN ('signed', 'active', 'completed') "
                f"AND signing_date >= :trend_from AND signing_date < :trend_to {filt} "
                "GROUP BY 1, 2"
            )
        else:
            sql = (
                f"SELECT {self.ym('occurred_at', True)}, 'CNY', count(*) FROM activity "
                f"WHERE occurred_at >= :trend_from_at AND occurred_at < :trend_to_at {filt} "
                "GROUP BY 1, 2"
            )

        def check(body: dict[str, Any], rows: dict[str, list[Any]]) -> list[str]:
            by_month: dict[str, Decimal] = defaultdict(Decimal)
            for month, currency, value in rows["by month"]:
                if metric == "contract_amount":
                    by_month[str(month)] += self.rates.convert(
                        value, currency, _month(month), "average"
                    )
                else:
                    by_month[str(month)] += Decimal(value)
            problems: list[str] = []
            slack = Decimal("0.01") * 2000 if metric == "contract_amount" else Decimal(0)
            for point in body["points"]:
                problems += _close(point["month"], point["value"], by_month[point["month"]], slack)
                if point["previous_year_value"] is not None:
                    earlier = f"{int(point['month'][:4]) - 1}{point['month'][4:]}"
                    problems += _close(
                        f"{point['month']} a year earlier",
                        point["previous_year_value"],
                        by_month[earlier],
                        slack,
                    )
            if len(body["points"]) != 12:
                problems.append(f"{len(body['points'])} points, 12 expected")
            return problems

        return Case(
            f"trends ({metric})",
            caller,
            "/api/v1/analytics/trends",
            {"unit_id": str(caller.unit_id), "metric": metric},
            [("by month", sql)],
            check,
        )

    # -- funnel ----------------------------------------------------------------------------

    def funnel(self, caller: Caller) -> Case:
        ofilt, _ogrp = self.scope(caller, "o")
        baseline = [
            (
                "entered",
                "SELECT st.code, count(DISTINCT h.opportunity_id), "
                "count(DISTINCT CASE WHEN o.status = 'won' OR (o.status = 'open' "
                "AND cur.position > st.position) THEN h.opportunity_id END), "
                "count(DISTINCT CASE WHEN o.status = 'lost' THEN h.opportunity_id END) "
                "FROM stage_history h JOIN opportunity o ON o.id = h.opportunity_id "
                "JOIN process_stage st ON st.id = h.to_stage_id "
                "JOIN process_stage cur ON cur.id = o.stage_id "
                f"WHERE h.changed_at >= :start_at AND h.changed_at < :end_at {ofilt} "
                "GROUP BY st.code",
            ),
            (
                "days in stage",
                "SELECT st.code, avg(h.days_in_previous) FROM stage_history h "
                "JOIN opportunity o ON o.id = h.opportunity_id "
                "JOIN process_stage st ON st.id = h.from_stage_id "
                f"WHERE h.changed_at >= :start_at AND h.changed_at < :end_at {ofilt} "
                "GROUP BY st.code",
            ),
            (
                "stalled",
                "SELECT o.stage_id, count(*) FROM opportunity o WHERE o.status = 'open' "
                f"AND {self.stalled_condition()} {ofilt} GROUP BY 1",
            ),
        ]

        def check(body: dict[str, Any], rows: dict[str, list[Any]]) -> list[str]:
            entered = {code: n for code, n, _a, _l in rows["entered"]}
            problems: list[str] = []
            for stage in body["stages"]:
                problems += _close(
                    f"entered {stage['stage_code']}",
                    stage["entered"],
                    entered.get(stage["stage_code"], 0),
                    Decimal(0),
                )
            return problems

        return Case(
            "funnel",
            caller,
            "/api/v1/analytics/funnel",
            {
                "unit_id": str(caller.unit_id),
                "from": self.quarter.start.isoformat(),
                "to": (self.quarter.end - timedelta(days=1)).isoformat(),
            },
            baseline,
            check,
        )

    # -- forecast --------------------------------------------------------------------------

    def forecast(self, caller: Caller) -> Case:
        filt, _grp = self.scope(caller)
        ofilt, _ogrp = self.scope(caller, "o")
        bucket = (
            "CASE WHEN h.days_in_previous <= 30 THEN '0-30' "
            "WHEN h.days_in_previous <= 90 THEN '31-90' ELSE '>90' END"
        )
        baseline = [
            (
                "by category",
                "SELECT o.forecast_category, o.currency, s.code, count(*), sum(o.amount), "
                "sum(o.amount * s.probability) FROM opportunity o "
                "JOIN process_stage s ON s.id = o.stage_id WHERE o.status = 'open' "
                "AND o.expected_close_date >= :start AND o.expected_close_date < :end "
                f"{ofilt} GROUP BY 1, 2, 3",
            ),
            (
                "closed won",
                f"SELECT currency, {self.ym('closed_at', True)}, count(*), sum(amount) "
                "FROM opportunity WHERE status = 'won' AND closed_at >= :start_at "
                f"AND closed_at < :end_at {filt} GROUP BY 1, 2",
            ),
            (
                "learned rates",
                f"SELECT st.code, {bucket}, o.status, count(*) FROM stage_history h "
                "JOIN opportunity o ON o.id = h.opportunity_id "
                "JOIN process_stage st ON st.id = h.from_stage_id "
                f"WHERE o.status IN ('won', 'lost') {ofilt} GROUP BY 1, 2, 3",
            ),
        ]

        def check(body: dict[str, Any], rows: dict[str, list[Any]]) -> list[str]:
            counts: dict[str, int] = defaultdict(int)
            stage_counts: dict[str, int] = defaultdict(int)
            for category, _currency, code, n, _amount, _weighted in rows["by category"]:
                counts[category] += n
                stage_counts[code] += n
            counts["closed"] = sum(r[2] for r in rows["closed won"])
            problems: list[str] = []
            for item in body["by_category"]:
                problems += _close(
                    f"{item['category']} count",
                    item["count"],
                    counts.get(item["category"], 0),
                    Decimal(0),
                )
            for stage in body["stages"]:
                problems += _close(
                    f"{stage['stage_code']} count",
                    stage["count"],
                    stage_counts.get(stage["stage_code"], 0),
                    Decimal(0),
                )
            return problems

        return Case(
            "forecast",
            caller,
            "/api/v1/analytics/forecast",
            {"unit_id": str(caller.unit_id), "period": self.quarter.label},
            baseline,
            check,
        )

    # -- receivables aging -----------------------------------------------------------------

    def aging(self, caller: Caller) -> Case:
        filt, grp = self.scope(caller)
        t = self.today
        buckets = ", ".join(
            f"sum(CASE WHEN {cond} THEN amount - paid_amount ELSE 0 END)"
            for cond in (
                f"due_date >= '{t}'",
                f"due_date >= '{t - timedelta(days=30)}' AND due_date < '{t}'",
                f"due_date >= '{t - timedelta(days=90)}' AND due_date < '{t - timedelta(days=30)}'",
                f"due_date >= '{t - timedelta(days=180)}' "
                f"AND due_date < '{t - timedelta(days=90)}'",
                f"due_date < '{t - timedelta(days=180)}'",
            )
        )
        sql = (
            f"SELECT {grp}, currency, {buckets} FROM payment_installment "
            f"WHERE amount > paid_amount {filt} GROUP BY 1, 2"
        )
        today_month = t.replace(day=1)
        codes = ["not_due", "d1_30", "d31_90", "d91_180", "over_180"]

        def check(body: dict[str, Any], rows: dict[str, list[Any]]) -> list[str]:
            total = next(r for r in body["rows"] if r["is_total"])
            problems: list[str] = []
            for index, code in enumerate(codes):
                expected = sum(
                    (
                        self.rates.convert(r[2 + index], r[1], today_month, "period_end")
                        for r in rows["buckets"]
                    ),
                    Decimal(0),
                )
                problems += _close(code, total[code], expected, Decimal("0.01") * 200)
            return problems

        return Case(
            "receivables-aging",
            caller,
            "/api/v1/analytics/receivables-aging",
            {"unit_id": str(caller.unit_id)},
            [("buckets", sql)],
            check,
        )

    # -- pipeline snapshots ----------------------------------------------------------------

    def valid_on(self, day: str) -> str:
        return f"valid_from <= :{day} AND (valid_to IS NULL OR valid_to > :{day})"

    def pipeline(self, caller: Caller) -> Case:
        filt, grp = self.scope(caller)
        sql = (
            f"SELECT {grp}, stage_id, forecast_category, currency, count(*), sum(amount), "
            f"sum(amount * probability) FROM pipeline_snapshot WHERE {self.valid_on('week_ago')} "
            f"AND status = 'open' {filt} GROUP BY 1, 2, 3, 4"
        )

        def check(body: dict[str, Any], rows: dict[str, list[Any]]) -> list[str]:
            totals = body.get("totals") or body.get("total") or {}
            if "count" not in totals:
                return []
            return _close(
                "count", totals["count"], sum(r[4] for r in rows["open on date"]), Decimal(0)
            )

        return Case(
            "pipeline",
            caller,
            "/api/v1/analytics/pipeline",
            {"unit_id": str(caller.unit_id), "date": (self.today - timedelta(days=7)).isoformat()},
            [("open on date", sql)],
            check,
        )

    def pipeline_changes(self, caller: Caller) -> Case:
        filt, _grp = self.scope(caller)
        # Each deal valid on `to` with its version on `from` (an index look-up per deal),
        # then the deals open on `from` that have no version on `to` in reach.
        # The look-up side's subsidiary test must not steer SQLite (no ANALYZE) onto the
        # subsidiary index, which would scan the subsidiary per deal: ``+`` keeps it a filter.
        plus = "+" if self.sql.sqlite else ""
        tfilt = filt.replace("subsidiary_id", "t.subsidiary_id")
        sfilt = filt.replace("subsidiary_id", "f.subsidiary_id")
        lookup_f = filt.replace("subsidiary_id", f"{plus}f.subsidiary_id")
        lookup_t = filt.replace("subsidiary_id", f"{plus}t.subsidiary_id")
        kept_or_new = (
            "SELECT CASE WHEN f.status = 'open' AND t.status = 'open' THEN 'kept' "
            "WHEN f.status = 'open' THEN t.status "
            "WHEN t.status = 'open' THEN 'new' ELSE 'closed before' END, t.currency, count(*), "
            "sum(f.amount), sum(t.amount), "
            "sum(CASE WHEN t.stage_position > f.stage_position THEN 1 ELSE 0 END), "
            "sum(CASE WHEN t.expected_close_date > f.expected_close_date THEN 1 ELSE 0 END) "
            "FROM pipeline_snapshot t LEFT JOIN pipeline_snapshot f "
            "ON f.opportunity_id = t.opportunity_id AND f.valid_from <= :week_ago "
            f"AND (f.valid_to IS NULL OR f.valid_to > :week_ago) {lookup_f} "
            "WHERE t.valid_from <= :today AND (t.valid_to IS NULL OR t.valid_to > :today) "
            f"{tfilt} AND (t.status = 'open' OR f.status = 'open') GROUP BY 1, 2"
        )
        removed = (
            "SELECT 'removed', f.currency, count(*), sum(f.amount), 0, 0, 0 "
            "FROM pipeline_snapshot f WHERE f.valid_from <= :week_ago "
            f"AND (f.valid_to IS NULL OR f.valid_to > :week_ago) {sfilt} AND f.status = 'open' "
            "AND NOT EXISTS (SELECT 1 FROM pipeline_snapshot t "
            "WHERE t.opportunity_id = f.opportunity_id AND t.valid_from <= :today "
            f"AND (t.valid_to IS NULL OR t.valid_to > :today) {lookup_t}) GROUP BY 1, 2"
        )
        sql = f"{kept_or_new} UNION ALL {removed}"

        def check(body: dict[str, Any], rows: dict[str, list[Any]]) -> list[str]:
            by_kind: dict[str, int] = defaultdict(int)
            advanced = slipped = 0
            for kind, _currency, n, _from_amount, _to_amount, up, later in rows["waterfall"]:
                by_kind[kind] += n
                if kind == "kept":
                    advanced += up
                    slipped += later
            expected = {
                "opening": sum(by_kind[k] for k in ("kept", "removed", "won", "lost")),
                "new": by_kind["new"],
                "won": by_kind["won"],
                "lost": by_kind["lost"],
                "other_removed": by_kind["removed"],
                "closing": by_kind["kept"] + by_kind["new"],
                "advanced": advanced,
                "slipped": slipped,
            }
            found = {i["code"]: i["count"] for i in [*body["steps"], *body["movements"]]}
            problems: list[str] = []
            for code, count in expected.items():
                problems += _close(code, found.get(code, 0), count, Decimal(0))
            return problems

        return Case(
            "pipeline-changes",
            caller,
            "/api/v1/analytics/pipeline-changes",
            {
                "unit_id": str(caller.unit_id),
                "from": (self.today - timedelta(days=7)).isoformat(),
                "to": self.today.isoformat(),
            },
            [("waterfall", sql)],
            check,
        )

    # -- targets ---------------------------------------------------------------------------

    def targets(self, caller: Caller) -> Case:
        """The cascade view (the unit's targets and its children's) with achievement."""
        filt, grp = self.scope(caller)
        baseline = [
            (
                "contracts",
                f"SELECT {grp}, currency, {self.ym('signing_date', False)}, sum(amount) "
                "FROM contract WHERE status IN ('signed', 'active', 'completed') "
                f"AND signing_date >= :start AND signing_date < :end {filt} GROUP BY 1, 2, 3",
            ),
            (
                "payments",
                f"SELECT {grp}, currency, {self.ym('received_on', False)}, sum(amount) "
                "FROM payment WHERE status = 'recorded' "
                f"AND received_on >= :start AND received_on < :end {filt} GROUP BY 1, 2, 3",
            ),
            (
                "new customers",
                f"SELECT {grp}, count(*) FROM account WHERE created_at >= :start_at "
                f"AND created_at < :end_at {filt} GROUP BY 1",
            ),
            (
                "won deals",
                f"SELECT {grp}, count(*) FROM opportunity WHERE status = 'won' "
                f"AND closed_at >= :start_at AND closed_at < :end_at {filt} GROUP BY 1",
            ),
            (
                "activities (raw)",
                f"SELECT {grp}, count(*) FROM activity WHERE occurred_at >= :start_at "
                f"AND occurred_at < :end_at {filt} GROUP BY 1",
            ),
        ]

        def check(body: dict[str, Any], rows: dict[str, list[Any]]) -> list[str]:
            def money(label: str, month_at: int) -> Decimal:
                return sum(
                    (
                        self.rates.convert(r[3], r[1], _month(r[month_at]), "average")
                        for r in rows[label]
                    ),
                    Decimal(0),
                )

            expected: dict[str, Decimal] = {
                "contract_amount": money("contracts", 2),
                "payment_collected": money("payments", 2),
                "new_customers": Decimal(sum(r[1] for r in rows["new customers"])),
                "won_deals": Decimal(sum(r[1] for r in rows["won deals"])),
                "activities": Decimal(sum(r[1] for r in rows["activities (raw)"])),
            }
            problems: list[str] = []
            own = [
                item
                for item in body["items"]
                if item["unit"]["id"] == str(caller.unit_id) and item["assignee"] is None
            ]
            for item in own:
                slack = Decimal(20) if item["metric"] in MONEY_METRICS else Decimal(0)
                problems += _close(
                    item["metric"], item["achievement"]["actual"], expected[item["metric"]], slack
                )
            if len(own) != len(expected):
                problems.append(f"{len(own)} targets of the unit itself, 5 expected")
            return problems

        return Case(
            "targets",
            caller,
            "/api/v1/targets",
            {
                "period": self.quarter.label,
                "unit_id": str(caller.unit_id),
                "include_children": "true",
            },
            baseline,
            check,
        )

    def all(self, caller: Caller) -> list[Case]:
        return [
            self.kpis(caller),
            self.trends(caller, "contract_amount"),
            self.trends(caller, "activities"),
            self.funnel(caller),
            self.forecast(caller),
            self.aging(caller),
            self.pipeline(caller),
            self.pipeline_changes(caller),
            self.targets(caller),
        ]


# --- running the cases ---------------------------------------------------------------------

BIND_TYPES: dict[str, Any] = {
    "sid": sqlalchemy.Uuid(),
    "start_at": UTCDateTime(),
    "end_at": UTCDateTime(),
    "trend_from_at": UTCDateTime(),
    "trend_to_at": UTCDateTime(),
}


def bound(sql: str, values: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """``text(sql)`` with the parameters it names, typed as the columns are stored."""
    names = [n for n in values if re.search(rf":{n}\b", sql)]
    stmt = text(sql).bindparams(
        *[bindparam(n, type_=BIND_TYPES.get(n, sqlalchemy.Date())) for n in names]
    )
    return stmt, {n: values[n] for n in names}


@dataclass
class Result:
    case: Case
    ours: float
    our_sql: float
    baseline: float
    statements: int
    problems: list[str]


def run_cases(
    engine: Engine, world: World, repeat: int, warmup: int, only: set[str], profile_top: int = 0
) -> tuple[list[Result], list[str]]:
    """Every case, with the clock frozen so "now" (stalled deals, as-of dates) is the same
    instant for the endpoints and the baselines."""
    with clock.frozen_at(clock.now()):
        return _run_cases(engine, world, repeat, warmup, only, profile_top)


def _run_cases(
    engine: Engine, world: World, repeat: int, warmup: int, only: set[str], profile_top: int
) -> tuple[list[Result], list[str]]:
    from fastapi.testclient import TestClient

    from flotilla.main import create_app

    notes: list[str] = []
    results: list[Result] = []
    sql = Sql(engine.dialect.name, world.today)
    with engine.connect() as conn:
        factory = make_session_factory(conn)  # type: ignore[arg-type]
        with factory() as session:
            rates = Rates(session)
        conn.rollback()
        app = create_app(factory)
        app.state.session_factory = factory
        app.state.read_session_factory = factory
        routes = set(app.openapi()["paths"])
        cases = Cases(world, sql, rates)
        values = cases.params()
        callers = [
            Caller("VP", world.vp_id, world.group_id, None),
            Caller(
                "director",
                world.director_id,
                world.director_subsidiary_id,
                world.director_subsidiary_id,
            ),
        ]
        with TestClient(app, raise_server_exceptions=True) as client:
            headers = {}
            for caller, username in zip(
                callers, ("vp", f"director{DIRECTOR_SUBSIDIARY:02d}"), strict=True
            ):
                response = client.post(
                    "/api/v1/auth/login", json={"username": username, "password": PASSWORD}
                )
                if response.status_code != 200:
                    sys.exit(f"login as {username} failed: {response.text}")
                client.cookies.clear()
                headers[caller.label] = {"Authorization": f"Bearer {response.json()['token']}"}

            for caller in callers:
                for case in cases.all(caller):
                    if only and case.name.split(" ")[0] not in only:
                        continue
                    label = f"{case.name} ({caller.label})"
                    if case.path not in routes:
                        notes.append(f"{label}: {case.path} is not in the router yet, skipped")
                        continue
                    bind = {**values, "sid": caller.subsidiary_id}
                    statements = [
                        (name, *bound(text_sql, bind)) for name, text_sql in case.baseline
                    ]
                    if profile_top:
                        profile_baseline(conn, label, case.baseline, bind)

                    def ours(case: Case = case, caller: Caller = caller) -> Any:
                        response = client.get(
                            case.path, params=case.params, headers=headers[caller.label]
                        )
                        return response

                    def baseline(statements: list[Any] = statements) -> dict[str, list[Any]]:
                        out = {
                            name: conn.execute(stmt, params).all()
                            for name, stmt, params in statements
                        }
                        conn.rollback()
                        return out

                    started = time.perf_counter()
                    first = ours()
                    first_seconds = time.perf_counter() - started
                    if first.status_code != 200:
                        notes.append(f"{label}: HTTP {first.status_code} {first.text[:300]}")
                        continue
                    problems: list[str] = []
                    if case.check is not None:
                        try:
                            problems = case.check(first.json(), baseline())
                        except (KeyError, StopIteration, TypeError) as error:
                            problems = [f"could not compare ({type(error).__name__}: {error})"]
                    captured = captured_sql(engine, ours)
                    print(
                        f"  {label}: first call {first_seconds * 1000:.0f} ms, "
                        f"{len(captured)} statements",
                        file=sys.stderr,
                        flush=True,
                    )
                    if profile_top:
                        profile(conn, label, captured, profile_top)
                    ours_s, sql_s, base_s = measure(
                        (ours, replay(conn, captured), baseline), repeat, warmup
                    )
                    results.append(Result(case, ours_s, sql_s, base_s, len(captured), problems))
                    print(
                        f"  {label}: ours {ours_s * 1000:.1f} ms, our SQL {sql_s * 1000:.1f} ms, "
                        f"baseline {base_s * 1000:.1f} ms, {ours_s / base_s:.2f}x, "
                        f"{len(problems)} differences",
                        file=sys.stderr,
                        flush=True,
                    )
    return results, notes


def report(
    engine: Engine, world: World, results: list[Result], notes: list[str], repeat: int, warmup: int
) -> None:
    version = server_version(engine)
    print(f"Analytics — {version}")
    print(
        f"python {platform.python_version()}, SQLAlchemy {sqlalchemy.__version__}, "
        f"{os.cpu_count()} CPUs, load average {load_average()} (1 / 5 / 15 min)"
    )
    counts = ", ".join(f"{k} {v:,}" for k, v in world.counts.items())
    print(f"data: {counts}")
    if world.timings:
        timings = ", ".join(f"{k} {v:.0f} s" for k, v in world.timings.items())
        print(f"generated in: {timings}")
    print(f"today {world.today}, period {period_containing('quarter', world.today, 1).label}")
    print(f"median of {repeat} runs each (after {warmup} warm-up), interleaved:")
    print(
        f"  {'endpoint':<34}{'ours ms':>10}{'our SQL ms':>12}{'baseline ms':>13}"
        f"{'ours/baseline':>15}{'our SQL/baseline':>18}  answers"
    )
    for r in results:
        label = f"{r.case.name} ({r.case.caller.label})"
        answers = "same" if not r.problems else f"{len(r.problems)} differ"
        if r.case.check is None:
            answers = "not compared"
        print(
            f"  {label:<34}{r.ours * 1000:>10.1f}{r.our_sql * 1000:>12.1f}"
            f"{r.baseline * 1000:>13.1f}{r.ours / r.baseline:>14.2f}x"
            f"{r.our_sql / r.baseline:>17.2f}x  {answers}"
        )
    print(
        "  ours = the endpoint through the FastAPI app (auth, scope, service, JSON); our SQL = "
        "the statements it emitted, replayed on the driver; baseline = bare SQL GROUP BY"
    )
    for r in results:
        for problem in r.problems:
            print(f"  differs: {r.case.name} ({r.case.caller.label}): {problem}")
    for note in notes:
        print(f"  note: {note}")


def run(args: argparse.Namespace) -> None:
    size = Size(args.subsidiaries, args.opportunities, args.activities)
    only = set(args.only.split(",")) if args.only else set()
    if args.url:
        engine = make_engine(args.url)
        factory = make_session_factory(engine)
        world = load_world(factory, size)
        results, notes = run_cases(engine, world, args.repeat, args.warmup, only, args.profile)
        report(engine, world, results, notes, args.repeat, args.warmup)
        engine.dispose()
        return
    with throwaway_database(args.db, args.keep) as url:
        upgrade(url)
        engine = make_engine(url)
        factory = make_session_factory(engine)
        world, notes = generate(engine, factory, size)
        print(f"  generated in {world.timings['total']:.0f} s", file=sys.stderr, flush=True)
        results, run_notes = run_cases(engine, world, args.repeat, args.warmup, only, args.profile)
        report(engine, world, results, notes + run_notes, args.repeat, args.warmup)
        engine.dispose()
        if args.keep:
            print(f"kept: {url}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--opportunities", type=int, default=1_000_000)
    parser.add_argument("--activities", type=int, default=10_000_000)
    parser.add_argument("--subsidiaries", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per endpoint")
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs first")
    parser.add_argument("--only", help="comma-separated endpoint names (kpis,trends,…)")
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="print our N slowest statements per endpoint with their plans (stderr)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated database")
    parser.add_argument("--url", help="time a database this command generated (--keep)")
    args = parser.parse_args()
    if args.subsidiaries <= DIRECTOR_SUBSIDIARY:
        parser.error(f"--subsidiaries must be more than {DIRECTOR_SUBSIDIARY}")
    reps = args.subsidiaries * REPS_PER_SUBSIDIARY
    if args.opportunities < reps or args.opportunities % reps:
        parser.error(f"--opportunities must be a multiple of the rep count ({reps:,})")
    run(args)


if __name__ == "__main__":
    main()
