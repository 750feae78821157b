"""Scoped user list: what the scope kernel costs over the query the database needs.

Builds a fresh, migrated database with a group of 20 subsidiaries (departments and teams
under each) and N users, then times in the same run:

* ours: ``flotilla.user.repository.list_users`` for a sales director whose role is held at
  one subsidiary (``subsidiary`` data scope), first page of 50, without and with the total;
* baseline: the hand-written SQL for the same answer (users holding a position in a unit of
  that subsidiary, ``ORDER BY username LIMIT 51``, and the ``COUNT``) through ``text()``.

A third column replays the exact SQL our code emitted straight on the driver, which splits
our time into the database's share and the Python (ORM, scope, pagination) share. All sides
run on the same connection, interleaved, each many times; medians are reported with the
ratio ours / baseline. The answers of ours and the baseline are compared before timing.

    .venv/bin/python bench/scope_list.py                       # SQLite, 20,000 users
    .venv/bin/python bench/scope_list.py --db postgresql       # throwaway PostgreSQL database

PostgreSQL is reached through ``FLOTILLA_BENCH_DATABASE_URL`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``); the benchmark creates its own
database there and drops it at the end.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy
import sqlalchemy.exc
from sqlalchemy import Connection, Engine, Uuid, bindparam, event, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from flotilla.core.db import make_engine, make_session_factory
from flotilla.core.ids import new_id
from flotilla.core.migrate import upgrade
from flotilla.core.pagination import PageRequest
from flotilla.core.scope import Scope, mark_system_session, resolve_scope, system_access
from flotilla.models.identity import Position, Role, RoleGrant, User
from flotilla.models.org import OrgUnit, path_segment
from flotilla.role.builtin import BUILTIN_ROLES
from flotilla.user.repository import list_users

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SUBSIDIARIES = 20
DEPARTMENTS_PER_SUBSIDIARY = 4
TEAMS_PER_DEPARTMENT = 5
TARGET_SUBSIDIARY = 7  # the director's subsidiary (0-based)
PART_TIME_EVERY = 7  # every 7th user also holds a seat in another subsidiary (兼职)
PAGE_SIZE = 50
PERMISSION = "user.read"
FAKE_PASSWORD_HASH = "$argon2id$bench$not-a-real-hash"

BASELINE_FILTER = """
    FROM app_user u
    WHERE EXISTS (
        SELECT 1 FROM position p JOIN org_unit o ON o.id = p.unit_id
        WHERE p.user_id = u.id AND o.subsidiary_id = :subsidiary_id
    )
"""
BASELINE_PAGE = text(
    "SELECT u.id, u.username, u.display_name, u.email, u.phone, u.password_hash, "
    "u.is_active, u.locale, u.primary_unit_id, u.subsidiary_id, u.created_at, u.updated_at, "
    f"u.version {BASELINE_FILTER} ORDER BY u.username LIMIT {PAGE_SIZE + 1}"
).bindparams(bindparam("subsidiary_id", type_=Uuid()))
BASELINE_COUNT = text(f"SELECT count(*) {BASELINE_FILTER}").bindparams(
    bindparam("subsidiary_id", type_=Uuid())
)


@dataclass(frozen=True)
class World:
    subsidiary_id: uuid.UUID
    director_id: uuid.UUID
    units: int
    users: int
    positions: int


# --- database lifecycle ------------------------------------------------------------------


@contextmanager
def throwaway_database(backend: str) -> Iterator[str]:
    """Yield the URL of a new, empty database; remove it afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="flotilla-bench-") as workdir:
            yield f"sqlite:///{Path(workdir) / 'bench.db'}"
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
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# --- data ----------------------------------------------------------------------------------


def _unit_row(
    parent: dict[str, Any] | None, kind: str, code: str, name: str, now: datetime
) -> dict[str, Any]:
    unit_id = new_id()
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
        "currency": "CNY",
        "region": None,
        "timezone": "Asia/Shanghai",
        "subsidiary_id": subsidiary_id,
        "path": (parent["path"] if parent else "/") + path_segment(unit_id),
        "depth": parent["depth"] + 1 if parent else 0,
        "is_active": True,
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }


def _user_row(index: int, username: str, unit: dict[str, Any], now: datetime) -> dict[str, Any]:
    return {
        "id": new_id(),
        "username": username,
        "display_name": f"用户{index}",
        "email": f"{username}@bench.example.cn",
        "phone": f"139{index:08d}",
        "password_hash": FAKE_PASSWORD_HASH,
        "is_active": True,
        "locale": "zh-CN",
        "primary_unit_id": unit["id"],
        "subsidiary_id": unit["subsidiary_id"],
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }


def _position_row(
    user: dict[str, Any], unit: dict[str, Any], primary: bool, now: datetime
) -> dict[str, Any]:
    return {
        "id": new_id(),
        "user_id": user["id"],
        "unit_id": unit["id"],
        "title": "销售代表" if primary else "兼职",
        "is_primary": primary,
        "created_at": now,
        "updated_at": now,
    }


def build_world(factory: sessionmaker[Session], n_users: int) -> World:
    """Org tree, roles, N users with positions, one director; bulk Core inserts, no audit."""
    now = datetime.now(UTC)
    group = _unit_row(None, "group", "G", "基准集团", now)
    units = [group]
    per_subsidiary: list[list[dict[str, Any]]] = []
    for s in range(SUBSIDIARIES):
        sub = _unit_row(group, "subsidiary", f"S{s:02d}", f"子公司{s:02d}", now)
        members = [sub]
        for d in range(DEPARTMENTS_PER_SUBSIDIARY):
            dept = _unit_row(sub, "department", f"S{s:02d}-D{d}", f"销售{d}部", now)
            members.append(dept)
            for t in range(TEAMS_PER_DEPARTMENT):
                members.append(_unit_row(dept, "team", f"S{s:02d}-D{d}-T{t}", f"{t}组", now))
        per_subsidiary.append(members)
        units.extend(members)

    users: list[dict[str, Any]] = []
    positions: list[dict[str, Any]] = []
    for i in range(n_users):
        # Subsidiaries interleave in username order, as real names do.
        members = per_subsidiary[i % SUBSIDIARIES]
        seat = members[1 + (i // SUBSIDIARIES) % (len(members) - 1)]
        user = _user_row(i, f"u{i:07d}", seat, now)
        users.append(user)
        positions.append(_position_row(user, seat, True, now))
        if i % PART_TIME_EVERY == 0:
            other = per_subsidiary[(i + PART_TIME_EVERY) % SUBSIDIARIES]
            positions.append(_position_row(user, other[-1], False, now))

    target = per_subsidiary[TARGET_SUBSIDIARY][0]
    director = _user_row(n_users, "director", target, now)
    users.append(director)
    positions.append(_position_row(director, target, True, now))

    roles = []
    for code, (name, name_en, data_scope, permissions, description) in BUILTIN_ROLES.items():
        roles.append(
            {
                "id": new_id(),
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
    director_role = next(r for r in roles if r["code"] == "sales_director")
    grant = {
        "id": new_id(),
        "user_id": director["id"],
        "role_id": director_role["id"],
        "unit_id": target["id"],
        "created_at": now,
        "updated_at": now,
    }

    with factory() as session:
        mark_system_session(session)
        session.execute(insert(OrgUnit.__table__), units)
        session.execute(insert(Role.__table__), roles)
        for start in range(0, len(users), 5000):
            session.execute(insert(User.__table__), users[start : start + 5000])
        for start in range(0, len(positions), 5000):
            session.execute(insert(Position.__table__), positions[start : start + 5000])
        session.execute(insert(RoleGrant.__table__), [grant])
        session.commit()
    return World(
        subsidiary_id=target["id"],
        director_id=director["id"],
        units=len(units),
        users=len(users),
        positions=len(positions),
    )


# --- timing --------------------------------------------------------------------------------


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def ours(
    factory: sessionmaker[Session], conn: Connection, scope: Scope, include_total: bool
) -> Callable[[], tuple[list[uuid.UUID], int | None]]:
    """One request's repository call: a fresh session (empty identity map) on ``conn``."""
    request = PageRequest(limit=PAGE_SIZE, include_total=include_total)

    def run() -> tuple[list[uuid.UUID], int | None]:
        with factory(bind=conn) as session:
            page = list_users(session, scope, PERMISSION, request)
            return [u.id for u in page.rows], page.total

    return run


def captured_sql(engine: Engine, run_ours: Callable[[], Any]) -> list[tuple[str, Any]]:
    """The SELECTs our code sends to the driver, with their parameters, from one run."""
    captured: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
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


def baseline(
    conn: Connection, subsidiary_id: uuid.UUID, include_total: bool
) -> Callable[[], tuple[list[uuid.UUID], int | None]]:
    """The same answer in plain SQL: rows as the driver returns them, no ORM objects."""

    def run() -> tuple[list[uuid.UUID], int | None]:
        total = None
        if include_total:
            total = conn.execute(BASELINE_COUNT, {"subsidiary_id": subsidiary_id}).scalar_one()
        rows = conn.execute(BASELINE_PAGE, {"subsidiary_id": subsidiary_id}).all()
        conn.rollback()
        return [r.id for r in rows[:PAGE_SIZE]], total

    return run


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


def server_version(engine: Engine) -> str:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            return "SQLite " + str(conn.exec_driver_sql("select sqlite_version()").scalar_one())
        return "PostgreSQL " + str(conn.exec_driver_sql("show server_version").scalar_one())


def run(backend: str, n_users: int, repeat: int, warmup: int) -> None:
    with throwaway_database(backend) as url:
        started = time.perf_counter()
        upgrade(url)
        engine = make_engine(url)
        factory = make_session_factory(engine)
        world = build_world(factory, n_users)
        if backend == "postgresql":
            with engine.connect() as conn:
                conn.execute(text("ANALYZE"))
                conn.commit()
        setup_seconds = time.perf_counter() - started

        with engine.connect() as conn:
            with factory(bind=conn) as session:
                director = session.execute(
                    system_access(select(User).where(User.id == world.director_id))
                ).scalar_one()
                scope = resolve_scope(session, director)
                resolve_times = [
                    _timed(lambda: resolve_scope(session, director))[0] for _ in range(repeat)
                ]
            conn.rollback()
            resolve_seconds = statistics.median(resolve_times)

            cases: dict[str, tuple[Callable[[], Any], ...]] = {}
            for include_total in (False, True):
                name = f"first page ({PAGE_SIZE})" + (" + total" if include_total else "")
                ours_run = ours(factory, conn, scope, include_total)
                cases[name] = (
                    ours_run,
                    replay(conn, captured_sql(engine, ours_run)),
                    baseline(conn, world.subsidiary_id, include_total),
                )
            # Same page, same order, same total — else the comparison means nothing.
            ours_ids, visible = ours(factory, conn, scope, True)()
            base_ids, base_total = baseline(conn, world.subsidiary_id, True)()
            if ours_ids != [uuid.UUID(str(i)) for i in base_ids] or visible != base_total:
                sys.exit(f"answers differ: ours {visible} users, baseline {base_total}")

            results = {name: measure(sides, repeat, warmup) for name, sides in cases.items()}
        version = server_version(engine)
        engine.dispose()

    print(f"Scoped user list — {version}")
    print(
        f"python {platform.python_version()}, SQLAlchemy {sqlalchemy.__version__}, "
        f"{os.cpu_count()} CPUs"
    )
    print(
        f"data: {world.users:,} users, {world.positions:,} positions, {world.units} org units "
        f"({SUBSIDIARIES} subsidiaries); built and migrated in {setup_seconds:.1f} s"
    )
    print(
        f"caller: sales_director at one subsidiary (subsidiary scope), sees {visible:,} users; "
        f"resolve_scope median {resolve_seconds * 1000:.2f} ms (once per request)"
    )
    print(f"median of {repeat} runs each (after {warmup} warm-up), interleaved:")
    print(
        f"  {'query':<26}{'ours ms':>10}{'our SQL ms':>12}{'baseline ms':>13}"
        f"{'ours/baseline':>15}{'our SQL/baseline':>18}"
    )
    for name, (ours_s, sql_s, base_s) in results.items():
        print(
            f"  {name:<26}{ours_s * 1000:>10.3f}{sql_s * 1000:>12.3f}{base_s * 1000:>13.3f}"
            f"{ours_s / base_s:>14.2f}x{sql_s / base_s:>17.2f}x"
        )
    print(
        "  ours = list_users through the ORM; our SQL = the statements it emits, replayed on "
        "the driver; baseline = hand-written SQL"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--users", type=int, default=20_000, help="users to generate")
    parser.add_argument("--repeat", type=int, default=300, help="timed runs per query")
    parser.add_argument("--warmup", type=int, default=20, help="untimed runs first")
    args = parser.parse_args()
    if args.users < SUBSIDIARIES:
        parser.error(f"--users must be at least {SUBSIDIARIES}")
    run(args.db, args.users, args.repeat, args.warmup)


if __name__ == "__main__":
    main()
