"""Races on a fresh database with real commits: concurrent reclaim runs and claims.

PostgreSQL runs these with row locks (``FOR UPDATE [SKIP LOCKED]``); SQLite serializes the
writers (IMMEDIATE transactions). Either way every account changes hands exactly once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from functools import partial
from typing import Any, TypeVar

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from flotilla.core import audit, clock
from flotilla.core.audit import verify_chain
from flotilla.core.db import make_engine, make_session_factory
from flotilla.core.jobs import JobReport, run_job
from flotilla.core.scope import mark_system_session
from flotilla.main import create_app
from flotilla.models.audit import AuditEvent
from flotilla.models.customer import Account, AccountClaim, PoolRelease
from flotilla.pool import service
from tests.conftest import DatabaseFactory
from tests.fixtures.factories import World, login, make_user, make_world
from tests.fixtures.sales import make_account, make_pool_account, make_pool_rule

pytestmark = pytest.mark.concurrency

T = TypeVar("T")


@pytest.fixture
def fresh_factory(database_factory: DatabaseFactory) -> Iterator[sessionmaker[Session]]:
    database = database_factory.create()
    engine = make_engine(database.url)
    yield make_session_factory(engine)
    engine.dispose()


def _system_session(factory: sessionmaker[Session]) -> Session:
    session = factory()
    mark_system_session(session)
    audit.set_context(session, audit.SYSTEM_CONTEXT)
    return session


def _together(*calls: Callable[[], T]) -> list[T]:
    """Run the calls on their own threads, released at the same moment."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(index: int, call: Callable[[], T]) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


def test_two_reclaim_runs_at_once_reclaim_each_account_exactly_once(
    fresh_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "RECLAIM_BATCH_SIZE", 4)
    idle_since = clock.now() - timedelta(days=60)
    with _system_session(fresh_factory) as session:
        world = make_world(session)
        owner = make_user(session, world.team_a, "sales_rep")
        other = make_user(session, world.dept_b, "sales_rep")
        for index in range(30):
            make_account(
                session,
                world.team_a if index % 2 else world.dept_b,
                owner=owner if index % 2 else other,
                last_follow_up_at=idle_since,
            )
        session.commit()

    reports: list[JobReport] = _together(
        lambda: run_job(fresh_factory, "pool-reclaim"),
        lambda: run_job(fresh_factory, "pool-reclaim"),
    )

    assert sum(report.processed for report in reports) == 30
    with _system_session(fresh_factory) as session:
        assert (
            session.execute(
                select(func.count()).select_from(Account).where(Account.status == "pool")
            ).scalar_one()
            == 30
        )
        released = session.execute(select(PoolRelease.account_id)).scalars().all()
        assert len(released) == len(set(released)) == 30
        reclaim_events = (
            session.execute(select(AuditEvent.entity_id).where(AuditEvent.action == "pool.reclaim"))
            .scalars()
            .all()
        )
        assert len(reclaim_events) == len(set(reclaim_events)) == 30
        assert verify_chain(session).ok
    assert run_job(fresh_factory, "pool-reclaim").processed == 0


def _arrange_reps(
    factory: sessionmaker[Session], pool_accounts: int, **rules: int
) -> tuple[World, list[str], list[Account]]:
    with _system_session(factory) as session:
        world = make_world(session)
        if rules:
            make_pool_rule(session, world.sub_a, **rules)
        reps = [make_user(session, world.team_a, "sales_rep") for _ in range(2)]
        accounts = [make_pool_account(session, world.sub_a) for _ in range(pool_accounts)]
        session.commit()
        return world, [rep.username for rep in reps], accounts


def test_two_reps_claiming_the_same_account_at_once_exactly_one_wins(
    fresh_factory: sessionmaker[Session],
) -> None:
    _world, usernames, accounts = _arrange_reps(fresh_factory, pool_accounts=4)
    app = create_app(fresh_factory)
    with TestClient(app) as first, TestClient(app) as second:
        headers = [login(first, usernames[0]), login(second, usernames[1])]
        for account in accounts:
            url = f"/api/v1/pool/{account.id}/claim"
            responses = _together(
                partial(first.post, url, headers=headers[0]),
                partial(second.post, url, headers=headers[1]),
            )
            assert sorted(r.status_code for r in responses) == [200, 409], [
                r.text for r in responses
            ]
            loser = next(r for r in responses if r.status_code == 409)
            assert loser.json()["error"]["code"] == "not_in_pool"
            winner = next(r for r in responses if r.status_code == 200).json()

            with _system_session(fresh_factory) as session:
                stored = session.execute(
                    select(Account).where(Account.id == account.id)
                ).scalar_one()
                assert (stored.status, str(stored.owner_id)) == ("owned", winner["owner_id"])
                claims = (
                    session.execute(
                        select(AccountClaim.owner_id).where(
                            AccountClaim.account_id == account.id, AccountClaim.status == "active"
                        )
                    )
                    .scalars()
                    .all()
                )
                assert [str(owner) for owner in claims] == [winner["owner_id"]]
                assert (
                    session.execute(
                        select(func.count())
                        .select_from(AuditEvent)
                        .where(
                            AuditEvent.action == "pool.claim", AuditEvent.entity_id == account.id
                        )
                    ).scalar_one()
                    == 1
                )


def test_one_rep_claiming_two_accounts_at_once_cannot_pass_the_limit(
    fresh_factory: sessionmaker[Session],
) -> None:
    _world, usernames, accounts = _arrange_reps(
        fresh_factory, pool_accounts=2, max_accounts_per_rep=1
    )
    app = create_app(fresh_factory)
    with TestClient(app) as first, TestClient(app) as second:
        headers = login(first, usernames[0])
        responses = _together(
            lambda: first.post(f"/api/v1/pool/{accounts[0].id}/claim", headers=headers),
            lambda: second.post(f"/api/v1/pool/{accounts[1].id}/claim", headers=headers),
        )

    assert sorted(r.status_code for r in responses) == [200, 409], [r.text for r in responses]
    refused = next(r for r in responses if r.status_code == 409)
    assert refused.json()["error"]["code"] == "pool_limit_reached"
    with _system_session(fresh_factory) as session:
        assert (
            session.execute(
                select(func.count()).select_from(Account).where(Account.status == "owned")
            ).scalar_one()
            == 1
        )
