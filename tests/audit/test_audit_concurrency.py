"""Two transactions never chain onto the same previous hash.

Writers on separate connections commit audited rows at the same time, on a fresh database
with real commits. Each unit of work reads before it writes, as every service does (find
the parent, check the code is free) — on SQLite that is the pattern that fails with
"database is locked" when transactions begin deferred.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from flotilla.core import audit
from flotilla.core.db import make_engine, make_session_factory
from flotilla.core.ids import new_id
from flotilla.core.scope import mark_system_session
from flotilla.main import create_app
from flotilla.models.audit import AuditEvent
from flotilla.models.org import OrgUnit, path_segment
from tests.fixtures.factories import login, make_user, make_world

if TYPE_CHECKING:
    from tests.conftest import DatabaseFactory, TestDatabase

pytestmark = pytest.mark.concurrency

WRITERS = 2
WRITES_EACH = 30


@dataclass
class Fresh:
    database: TestDatabase
    engine: Engine
    factory: sessionmaker[Session]


@pytest.fixture
def fresh(database_factory: DatabaseFactory) -> Iterator[Fresh]:
    database = database_factory.create()
    engine = make_engine(database.url)
    yield Fresh(database, engine, make_session_factory(engine))
    engine.dispose()


def system_session(factory: sessionmaker[Session]) -> Session:
    session = factory()
    mark_system_session(session)
    audit.set_context(session, audit.SYSTEM_CONTEXT)
    return session


def run_together(workers: list[Callable[[], None]]) -> list[BaseException]:
    """Start every worker at once (behind a barrier); return what any of them raised."""
    barrier = threading.Barrier(len(workers))
    errors: list[BaseException] = []

    def run(work: Callable[[], None]) -> None:
        try:
            barrier.wait(timeout=60)
            work()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(t.is_alive() for t in threads), "a writer hung"
    return errors


def assert_one_unforked_chain(factory: sessionmaker[Session], expected_events: int) -> None:
    with system_session(factory) as session:
        result = audit.verify_chain(session)
        assert result.ok, result
        rows = session.execute(
            select(AuditEvent.seq, AuditEvent.prev_hash, AuditEvent.hash).order_by(AuditEvent.seq)
        ).all()
    seqs = [r.seq for r in rows]
    assert seqs == list(range(1, len(rows) + 1)), "seq has gaps or duplicates"
    assert len(rows) == expected_events
    prev_hashes = [r.prev_hash for r in rows]
    assert len(set(prev_hashes)) == len(prev_hashes), "two events chain onto one previous hash"
    assert prev_hashes[1:] == [r.hash for r in rows[:-1]]


def test_concurrent_writers_extend_one_gap_free_chain(fresh: Fresh) -> None:
    with system_session(fresh.factory) as session:
        root = OrgUnit(id=new_id(), kind="group", code="G", name="集团", depth=0, currency="CNY")
        root.path = "/" + path_segment(root.id)
        session.add(root)
        session.commit()
        root_id = root.id
    with system_session(fresh.factory) as session:
        events_before = session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()

    def writer(name: str) -> Callable[[], None]:
        def work() -> None:
            # Each writer has its own engine: its own connections, as two processes would.
            engine = make_engine(fresh.database.url)
            factory = make_session_factory(engine)
            try:
                for i in range(WRITES_EACH):
                    with system_session(factory) as session:
                        parent = session.execute(
                            select(OrgUnit).where(OrgUnit.id == root_id)
                        ).scalar_one()
                        code = f"{name}-{i}"
                        taken = session.execute(
                            select(OrgUnit.id).where(OrgUnit.code == code)
                        ).first()
                        assert taken is None
                        unit = OrgUnit(
                            id=new_id(),
                            kind="subsidiary",
                            code=code,
                            name=f"子公司 {code}",
                            currency="CNY",
                            parent_id=parent.id,
                            depth=parent.depth + 1,
                        )
                        unit.path = parent.path + path_segment(unit.id)
                        unit.subsidiary_id = unit.id
                        session.add(unit)
                        session.commit()
            finally:
                engine.dispose()

        return work

    errors = run_together([writer(f"W{n}") for n in range(WRITERS)])
    assert errors == [], [repr(e) for e in errors]

    with system_session(fresh.factory) as session:
        units = session.execute(
            select(func.count()).select_from(OrgUnit).where(OrgUnit.parent_id == root_id)
        ).scalar_one()
    assert units == WRITERS * WRITES_EACH
    assert_one_unforked_chain(fresh.factory, events_before + WRITERS * WRITES_EACH)


def test_concurrent_explicit_events_extend_one_gap_free_chain(fresh: Fresh) -> None:
    """``audit.record`` (logins, exports…) appends outside any row change; same guarantee."""

    def writer(name: str) -> Callable[[], None]:
        def work() -> None:
            engine = make_engine(fresh.database.url)
            factory = make_session_factory(engine)
            try:
                for i in range(WRITES_EACH):
                    with system_session(factory) as session:
                        session.execute(select(func.count()).select_from(AuditEvent))
                        audit.record(session, "test.ping", entity_label=f"{name}-{i}")
                        audit.record(session, "test.pong", entity_label=f"{name}-{i}")
                        session.commit()
            finally:
                engine.dispose()

        return work

    errors = run_together([writer(f"W{n}") for n in range(WRITERS)])
    assert errors == [], [repr(e) for e in errors]
    assert_one_unforked_chain(fresh.factory, WRITERS * WRITES_EACH * 2)


def test_concurrent_api_requests_all_succeed_and_extend_one_chain(fresh: Fresh) -> None:
    """Real requests authenticate (a read) before they write; none may fail for locking."""
    with system_session(fresh.factory) as session:
        world = make_world(session)
        admins = [make_user(session, world.group, "group_admin") for _ in range(WRITERS)]
        session.commit()
        parent_id = str(world.sub_a.id)
    app = create_app(fresh.factory)
    clients = [TestClient(app) for _ in range(WRITERS)]
    headers = [login(c, a.username) for c, a in zip(clients, admins, strict=True)]
    with system_session(fresh.factory) as session:
        events_before = session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
    requests_each = 15

    def writer(n: int) -> Callable[[], None]:
        def work() -> None:
            for i in range(requests_each):
                response = clients[n].post(
                    "/api/v1/org-units",
                    json={
                        "parent_id": parent_id,
                        "kind": "department",
                        "code": f"API-{n}-{i}-{uuid.uuid4().hex[:4]}",
                        "name": f"部门 {n}-{i}",
                    },
                    headers=headers[n],
                )
                assert response.status_code == 201, response.text

        return work

    errors = run_together([writer(n) for n in range(WRITERS)])
    assert errors == [], [repr(e) for e in errors]
    assert_one_unforked_chain(fresh.factory, events_before + WRITERS * requests_each)
